package diagram

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden draws casework.yaml, and the engine's fixture of the
// constructs escalation/v1.1 adds (sooner deadlines, urgent and conditional
// duties, duties after an outcome).
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		policy string
		format Format
		golden string
	}{
		{filepath.Join("testdata", "casework.yaml"), Mermaid, "casework.mmd"},
		{filepath.Join("testdata", "casework.yaml"), DOT, "casework.dot"},
		{filepath.Join("..", "testdata", "constructs.yaml"), Mermaid, "constructs.mmd"},
		{filepath.Join("..", "testdata", "constructs.yaml"), DOT, "constructs.dot"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			src, err := os.ReadFile(tc.policy)
			require.NoError(t, err)
			p, diags := engine.Load(filepath.Base(tc.policy), src)
			require.NoError(t, diags.Err())
			var b bytes.Buffer
			require.NoError(t, Write(&b, p, tc.format))
			path := filepath.Join("testdata", tc.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), b.String(), "run go test ./engine/diagram -update to accept the new output")

			var again bytes.Buffer
			require.NoError(t, Write(&again, p, tc.format))
			assert.Equal(t, b.String(), again.String(), "the output must be deterministic")
		})
	}
}

func TestEscaping(t *testing.T) {
	for _, tc := range []struct {
		in      string
		mermaid string
		dot     string
	}{
		{`plain text`, `plain text`, `"plain text"`},
		{`dispute_area == "threshold"`, `dispute_area == #34;threshold#34;`, `"dispute_area == \"threshold\""`},
		{`a || b && c`, `a #124;#124; b #38;#38; c`, `"a || b && c"`},
		{`x < 3 && y > 2`, `x #60; 3 #38;#38; y #62; 2`, `"x < 3 && y > 2"`},
		{`#1 in list`, `#35;1 in list`, `"#1 in list"`},
		{"`code`", "#96;code#96;", "\"`code`\""},
		{`back\slash \l`, `back\slash \l`, `"back\\slash \\l"`},
		{"two\nlines", "two lines", `"two lines"`},
	} {
		assert.Equal(t, tc.mermaid, mermaidText([]string{tc.in}), "mermaid: %q", tc.in)
		assert.Equal(t, tc.dot, dotString([]string{tc.in}), "dot: %q", tc.in)
	}
	assert.Equal(t, "a<br/>b", mermaidText([]string{"a", "b"}))
	assert.Equal(t, `"a\nb"`, dotString([]string{"a", "b"}))
}

func TestParseFormat(t *testing.T) {
	f, err := ParseFormat("dot")
	require.NoError(t, err)
	assert.Equal(t, DOT, f)
	_, err = ParseFormat("svg")
	assert.ErrorContains(t, err, "use mermaid or dot")
	assert.Error(t, Write(&bytes.Buffer{}, nil, "svg"))
}
