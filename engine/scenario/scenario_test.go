package scenario_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func parseFile(t *testing.T, name string) *scenario.File {
	t.Helper()
	path := filepath.Join("testdata", name)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	f, diags := scenario.Parse(path, src)
	require.Empty(t, diags)
	return f
}

func TestPassingScenario(t *testing.T) {
	f := parseFile(t, "pass.yaml")
	res := scenario.Run(context.Background(), f)
	require.NoError(t, res.Err)
	for _, fail := range res.Failures {
		t.Error(fail)
	}
	assert.True(t, res.OK())
	assert.Equal(t, f.Expectations(), res.Passed)
	assert.Equal(t, 28, res.Passed, "every expectation in pass.yaml ran")
	assert.Zero(t, res.NotRun)
	assert.Equal(t, "casework", res.Policy.ID)
}

// The failure messages are what a policy lead reads; fail.golden keeps
// them (go test ./engine/scenario -update rewrites it).
func TestFailingScenarioMessages(t *testing.T) {
	res := scenario.Run(context.Background(), parseFile(t, "fail.yaml"))
	require.NoError(t, res.Err)
	assert.False(t, res.OK())
	var b strings.Builder
	for _, f := range res.Failures {
		fmt.Fprintln(&b, f)
	}
	fmt.Fprintf(&b, "passed %d, failed %d, not run %d\n", res.Passed, res.Failed, res.NotRun)
	golden := filepath.Join("testdata", "fail.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

func TestResolver(t *testing.T) {
	f := parseFile(t, "pass.yaml")
	var gotRef, gotFile string
	res := scenario.Run(context.Background(), f, scenario.WithResolver(func(ref, file string) (*engine.Policy, error) {
		gotRef, gotFile = ref, file
		return nil, fmt.Errorf("not here")
	}))
	assert.Equal(t, "casework.yaml", gotRef)
	assert.Equal(t, filepath.Join("testdata", "pass.yaml"), gotFile)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "pass.yaml:3: not here")
	assert.Equal(t, f.Expectations(), res.NotRun)
	assert.False(t, res.OK())

	_, err := scenario.PolicyFile("missing.yaml", filepath.Join("testdata", "pass.yaml"))
	assert.ErrorContains(t, err, `policy "missing.yaml"`)
}

// A case that cannot be raised ends the story at once.
func TestRaiseRefused(t *testing.T) {
	src := strings.Replace(mustRead(t, "pass.yaml"), "role: practitioner\n  agency: school", "role: nobody\n  agency: school", 1)
	f, diags := scenario.Parse(filepath.Join("testdata", "raise.yaml"), []byte(src))
	require.Empty(t, diags)
	res := scenario.Run(context.Background(), f)
	require.Len(t, res.Failures, 1)
	assert.Contains(t, res.Failures[0].String(), `raise.yaml:4: expected the case to be raised, got refused: role: "nobody" is not a role`)
	assert.Equal(t, f.Expectations(), res.NotRun)
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

const minimal = `scenario: Minimal
policy: casework.yaml
raised: {at: 2026-12-22, by: asha, role: practitioner}
`

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // "line:col: message" fragments, in order
		hint      string
	}{
		{"empty", "", []string{"1:0: the file is empty"}, ""},
		{"syntax", "scenario: [oops\n", []string{"YAML syntax"}, ""},
		{"two documents", minimal + "---\n" + minimal, []string{"4:1: the file holds more than one YAML document"}, ""},
		{"not a mapping", "- a\n- b\n", []string{"1:1: a scenario file must be a mapping"}, ""},
		{"unknown key", minimal + "stpes: []\n", []string{`4:1: unknown key "stpes" in a scenario file`}, `did you mean "steps"?`},
		{"missing keys", "scenario: x\n", []string{`1:1: missing required key "policy"`, `1:1: missing required key "raised"`}, ""},
		{"duplicate key", minimal + "policy: other\n", []string{`4:1: duplicate key "policy"`}, ""},
		{"missing step keys", minimal + "steps:\n  - event: escalate\n", []string{`5:5: missing required key "at" in a step`}, ""},
		{"bad time", "scenario: x\npolicy: p\nraised: {at: tomorrow, by: a, role: r}\n", []string{`3:14: at: "tomorrow" is not a time`}, ""},
		{"skipped hour", "scenario: x\npolicy: p\nraised: {at: 2026-03-29T01:30, by: a, role: r}\n", []string{"does not exist in Europe/London"}, ""},
		{"unknown expectation", minimal + "expect: {stgae: stage1}\n", []string{`4:10: unknown key "stgae" in expect`}, `did you mean "stage"?`},
		{"bad due date", minimal + "expect: {due: {agree_plan: 2026-02-30}}\n", []string{`4:28: due.agree_plan: "2026-02-30" is not a date`}, ""},
		{"bad status", minimal + "expect: {status: {agree_plan: pendng}}\n", []string{`4:31: "pendng" is not a status`}, `did you mean "pending"?`},
		{"bad reason", minimal + "steps:\n  - {event: e, at: 2026-12-23, by: a, role: r, expect: {refused: {reason: role_not_permited}}}\n",
			[]string{`"role_not_permited" is not a refusal reason`}, `did you mean "role_not_permitted"?`},
		{"refused at raise", minimal + "expect: {refused: {reason: guard_false}}\n", []string{"4:10: refused applies to a step's event"}, ""},
		{"alias", "scenario: &t x\npolicy: *t\nraised: {at: 2026-12-22, by: a, role: r}\n", []string{"2:9: aliases (*t) are not allowed"}, ""},
		{"wrong type", minimal + "steps: {event: e}\n", []string{"4:8: steps must be a list, but this is a mapping"}, ""},
		{"nested fact", minimal[:len(minimal)-2] + ", facts: {x: {y: 1}}}\n", []string{"fact x must be a single value, but this is a mapping"}, ""},
		{"empty value", minimal + "steps:\n  - {event: '', at: 2026-12-23, by: a, role: r}\n", []string{"5:13: event is empty"}, ""},
		{"available needs events", minimal + "expect: {available: {role: r}}\n", []string{`missing required key "events" in available`}, ""},
		{"closures not a list", minimal + "closures: {date: 2026-12-29}\n", []string{"4:11: closures must be a list, but this is a mapping"}, ""},
		{"bad closures", minimal + "closures:\n  - {date: 2026-12-26, name: Saturday}\n  - {date: 2026-12-29, nam: x}\n",
			[]string{`5:12: closure "Saturday" on 2026-12-26 is a Saturday`, `6:24: unknown key "nam": a closure has date, name and source`, "6:5: closure has no name"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, diags := scenario.Parse("s.yaml", []byte(tc.src))
			assert.Nil(t, f)
			require.NotEmpty(t, diags)
			var got []string
			for _, d := range diags {
				assert.Equal(t, engine.SeverityError, d.Severity)
				assert.Equal(t, "s.yaml", d.Pos.File)
				got = append(got, fmt.Sprintf("%d:%d: %s", d.Pos.Line, d.Pos.Column, d.Message))
			}
			all := strings.Join(got, "\n")
			for _, w := range tc.want {
				assert.Contains(t, all, w)
			}
			if tc.hint != "" {
				assert.Equal(t, tc.hint, diags[0].Hint)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	_, diags := scenario.Parse("big.yaml", make([]byte, scenario.MaxSize+1))
	require.Len(t, diags, 1)
	assert.Equal(t, "too-large", diags[0].Code)
}

func TestParseValues(t *testing.T) {
	f, diags := scenario.Parse("s.yaml", []byte(minimal+`steps:
  - event: escalate
    at: 2026-12-23T09:00:00Z
    by: lee
    role: line_manager
    facts: {flag: true, count: 3, ratio: 1.5, name: AB, when: 2026-12-20, list: [a, b]}
    forms: {f: {field: text, n: 2}}
    expect:
      due: {x: none, y: 2026-12-24}
`))
	require.Empty(t, diags)
	require.Len(t, f.Steps, 1)
	s := f.Steps[0]
	assert.Equal(t, map[string]any{"flag": true, "count": 3, "ratio": 1.5, "name": "AB", "when": "2026-12-20", "list": []any{"a", "b"}}, s.Facts)
	assert.Equal(t, map[string]map[string]any{"f": {"field": "text", "n": 2}}, s.Forms)
	assert.True(t, s.At.Equal(time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC)))
	require.Len(t, s.Expect, 2)
	assert.True(t, s.Expect[0].NoDeadline)
	assert.Equal(t, calendar.Date{Year: 2026, Month: 12, Day: 24}, s.Expect[1].Date)
	assert.Equal(t, 12, s.Expect[1].Pos.Line)
	assert.Equal(t, 5, s.Pos.Line)
}

func TestParseTime(t *testing.T) {
	london := calendar.London()
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2026-12-22", time.Date(2026, 12, 22, 9, 0, 0, 0, london), ""},
		// A date alone is 09:00 local time even on the days the clocks change.
		{"2026-03-29", time.Date(2026, 3, 29, 9, 0, 0, 0, london), ""},
		{"2026-10-25", time.Date(2026, 10, 25, 9, 0, 0, 0, london), ""},
		{"2026-07-01T14:30", time.Date(2026, 7, 1, 13, 30, 0, 0, time.UTC), ""},
		{"2026-07-01T14:30:00+02:00", time.Date(2026, 7, 1, 12, 30, 0, 0, time.UTC), ""},
		{"2026-03-29T01:30", time.Time{}, "does not exist in Europe/London"},
		{"22/12/2026", time.Time{}, "is not a time"},
		{"2026-12-22 10:00", time.Time{}, "is not a time"},
	} {
		got, err := scenario.ParseTime(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%s: got %s, want %s", tc.in, got, tc.want)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"pass.yaml", "fail.yaml"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(src)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("scenario: &a [*a]\n"))
	f.Add([]byte("steps:\n  - expect: {due: {x: [1]}, overdue: {at: 2026-02-29}}\n"))
	f.Add([]byte(minimal + "closures:\n  - {date: 2026-12-29, name: Closure, source: x}\n  - {date: 2026-12-26, nam: y}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// The fuzzer has no time limit of its own: a hang becomes a recorded crasher.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Parse hung on %q", src)) })
		defer watchdog.Stop()
		file, diags := scenario.Parse("fuzz.yaml", src)
		if (file == nil) == (len(diags) == 0) {
			t.Fatalf("Parse must return a file or diagnostics, not %v and %d diagnostics", file != nil, len(diags))
		}
		for _, d := range diags {
			if d.Pos.File != "fuzz.yaml" || d.Message == "" {
				t.Fatalf("diagnostic without a file or message: %+v", d)
			}
		}
	})
}

