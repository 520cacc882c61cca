package yamlfmt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rule of a small language: a doc has a name, a title and items, each
// item a name and a kind; "things" is a mapping of ids to items.
var itemRule = &Rule{Keys: []string{"name", "kind"}}

var docRule = &Rule{
	Keys:   []string{"name", "title", "items", "things"},
	Fields: map[string]*Rule{"items": {Items: itemRule}, "things": {Values: itemRule}},
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			name: "keys in the rule's order, ids in the file's",
			in: `title: T
things:
  zebra: {kind: k, name: z}
  apple:
    kind: fruit
    name: a
name: n
`,
			want: `name: n
title: T
things:
  zebra: {name: z, kind: k}
  apple:
    name: a
    kind: fruit
`,
		},
		{
			name: "comments move with the entry below them; the file's header stays",
			in: `# yaml-language-server: $schema=x.json

# The title, as published.
title: T

# Who it is.
name: n # inline
`,
			want: `# yaml-language-server: $schema=x.json

# Who it is.
name: n # inline

# The title, as published.
title: T
`,
		},
		{
			name: "indentation: two spaces a level, dashes under their key",
			in: `name: n
items:
-   kind: k
    name: a
-       name: b
        kind: c
things:
    x:
        kind: k
        name: x
`,
			want: `name: n
items:
  - name: a
    kind: k
  - name: b
    kind: c
things:
  x:
    name: x
    kind: k
`,
		},
		{
			name: "text keeps its own lines, quotes and trailing spaces in a block",
			in:   "title: >-\n    Folded text that goes\n    on over two lines.  \nname: \"quoted, with a comma\"\nitems:\n  - name: |\n        literal\n          indented more\n    kind: plain text\n      that wraps\n",
			want: "name: \"quoted, with a comma\"\ntitle: >-\n  Folded text that goes\n  on over two lines.  \nitems:\n  - name: |\n      literal\n        indented more\n    kind: plain text\n      that wraps\n",
		},
		{
			name: "blank lines: one between entries at most, none at the ends",
			in:   "\n\nname: n\n\n\n\ntitle: t\n\n\n",
			want: "name: n\n\ntitle: t\n",
		},
		{
			name: "a comment above an item's later key goes above the dash",
			in: `items:
  - kind: k
    # the name
    name: a
`,
			want: `items:
  # the name
  - name: a
    kind: k
`,
		},
		{
			name: "the comments at the end of a mapping stay at its end",
			in: `things:
  x:
    kind: k
    name: x
    # more to come
name: n
# the end
`,
			want: `name: n
things:
  x:
    name: x
    kind: k
    # more to come
# the end
`,
		},
		{
			name: "unknown keys keep their order after the known ones; a merge key comes first",
			in: `zeta: 1
title: t
alpha: 2
<<: {name: n}
`,
			want: `<<: {name: n}
title: t
zeta: 1
alpha: 2
`,
		},
		{
			name: "anchors and aliases",
			in: `things:
  a: &item
    kind: k
    name: a
  b: *item
name: n
`,
			want: `name: n
things:
  a: &item
    name: a
    kind: k
  b: *item
`,
		},
		{
			name: "CRLF and a byte order mark",
			in:   "\uFEFFtitle: t\r\nname: n\r\n",
			want: "name: n\ntitle: t\n",
		},
		{
			name: "a flow collection on one line is ordered too; one on several lines is left as it is",
			in: `items: [{kind: "a, b {c}",name: 'it''s'},   {kind: Child's, name: k}] # a list
things:
  x: {kind: k,
      name: n}
`,
			want: `items: [{name: 'it''s', kind: "a, b {c}"}, {name: k, kind: Child's}] # a list
things:
  x: {kind: k,
    name: n}
`,
		},
		{name: "empty", in: "", want: ""},
		{name: "comments alone", in: "# nothing yet\n\n\n# really\n", want: "# nothing yet\n\n# really\n"},
		{name: "not a mapping", in: "- a\n- b   \n", want: "- a\n- b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Format([]byte(tc.in), docRule)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
			again, err := Format(got, docRule)
			require.NoError(t, err)
			assert.Equal(t, string(got), string(again), "formatting is idempotent")
		})
	}
}

func TestFormatRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, says string }{
		{"not YAML", "name: [a\n", "did not find"},
		{"two documents", "name: a\n---\nname: b\n", "more than one YAML document"},
		{"a complex key", "? [a, b]\n: c\nname: n\n", "complex key"},
		{"a block that keeps its blank lines, last in a nested mapping", "things:\n  x:\n    kind: |+\n      text\n\n\nname: n\n", "change what the file says"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Format([]byte(tc.in), docRule)
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), tc.says), "%v", err)
		})
	}
}

// FuzzFormat: whatever the bytes, Format does not panic, and what it returns
// (it checked it means the same) formats to itself.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{
		"name: n\ntitle: t\n",
		"title: T\nthings:\n  z: {kind: k, name: z}\n  a:\n    kind: f\n    name: a\nname: n\n",
		"items:\n-   kind: k\n    name: a\n- [x, {name: y}]\n- |\n  text\n",
		"# head\n\nname: n # c\n\n\n# foot\n",
		"things: &a\n  x: {name: 'it''s', kind: \"a, b\"}\nalso: *a\n<<: {title: t}\n",
		"title: >-\n    folded\n    text\nname: plain\n  continued\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		watchdog := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("hung on %q", src)) }) // a hang becomes a crasher
		defer watchdog.Stop()
		out, err := Format(src, docRule)
		if err != nil {
			return
		}
		again, err := Format(out, docRule)
		if err != nil {
			t.Fatalf("the formatted file does not format: %v\n%s", err, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not idempotent:\n%s\n---\n%s", out, again)
		}
	})
}
