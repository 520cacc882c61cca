package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// riversideWith is the riverside policy with a calendar block, and another
// jurisdiction when j is not empty.
func riversideWith(t *testing.T, j, block string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "riverside.yaml"))
	require.NoError(t, err)
	const line = "jurisdiction: england-and-wales\n"
	require.Contains(t, string(src), line)
	if j == "" {
		j = "england-and-wales"
	}
	return []byte(strings.Replace(string(src), line, "jurisdiction: "+j+"\n"+block, 1))
}

const liberationDayBlock = `calendar:
  days_off:
    - name: Liberation Day
      yearly: 9 May
      source: {file: riverside-escalation-2025.txt, quote: "Liberation Day"}
`

func TestDeclaredDaysCountInDeadlines(t *testing.T) {
	p, ds := Load("riverside.yaml", riversideWith(t, "", liberationDayBlock))
	require.NoError(t, ds.Err())
	require.NotNil(t, p.CalendarSpec)
	require.Len(t, p.CalendarSpec.DaysOff, 1)
	d := p.CalendarSpec.DaysOff[0]
	assert.Equal(t, "Liberation Day", d.Name)
	assert.Equal(t, calendar.Yearly{Month: 5, Day: 9}, d.Yearly)
	assert.Equal(t, Pos{File: "riverside.yaml", Line: 11, Column: 7}, d.Pos)

	c := raise(t, p, "2026-05-07 10:00", nil)
	duties, err := p.Due(c.Head, london(t, "2026-05-07 10:00"))
	require.NoError(t, err)
	require.NotEmpty(t, duties)
	assert.Equal(t, calendar.Date{Year: 2026, Month: 5, Day: 12}, duties[0].DueDate, "Fri 8 May, then Tue 12 May past Liberation Day's substitute")
	dl, err := duties[0].Explain()
	require.NoError(t, err)
	assert.Contains(t, dl.Steps, calendar.Step{Date: calendar.Date{Year: 2026, Month: 5, Day: 11}, Reason: "Liberation Day (substitute day)",
		Source: `riverside-escalation-2025.txt: "Liberation Day"`})

	// Without the block, the same case is due a working day earlier.
	plain, ds := Load("riverside.yaml", riversideWith(t, "", ""))
	require.NoError(t, ds.Err())
	assert.Nil(t, plain.CalendarSpec)
	duties, err = plain.Due(raise(t, plain, "2026-05-07 10:00", nil).Head, london(t, "2026-05-07 10:00"))
	require.NoError(t, err)
	assert.Equal(t, calendar.Date{Year: 2026, Month: 5, Day: 11}, duties[0].DueDate)
}

// A host's calendar (WithCalendar) keeps its closures, and the policy's
// declared days come on top; a calendar for another jurisdiction is still
// refused.
func TestDeclaredDaysWithTheHostsCalendar(t *testing.T) {
	host, err := calendar.New(calendar.EnglandAndWales, calendar.WithClosures(calendar.Holiday{Date: calendar.Date{Year: 2026, Month: 5, Day: 8}, Name: "Office move"}))
	require.NoError(t, err)
	p, ds := Load("riverside.yaml", riversideWith(t, "", liberationDayBlock), WithCalendar(host))
	require.NoError(t, ds.Err())
	assert.NotSame(t, host, p.Calendar())
	for _, day := range []int{8, 11} {
		working, err := p.Calendar().IsWorkingDay(calendar.Date{Year: 2026, Month: 5, Day: day})
		require.NoError(t, err)
		assert.False(t, working, "8 May is the host's closure, 11 May the policy's Liberation Day")
	}
	working, err := host.IsWorkingDay(calendar.Date{Year: 2026, Month: 5, Day: 11})
	require.NoError(t, err)
	assert.True(t, working, "the host's calendar is unchanged")

	// Without declared days the host's calendar is used as it is.
	plain, ds := Load("riverside.yaml", riversideWith(t, "", ""), WithCalendar(host))
	require.NoError(t, ds.Err())
	assert.Same(t, host, plain.Calendar())

	scot, err := calendar.For(calendar.Scotland)
	require.NoError(t, err)
	_, ds = Load("riverside.yaml", riversideWith(t, "", liberationDayBlock), WithCalendar(scot))
	assert.Equal(t, []string{"riverside.yaml:8:15 calendar-mismatch"}, codes(ds.Errors()))
}