// Scenario files get the loader's bounds: an alias bomb is refused, not expanded.
func TestParseRefusesAnAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("scenario: bomb\npolicy: x\nraised:\n  facts:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "    a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	start := time.Now()
	f, diags := scenario.Parse("bomb.yaml", []byte(b.String()))
	assert.Nil(t, f)
	require.NotEmpty(t, diags)
	assert.Equal(t, "alias-limit", diags[0].Code)
	assert.Less(t, time.Since(start), time.Second)
}

// TestConstructScenarios runs the scenarios of the constructs escalation/v1.1
// adds, on the engine's fixture: every expectation must hold.
func TestConstructScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "constructs", "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 5)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			f, diags := scenario.Parse(file, src)
			require.NoError(t, diags.Err())
			res := scenario.Run(context.Background(), f)
			require.NoError(t, res.Err)
			for _, fail := range res.Failures {
				t.Error(fail)
			}
			assert.Equal(t, f.Expectations(), res.Passed)
		})
	}
}

// A story's closures, and the host's (WithClosures), are skipped by its
// policy's deadlines as well as the bank holidays.
func TestClosures(t *testing.T) {
	src := `scenario: Raised before the council's Christmas closure
policy: casework.yaml
closures:
  - {date: 2026-12-29, name: Council Christmas closure, source: Cabinet 2025/114}
  - {date: 2026-12-30, name: Council Christmas closure}
raised: {at: 2026-12-22T10:00, by: asha, role: practitioner, facts: {dispute_area: threshold}}
expect:
  due: {agree_plan: 2026-12-24}
`
	path := filepath.Join("testdata", "closures.yaml")
	f, diags := scenario.Parse(path, []byte(src))
	require.Empty(t, diags)
	assert.Equal(t, []calendar.Holiday{
		{Date: calendar.Date{Year: 2026, Month: 12, Day: 29}, Name: "Council Christmas closure", Source: "Cabinet 2025/114"},
		{Date: calendar.Date{Year: 2026, Month: 12, Day: 30}, Name: "Council Christmas closure"},
	}, f.Closures)
	assert.Equal(t, engine.Pos{File: path, Line: 3, Column: 1}, f.ClosuresPos)

	due := func(opts ...scenario.Option) calendar.Date {
		t.Helper()
		res := scenario.Run(context.Background(), f, opts...)
		require.NoError(t, res.Err)
		require.True(t, res.OK(), "%v", res.Failures)
		c, _, err := res.Policy.Raise(context.Background(), engine.Raise{CaseID: "x", Actor: "lee", Role: "practitioner",
			At: time.Date(2026, 12, 24, 10, 0, 0, 0, calendar.London())})
		require.NoError(t, err)
		duties, err := res.Policy.Due(c, c.Raised)
		require.NoError(t, err)
		return duties[0].DueDate
	}
	// Thu 24 Dec + 2 working days: past Christmas, Boxing Day (Mon 28th)
	// and the two closure days, Thu 31 Dec and Mon 4 Jan.
	assert.Equal(t, calendar.Date{Year: 2027, Month: 1, Day: 4}, due())
	// The host's closure on Thu 31 Dec comes on top.
	host := calendar.Holiday{Date: calendar.Date{Year: 2026, Month: 12, Day: 31}, Name: "Host closure"}
	assert.Equal(t, calendar.Date{Year: 2027, Month: 1, Day: 5}, due(scenario.WithClosures(host)))

	// A closure the story and the host both give counts once.
	assert.Equal(t, calendar.Date{Year: 2027, Month: 1, Day: 4}, due(scenario.WithClosures(calendar.Holiday{Date: f.Closures[0].Date, Name: "Host's name"})))
	// A story's closure that its calendar refuses is the story's error.
	res := scenario.Run(context.Background(), f, scenario.WithClosures(calendar.Holiday{Date: calendar.Date{Year: 2200, Month: 1, Day: 1}, Name: "Far"}))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "closures.yaml:3: closures: calendar: closure \"Far\": calendar: 2200-01-01 is outside")
	assert.Equal(t, f.Expectations(), res.NotRun)
	// The host's closures alone are reported at the policy they apply to.
	plain := parseFile(t, "pass.yaml")
	res = scenario.Run(context.Background(), plain, scenario.WithClosures(calendar.Holiday{Date: calendar.Date{Year: 2026, Month: 12, Day: 26}, Name: "Saturday"}))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "pass.yaml:3: closures: calendar: closure \"Saturday\" on 2026-12-26 is a Saturday")
}

