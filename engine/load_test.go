package engine

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestLoadGolden")

// goldenToday is the date the golden tests load under, so that the review
// date warnings do not change with the clock.
var goldenToday = calendar.Date{Year: 2026, Month: 6, Day: 1}

// render loads a file and renders its diagnostics as the CLI would.
func render(t testing.TB, name string, src []byte, opts ...LoadOption) (*Policy, string) {
	t.Helper()
	p, ds := Load(name, src, opts...)
	var buf bytes.Buffer
	require.NoError(t, WriteDiagnostics(&buf, ds, func(string) []byte { return src }))
	return p, buf.String()
}

// TestLoadGolden loads each testdata/load/*.yaml and compares the rendered
// diagnostics with its .golden file. Each file shows one kind of mistake.
func TestLoadGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "load", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			opts := []LoadOption{WithToday(goldenToday)}
			if _, err := os.Stat(strings.TrimSuffix(file, ".yaml") + ".txt"); err == nil {
				// A file with its own text beside it has its quotes checked.
				opts = append(opts, WithDocuments(os.DirFS(filepath.Join("testdata", "load"))))
			}
			p, got := render(t, filepath.Base(file), src, opts...)
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./engine -run TestLoadGolden -update")
			assert.Equal(t, string(want), got)
			if strings.HasPrefix(name, "valid") {
				assert.NotNil(t, p, "a valid policy loads")
			} else {
				assert.Nil(t, p, "a policy with errors does not load")
			}
		})
	}
}

func loadFile(t testing.TB, path string, opts ...LoadOption) (*Policy, Diagnostics) {
	t.Helper()
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	return Load(filepath.Base(path), src, opts...)
}

func codes(ds Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Pos.String()+" "+d.Code)
	}
	return out
}

// TestLoadRiverside loads LANGUAGE.md's worked example: it loads, with only
// the warnings its text calls for, and every part of it is in the model.
func TestLoadRiverside(t *testing.T) {
	p, ds := loadFile(t, filepath.Join("testdata", "riverside.yaml"), WithToday(goldenToday))
	require.NoError(t, ds.Err())
	require.NotNil(t, p)
	assert.Equal(t, []string{
		"riverside.yaml:30:3 unused-fact", // child_initials: on the form, read by no guard
		"riverside.yaml:77:3 no-source",   // stage2
		"riverside.yaml:82:7 no-source",   // managers_meet
	}, codes(ds))

	assert.Equal(t, "riverside", p.ID)
	assert.Equal(t, "2.1", p.Version)
	assert.Equal(t, calendar.Date{Year: 2027, Month: 3, Day: 1}, p.ReviewDue)
	assert.Equal(t, calendar.EnglandAndWales, p.Jurisdiction)
	assert.Equal(t, calendar.EnglandAndWales, p.Calendar().Jurisdiction())
	assert.Equal(t, []string{"children"}, p.Scope)

	stage1, ok := p.Stage("stage1")
	require.True(t, ok)
	assert.Same(t, stage1, p.Start)
	assert.Equal(t, 0, stage1.Index)
	assert.Equal(t, Pos{File: "riverside.yaml", Line: 52, Column: 3}, stage1.Pos)
	agree, ok := stage1.Obligation("agree_plan")
	require.True(t, ok)
	assert.Same(t, stage1, agree.Stage)
	assert.True(t, agree.HasDeadline)
	assert.Equal(t, calendar.Within{N: 2, Unit: calendar.WorkingDays}, agree.Within)
	assert.Equal(t, AnchorStage, agree.From.Kind)
	require.NotNil(t, agree.Expedite)
	assert.True(t, agree.Expedite.Within.Immediate)
	assert.Equal(t, "immediate_risk", agree.Expedite.When.Text)
	assert.Equal(t, Pos{File: "riverside.yaml", Line: 61, Column: 26}, agree.Expedite.When.Pos)
	_, ok = stage1.Obligation("managers_meet")
	assert.False(t, ok, "an obligation belongs to its own stage")

	require.Len(t, stage1.Transitions, 3)
	resolve := stage1.Transitions[1]
	assert.Equal(t, "resolve", resolve.Event)
	assert.Same(t, stage1, resolve.From)
	resolved, _ := p.Outcome("resolved")
	assert.Same(t, resolved, resolve.ToOutcome)
	assert.Equal(t, []*Obligation{agree}, resolve.Requires)
	assert.Equal(t, []*Obligation{agree}, stage1.Transitions[0].Completes)
	assert.Nil(t, stage1.Transitions[0].ToStage)
	assert.Nil(t, stage1.Transitions[0].ToOutcome)

	stage2, _ := p.Stage("stage2")
	assert.Same(t, stage2, stage1.Transitions[2].ToStage)
	meet, _ := stage2.Obligation("managers_meet")
	assert.Equal(t, AnchorRaised, meet.From.Kind)
	refer := stage2.Transitions[1]
	milestone, _ := p.Milestone("formally_escalated")
	assert.Equal(t, []*Milestone{milestone}, refer.Sets)
	area, _ := p.Fact("dispute_area")
	assert.Equal(t, []*Fact{area}, refer.When.Facts)
	assert.Equal(t, "threshold", area.Default, "an enum defaults to its first value")
	assert.Positive(t, refer.When.Cost)

	form, _ := p.Form("escalation_form")
	assert.Equal(t, []*Form{form}, stage2.Forms)
	assert.True(t, form.Fields[0].Personal)
	assert.False(t, form.Fields[1].Personal)

	require.Len(t, p.AnyStage, 2)
	assert.Nil(t, p.AnyStage[0].From)
	assert.Same(t, stage2, p.AnyStage[1].ToStage)
	role, ok := p.Role("line_manager")
	require.True(t, ok)
	assert.Equal(t, []*Role{role}, stage2.Involves)
	_, ok = p.Role("director")
	assert.False(t, ok)

	risk, _ := p.Fact("immediate_risk")
	assert.Equal(t, false, risk.Default)
	initials, _ := p.Fact("child_initials")
	assert.True(t, initials.Personal)
	assert.Equal(t, "", initials.Default)
}

