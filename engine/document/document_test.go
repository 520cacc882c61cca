package document

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/trace"
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

// generated is the date the golden documents say they were generated on.
var generated = calendar.Date{Year: 2026, Month: 6, Day: 1}

// options gives a fixture's document everything the command gives it: the
// policy file's bytes, the date, the tool, and the matrix if there is one.
func options(t *testing.T, p *engine.Policy, name string) []Option {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".yaml"))
	require.NoError(t, err)
	opts := []Option{WithFile(src), WithGenerated(generated), WithTool("escalation test")}
	if m := matrix(t, p, name); m != nil {
		opts = append(opts, WithTrace(m, nil))
	}
	return opts
}

func matrix(t *testing.T, p *engine.Policy, name string) *trace.Matrix {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".trace.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	m, diags := trace.Parse(name+".trace.yaml", src)
	require.Empty(t, diags)
	text, err := os.ReadFile(filepath.Join("testdata", m.Document))
	require.NoError(t, err)
	require.Empty(t, m.Check(p, text))
	return m
}

// TestGolden writes casework.yaml, ladder.yaml and the engine's fixture of
// the constructs escalation/v1.1 adds (named from this testdata folder).
func TestGolden(t *testing.T) {
	for _, name := range []string{"casework", "ladder", "../../testdata/constructs"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			p := load(t, name+".yaml")
			var b bytes.Buffer
			require.NoError(t, Write(&b, p, options(t, p, name)...))
			path := filepath.Join("testdata", filepath.Base(name)+".md")
			if *update {
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), b.String(), "run go test ./engine/document -update to accept the new output")
		})
	}
}

// The document control block names the exact file (its SHA-256), the date
// and the tool; a review date before the generation date is flagged.
func TestDocumentControl(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "casework.yaml"))
	require.NoError(t, err)
	reviewed := strings.Replace(string(src), "version: \"1\"", "version: \"1\"\nreview_due: 2026-05-31", 1)
	require.NotEqual(t, string(src), reviewed)
	p, diags := engine.Load("casework.yaml", []byte(reviewed))
	require.NoError(t, diags.Err())
	for _, tc := range []struct {
		on     calendar.Date
		passed bool
	}{
		{calendar.Date{Year: 2026, Month: 5, Day: 31}, false}, // due that day: not passed
		{calendar.Date{Year: 2026, Month: 6, Day: 1}, true},
	} {
		var b bytes.Buffer
		require.NoError(t, Write(&b, p, WithFile([]byte(reviewed)), WithGenerated(tc.on), WithTool("escalation v1.2.3")))
		out := b.String()
		assert.Contains(t, out, fmt.Sprintf("| Policy file | `casework.yaml`, SHA-256 `%x` |", sha256.Sum256([]byte(reviewed))))
		assert.Contains(t, out, "| Generated | "+tc.on.String()+", by escalation v1.2.3 |")
		assert.Equal(t, tc.passed, strings.Contains(out, "| Review due | 2026-05-31 (**passed**"), "generated %s", tc.on)
	}
}

func TestOptionsRefuseWhatTheyCannotUse(t *testing.T) {
	p := load(t, "ladder.yaml")
	for name, opt := range map[string]Option{
		"WithFile":      WithFile(nil),
		"WithGenerated": WithGenerated(calendar.Date{}),
		"WithTool":      WithTool(" "),
		"WithTrace":     WithTrace(nil, nil),
	} {
		err := Write(io.Discard, p, opt)
		assert.ErrorContains(t, err, name, name)
	}
}

// A matrix that is out of date is said to be, before anyone signs.
func TestStaleMatrixIsFlagged(t *testing.T) {
	p := load(t, "casework.yaml")
	m := matrix(t, p, "casework")
	problems := m.Check(p, []byte("Nothing that the matrix quotes."))
	require.NotEmpty(t, problems)
	var b bytes.Buffer
	require.NoError(t, Write(&b, p, WithTrace(m, problems)))
	assert.Contains(t, b.String(), fmt.Sprintf("**The matrix is out of date** (%d problems): fix it before signing.", len(problems)))
	assert.Contains(t, b.String(), "- `casework.trace.yaml:4:5`: fixture.txt does not say this (any more)")
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
			assert.Equal(t, "7 (leaves out “Stage 4”: no timescale stated)", r.total)
		}
	}
}

// Staffordshire's totals follow the way up: what counts from the formal
// escalation counts from the last day the referral to the senior manager
// allows. The last timed duty is 12 working days after the raise, or sooner
// (its 72 hours, which the timeline shows ending a day earlier); the urgent
// duties have no deadline of their own, and the first deadline may come
// sooner, from the day of the disagreement. A duty counted from a milestone
// that a case staying unresolved never reaches is owed only once it is (the
// engine's fixture: minutes of a meeting).
func TestRunningTotalsFollowTheWayUp(t *testing.T) {
	p, diags := policies.Load("staffordshire-stoke")
	require.NoError(t, diags.Err())
	got := map[string]string{}
	for _, r := range runningTotals(p) {
		if r.ob != nil {
			got[r.ob.ID] = r.total
		}
	}
	assert.Equal(t, map[string]string{
		"raise_disagreement":              "from raised: 1, or sooner",
		"receiving_professional_responds": "as soon as possible",
		"contact_between_agencies":        "2",
		"refer_to_senior_manager":         "3",
		"contact_equivalent":              "4",
		"meet":                            "5",
		"communicate_outcome":             "5",
		"assistant_directors_meet":        "10",
		"alert_board_representatives":     "no timescale stated",
		"refer_to_board_representative":   "12, or sooner",
		"liaise_with_chair":               "as soon as possible",
	}, got)

	src, err := os.ReadFile(filepath.Join("..", "testdata", "constructs.yaml"))
	require.NoError(t, err)
	fixture, diags := engine.Load("constructs.yaml", src)
	require.NoError(t, diags.Err())
	minutes := map[string]string{}
	for _, r := range runningTotals(fixture) {
		if r.ob != nil && r.ob.ID == "minutes" {
			minutes[r.ob.Stage.ID] = r.total
		}
	}
	assert.Equal(t, "owed only once “A meeting was held”, which a case that stays unresolved does not reach", minutes["stage1"])
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