// `due: {x: urgent}` holds only for an urgent duty with no backstop; `none`
// holds for it too, as it did before urgent was a value of its own.
func TestDueUrgent(t *testing.T) {
	tests := []struct {
		due    string
		passes bool
		got    string
	}{
		{"speak: urgent", true, ""},
		{"speak: none", true, ""},
		{"speak: 2026-12-23", false, "got speak urgent, with no timescale"},
		{"confirm: urgent", false, "got confirm due 2026-12-24"},           // urgent, with a backstop
		{"resolve_soon: urgent", false, "got resolve_soon due 2026-12-31"}, // timed, not urgent
	}
	for _, tt := range tests {
		t.Run(tt.due, func(t *testing.T) {
			src := "scenario: urgent\npolicy: ../../testdata/constructs.yaml\nraised: {at: 2026-12-22T10:00, by: asha, role: practitioner}\nexpect:\n  due: {" + tt.due + "}\n"
			f, diags := scenario.Parse(filepath.Join("testdata", "urgent.yaml"), []byte(src))
			require.Empty(t, diags)
			res := scenario.Run(context.Background(), f)
			require.NoError(t, res.Err)
			assert.Equal(t, tt.passes, res.OK(), "%v", res.Failures)
			if !tt.passes {
				require.Len(t, res.Failures, 1)
				assert.Contains(t, res.Failures[0].String(), tt.got)
			}
		})
	}
}