// TestLoadBundledPolicies loads every policy under policies/: each loads,
// warnings and all.
func TestLoadBundledPolicies(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "policies", "*.yaml"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("no policies yet")
	}
	for _, file := range files {
		p, ds := loadFile(t, file)
		if !assert.NoError(t, ds.Err(), file) {
			var buf bytes.Buffer
			src, _ := os.ReadFile(file)
			require.NoError(t, WriteDiagnostics(&buf, ds.Errors(), func(string) []byte { return src }))
			t.Log(buf.String())
			continue
		}
		assert.NotNil(t, p)
	}
}

func TestLoadOptions(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "riverside.yaml"))
	require.NoError(t, err)

	p, ds := Load("riverside.yaml", src, WithMaxBytes(100))
	assert.Nil(t, p)
	assert.Equal(t, []string{"riverside.yaml too-large"}, codes(ds))

	p, ds = Load("riverside.yaml", src, WithMaxBytes(0), WithGuardCostBudget(0), WithToday(calendar.Date{}), WithCalendar(nil), nil)
	assert.Nil(t, p)
	assert.Equal(t, []string{"riverside.yaml bad-option", "riverside.yaml bad-option", "riverside.yaml bad-option", "riverside.yaml bad-option"}, codes(ds.Errors()))

	scotland, err := calendar.For(calendar.Scotland)
	require.NoError(t, err)
	p, ds = Load("riverside.yaml", src, WithCalendar(scotland))
	assert.Nil(t, p)
	assert.Equal(t, []string{"riverside.yaml:8:15 calendar-mismatch"}, codes(ds.Errors()))

	closures, err := calendar.New(calendar.EnglandAndWales)
	require.NoError(t, err)
	p, ds = Load("riverside.yaml", src, WithCalendar(closures))
	require.NoError(t, ds.Err())
	assert.Same(t, closures, p.Calendar())

	p, ds = Load("riverside.yaml", src, WithGuardCostBudget(1))
	assert.Nil(t, p)
	for _, d := range ds.Errors() {
		assert.Equal(t, "cel-cost", d.Code)
	}
	assert.Len(t, ds.Errors(), 2, "every guard but a lone fact (cost 1) is over a budget of 1")

	p, ds = Load("riverside.yaml", src, WithToday(calendar.Date{Year: 2027, Month: 3, Day: 2}))
	require.NoError(t, ds.Err())
	assert.Contains(t, codes(ds), "riverside.yaml:7:13 review-overdue")
	assert.NotNil(t, p)
	_, ds = Load("riverside.yaml", src, WithToday(calendar.Date{Year: 2027, Month: 3, Day: 1}))
	assert.NotContains(t, codes(ds), "riverside.yaml:7:13 review-overdue", "due today has not passed")
}

// TestPersonalDefaultsNotEchoed checks that no diagnostic quotes the value
// of a personal fact's default.
func TestPersonalDefaultsNotEchoed(t *testing.T) {
	_, ds := loadFile(t, filepath.Join("testdata", "load", "fact_default.yaml"))
	require.NotEmpty(t, ds)
	for _, d := range ds {
		for _, secret := range []string{"42", "brown"} {
			assert.NotContains(t, d.Message, secret)
			assert.NotContains(t, d.Hint, secret)
		}
	}
}

