package diag

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/safeguarding-partnerships/escalation/internal/source"
	"github.com/safeguarding-partnerships/escalation/internal/termsafe"
)

// Write writes diagnostics as text, one after another: the
// "file:line:col: severity: message" line; then, when src (which may be nil)
// returns the file's bytes, the offending line and a caret under the column,
// with tildes to the end of the range (^~~~); then the hint, if any.
func Write(w io.Writer, ds Diagnostics, src func(file string) []byte) error {
	var buf bytes.Buffer
	files := map[string]*source.Text{}
	for _, d := range ds {
		buf.WriteString(sanitize(d.Error()))
		buf.WriteByte('\n')
		if d.Pos.Line > 0 && src != nil {
			t, ok := files[d.Pos.File]
			if !ok {
				if data := src(d.Pos.File); data != nil {
					t = source.New(data)
				}
				files[d.Pos.File] = t
			}
			if t != nil {
				writeSnippet(&buf, t, d)
			}
		}
		if d.Hint != "" {
			buf.WriteString("  hint: ")
			buf.WriteString(sanitize(d.Hint))
			buf.WriteByte('\n')
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeSnippet writes the diagnostic's line with a gutter, and the caret
// line under it. Tabs are kept in the caret line's padding so that it lines
// up whatever the tab width; wide characters get two columns.
func writeSnippet(buf *bytes.Buffer, t *source.Text, d *Diagnostic) {
	line, ok := t.Line(d.Pos.Line)
	if !ok {
		return
	}
	num := strconv.Itoa(d.Pos.Line)
	gutter := strings.Repeat(" ", len(num)+1)
	buf.WriteString(" " + num + " | ")
	buf.WriteString(sanitize(string(line)))
	buf.WriteByte('\n')
	if d.Pos.Column < 1 {
		return
	}
	var pad strings.Builder
	width := 0
	for i, col := 0, 1; i < len(line); col++ {
		r, n := utf8.DecodeRune(line[i:])
		i += n
		cells := 1
		if isWide(r) {
			cells = 2
		}
		switch {
		case col < d.Pos.Column && r == '\t':
			pad.WriteByte('\t')
		case col < d.Pos.Column:
			pad.WriteString(strings.Repeat(" ", cells))
		case col == d.Pos.Column || d.End.Line > d.Pos.Line || d.End.Line == d.Pos.Line && col < d.End.Column:
			width += cells
		}
	}
	buf.WriteString(gutter + " | " + pad.String() + "^" + strings.Repeat("~", max(width-1, 0)) + "\n")
}

// sanitize replaces control and bidi characters, so that a hostile file
// cannot send terminal escapes through a diagnostic nor reverse its text.
// Tabs stay, for the caret line to line up under them.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || !termsafe.Unsafe(r) && r != utf8.RuneError {
			return r
		}
		return '\uFFFD'
	}, s)
}

// isWide reports whether a terminal shows r in two columns: the East Asian
// wide and fullwidth ranges and emoji.
func isWide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0x303E, r >= 0x3041 && r <= 0x33FF,
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xA000 && r <= 0xA4CF,
		r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1F64F,
		r >= 0x1F900 && r <= 0x1F9FF, r >= 0x20000 && r <= 0x3FFFD:
		return true
	}
	return false
}