func TestPolicyWithClosures(t *testing.T) {
	p, ds := Load("riverside.yaml", riversideWith(t, "", liberationDayBlock))
	require.NoError(t, ds.Err())
	same, err := p.WithClosures()
	require.NoError(t, err)
	assert.Same(t, p, same)

	closed, err := p.WithClosures(calendar.Holiday{Date: calendar.Date{Year: 2026, Month: 5, Day: 12}, Name: "Council closure", Source: "Cabinet 2026/1"})
	require.NoError(t, err)
	assert.Equal(t, p.ID, closed.ID)
	c := raise(t, closed, "2026-05-07 10:00", nil)
	duties, err := closed.Due(c.Head, london(t, "2026-05-07 10:00"))
	require.NoError(t, err)
	assert.Equal(t, calendar.Date{Year: 2026, Month: 5, Day: 13}, duties[0].DueDate, "past Liberation Day and the closure")
	dl, err := duties[0].Explain()
	require.NoError(t, err)
	assert.Contains(t, dl.Steps, calendar.Step{Date: calendar.Date{Year: 2026, Month: 5, Day: 12}, Reason: "closure: Council closure", Source: "Cabinet 2026/1"})

	// The original is unchanged, and a case raised under either runs under
	// the other: they are the same policy and version.
	duties, err = p.Due(c.Head, london(t, "2026-05-07 10:00"))
	require.NoError(t, err)
	assert.Equal(t, calendar.Date{Year: 2026, Month: 5, Day: 13}, duties[0].DueDate, "the deadline was fixed when the stage was entered")
	working, err := p.Calendar().IsWorkingDay(calendar.Date{Year: 2026, Month: 5, Day: 12})
	require.NoError(t, err)
	assert.True(t, working)

	_, err = p.WithClosures(calendar.Holiday{Date: calendar.Date{Year: 2026, Month: 5, Day: 9}, Name: "Saturday"})
	assert.ErrorContains(t, err, "is a Saturday")
}

// With today's date, Load warns when the policy's calendar has no date for
// a day proclaimed each year in the coming twelve months.
func TestUnproclaimedDayWarning(t *testing.T) {
	iom := riversideWith(t, "isle-of-man", "")
	warned := func(ds Diagnostics) []string {
		var out []string
		for _, d := range ds {
			if d.Code == "unproclaimed-day" {
				out = append(out, d.Message)
			}
		}
		return out
	}
	cases := map[calendar.Date][]string{
		{Year: 2025, Month: 12, Day: 31}: nil, // to the end of 2026, which the table covers
		{Year: 2026, Month: 1, Day: 1}:   {"no TT Bank Holiday is known for 2027 in isle-of-man (this release's table of proclaimed days ends in 2026): deadlines in 2027 count it as a working day"},
		{Year: 2027, Month: 3, Day: 1}: {
			"no TT Bank Holiday is known for 2027 in isle-of-man (this release's table of proclaimed days ends in 2026): deadlines in 2027 count it as a working day",
			"no TT Bank Holiday is known for 2028 in isle-of-man (this release's table of proclaimed days ends in 2026): deadlines in 2028 count it as a working day",
		},
	}
	for today, want := range cases {
		p, ds := Load("riverside.yaml", iom, WithToday(today))
		require.NotNil(t, p, "%v", ds)
		assert.Equal(t, want, warned(ds), today)
	}
	p, ds := Load("riverside.yaml", iom)
	require.NotNil(t, p)
	assert.Empty(t, warned(ds), "no today, no warning: the engine never reads the clock")

	declared := riversideWith(t, "isle-of-man", `calendar:
  days_off:
    - {name: TT Bank Holiday 2027, date: 2027-06-04, source: {file: riverside-escalation-2025.txt, quote: TT}}
`)
	_, ds = Load("riverside.yaml", declared, WithToday(calendar.Date{Year: 2026, Month: 12, Day: 1}))
	assert.Empty(t, warned(ds))
	_, ds = Load("riverside.yaml", riversideWith(t, "", ""), WithToday(calendar.Date{Year: 2030, Month: 1, Day: 1}))
	assert.Empty(t, warned(ds), "England and Wales has no yearly proclaimed day")
}

// The Calendar section of LANGUAGE.md declares days that load: its example,
// in the riverside policy (citing riverside's document), loads with no
// diagnostics about the calendar, and its days are off.
func TestLanguageCalendarExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "policies", "LANGUAGE.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "## Calendar\n")
	require.True(t, ok)
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	require.True(t, ok)
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	jurisdiction, calendarBlock, ok := strings.Cut(block, "\n")
	require.True(t, ok)
	require.True(t, strings.HasPrefix(jurisdiction, "jurisdiction: england-and-wales"))
	src := riversideWith(t, "", strings.ReplaceAll(calendarBlock, "procedure.txt", "riverside-escalation-2025.txt"))
	p, ds := Load("riverside.yaml", src, WithToday(calendar.Date{Year: 2026, Month: 6, Day: 1}))
	require.NoError(t, ds.Err())
	for _, d := range ds {
		assert.NotContains(t, []string{"duplicate-holiday", "unproclaimed-day", "day-off"}, d.Code, d.Error())
	}
	require.Len(t, p.CalendarSpec.DaysOff, 4)
	for _, d := range []calendar.Date{{Year: 2026, Month: 5, Day: 11}, {Year: 2026, Month: 10, Day: 14}, {Year: 2026, Month: 12, Day: 30}, {Year: 2027, Month: 6, Day: 4}} {
		h, ok := p.Calendar().Holiday(d)
		assert.True(t, ok, d)
		assert.Equal(t, calendar.Declared, h.Kind, d)
	}
}