func TestLoadHostile(t *testing.T) {
	tests := map[string]struct {
		src  string
		code string
	}{
		"not YAML":            {"\x00\x01\x02", "yaml-syntax"},
		"a list at the top":   {"- a\n- b\n", "wrong-type"},
		"a scalar":            {"hello\n", "wrong-type"},
		"an unknown anchor":   {"language: *nowhere\n", "yaml-syntax"},
		"self-merging":        {"a: &a {<<: *a}\n", "alias-cycle"},
		"a deep flow":         {strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "too-deep"},
		"a wide alias bomb":   {"a: &a [" + strings.Repeat("x,", 2000) + "x]\nb: [" + strings.Repeat("*a,", 10) + "*a]\n", "alias-limit"},
		"many stages":         {"stages:\n" + strings.Repeat("", 0) + manyStages(maxStages+1), "too-many"},
		"a huge guard":        {"stages: {s: {title: t, transitions: [{event: e, roles: [r], when: '" + strings.Repeat("a && ", 1000) + "a'}]}}\n", "cel-syntax"},
		"a merge of a scalar": {"<<: 3\n", "wrong-type"},
		"many guards":         {"stages:\n  s:\n    transitions:\n" + strings.Repeat("      - {event: e, roles: [r], when: x}\n", maxGuards+1), "too-many"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p, ds := Load("hostile.yaml", []byte(tt.src))
			assert.Nil(t, p)
			found := false
			for _, d := range ds {
				found = found || d.Code == tt.code
			}
			assert.True(t, found, "want %s in %v", tt.code, codes(ds))
		})
	}
}

func manyStages(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("  s" + strconv.Itoa(i) + ": {title: t}\n")
	}
	return b.String()
}

// TestLoadAliases checks what anchors, aliases and merge keys build.
func TestLoadAliases(t *testing.T) {
	p, ds := loadFile(t, filepath.Join("testdata", "load", "valid_aliases.yaml"))
	require.NoError(t, ds.Err())
	stage1, _ := p.Stage("stage1")
	stage2, _ := p.Stage("stage2")
	assert.Equal(t, "Stage 2", stage2.Title, "an explicit key wins over a merged one")
	require.Len(t, stage2.Transitions, 2, "merged from stage1")
	assert.NotSame(t, stage1.Transitions[0], stage2.Transitions[0], "each stage has its own transitions")
	assert.Same(t, stage2, stage2.Transitions[0].From)
	assert.Equal(t, "immediate_risk || stage == \"stage1\"", stage2.Transitions[1].When.Text, "a folded block scalar")
	assert.Equal(t, Pos{File: "valid_aliases.yaml", Line: 35, Column: 11}, stage2.Transitions[1].When.Pos, "where the anchor's text is")
	manager, _ := p.Role("manager")
	assert.Equal(t, "policy.txt", manager.Sources[0].File)
	assert.Len(t, stage2.Involves, 2)
}

// TestLanguageExample loads the worked example in LANGUAGE.md, which
// testdata/riverside.yaml copies, so that the reference cannot drift from
// what loads.
func TestLanguageExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "policies", "LANGUAGE.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```yaml\nlanguage: escalation/v1\n")
	require.True(t, ok, "the worked example starts with language: escalation/v1")
	example, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	example = "language: escalation/v1\n" + example
	riverside, err := os.ReadFile(filepath.Join("testdata", "riverside.yaml"))
	require.NoError(t, err)
	assert.Equal(t, example, string(riverside), "testdata/riverside.yaml is LANGUAGE.md's worked example")
}

// LANGUAGE.md says how to write "on the same working day", and a policy that
// writes it so means what the page says: by the end of the event's date if
// it is a working day, else of the next one, and not marked immediate.
func TestLanguageSameWorkingDay(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "policies", "LANGUAGE.md"))
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(doc)), " ")
	for _, words := range []string{"`0 working days` is \"on the same working day\"", "an event on a Saturday is due by the end of Monday"} {
		assert.True(t, strings.Contains(text, words), "LANGUAGE.md says %s", words)
	}

	p, ds := Load("same-day.yaml", []byte(`language: escalation/v1
id: same_day
title: Same day
partnership: Test Partnership
version: "1"
jurisdiction: england-and-wales
scope: [children]
documents: [{file: same-day.txt}]
roles: {head_of_service: {title: Head of Service}}
start: stage1
stages:
  stage1:
    title: Stage 1
    obligations:
      speak: {title: Speak, owner: head_of_service, within: 0 working days}
    transitions: [{event: resolve, to: resolved, roles: [head_of_service]}]
outcomes: {resolved: {kind: resolved, title: Resolved}}
`))
	require.NotNil(t, p, "%v", ds)
	for _, tc := range []struct {
		raised time.Time
		due    calendar.Date
	}{
		{time.Date(2026, 12, 22, 16, 0, 0, 0, calendar.London()), calendar.Date{Year: 2026, Month: 12, Day: 22}}, // a Tuesday
		{time.Date(2026, 12, 19, 10, 0, 0, 0, calendar.London()), calendar.Date{Year: 2026, Month: 12, Day: 21}}, // a Saturday
	} {
		c, _, err := p.Raise(context.Background(), Raise{CaseID: "c", Actor: "hos", Role: "head_of_service", At: tc.raised})
		require.NoError(t, err)
		duties, err := p.Due(c, tc.raised)
		require.NoError(t, err)
		require.Len(t, duties, 1)
		assert.Equal(t, tc.due, duties[0].DueDate, "raised %s", tc.raised.Weekday())
		assert.False(t, duties[0].Within.Immediate)
	}
}
