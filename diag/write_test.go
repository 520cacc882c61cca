package diag

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	src := []byte("name: value\n\tkey: x\ntitle: “Café” des désaccords: x\nwhen: 段階 && x\nlast\r\nend")
	tenth := []byte("\n\n\n\n\n\n\n\n\n x\n")
	tests := []struct {
		name string
		d    Diagnostic
		want string
		src  []byte // src unless set
	}{
		{"one column", Diagnostic{Pos: Pos{"f", 1, 7}, Message: "m", Hint: "h"},
			"f:1:7: error: m\n 1 | name: value\n   |       ^\n  hint: h\n", nil},
		{"a range", Diagnostic{Pos: Pos{"f", 1, 7}, End: Pos{"f", 1, 12}, Message: "m"},
			"f:1:7: error: m\n 1 | name: value\n   |       ^~~~~\n", nil},
		{"a tab before the column is kept", Diagnostic{Pos: Pos{"f", 2, 2}, End: Pos{"f", 2, 5}, Message: "m"},
			"f:2:2: error: m\n 2 | \tkey: x\n   | \t^~~\n", nil},
		{"multibyte characters count once", Diagnostic{Pos: Pos{"f", 3, 15}, End: Pos{"f", 3, 25}, Message: "m"},
			"f:3:15: error: m\n 3 | title: “Café” des désaccords: x\n   |               ^~~~~~~~~~\n", nil},
		{"wide characters count twice", Diagnostic{Pos: Pos{"f", 4, 9}, End: Pos{"f", 4, 11}, Message: "m"},
			"f:4:9: error: m\n 4 | when: 段階 && x\n   |           ^~\n", nil},
		{"a wide character under the caret", Diagnostic{Pos: Pos{"f", 4, 7}, End: Pos{"f", 4, 9}, Message: "m"},
			"f:4:7: error: m\n 4 | when: 段階 && x\n   |       ^~~~\n", nil},
		{"a range onto a later line runs to the end of the line", Diagnostic{Pos: Pos{"f", 1, 7}, End: Pos{"f", 2, 3}, Message: "m"},
			"f:1:7: error: m\n 1 | name: value\n   |       ^~~~~\n", nil},
		{"past the end of the line", Diagnostic{Pos: Pos{"f", 5, 6}, Message: "m"},
			"f:5:6: error: m\n 5 | last\n   |     ^\n", nil},
		{"the last line without a newline", Diagnostic{Pos: Pos{"f", 6, 1}, End: Pos{"f", 6, 4}, Message: "m"},
			"f:6:1: error: m\n 6 | end\n   | ^~~\n", nil},
		{"no column: the line alone", Diagnostic{Pos: Pos{"f", 5, 0}, Message: "m"},
			"f:5: error: m\n 5 | last\n", nil},
		{"no line", Diagnostic{Pos: Pos{File: "f"}, Message: "m"}, "f: error: m\n", nil},
		{"a line past the end", Diagnostic{Pos: Pos{"f", 99, 1}, Message: "m"}, "f:99:1: error: m\n", nil},
		{"ten lines widen the gutter", Diagnostic{Pos: Pos{"g", 10, 2}, Message: "m"},
			"g:10:2: error: m\n 10 |  x\n    |  ^\n", tenth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			file := src
			if tt.src != nil {
				file = tt.src
			}
			require.NoError(t, Write(&buf, Diagnostics{&tt.d}, func(string) []byte { return file }))
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

func TestWriteSanitizes(t *testing.T) {
	var buf bytes.Buffer
	src := []byte("title: \x1b[31mred\n")
	d := &Diagnostic{Pos: Pos{"f", 1, 8}, Message: "bad \x1b[0m", Hint: "\x07"}
	require.NoError(t, Write(&buf, Diagnostics{d}, func(string) []byte { return src }))
	assert.NotContains(t, buf.String(), "\x1b", "no terminal escapes from a hostile file")
	assert.NotContains(t, buf.String(), "\x07")
}

// A bidi override in a policy's line would show what follows it reversed,
// in the snippet and the message; it is replaced as a control is.
func TestWriteReplacesBidiControls(t *testing.T) {
	var buf bytes.Buffer
	src := []byte("title: a\u202eeel\u2066x\n")
	d := &Diagnostic{Pos: Pos{"f", 1, 8}, Message: "bad \u202e", Hint: "\u200f"}
	require.NoError(t, Write(&buf, Diagnostics{d}, func(string) []byte { return src }))
	assert.Equal(t, "f:1:8: error: bad \ufffd\n 1 | title: a\ufffdeel\ufffdx\n   |        ^\n  hint: \ufffd\n", buf.String())
}

func TestWriteWithoutSource(t *testing.T) {
	var buf bytes.Buffer
	d := &Diagnostic{Pos: Pos{"f", 1, 8}, Message: "m", Hint: "h"}
	require.NoError(t, Write(&buf, Diagnostics{d}, nil))
	assert.Equal(t, "f:1:8: error: m\n  hint: h\n", buf.String())
	buf.Reset()
	require.NoError(t, Write(&buf, Diagnostics{d}, func(string) []byte { return nil }))
	assert.Equal(t, "f:1:8: error: m\n  hint: h\n", buf.String())
}
