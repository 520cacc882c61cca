package yamlfront

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/diag"
)

// TestValueOffsets checks that each character of a scalar's value maps to
// where it is written, for every style of scalar.
func TestValueOffsets(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int // where the X that ends the value is written
	}{
		{"plain", "k: abc X\n", 1, 8},
		{"plain, after multibyte characters", "k: “é” X\n", 1, 8},
		{"plain, folded onto a second line", "k: abc\n  X\n", 2, 3},
		{"single-quoted with a doubled quote", "k: 'it''s X'\n", 1, 11},
		{"double-quoted with escapes", `k: "a\tb\u00e9\"X"` + "\n", 1, 17},
		{"double-quoted with an escaped line break", "k: \"ab\\\n   X\"\n", 2, 4},
		{"literal block", "k: |-\n  ab\n    X\n", 3, 5},
		{"folded block", "k: >- # a comment\n  ab\n\n  X\n", 4, 3},
		{"with an anchor and a tag", "k: &a !!str X\n", 1, 13},
		{"CRLF line ends", "k: abc\r\n  X\r\n", 2, 3},
		{"in a flow mapping", "{k: [a, 'X']}\n", 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := scalarX(t, tt.src)
			st := readFile(t, tt.src)
			offs, _, ok := st.ValueOffsets(n)
			require.True(t, ok)
			require.Len(t, offs, len([]rune(n.Value)))
			i := len([]rune(n.Value)) - 1
			assert.Equal(t, at(tt.line, tt.col), st.PosAt(offs[i]))
		})
	}
}

// scalarX parses src and returns its scalar whose value ends with X.
func scalarX(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
	n := scalarNamed(&doc, "X")
	require.NotNil(t, n)
	return n
}

// scalarNamed finds the scalar whose value ends with s.
func scalarNamed(n *yaml.Node, s string) *yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Value != "k" && len(n.Value) > 0 && n.Value[len(n.Value)-1:] == s {
		return n
	}
	for _, c := range n.Content {
		if m := scalarNamed(c, s); m != nil {
			return m
		}
	}
	return nil
}

// TestFirstLineSpan checks where an assumption's warning points: at its text,
// underlined to the end of its first line, whatever the scalar's style.
func TestFirstLineSpan(t *testing.T) {
	tests := []struct {
		name, src  string
		start, end diag.Pos
	}{
		{"plain", "k: one two X\n", at(1, 4), at(1, 13)},
		{"folded block", "k: >-\n  one two\n  three X\n", at(2, 3), at(2, 10)},
		{"literal block", "k: |-\n    one\n    X\n", at(2, 5), at(2, 8)},
		{"double-quoted over two lines", "k: \"one\n  X\"\n", at(1, 5), at(1, 8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := readFile(t, tt.src).FirstLineSpan(scalarX(t, tt.src))
			assert.Equal(t, tt.start, start)
			assert.Equal(t, tt.end, end)
		})
	}
}

// readFile reads src as file "f", which must be valid YAML.
func readFile(t *testing.T, src string) *File {
	t.Helper()
	f := NewFile("f", []byte(src))
	require.NotNil(t, f.Read(Options{MaxBytes: 1 << 20}))
	return f
}

// at is a position in file "f".
func at(line, col int) diag.Pos { return diag.Pos{File: "f", Line: line, Column: col} }
