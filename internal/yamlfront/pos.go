package yamlfront

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/diag"
	"github.com/safeguarding-partnerships/escalation/internal/source"
)

// PosAt returns the position of a byte offset.
func (f *File) PosAt(off int) diag.Pos {
	line, col := f.text.LineCol(off)
	return diag.Pos{File: f.name, Line: line, Column: col}
}

// Pos returns where a node starts. The parser places an empty node at the
// end of a file on a line after the last; that becomes the file's end. For a
// file whose nodes come from elsewhere (NewFile without its bytes), it is the
// node's own line and column.
func (f *File) Pos(n *yaml.Node) diag.Pos {
	switch {
	case n == nil || n.Line == 0:
		return diag.Pos{File: f.name}
	case n.Line > f.text.Lines() && f.text != noText:
		return f.PosAt(len(f.text.Bytes()))
	}
	return diag.Pos{File: f.name, Line: n.Line, Column: n.Column}
}

// Span returns where a node starts and, for a scalar on one line, where it
// ends (quotes included); End is zero otherwise.
func (f *File) Span(n *yaml.Node) (diag.Pos, diag.Pos) {
	start := f.Pos(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return start, diag.Pos{}
	}
	if e, ok := f.verbatimEnd(n, start); ok {
		return start, e
	}
	offs, end, ok := f.ValueOffsets(n)
	if !ok || len(offs) == 0 {
		return start, diag.Pos{}
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		end++ // the closing quote
	}
	e := f.PosAt(end)
	if e.Line != start.Line || e.Column <= start.Column {
		return start, diag.Pos{}
	}
	return start, e
}

// verbatimEnd is span's quick path for the commonest scalar: one written
// exactly as its value, on one line, perhaps in quotes.
func (f *File) verbatimEnd(n *yaml.Node, start diag.Pos) (diag.Pos, bool) {
	off, ok := f.text.Offset(n.Line, n.Column)
	if !ok || n.Style&^(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return diag.Pos{}, false
	}
	quotes := 0
	if n.Style != 0 {
		quotes, off = 2, off+1
	}
	v := n.Value
	if off+len(v) > len(f.text.Bytes()) || string(f.text.Bytes()[off:off+len(v)]) != v || strings.ContainsAny(v, "\r\n\u0085\u2028\u2029\\'\"") {
		return diag.Pos{}, false
	}
	end := start
	end.Column += utf8.RuneCountInString(v) + quotes
	return end, true
}

// ValueOffsets maps each character of a scalar's value to the byte offset
// in the file of the text that produced it, and returns the offset just past
// the last one. It walks the source in step with the value: equal characters
// match, escapes and doubled quotes decode, and line folding and indentation
// are skipped. ok is false when the two cannot be aligned (a form this does
// not know); callers then fall back to the node's own position.
func (f *File) ValueOffsets(n *yaml.Node) (offs []int, end int, ok bool) {
	i, ok := f.text.Offset(n.Line, n.Column)
	if !ok {
		return nil, 0, false
	}
	src := f.text.Bytes()
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
		for i < len(src) && source.BreakLen(src, i) == 0 {
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
			brk := source.BreakLen(src, i)
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
				return nil, 0, false // the value is longer than the quoted text
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
		for i < len(src) && src[i] != ' ' && src[i] != '\t' && source.BreakLen(src, i) == 0 {
			i++
		}
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || source.BreakLen(src, i) > 0) {
			i += max(1, source.BreakLen(src, i))
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
	if n := source.BreakLen(b, 1); n > 0 {
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

// RangeOf returns where characters [from, to) of a scalar's value are, given
// the offsets valueOffsets found; End is zero when they span lines.
func (f *File) RangeOf(offs []int, from, to int) (diag.Pos, diag.Pos) {
	from = min(max(from, 0), len(offs)-1)
	to = min(max(to, from+1), len(offs))
	start, last := f.PosAt(offs[from]), f.PosAt(offs[to-1])
	if last.Line != start.Line {
		return start, diag.Pos{}
	}
	last.Column++
	return start, last
}

// FirstLineSpan returns where a scalar's value starts and, on that line, ends:
// for a block scalar (| or >), its first line of text, not the indicator.
func (f *File) FirstLineSpan(n *yaml.Node) (diag.Pos, diag.Pos) {
	offs, _, ok := f.ValueOffsets(n)
	if !ok || len(offs) == 0 {
		return f.Span(n)
	}
	start := f.PosAt(offs[0])
	next := len(f.text.Bytes()) + 1 // where the line after start's begins
	if start.Line < f.text.Lines() {
		next = f.text.Start(start.Line + 1)
	}
	to := sort.SearchInts(offs, next)
	// A line break folded into the value is not part of the line's text.
	for runes := []rune(n.Value); to > 1 && to <= len(runes) && unicode.IsSpace(runes[to-1]); to-- {
	}
	return f.RangeOf(offs, 0, to)
}

// SpanIn returns where characters [from, to) of a scalar's value are, or the
// whole node's span when they cannot be located.
func (f *File) SpanIn(n *yaml.Node, from, to int) (diag.Pos, diag.Pos) {
	if offs, _, ok := f.ValueOffsets(n); ok && from < len(offs) {
		return f.RangeOf(offs, from, to)
	}
	return f.Span(n)
}
