package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// termText renders a string read from a file someone else may have written
// (a record, a head, a scenario, a policy) for a terminal, so that what a
// person reads is what the file holds. Printable text, letters beyond ASCII
// included, is returned as it is. Every control character (C0, DEL, C1:
// newline, tab and carriage return too), every format character (the bidi
// controls U+202A–U+202E, U+2066–U+2069, U+200E, U+200F and U+061C, the
// zero-width characters, tags) and the line and paragraph separators are
// written as Go writes them in a quoted string: \xHH below U+0080, \uHHHH,
// or \UHHHHHHHH beyond the BMP; a byte that is not UTF-8 as \xHH. A
// backslash in the text is left alone: the escapes are for reading, not for
// reversing.
func termText(s string) string {
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
		case !escaped(r):
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

// termLines is termText for text of several lines, such as an error that
// quotes a file's lines under it: each line is escaped, and the newlines
// between them are kept.
func termLines(s string) string {
	if unsafeAt(s) < 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = termText(l)
	}
	return strings.Join(lines, "\n")
}

// unsafeAt is the index of the first byte of s that termText escapes, or -1.
func unsafeAt(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if escaped(r) || r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

func escaped(r rune) bool {
	if r < utf8.RuneSelf {
		return r < ' ' || r == 0x7f
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// termPrintf is fmt.Fprintf for text a person reads: each string, error and
// fmt.Stringer argument goes through termText first, so no value printed
// can move the cursor, rewrite the line or reverse the text after it.
func termPrintf(w io.Writer, format string, args ...any) (int, error) {
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			safe[i] = termText(v)
		case error:
			safe[i] = termText(v.Error())
		case fmt.Stringer:
			safe[i] = termText(v.String())
		default:
			safe[i] = a
		}
	}
	return fmt.Fprintf(w, format, safe...)
}
