package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
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
			st := newSrcText("f", []byte(tt.src))
			offs, _, ok := st.valueOffsets(n)
			require.True(t, ok)
			require.Len(t, offs, len([]rune(n.Value)))
			i := len([]rune(n.Value)) - 1
			assert.Equal(t, Pos{"f", tt.line, tt.col}, st.posAt(offs[i]))
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

func TestSrcTextLines(t *testing.T) {
	st := newSrcText("f", []byte("a\r\nb\rc\u2028d\ne"))
	for i, want := range []string{"a", "b", "c", "d", "e"} {
		l, ok := st.line(i + 1)
		require.True(t, ok)
		assert.Equal(t, want, string(l))
	}
	_, ok := st.line(6)
	assert.False(t, ok)
	_, ok = st.offset(1, 3)
	assert.False(t, ok, "past the end of the line")
	assert.Equal(t, Pos{"f", 5, 1}, st.posAt(len(st.src)-1))
}

// TestFirstLineSpan checks where an assumption's warning points: at its text,
// underlined to the end of its first line, whatever the scalar's style.
func TestFirstLineSpan(t *testing.T) {
	tests := []struct {
		name, src  string
		start, end Pos
	}{
		{"plain", "k: one two X\n", Pos{"f", 1, 4}, Pos{"f", 1, 13}},
		{"folded block", "k: >-\n  one two\n  three X\n", Pos{"f", 2, 3}, Pos{"f", 2, 10}},
		{"literal block", "k: |-\n    one\n    X\n", Pos{"f", 2, 5}, Pos{"f", 2, 8}},
		{"double-quoted over two lines", "k: \"one\n  X\"\n", Pos{"f", 1, 5}, Pos{"f", 1, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := newSrcText("f", []byte(tt.src)).firstLineSpan(scalarX(t, tt.src))
			assert.Equal(t, tt.start, start)
			assert.Equal(t, tt.end, end)
		})
	}
}
