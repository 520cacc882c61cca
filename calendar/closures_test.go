package calendar

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/diag"
)

func councilClosure() []Holiday {
	return []Holiday{
		{Date: Date{2026, 12, 29}, Name: "Council Christmas closure", Source: "Cabinet decision 2025/114"},
		{Date: Date{2026, 12, 30}, Name: "Council Christmas closure"},
		{Date: Date{2026, 12, 31}, Name: "Council Christmas closure"},
	}
}

func TestWithClosures(t *testing.T) {
	days := councilClosure()
	c, err := New(EnglandAndWales, WithClosures(days...))
	require.NoError(t, err)
	days[0].Date = Date{2027, 3, 1} // the option keeps its own copy

	dl, err := c.Deadline(at(2026, 12, 22, 14, 30), Within{N: 3, Unit: WorkingDays})
	require.NoError(t, err)
	assert.Equal(t, Date{2027, 1, 4}, dl.DueDate)
	var reasons []string
	for _, s := range dl.Steps {
		reasons = append(reasons, s.Reason)
	}
	assert.Equal(t, []string{
		"trigger date", "", "", "Christmas Day", "Sat", "Sun", "Boxing Day (substitute day)",
		"closure: Council Christmas closure", "closure: Council Christmas closure", "closure: Council Christmas closure",
		"New Year's Day", "Sat", "Sun", "",
	}, reasons)

	h, ok := c.Holiday(Date{2026, 12, 29})
	require.True(t, ok)
	want := councilClosure()[0]
	want.Kind = Closure // the calendar says where the day comes from
	assert.Equal(t, want, h)
	hs, err := c.Holidays(Date{2026, 12, 24}, Date{2027, 1, 1})
	require.NoError(t, err)
	assert.Len(t, hs, 6)

	// The shared calendar is untouched.
	working, err := forJ(t, EnglandAndWales).IsWorkingDay(Date{2026, 12, 29})
	require.NoError(t, err)
	assert.True(t, working)
}

// A day proclaimed after this release, such as the Isle of Man's 2027 TT
// Bank Holiday, is added the same way.
func TestWithClosuresForAProclaimedDay(t *testing.T) {
	c, err := New(IsleOfMan, WithClosures(Holiday{Date: Date{2027, 6, 11}, Name: "TT Bank Holiday", Source: "gov.im 2027 list"}))
	require.NoError(t, err)
	due, err := c.AddWorkingDays(Date{2027, 6, 10}, 1)
	require.NoError(t, err)
	assert.Equal(t, Date{2027, 6, 14}, due)
}

func TestWithClosuresOnABankHolidayKeepsTheBankHoliday(t *testing.T) {
	c, err := New(EnglandAndWales, WithClosures(Holiday{Date: Date{2026, 12, 25}, Name: "Office closed"}))
	require.NoError(t, err)
	h, ok := c.Holiday(Date{2026, 12, 25})
	require.True(t, ok)
	assert.Equal(t, "Christmas Day", h.Name)
}

func TestWithClosuresErrors(t *testing.T) {
	cases := map[string][]Holiday{
		"has no date":                      {{Name: "x"}},
		"2026-02-30 is not a valid date":   {{Date: Date{2026, 2, 30}, Name: "x"}},
		"has no name":                      {{Date: Date{2026, 12, 29}, Name: "  "}},
		"is a Saturday":                    {{Date: Date{2026, 12, 26}, Name: "x"}},
		"is listed twice":                  {{Date: Date{2026, 12, 29}, Name: "x"}, {Date: Date{2026, 12, 29}, Name: "y"}},
		"outside 2000-01-01 to 2199-12-31": {{Date: Date{2200, 1, 1}, Name: "x"}},
	}
	for msg, days := range cases {
		_, err := New(EnglandAndWales, WithClosures(days...))
		assert.ErrorContains(t, err, msg)
	}
	_, err := New(IsleOfMan, WithClosures(Holiday{Date: Date{2017, 6, 9}, Name: "TT Bank Holiday"}))
	assert.ErrorIs(t, err, ErrOutOfRange)
}

