package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTermText(t *testing.T) {
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
			assert.Equal(t, tc.want, termText(tc.in))
		})
	}
}

func TestTermLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"one line", "one line"},
		{"a.yaml:1:9: error: bad\n 1 | - date: x\n   |   ^", "a.yaml:1:9: error: bad\n 1 | - date: x\n   |   ^"},
		{"name: \x1b[2Jlee\rasha\n 1 | \u202eeel\n", `name: \x1b[2Jlee\x0dasha` + "\n" + ` 1 | \u202eeel` + "\n"},
	} {
		assert.Equal(t, tc.want, termLines(tc.in), "%q", tc.in)
	}
}

// A string with nothing to escape is returned as it is, without a copy.
func TestTermTextAllocatesNothingForPlainText(t *testing.T) {
	s := strings.Repeat("Siân Zoë ", 20)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = termText(s) }))
}

// unsafeRune is what termText must not let through: a control, a format
// character (bidi controls among them) or a line or paragraph separator.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func FuzzTermText(f *testing.F) {
	for _, s := range []string{
		"", "Siân", "Zoë", "\x1b]8;;http://evil\x07click\x1b]8;;\x07", "lee\rasha", "asha\u202eeel",
		"\u2066x\u2069", "a\xffb", "\u0085", "\U000e0041", `\x1b`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := termText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("termText(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("termText(%q) = %q: holds %U", s, out, r)
			}
		}
		plain := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || r == ' ' {
				return r
			}
			return -1
		}, s)
		if got := termText(plain); got != plain {
			t.Fatalf("termText(%q) = %q: changed letters", plain, got)
		}
	})
}

// hostile is what a record written by someone else can carry: an OSC 8
// hyperlink whose text is not its target, a carriage return that writes
// over the start of the line, and a right-to-left override.
const hostile = "\x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\rasha \u202eeel"

// A case whose actor, agency, facts and form data carry terminal escapes,
// a carriage return and a bidi override is printed, in text, with each of
// them escaped; its JSON stays valid JSON.
func TestCaseTextEscapesWhatTheRecordHolds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c-1")
	exec := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		require.Equal(t, exitOK, code, "%s", stderr.String())
		return stdout.String()
	}
	var outs []string
	outs = append(outs, exec("case", "raise", kinds, dir, "--actor", hostile, "--role", "practitioner", "--agency", hostile,
		"--at", "2026-12-22T10:00", "--fact", "reason="+hostile, "--fact", `agencies=[school, "\e]8;;http://evil\aclick\e]8;;\a lee\rasha \u202Eeel"]`, "--note", hostile))
	outs = append(outs, exec("case", "fire", dir, "escalate", "--actor", hostile, "--role", "practitioner", "--at", "2026-12-22T11:00",
		"--fact", "urgent=true", "--form", "report.summary="+hostile, "--policy", kinds))
	outs = append(outs,
		exec("case", "show", dir, "--policy", kinds),
		exec("case", "due", dir, "--at", "2026-12-23", "--explain", "--policy", kinds),
		exec("case", "available", dir, "--role", "manager", "--actor", hostile, "--at", "2026-12-23", "--policy", kinds),
		exec("case", "verify", dir, "--policy", kinds),
	)
	for _, out := range outs {
		for _, r := range strings.ReplaceAll(out, "\n", "") {
			if r != '\n' && unsafeRune(r) {
				t.Fatalf("%U printed raw in:\n%q", r, out)
			}
		}
	}
	show := outs[2]
	escaped := `\x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\x0dasha \u202eeel`
	assert.Contains(t, outs[0], "by "+escaped+" (practitioner, "+escaped+")")
	assert.Contains(t, show, "reason      "+escaped+"\n")
	assert.Contains(t, show, "agencies    [school, "+escaped+"]\n")
	assert.Contains(t, show, "report.summary  "+escaped+"\n")
	assert.Contains(t, show, "escalate by "+escaped+" (practitioner): talk -> managers")

	js := exec("case", "show", dir, "--format", "json", "--policy", kinds)
	require.True(t, json.Valid([]byte(js)), js)
	var got struct {
		Head struct {
			Facts map[string]any `json:"facts"`
		} `json:"head"`
		Record []struct {
			Actor string `json:"actor"`
		} `json:"record"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &got))
	assert.Equal(t, hostile, got.Head.Facts["reason"], "JSON gives the value as it is")
	assert.Equal(t, hostile, got.Record[0].Actor)
	assert.NotContains(t, js, "\x1b", "JSON escapes control characters itself")

	// A head edited to name another version: the error quotes it, escaped.
	var head map[string]any
	require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(dir, headFile)), &head))
	head["policy"].(map[string]any)["version"] = hostile
	b, err := json.Marshal(head)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, headFile), b, 0o600))
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitFail, run([]string{"case", "due", dir, "--policy", kinds}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "runs under kinds version "+escaped+", but")
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"))
	for _, r := range strings.TrimSuffix(stderr.String(), "\n") {
		require.False(t, unsafeRune(r), "%U printed raw in %q", r, stderr.String())
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return b
}

// A usage error quotes what it was given escaped, as other errors do.
func TestUsageErrorEscapesWhatItQuotes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"case", "raise", kinds, filepath.Join(t.TempDir(), "c"), "--actor", "a", "--role", hostile, "--at", "2026-12-22"}, &stdout, &stderr)
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), `--role \x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\x0dasha \u202eeel: not a role of policy kinds`)
	for _, r := range strings.ReplaceAll(stderr.String(), "\n", "") {
		require.False(t, unsafeRune(r), "%U printed raw in %q", r, stderr.String())
	}
}
