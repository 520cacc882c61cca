package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text returns s with every rune for which Unsafe is true, and every byte
// that is not UTF-8, written as Go writes it in a quoted string: \xHH below
// U+0080 (\x1b, \x0d, \x0a and \x09 included) and for a byte that is not
// UTF-8, \uHHHH, or \UHHHHHHHH beyond the BMP. A backslash in the text is
// left alone: the escapes are for reading, not for reversing. A string with
// nothing to escape is returned as it is, without a copy.
func Text(s string) string {
	i := unsafeAt(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !Unsafe(r):
			b.WriteString(s[i : i+size])
		case r < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// Lines is Text for text of several lines, such as an error that quotes a
// file's lines under it: each line is escaped, and the newlines between
// them are kept.
func Lines(s string) string {
	if unsafeAt(s) < 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Text(l)
	}
	return strings.Join(lines, "\n")
}

// Unsafe reports whether a terminal may do something with r other than
// show it: a control character (C0 with newline, tab and carriage return,
// DEL, C1), a format character (the bidi controls U+202A–U+202E,
// U+2066–U+2069, U+200E, U+200F and U+061C, the zero-width characters, the
// tags), or the line or paragraph separator.
func Unsafe(r rune) bool {
	if r < utf8.RuneSelf {
		return r < ' ' || r == 0x7f
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// unsafeAt is the index of the first byte of s that Text escapes, or -1.
func unsafeAt(s string) int {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // most text: no decoding
			if Unsafe(rune(c)) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if Unsafe(r) || r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
