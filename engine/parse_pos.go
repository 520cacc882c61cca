package engine

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// srcText is a policy file indexed by line, counting lines and columns the way
// the YAML parser does, so that node positions become byte offsets and back.
type srcText struct {
	file  string
	src   []byte
	lines []int // the byte offset at which each line starts
}

func newSrcText(file string, src []byte) *srcText {
	t := &srcText{file: file, src: src, lines: []int{0}}
	for i := 0; i < len(src); {
		if c := src[i]; c != '\n' && c != '\r' && c != 0xC2 && c != 0xE2 { // the bytes a break starts with
			i++
			continue
		}
		if n := breakLen(src, i); n > 0 {
			i += n
			t.lines = append(t.lines, i)
			continue
		}
		i++
	}
	return t
}

// breakLen returns the length of the line break at src[i], or 0. These are
// the breaks the YAML parser counts lines by: CR LF, CR, LF, NEL, LS and PS.
func breakLen(src []byte, i int) int {
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

// line returns the bytes of a 1-based line, without its line break.
func (t *srcText) line(n int) ([]byte, bool) {
	if n < 1 || n > len(t.lines) {
		return nil, false
	}
	start, end := t.lines[n-1], len(t.src)
	if n < len(t.lines) {
		end = t.lines[n]
	}
	for i := start; i < end; i++ {
		if breakLen(t.src, i) > 0 {
			return t.src[start:i], true
		}
	}
	return t.src[start:end], true
}

// offset returns the byte offset of a 1-based line and character column.
func (t *srcText) offset(line, col int) (int, bool) {
	l, ok := t.line(line)
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

// posAt returns the position of a byte offset.
func (t *srcText) posAt(off int) Pos {
	line := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) // 1-based
	start := t.lines[line-1]
	return Pos{File: t.file, Line: line, Column: 1 + utf8.RuneCount(t.src[start:min(off, len(t.src))])}
}

// pos returns where a node starts. The parser places an empty node at the
// end of a file on a line after the last; that becomes the file's end.
func (t *srcText) pos(n *yaml.Node) Pos {
	switch {
	case n == nil || n.Line == 0:
		return Pos{File: t.file}
	case n.Line > len(t.lines):
		return t.posAt(len(t.src))
	}
	return Pos{File: t.file, Line: n.Line, Column: n.Column}
}

// span returns where a node starts and, for a scalar on one line, where it
// ends (quotes included); End is zero otherwise.
func (t *srcText) span(n *yaml.Node) (Pos, Pos) {
	start := t.pos(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return start, Pos{}
	}
	if e, ok := t.verbatimEnd(n, start); ok {
		return start, e
	}
	offs, end, ok := t.valueOffsets(n)
	if !ok || len(offs) == 0 {
		return start, Pos{}
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		end++ // the closing quote
	}
	e := t.posAt(end)
	if e.Line != start.Line || e.Column <= start.Column {
		return start, Pos{}
	}
	return start, e
}

// verbatimEnd is span's quick path for the commonest scalar: one written
// exactly as its value, on one line, perhaps in quotes.
func (t *srcText) verbatimEnd(n *yaml.Node, start Pos) (Pos, bool) {
	off, ok := t.offset(n.Line, n.Column)
	if !ok || n.Style&^(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return Pos{}, false
	}
	quotes := 0
	if n.Style != 0 {
		quotes, off = 2, off+1
	}
	v := n.Value
	if off+len(v) > len(t.src) || string(t.src[off:off+len(v)]) != v || strings.ContainsAny(v, "\r\n\u0085\u2028\u2029\\'\"") {
		return Pos{}, false
	}
	end := start
	end.Column += utf8.RuneCountInString(v) + quotes
	return end, true
}

// valueOffsets maps each character of a scalar's value to the byte offset
// in the file of the text that produced it, and returns the offset just past
// the last one. It walks the source in step with the value: equal characters
// match, escapes and doubled quotes decode, and line folding and indentation
// are skipped. ok is false when the two cannot be aligned (a form this does
// not know); callers then fall back to the node's own position.
func (t *srcText) valueOffsets(n *yaml.Node) (offs []int, end int, ok bool) {
	i, ok := t.offset(n.Line, n.Column)
	if !ok {
		return nil, 0, false
	}
	src := t.src
	i = skipProperties(src, i)
	if i >= len(src) {
		return nil, 0, false
	}
	var quote byte
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0 && src[i] == '"':
		quote = '"'
		i++
	case n.Style&yaml.SingleQuotedStyle != 0 && src[i] == '\'':
		quote = '\''
		i++
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The content starts on the line after the indicator.
		for i < len(src) && breakLen(src, i) == 0 {
			i++
		}
	}
	offs = make([]int, 0, len(n.Value))
	for _, r := range n.Value {
		for {
			if i >= len(src) {
				return nil, 0, false
			}
			c, size := utf8.DecodeRune(src[i:])
			brk := breakLen(src, i)
			switch {
			case quote == '"' && c == '\\':
				e, l := unescape(src[i:])
				if l == 0 {
					return nil, 0, false
				}
				if e < 0 { // an escaped line break produces nothing
					i += l
					continue
				}
				if e != r {
					return nil, 0, false
				}
				offs = append(offs, i)
				i += l
			case quote == '\'' && c == '\'' && i+1 < len(src) && src[i+1] == '\'':
				if r != '\'' {
					return nil, 0, false
				}
				offs = append(offs, i)
				i += 2
			case quote != 0 && c == rune(quote):
				return nil, 0, false // the value is longer than the quoted srcText
			case c == r && brk == 0:
				offs = append(offs, i)
				i += size
			case (r == ' ' || r == '\n') && brk > 0:
				offs = append(offs, i) // a folded or kept line break
				i += brk
			case c == ' ' || c == '\t' || brk > 0:
				i += max(size, brk) // indentation, trailing space or a folded break
				continue
			default:
				return nil, 0, false
			}
			break
		}
	}
	return offs, i, true
}

