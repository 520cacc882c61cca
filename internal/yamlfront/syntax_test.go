package yamlfront

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/diag"
)

// syntaxErrors reads src and returns its diagnostics, which must all be
// YAML syntax errors.
func syntaxErrors(t *testing.T, src string) diag.Diagnostics {
	t.Helper()
	f := NewFile("f", []byte(src))
	require.Nil(t, f.Read(Options{MaxBytes: 1 << 20}))
	ds := f.Diagnostics()
	require.NotEmpty(t, ds)
	for _, d := range ds {
		require.Equal(t, "yaml-syntax", d.Code, "%v", d)
	}
	return ds
}

// TestSyntaxCauses checks, for each usual cause of a YAML syntax error, the
// line and column it is reported at, what it says and what it suggests.
func TestSyntaxCauses(t *testing.T) {
	tests := []struct {
		name, src string
		at, end   string // line:column of the caret and of the range's end ("" for none)
		msg, hint string // parts of the message and the hint
	}{
		{"a key indented too far is read as more of the value above",
			"x:\n  title: T\n  within: 2 working days\n    from: raised\n  owner: p\n",
			"4:5", "4:10", "from: is indented more than within: above it", "line it up with within: (line 3)"},
		{"a key one space too far",
			"x:\n  title: a\n   next: b\n", "3:4", "3:9", "next: is indented more than title: above it", "line it up with title: (line 2)"},
		{"a key indented too little",
			"roles:\n  practitioner:\n    title: Practitioner\n   source: x\n", "4:4", "",
			"indented 3 spaces, like no line above it", "indent it 4, like title: (line 3), or 2, like practitioner: (line 2)"},
		{"a key out of line in a list item",
			"t:\n  - event: e\n    to: x\n   roles: [a]\n", "4:4", "",
			"indented 3 spaces", "indent it 4, like to: (line 3), or 2, like - event: (line 2)"},
		{"a tab in the indentation",
			"roles:\n\tpractitioner: {title: P}\n", "2:1", "", "a tab in the indentation", "indent with spaces"},
		{"a tab after spaces",
			"a:\n  b: 1\n  \tc: 2\n", "3:3", "", "a tab in the indentation", "indent with spaces"},
		{"an unquoted colon in a value",
			"stages:\n  s1:\n    title: Stage 1: talk\n", "3:19", "", `": " inside the value of title:`, `put the value in quotes: title: "Stage 1: talk"`},
		{"a colon in a value continued on the next line",
			"title: This is a long title\n  that continues: here\n", "2:17", "", `": " inside the value of title: (line 1)`, "put the whole value of title: in quotes"},
		{"an unclosed double quote",
			"a:\n  title: \"Golden\n  b: c\n", "2:10", "", "the quote that starts here is never closed", `end the text with "`},
		{"an unclosed single quote",
			"a: 'x\nb: c\n", "1:4", "", "never closed", "end the text with '"},
		{"an apostrophe inside single quotes",
			"a:\n  b: 'it's here'\n", "2:9", "", "the quoted text ends here, but the line goes on", "write an apostrophe twice (it''s)"},
		{"a quote inside double quotes",
			"a: \"say \"hi\" now\"\n", "1:9", "", "ends here, but the line goes on", `write a quote as \"`},
		{"an unclosed list",
			"a:\n  roles: [a, b\n  c: d\n", "2:10", "", "the [ that starts here is never closed", "close the list with ]"},
		{"an unclosed list over two lines",
			"roles: [a, b,\n  c\nfacts: {}\n", "1:8", "", "the [ that starts here is never closed", "close the list with ]"},
		{"an unclosed mapping",
			"a:\n  source: {file: a.txt, quote: \"x\"\n  b: c\n", "2:11", "", "the { that starts here is never closed", "close the mapping with }"},
		{"a bracket that does not match",
			"a: [x, {b: c]\n", "1:13", "", "this ] does not match the { at line 1, column 8", "close the { with } first"},
		{"a value starting with @",
			"roles:\n  p:\n    title: @p\n", "3:12", "", "a value cannot start with '@'", `put the value in quotes: title: "@p"`},
		{"a list item among keys",
			"roles:\n  practitioner:\n    title: P\n  - line_manager\n", "4:3", "", "a list item among the keys of a mapping (practitioner: is on line 2)", "make it a key"},
		{"a key among list items",
			"roles:\n  - a\n  b: c\n", "3:3", "", "a key among the items of a list (line 2 starts with \"- \")", `start this line with "- "`},
		{"an apostrophe inside a word in a flow mapping is no quote",
			"f:\n  d: {type: text, title: The Panel's decision}\nstart: [s1\nt: child's\n", "3:8", "", "the [ that starts here is never closed", "close the list with ]"},
		{"an apostrophe in plain text after an unclosed list is no quote",
			"start: [s1\nrecords:\n  - text: the child's record\n", "1:8", "", "the [ that starts here is never closed", "close the list with ]"},
		{"block text is not read for quotes",
			"a: |\n  it's \"here\n  [x\nb: c: d\n", "4:5", "", `": " inside the value of b:`, `b: "c: d"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := syntaxErrors(t, tt.src)[0]
			assert.Equal(t, "f:"+tt.at, d.Pos.String())
			if tt.end == "" {
				assert.Zero(t, d.End)
			} else {
				assert.Equal(t, "f:"+tt.end, d.End.String())
			}
			assert.Contains(t, d.Message, tt.msg)
			assert.Contains(t, d.Hint, tt.hint)
		})
	}
}

// TestSyntaxErrorsAfterTheFirst checks that the errors after the first are
// reported too, each where it is, once each cause is repaired.
func TestSyntaxErrorsAfterTheFirst(t *testing.T) {
	src := strings.Join([]string{
		"roles:",
		"\tpractitioner:",
		"    title: Practitioner",
		"stages:",
		"  s1:",
		"    title: Stage 1: talk",
		"    obligations:",
		"      x:",
		"        within: 2 working days",
		"          from: raised",
		"    note: 'it's here'",
		"    more: [a, b",
		"",
	}, "\n")
	var got []string
	for _, d := range syntaxErrors(t, src) {
		got = append(got, d.Pos.String())
	}
	assert.Equal(t, []string{"f:2:1", "f:6:19", "f:10:11", "f:11:14", "f:12:11"}, got)
}

// TestSyntaxRepairStops checks that an error on or under a repaired line,
// which the repair may have caused, is not reported, and that a cause
// without a safe repair ends the search.
func TestSyntaxRepairStops(t *testing.T) {
	// The tab's line is re-indented to 2 spaces, under which its own child
	// (indented with spaces to 4) would still be fine; the mistake on the
	// line after that is the repair's, not the author's.
	ds := syntaxErrors(t, "roles:\n\tpractitioner:\n\t  title: x\n")
	require.Len(t, ds, 1)
	assert.Equal(t, "f:2:1", ds[0].Pos.String())

	// A colon in a value continued over two lines has no safe repair.
	ds = syntaxErrors(t, "title: a long\n  and more: c\nx: 'y\n")
	require.Len(t, ds, 1)
	assert.Equal(t, "f:2:11", ds[0].Pos.String())
}

// TestSyntaxErrorsBounded checks that a file full of mistakes reports at
// most MaxSyntaxErrors of them.
func TestSyntaxErrorsBounded(t *testing.T) {
	src := strings.Repeat("a: b: c\n", 50)
	ds := syntaxErrors(t, src)
	assert.Len(t, ds, MaxSyntaxErrors)
}

// FuzzRead feeds Read arbitrary bytes: it must never panic or hang, and every
// diagnostic must be inside the file, with a code and a message.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"a:\n  b: 'it's'\n", "a: [x, {b: c]\n", "roles:\n\tp: {}\n", "t: a\n  b: c\n", "x: \"y\n", "- a\n  b: c\n",
		"a:\n  - event: e\n   to: x\n", "a: b: c\n", "a: @b\n", "&a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file := NewFile("fuzz.yaml", src)
		file.Read(Options{MaxBytes: 1 << 16})
		lines := file.text.Lines()
		for _, d := range file.Diagnostics() {
			if d.Code == "" || d.Message == "" || d.Pos.File != "fuzz.yaml" || d.Pos.Line > lines || d.Pos.Line < 0 || d.Pos.Column < 0 {
				t.Fatalf("bad diagnostic %+v", d)
			}
			if d.End.Line != 0 && (d.End.Line != d.Pos.Line || d.End.Column <= d.Pos.Column) {
				t.Fatalf("bad range %+v", d)
			}
		}
	})
}
