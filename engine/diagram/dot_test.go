package diagram

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/policies"
)

// svgSize reads the width and height, in points, of an SVG that Graphviz
// wrote.
var svgSize = regexp.MustCompile(`<svg width="([0-9.]+)pt" height="([0-9.]+)pt"`)

// Every bundled policy, drawn with Graphviz, fits a page: it is never more
// than twice as wide as it is tall (the Isle of Man's was 4.4 times), so it
// can be printed at page width and still read. Graphviz is a test dependency
// (.ci/packages); without it this fails.
func TestEveryBundledDiagramFitsAPage(t *testing.T) {
	dot, err := exec.LookPath("dot")
	require.NoError(t, err, "Graphviz is not installed: install it (Debian: apt-get install graphviz); .ci/packages lists it for CI")
	for _, id := range policies.IDs() {
		t.Run(id, func(t *testing.T) {
			p, diags := policies.Load(id)
			require.NoError(t, diags.Err())
			var src, svg, stderr bytes.Buffer
			require.NoError(t, Write(&src, p, DOT))
			cmd := exec.Command(dot, "-Tsvg")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = &src, &svg, &stderr
			require.NoError(t, cmd.Run(), "dot: %s", stderr.String())
			assert.Empty(t, stderr.String(), "dot warned")
			m := svgSize.FindStringSubmatch(svg.String())
			require.NotNil(t, m, "no size in the SVG")
			w, err := strconv.ParseFloat(m[1], 64)
			require.NoError(t, err)
			h, err := strconv.ParseFloat(m[2], 64)
			require.NoError(t, err)
			t.Logf("%s: %.0f x %.0f pt, %.2f:1", id, w, h, w/h)
			assert.Less(t, w/h, 2.0, "wider than twice its height")
		})
	}
}
