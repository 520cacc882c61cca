package document

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func load(t *testing.T, name string) *engine.Policy {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	p, diags := engine.Load(name, src)
	require.NoError(t, diags.Err())
	return p
}

// TestGolden writes casework.yaml, ladder.yaml and the engine's fixture of
// the constructs escalation/v1.1 adds.
func TestGolden(t *testing.T) {
	for _, name := range []string{"casework", "ladder", "constructs"} {
		t.Run(name, func(t *testing.T) {
			file := name + ".yaml"
			if name == "constructs" {
				file = filepath.Join("..", "..", "testdata", file)
			}
			var b bytes.Buffer
			require.NoError(t, Write(&b, load(t, file)))
			path := filepath.Join("testdata", name+".md")
			if *update {
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), b.String(), "run go test ./engine/document -update to accept the new output")
		})
	}
}

// The ladder fixture walks every rule of the running total.
func TestRunningTotals(t *testing.T) {
	got := map[string]string{}
	for _, r := range runningTotals(load(t, "ladder.yaml")) {
		id := r.stage.ID
		if r.ob != nil {
			id = r.ob.ID
		}
		got[id] = r.total
	}
	assert.Equal(t, map[string]string{
		"plan":     "2",              // 2 from entering stage 1
		"meet":     "4",              // stage 2 starts at 2, plus 2
		"total":    "from raised: 4", // counted from the raise
		"respond":  "24 hours: not counted in working days",
		"consider": "no timescale stated",
		"reflect":  "no timescale stated",
		// Counted from the milestone set on entering stage 3 (at 4), so the
		// hours of stage 3 and the silence of stage 4 do not matter.
		"write": "6",
	}, got)
}

func TestRunningTotalLeavesOutSilentStages(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "ladder.yaml"))
	require.NoError(t, err)
	// Without the hours at stage 3 and counting stage 5 from its own
	// start, the total carries on past the stages that state no timescale.
	s := strings.Replace(string(src), "within: 24 hours", "within: 1 working day", 1)
	s = strings.Replace(s, "from: milestone.formally_escalated", "from: stage", 1)
	p, diags := engine.Load("ladder.yaml", []byte(s))
	require.NoError(t, diags.Err())
	for _, r := range runningTotals(p) {
		if r.ob != nil && r.ob.ID == "write" {
			assert.Equal(t, "7 (leaves out `stage4`: no timescale stated)", r.total)
		}
	}
}

// Every bundled policy's document quotes every source and lists every
// assumption, so a partnership can check them all.
func TestBundledPoliciesQuoteEverySourceAndAssumption(t *testing.T) {
	for _, id := range policies.IDs() {
		t.Run(id, func(t *testing.T) {
			name, src, err := policies.Source(id)
			require.NoError(t, err)
			p, diags := engine.Load(name, src)
			require.NoError(t, diags.Err())
			var b bytes.Buffer
			require.NoError(t, Write(&b, p))
			out := b.String()
			assumptions := 0
			for _, d := range diags.Warnings() {
				if strings.HasPrefix(d.Message, "assumption to confirm") {
					assumptions++
				}
			}
			assert.Equal(t, assumptions, strings.Count(out, "- [ ] **A"), "one checklist entry per assumption the validator lists")
			for _, quote := range quotesIn(src) {
				assert.Contains(t, out, "“"+text(quote)+"”")
			}
		})
	}
}

// quotesIn finds the quote: values written on one line in a policy file.
func quotesIn(src []byte) []string {
	var out []string
	for _, line := range strings.Split(string(src), "\n") {
		i := strings.Index(line, `quote: "`)
		if i < 0 {
			continue
		}
		rest := line[i+len(`quote: "`):]
		if j := strings.Index(rest, `"}`); j >= 0 {
			out = append(out, rest[:j])
		}
	}
	return out
}

func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"child_initials *must* be [used]", `child\_initials \*must\* be \[used\]`},
		{"<b>bold</b>", `\<b\>bold\</b\>`},
		{"# not a heading", `\# not a heading`},
		{"- not a list", `\- not a list`},
		{"a - b", "a - b"},
		{"two\n  lines", "two lines"},
	} {
		assert.Equal(t, tc.want, text(tc.in), tc.in)
	}
	for _, tc := range []struct{ in, want string }{
		{"x", "`x`"},
		{"a `b` c", "``a `b` c``"},
		{"`edge", "`` `edge ``"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, code(tc.in), tc.in)
	}
	assert.Equal(t, "`a \\|\\| b`", cell(code("a || b")))
}
