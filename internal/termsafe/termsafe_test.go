package termsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "Asha Patel (school)", "Asha Patel (school)"},
		{"letters beyond ascii", "Siân Zoë Ólafsdóttir Łukasz 陈 Дмитрий", "Siân Zoë Ólafsdóttir Łukasz 陈 Дмитрий"},
		{"punctuation and a backslash", `a\b "c" 'd' £5 – é`, `a\b "c" 'd' £5 – é`},
		{"no-break space", "a\u00a0b", "a\u00a0b"},
		{"escape sequence", "\x1b[2J\x1b[31mred", `\x1b[2J\x1b[31mred`},
		{"osc 8 hyperlink", "\x1b]8;;http://evil\x07click\x1b]8;;\x07", `\x1b]8;;http://evil\x07click\x1b]8;;\x07`},
		{"carriage return", "lee\rasha", `lee\x0dasha`},
		{"newline and tab", "a\nb\tc", `a\x0ab\x09c`},
		{"nul", "a\x00b", `a\x00b`},
		{"del", "a\x7fb", `a\x7fb`},
		{"c1 csi", "a\u009b31mb", `a\u009b31mb`},
		{"c1 next line", "a\u0085b", `a\u0085b`},
		{"right-to-left override", "asha\u202eeel", `asha\u202eeel`},
		{"embeddings and pop", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"isolates", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`},
		{"marks", "\u200e\u200f\u061c", `\u200e\u200f\u061c`},
		{"zero width", "a\u200bb\u200dc\ufeffd", `a\u200bb\u200dc\ufeffd`},
		{"soft hyphen", "a\u00adb", `a\u00adb`},
		{"line and paragraph separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"tag character beyond the bmp", "a\U000e0041b", `a\U000e0041b`},
		{"replacement character", "a\ufffdb", "a\ufffdb"},
		{"invalid utf-8", "a\xffb\xc3", `a\xffb\xc3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Text(tc.in))
		})
	}
}

func TestLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"one line", "one line"},
		{"a.yaml:1:9: error: bad\n 1 | - date: x\n   |   ^", "a.yaml:1:9: error: bad\n 1 | - date: x\n   |   ^"},
		{"name: \x1b[2Jlee\rasha\n 1 | \u202eeel\n", `name: \x1b[2Jlee\x0dasha` + "\n" + ` 1 | \u202eeel` + "\n"},
	} {
		assert.Equal(t, tc.want, Lines(tc.in), "%q", tc.in)
	}
}

// A string with nothing to escape is returned as it is, without a copy.
func TestTextAllocatesNothingForPlainText(t *testing.T) {
	s := strings.Repeat("Siân Zoë ", 20)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = Text(s) }))
}

// unsafeRune is what Text must not let through: a control, a format
// character (bidi controls among them) or a line or paragraph separator.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"", "Siân", "Zoë", "\x1b]8;;http://evil\x07click\x1b]8;;\x07", "lee\rasha", "asha\u202eeel",
		"\u2066x\u2069", "a\xffb", "\u0085", "\U000e0041", `\x1b`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("Text(%q) = %q: holds %U", s, out, r)
			}
		}
		plain := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || r == ' ' {
				return r
			}
			return -1
		}, s)
		if got := Text(plain); got != plain {
			t.Fatalf("Text(%q) = %q: changed letters", plain, got)
		}
	})
}

func BenchmarkText(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"plain-name", "Siân Ólafsdóttir (designated safeguarding lead, Sefton school)"},
		{"osc8-cr-bidi", "\x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\rasha \u202eeel"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				_ = Text(bc.s)
			}
		})
	}
}
