package document

import (
	"bytes"
	"io/fs"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine/trace"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// Every bundled policy's document, as the command writes it, renders with
// pandoc as GitHub-flavoured Markdown to HTML with no warning, and every
// table, heading and the diagram come through as such: none is left as
// text. Pandoc is a test dependency (.ci/packages); without it this fails.
func TestEveryBundledDocumentRendersWithPandoc(t *testing.T) {
	pandoc, err := exec.LookPath("pandoc")
	require.NoError(t, err, "pandoc is not installed: install it (Debian: apt-get install pandoc); .ci/packages lists it for CI")
	for _, id := range policies.IDs() {
		t.Run(id, func(t *testing.T) {
			p, diags := policies.Load(id)
			require.NoError(t, diags.Err())
			name, src, err := policies.Trace(id)
			require.NoError(t, err)
			m, diags := trace.Parse(name, src)
			require.Empty(t, diags)
			text, err := fs.ReadFile(policies.Documents(), m.Document)
			require.NoError(t, err)
			_, policy, err := policies.Source(id)
			require.NoError(t, err)
			var md bytes.Buffer
			require.NoError(t, Write(&md, p, WithFile(policy), WithGenerated(generated), WithTool("escalation test"), WithTrace(m, m.Check(p, text))))

			var html, stderr bytes.Buffer
			cmd := exec.Command(pandoc, "--from", "gfm", "--to", "html5", "--fail-if-warnings")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(md.Bytes()), &html, &stderr
			require.NoError(t, cmd.Run(), "pandoc: %s", stderr.String())
			assert.Empty(t, stderr.String(), "pandoc warned")

			doc, out := md.String(), html.String()
			tables := strings.Count(doc, "\n|---")
			require.Positive(t, tables)
			assert.Equal(t, tables, strings.Count(out, "<table>"), "every Markdown table is an HTML table")
			assert.Equal(t, strings.Count(doc, "\n## "), strings.Count(out, "<h2"), "every section heading is a heading")
			assert.Equal(t, strings.Count(doc, "\n### "), strings.Count(out, "<h3"), "every stage and form heading is a heading")
			assert.Contains(t, out, `class="mermaid"`, "the diagram is a mermaid block")
			assert.NotRegexp(t, regexp.MustCompile(`<p>\|`), out, "no table is left as a paragraph of pipes")
			assert.NotContains(t, out, "\\|", "no escaped pipe shows through")
		})
	}
}
