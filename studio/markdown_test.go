package studio

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/document"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// The document of examples/newarea, rendered: go test ./studio -run
// TestMarkdownGolden -update refreshes it; read the diff.
func TestMarkdownGolden(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "examples", "newarea", "policy.yaml"))
	require.NoError(t, err)
	p, diags := engine.Load("examples/newarea/policy.yaml", src)
	require.NoError(t, diags.Err())
	var md bytes.Buffer
	require.NoError(t, document.Write(&md, p))
	got := markdownHTML(md.String())
	golden := filepath.Join("testdata", "newarea.html")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ name, md, html string }{
		{"heading", "## Roles", "<h2>Roles</h2>\n"},
		{"not a heading", "#hashtag", "<p>#hashtag</p>\n"},
		{"paragraph lines join", "one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>\n"},
		{"strong and code", "**Warning:** use `a < b`", "<p><strong>Warning:</strong> use <code>a &lt; b</code></p>\n"},
		{"a lone star", "2 * 3", "<p>2 * 3</p>\n"},
		{"an unclosed strong", "**open", "<p>**open</p>\n"},
		{"escapes", `\*not strong\* \_x\_ \<b\>`, "<p>*not strong* _x_ &lt;b&gt;</p>\n"},
		{"a long fence", "``a ` b``", "<p><code>a ` b</code></p>\n"},
		{"a fence padded for a backtick", "`` `x` ``", "<p><code>`x`</code></p>\n"},
		{"an unclosed fence", "`open", "<p>`open</p>\n"},
		{"html is text", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"list", "- a\n- **b**", "<ul>\n<li>a</li>\n<li><strong>b</strong></li>\n</ul>\n"},
		{"numbered", "1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"task", "- [ ] **A1.** confirm", "<ul>\n<li><input type=\"checkbox\" disabled> <strong>A1.</strong> confirm</li>\n</ul>\n"},
		{"quote", "> one\n> two", "<blockquote>one<br>two</blockquote>\n"},
		{"table", "| a | b |\n|---|---|\n| `x \\| y` | 2 |",
			"<table>\n<thead><tr><th>a</th><th>b</th></tr></thead>\n<tbody>\n<tr><td><code>x | y</code></td><td>2</td></tr>\n</tbody>\n</table>\n"},
		{"a row without a rule", "| a |", "<p>| a |</p>\n"},
		{"emphasis", "*Assumption A1:* text", "<p><em>Assumption A1:</em> text</p>\n"},
		{"emphasis inside strong is left", "**a *b* c**", "<p><strong>a <em>b</em> c</strong></p>\n"},
		{"a mermaid block", "```mermaid\nflowchart TD\n  a[\"<b>\"] --> b\n```\nafter", "<pre class=\"mermaid\">flowchart TD\n  a[&#34;&lt;b&gt;&#34;] --&gt; b</pre>\n<p>after</p>\n"},
		{"a code block", "```\n<x>\n```", "<pre><code>&lt;x&gt;</code></pre>\n"},
		{"an unclosed block", "```\ncode", "<pre><code>code</code></pre>\n"},
		{"an attribute cannot escape", "`\" onmouseover=\"x`", "<p><code>&#34; onmouseover=&#34;x</code></p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.html, markdownHTML(tc.md))
		})
	}
}

// allowedTag is every tag markdownHTML writes.
var (
	tagRE      = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)`)
	allowedTag = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "p": true, "ul": true, "ol": true,
		"li": true, "blockquote": true, "br": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"code": true, "strong": true, "em": true, "pre": true, "input": true}
)

// Whatever the Markdown (a policy's text reaches it), the page gets only
// the tags the renderer writes, and it never panics.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"# T\n\n| a | b |\n|---|---|\n| `c` | **d** |\n", "- [ ] x\n> q", "`` ` ``", "<img src=x onerror=alert(1)>", "**`<`**"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		out := markdownHTML(md)
		for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
			if !allowedTag[m[2]] {
				t.Fatalf("markdownHTML(%q) wrote a <%s> tag: %s", md, m[2], out)
			}
		}
	})
}
