// Package source indexes a text file by line, counting lines and columns the
// way the YAML parser does: a line ends at CR LF, CR, LF, NEL, LS or PS, and a
// column counts Unicode characters, as editors do. The diagnostics renderer
// and the YAML front end share it, so a caret always lands under the character
// a position names.
package source

import (
	"sort"
	"unicode/utf8"
)

// Text is a file's bytes and where each of its lines starts.
type Text struct {
	src   []byte
	lines []int // the byte offset at which each line starts
}

// New indexes src. It reads every byte once.
func New(src []byte) *Text {
	t := &Text{src: src, lines: []int{0}}
	for i := 0; i < len(src); {
		if c := src[i]; c != '\n' && c != '\r' && c != 0xC2 && c != 0xE2 { // the bytes a break starts with
			i++
			continue
		}
		if n := BreakLen(src, i); n > 0 {
			i += n
			t.lines = append(t.lines, i)
			continue
		}
		i++
	}
	return t
}

// Bytes returns the file's bytes.
func (t *Text) Bytes() []byte { return t.src }

// Lines returns how many lines the file has, as YAML counts them: a file
// ending with a line break has an empty last line.
func (t *Text) Lines() int { return len(t.lines) }

// Start returns the byte offset at which a 1-based line starts.
func (t *Text) Start(line int) int {
	if line > len(t.lines) {
		return len(t.src)
	}
	return t.lines[max(line, 1)-1]
}

// BreakLen returns the length of the line break at src[i], or 0. These are
// the breaks the YAML parser counts lines by: CR LF, CR, LF, NEL, LS and PS.
func BreakLen(src []byte, i int) int {
	switch c := src[i]; {
	case c == '\r' && i+1 < len(src) && src[i+1] == '\n':
		return 2
	case c == '\r' || c == '\n':
		return 1
	case c == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
		return 2
	case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
		return 3
	}
	return 0
}

// Line returns the bytes of a 1-based line, without its line break.
func (t *Text) Line(n int) ([]byte, bool) {
	if n < 1 || n > len(t.lines) {
		return nil, false
	}
	start, end := t.lines[n-1], len(t.src)
	if n < len(t.lines) {
		end = t.lines[n]
	}
	for i := start; i < end; i++ {
		if BreakLen(t.src, i) > 0 {
			return t.src[start:i], true
		}
	}
	return t.src[start:end], true
}

// Offset returns the byte offset of a 1-based line and character column.
func (t *Text) Offset(line, col int) (int, bool) {
	l, ok := t.Line(line)
	if !ok || col < 1 {
		return 0, false
	}
	i := 0
	for c := 1; c < col; c++ {
		if i >= len(l) {
			return 0, false
		}
		_, n := utf8.DecodeRune(l[i:])
		i += n
	}
	return t.lines[line-1] + i, true
}

// LineCol returns the 1-based line and character column of a byte offset;
// an offset past the end is the end.
func (t *Text) LineCol(off int) (line, col int) {
	off = min(max(off, 0), len(t.src))
	line = sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) // 1-based
	return line, 1 + utf8.RuneCount(t.src[t.lines[line-1]:off])
}