func TestParseClosures(t *testing.T) {
	src := `# Council Christmas closure, agreed by Cabinet
- date: 2026-12-29
  name: Council Christmas closure
  source: Cabinet decision 2025/114
- date: "2026-12-30"
  name: Council Christmas closure
`
	days, err := ParseClosures("closures.yaml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, []Holiday{
		{Date: Date{2026, 12, 29}, Name: "Council Christmas closure", Source: "Cabinet decision 2025/114"},
		{Date: Date{2026, 12, 30}, Name: "Council Christmas closure"},
	}, days)

	c, err := New(EnglandAndWales, WithClosures(days...))
	require.NoError(t, err)
	working, err := c.IsWorkingDay(Date{2026, 12, 30})
	require.NoError(t, err)
	assert.False(t, working)

	for _, empty := range []string{"", "# none this year\n", "~\n", "[]\n"} {
		days, err := ParseClosures("closures.yaml", []byte(empty))
		require.NoError(t, err, empty)
		assert.Empty(t, days)
	}
}

func TestParseClosuresErrors(t *testing.T) {
	cases := []struct {
		src, at, code, msg string
	}{
		{"- date: 2026-12-29\n  name: Closure\n  reason: Christmas\n", "closures.yaml:3:3", "unknown-key", `unknown key "reason": a closure has date, name and source`},
		{"- date: 2026-12-29\n  nmae: Closure\n", "closures.yaml:2:3", "unknown-key", `unknown key "nmae"`},
		{"- date: 2026-12-29\n", "closures.yaml:1:3", "missing-key", "closure has no name"},
		{"- name: Closure\n", "closures.yaml:1:3", "missing-key", "closure has no date"},
		{"- date: 29/12/2026\n  name: Closure\n", "closures.yaml:1:9", "bad-date", `"29/12/2026" is not a date`},
		{"- date: 2026-12-26\n  name: Closure\n", "closures.yaml:1:9", "not-a-working-day", `closure "Closure" on 2026-12-26 is a Saturday`},
		{"- date: 2026-12-29\n  name: A\n- date: 2026-12-29\n  name: B\n", "closures.yaml:3:3", "duplicate-item", "closure 2026-12-29 is already listed at line 1"},
		{"- date: 2026-12-29\n  name: A\n  name: B\n", "closures.yaml:3:3", "duplicate-key", `"name" is given twice`},
		{"- date: 2026-12-29\n  name: [A, B]\n", "closures.yaml:2:9", "wrong-type", "name must be a single value"},
		{"- date: 2026-12-29\n  name:\n", "closures.yaml:2:8", "wrong-type", "name must be a single value"},
		{"date: 2026-12-29\nname: A\n", "closures.yaml:1:1", "wrong-type", "expected a list of closures"},
		{"- 2026-12-29\n", "closures.yaml:1:3", "wrong-type", "expected a closure with date, name and optional source"},
		{"- date: 2026-12-29\n  name: A\n---\n- date: 2026-12-30\n", "closures.yaml:3:1", "multiple-documents", "more than one YAML document"},
		{"- date: [2026-12-29\n", "closures.yaml:1:9", "yaml-syntax", "the [ that starts here is never closed"},
		{"\t- date: 2026-12-29\n", "closures.yaml:1:1", "yaml-syntax", "a tab in the indentation"},
	}
	for _, tc := range cases {
		days, err := ParseClosures("closures.yaml", []byte(tc.src))
		assert.Nil(t, days)
		var ds diag.Diagnostics
		if !assert.ErrorAs(t, err, &ds, tc.src) {
			continue
		}
		i := slices.IndexFunc(ds, func(d *diag.Diagnostic) bool { return d.Pos.String() == tc.at && d.Code == tc.code })
		if assert.GreaterOrEqual(t, i, 0, "%q: no %s at %s in %v", tc.src, tc.code, tc.at, ds) {
			assert.Contains(t, ds[i].Message, tc.msg, tc.src)
		}
	}

	// Every problem is reported, in order.
	_, err := ParseClosures("closures.yaml", []byte("- date: 2026-02-30\n  name: A\n- name: B\n  colour: red\n"))
	var ds diag.Diagnostics
	require.ErrorAs(t, err, &ds)
	require.Len(t, ds, 3)
	assert.Equal(t, `closures.yaml:1:9: error: "2026-02-30" is not a date: February 2026 has 28 days`, ds[0].Error())
	assert.Equal(t, "closures.yaml:3:3: error: closure has no date", ds[1].Error())
	assert.Equal(t, `closures.yaml:4:3: error: unknown key "colour": a closure has date, name and source`, ds[2].Error())
	var buf bytes.Buffer
	require.NoError(t, diag.Write(&buf, ds[2:], func(string) []byte { return []byte("- date: 2026-02-30\n  name: A\n- name: B\n  colour: red\n") }))
	assert.Equal(t, "closures.yaml:4:3: error: unknown key \"colour\": a closure has date, name and source\n 4 |   colour: red\n   |   ^~~~~~\n  hint: use one of: date, name, source\n", buf.String())
}