// skipProperties skips a node's anchor (&a) and tag (!t), which the parser
// counts as the start of the node.
func skipProperties(src []byte, i int) int {
	for i < len(src) && (src[i] == '&' || src[i] == '!') {
		for i < len(src) && src[i] != ' ' && src[i] != '\t' && breakLen(src, i) == 0 {
			i++
		}
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || breakLen(src, i) > 0) {
			i += max(1, breakLen(src, i))
		}
	}
	return i
}

// The escapes of YAML's double-quoted scalars.
var (
	simpleEscapes = map[byte]rune{
		'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f',
		'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xA0,
		'L': 0x2028, 'P': 0x2029,
	}
	hexEscapes = map[byte]int{'x': 2, 'u': 4, 'U': 8} // digits that follow
)

// unescape decodes the double-quoted escape at the start of b, returning the
// character and the escape's length; -1 for an escaped line break, which
// produces nothing, and length 0 for an escape it does not know.
func unescape(b []byte) (rune, int) {
	if len(b) < 2 {
		return 0, 0
	}
	if n := breakLen(b, 1); n > 0 {
		return -1, 1 + n
	}
	if r, ok := simpleEscapes[b[1]]; ok {
		return r, 2
	}
	digits := hexEscapes[b[1]]
	if digits == 0 || len(b) < 2+digits {
		return 0, 0
	}
	var r rune
	for _, c := range b[2 : 2+digits] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, 0
		}
		r = r<<4 | rune(v)
	}
	return r, 2 + digits
}

// rangeOf returns where characters [from, to) of a scalar's value are, given
// the offsets valueOffsets found; End is zero when they span lines.
func (t *srcText) rangeOf(offs []int, from, to int) (Pos, Pos) {
	from = min(max(from, 0), len(offs)-1)
	to = min(max(to, from+1), len(offs))
	start, last := t.posAt(offs[from]), t.posAt(offs[to-1])
	if last.Line != start.Line {
		return start, Pos{}
	}
	last.Column++
	return start, last
}

// firstLineSpan returns where a scalar's value starts and, on that line, ends:
// for a block scalar (| or >), its first line of text, not the indicator.
func (t *srcText) firstLineSpan(n *yaml.Node) (Pos, Pos) {
	offs, _, ok := t.valueOffsets(n)
	if !ok || len(offs) == 0 {
		return t.span(n)
	}
	start := t.posAt(offs[0])
	next := len(t.src) + 1 // where the line after start's begins
	if start.Line < len(t.lines) {
		next = t.lines[start.Line]
	}
	to := sort.SearchInts(offs, next)
	// A line break folded into the value is not part of the line's text.
	for runes := []rune(n.Value); to > 1 && to <= len(runes) && unicode.IsSpace(runes[to-1]); to-- {
	}
	return t.rangeOf(offs, 0, to)
}

// spanIn returns where characters [from, to) of a scalar's value are, or the
// whole node's span when they cannot be located.
func (t *srcText) spanIn(n *yaml.Node, from, to int) (Pos, Pos) {
	if offs, _, ok := t.valueOffsets(n); ok && from < len(offs) {
		return t.rangeOf(offs, from, to)
	}
	return t.span(n)
}

// idSpan returns the span of an element's id where it is declared.
func idSpan(pos Pos, id string) (Pos, Pos) {
	if pos.Line == 0 {
		return pos, Pos{}
	}
	end := pos
	end.Column += utf8.RuneCountInString(id)
	return pos, end
}
