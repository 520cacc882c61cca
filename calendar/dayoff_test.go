package calendar

import (
	"errors"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var liberationDay = DayOff{Name: "Liberation Day", Yearly: Yearly{Month: time.May, Day: 9}, Source: "procedure.txt"}

func newWith(t *testing.T, j Jurisdiction, days ...DayOff) *Calendar {
	t.Helper()
	c, err := New(j, WithDaysOff(days...))
	require.NoError(t, err)
	return c
}

func daysOffIn(t *testing.T, c *Calendar, from, to Date) []Holiday {
	t.Helper()
	hs, err := c.Holidays(from, to)
	require.NoError(t, err)
	return hs
}

// A yearly fixed date is off on the day, and on the next weekday that is not
// already off when it falls at a weekend.
func TestYearlyDayOffAndItsSubstitute(t *testing.T) {
	c := newWith(t, EnglandAndWales, liberationDay)
	want := map[int]Holiday{
		2026: {Date: Date{2026, 5, 11}, Substitute: true}, // Saturday 9th
		2027: {Date: Date{2027, 5, 10}, Substitute: true}, // Sunday 9th
		2028: {Date: Date{2028, 5, 9}},                    // Tuesday
		2020: {Date: Date{2020, 5, 11}, Substitute: true}, // Saturday, the day after the VE Day bank holiday
	}
	for year, w := range want {
		w.Name, w.Source, w.Kind = "Liberation Day", "procedure.txt", Declared
		h, ok := c.Holiday(w.Date)
		require.True(t, ok, year)
		assert.Equal(t, w, h, year)
		_, onTheDay := c.Holiday(Date{year, 5, 9})
		assert.Equal(t, !w.Substitute, onTheDay, "%d: a nominal date at a weekend is not reported, its substitute is", year)
	}
	// The rest of May 2026 is untouched: Early May and Spring bank holidays.
	hs := daysOffIn(t, c, Date{2026, 5, 1}, Date{2026, 5, 31})
	require.Len(t, hs, 3)
	assert.Equal(t, []string{"Early May bank holiday", "Liberation Day", "Spring bank holiday"}, []string{hs[0].Name, hs[1].Name, hs[2].Name})

	// A deadline crossing it skips it and names it.
	dl, err := c.Deadline(time.Date(2026, 5, 7, 10, 0, 0, 0, London()), Within{N: 2, Unit: WorkingDays})
	require.NoError(t, err)
	assert.Equal(t, Date{2026, 5, 12}, dl.DueDate)
	last := dl.Steps[len(dl.Steps)-2]
	assert.Equal(t, Step{Date: Date{2026, 5, 11}, Reason: "Liberation Day (substitute day)", Source: "procedure.txt"}, last)

	// The shared calendar is untouched.
	working, err := forJ(t, EnglandAndWales).IsWorkingDay(Date{2026, 5, 11})
	require.NoError(t, err)
	assert.True(t, working)
}

// A substitute passes over the days already off: 31 December 2022 was a
// Saturday, and Monday 2 January 2023 was New Year's Day's substitute.
func TestYearlySubstituteSkipsBankHolidays(t *testing.T) {
	c := newWith(t, EnglandAndWales, DayOff{Name: "New Year's Eve", Yearly: Yearly{Month: time.December, Day: 31}})
	hs := daysOffIn(t, c, Date{2022, 12, 24}, Date{2023, 1, 6})
	var got []string
	for _, h := range hs {
		got = append(got, h.Date.String()+" "+h.reason())
	}
	assert.Equal(t, []string{
		"2022-12-26 Boxing Day", "2022-12-27 Christmas Day (substitute day)",
		"2023-01-02 New Year's Day (substitute day)", "2023-01-03 New Year's Eve (substitute day)",
	}, got)
}

// A yearly day that falls on a bank holiday adds nothing that year, and the
// bank holiday keeps its name: 8 May was the VE Day bank holiday in 2020 and
// the coronation bank holiday in 2023.
func TestYearlyDayOnABankHolidayAddsNothing(t *testing.T) {
	c := newWith(t, EnglandAndWales, DayOff{Name: "VE Day", Yearly: Yearly{Month: time.May, Day: 8}})
	for _, d := range []Date{{2020, 5, 8}, {2023, 5, 8}} {
		h, ok := c.Holiday(d)
		require.True(t, ok)
		assert.Equal(t, BankHoliday, h.Kind, d)
		working, err := c.IsWorkingDay(d.AddDays(1))
		require.NoError(t, err)
		assert.Equal(t, d.AddDays(1).Weekday() != time.Saturday, working, "%s: no substitute for a weekday", d.AddDays(1))
	}
	h, ok := c.Holiday(Date{2024, 5, 8})
	require.True(t, ok)
	assert.Equal(t, "VE Day", h.Name)
}

func TestNthWeekdayDayOff(t *testing.T) {
	c := newWith(t, IsleOfMan, DayOff{Name: "Partnership training day", Yearly: Yearly{Month: time.October, Nth: 2, Weekday: time.Wednesday}})
	for year, d := range map[int]Date{2026: {2026, 10, 14}, 2027: {2027, 10, 13}, 2031: {2031, 10, 8}} {
		h, ok := c.Holiday(d)
		require.True(t, ok, year)
		assert.Equal(t, Holiday{Date: d, Name: "Partnership training day", Kind: Declared}, h)
	}
}

// A range covers every weekday from From to To; the bank holidays it spans
// keep their names, and weekends stay weekends.
func TestRangeOfDaysOff(t *testing.T) {
	c := newWith(t, EnglandAndWales, DayOff{Name: "Council Christmas closure", From: Date{2026, 12, 24}, To: Date{2027, 1, 4}, Source: "Cabinet 2025/114"})
	var got []string
	for _, h := range daysOffIn(t, c, Date{2026, 12, 20}, Date{2027, 1, 10}) {
		got = append(got, h.Date.String()+" "+h.Name+" "+h.Kind.String())
	}
	assert.Equal(t, []string{
		"2026-12-24 Council Christmas closure declared",
		"2026-12-25 Christmas Day bank holiday",
		"2026-12-28 Boxing Day bank holiday",
		"2026-12-29 Council Christmas closure declared",
		"2026-12-30 Council Christmas closure declared",
		"2026-12-31 Council Christmas closure declared",
		"2027-01-01 New Year's Day bank holiday",
		"2027-01-04 Council Christmas closure declared",
	}, got)
	next, err := c.NextWorkingDay(Date{2026, 12, 23})
	require.NoError(t, err)
	assert.Equal(t, Date{2027, 1, 5}, next)
}

func TestSingleDayOff(t *testing.T) {
	c := newWith(t, IsleOfMan, DayOff{Name: "TT Bank Holiday", Date: Date{2027, 6, 4}, Source: "gov.im 2027 list"})
	due, err := c.AddWorkingDays(Date{2027, 6, 3}, 1)
	require.NoError(t, err)
	assert.Equal(t, Date{2027, 6, 7}, due)
	assert.Empty(t, c.Duplicates())
}

// Every mistake is reported, each with the day it is in, the part at fault
// and, for a day declared twice, the first declaration.
func TestDaysOffErrors(t *testing.T) {
	days := []DayOff{
		{Name: "Bad date", Date: Date{2026, 2, 30}},                                                          // 0
		{Name: "Saturday", Date: Date{2026, 12, 26}},                                                         // 1
		{Name: "Backwards", From: Date{2026, 12, 31}, To: Date{2026, 12, 29}},                                // 2
		{Name: "Too long", From: Date{2026, 7, 1}, To: Date{2026, 8, 31}},                                    // 3
		{Name: "Weekend", From: Date{2026, 12, 26}, To: Date{2026, 12, 27}},                                  // 4
		{Name: " ", Date: Date{2026, 6, 1}},                                                                  // 5
		{Name: "Nothing"},                                                                                    // 6
		{Name: "Both", Date: Date{2026, 6, 2}, Yearly: Yearly{Month: time.May, Day: 9}},                      // 7
		{Name: "No end", From: Date{2026, 6, 3}},                                                             // 8
		{Name: "No start", To: Date{2026, 6, 3}},                                                             // 9
		{Name: "Saturdays", Yearly: Yearly{Month: time.June, Nth: 1, Weekday: 6}},                            // 10
		{Name: "Leap day", Yearly: Yearly{Month: time.February, Day: 29}},                                    // 11
		{Name: "Liberation Day", Yearly: Yearly{Month: time.May, Day: 9}},                                    // 12
		{Name: "Liberation Day again", Yearly: Yearly{Month: time.May, Day: 9}},                              // 13
		{Name: "Closure", From: Date{2026, 12, 29}, To: Date{2026, 12, 31}},                                  // 14
		{Name: "Inside the closure", Date: Date{2026, 12, 30}},                                               // 15
		{Name: "Too late", Date: Date{2200, 1, 1}},                                                           // 16
		{Name: "Range too early", From: Date{1999, 12, 30}, To: Date{2000, 1, 4}},                            // 17
		{Name: "Fine", Date: Date{2026, 6, 5}},                                                               // 18
		{Name: "Overlapping range", From: Date{2026, 12, 31}, To: Date{2027, 1, 5}},                          // 19
		{Name: "Both ranges and date", Date: Date{2026, 6, 8}, From: Date{2026, 6, 9}, To: Date{2026, 6, 9}}, // 20
		{Name: "Date and to", Date: Date{2026, 6, 10}, To: Date{2026, 6, 11}},                                // 21
	}
	_, err := New(EnglandAndWales, WithDaysOff(days...))
	require.Error(t, err)
	want := map[int]struct {
		field string
		first int
		msg   string
	}{
		0:  {"date", -1, "2026-02-30 is not a valid date"},
		1:  {"date", -1, "2026-12-26 is a Saturday, which is never a working day, and a single date has no substitute day"},
		2:  {"to", -1, "the range runs backwards: to (2026-12-29) is before from (2026-12-31)"},
		3:  {"to", -1, "the range is 62 days long, over the limit of 31"},
		4:  {"from", -1, "every day from 2026-12-26 to 2026-12-27 is at a weekend"},
		5:  {"name", -1, "the day off has no name"},
		6:  {"", -1, "give the day off a date, a range (from and to), or a yearly rule"},
		7:  {"yearly", -1, "give one of date, from and to, or yearly, not date and yearly"},
		8:  {"from", -1, "a range needs to as well as from"},
		9:  {"to", -1, "a range needs from as well as to"},
		10: {"yearly", -1, "a Saturday is never a working day"},
		11: {"yearly", -1, "29 February is not in every year"},
		13: {"yearly", 12, "9 May is declared twice"},
		15: {"date", 14, "2026-12-30 is already declared as a day off"},
		16: {"date", -1, "2200-01-01 is outside 2000-01-01 to 2199-12-31, the range supported for england-and-wales"},
		17: {"from", -1, "1999-12-30 is outside"},
		19: {"from", 14, "2026-12-31 is already declared as a day off"},
		20: {"from", -1, "not date and from"},
		21: {"to", -1, "not date and from"},
	}
	var got []*DayOffError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *DayOffError
		require.ErrorAs(t, e, &de)
		got = append(got, de)
	}
	require.Len(t, got, len(want), "%v", err)
	for _, de := range got {
		w, ok := want[de.Index]
		if !assert.True(t, ok, "unexpected %v", de) {
			continue
		}
		assert.Equal(t, w.field, de.Field, "%v", de)
		assert.Equal(t, w.first, de.First, "%v", de)
		assert.ErrorContains(t, de, w.msg)
		assert.Equal(t, days[de.Index].Name, de.Name)
		assert.Contains(t, de.Error(), "calendar: day off")
	}
	assert.True(t, errors.Is(err, ErrOutOfRange), "the out-of-range days wrap ErrOutOfRange")
	var de *DayOffError
	require.ErrorAs(t, err, &de)
	assert.NotContains(t, de.Err.Error(), "calendar:", "the day's own message does not repeat the package")
}

// A day that repeats one of the jurisdiction's own holidays adds nothing and
// is listed by Duplicates; it is not an error, so a policy keeps loading when
// a later release adds the same day to its table.
func TestDuplicatesOfBuiltInHolidays(t *testing.T) {
	c := newWith(t, EnglandAndWales,
		DayOff{Name: "Christmas", Yearly: Yearly{Month: time.December, Day: 25}},
		DayOff{Name: "May Day", Yearly: Yearly{Month: time.May, Nth: 1, Weekday: time.Monday}},
		DayOff{Name: "Boxing Day 2026", Date: Date{2026, 12, 28}},
		liberationDay,
	)
	assert.Equal(t, []Duplicate{
		{Index: 0, Name: "Christmas Day"},
		{Index: 1, Name: "Early May bank holiday"},
		{Index: 2, Name: "Boxing Day", Date: Date{2026, 12, 28}},
	}, c.Duplicates())
	// The repeated yearly day adds no substitute of its own: Christmas Day
	// 2027 is a Saturday, and Wednesday 29 December stays a working day.
	working, err := c.IsWorkingDay(Date{2027, 12, 29})
	require.NoError(t, err)
	assert.True(t, working)
	h, _ := c.Holiday(Date{2026, 12, 28})
	assert.Equal(t, "Boxing Day", h.Name)

	// St Andrew's Day is a holiday in Scotland from 2007 only; a yearly 30
	// November repeats it in every year it occurs.
	s := newWith(t, Scotland, DayOff{Name: "St Andrew", Yearly: Yearly{Month: time.November, Day: 30}})
	assert.Equal(t, []Duplicate{{Index: 0, Name: "St Andrew's Day"}}, s.Duplicates())
	// A day that repeats a bank holiday of another jurisdiction only is not
	// a duplicate: Tynwald Day is the Isle of Man's.
	e := newWith(t, EnglandAndWales, DayOff{Name: "Tynwald Day", Yearly: Yearly{Month: time.July, Day: 5}})
	assert.Empty(t, e.Duplicates())
	// A single date on a declared yearly day repeats that day.
	g := newWith(t, EnglandAndWales, liberationDay, DayOff{Name: "Liberation Day 2028", Date: Date{2028, 5, 9}})
	assert.Equal(t, []Duplicate{{Index: 1, Name: "Liberation Day", Date: Date{2028, 5, 9}}}, g.Duplicates())
}

// Closures come after the declared days: a closure on a declared day
// changes nothing, and the declared day keeps its name.
func TestClosureOnADeclaredDay(t *testing.T) {
	c, err := New(EnglandAndWales, WithClosures(Holiday{Date: Date{2026, 5, 11}, Name: "Office move"}), WithDaysOff(liberationDay))
	require.NoError(t, err)
	h, ok := c.Holiday(Date{2026, 5, 11})
	require.True(t, ok)
	assert.Equal(t, "Liberation Day", h.Name)
}

// With builds the same calendar as New given every option at once, and
// leaves the calendar it starts from as it was.
func TestWith(t *testing.T) {
	closures := WithClosures(Holiday{Date: Date{2026, 12, 29}, Name: "Council Christmas closure"})
	host, err := New(EnglandAndWales, closures)
	require.NoError(t, err)
	withDays, err := host.With(WithDaysOff(liberationDay))
	require.NoError(t, err)
	direct, err := New(EnglandAndWales, closures, WithDaysOff(liberationDay))
	require.NoError(t, err)
	assert.Equal(t, direct, withDays)

	working, err := host.IsWorkingDay(Date{2026, 5, 11})
	require.NoError(t, err)
	assert.True(t, working, "the host's calendar has no Liberation Day")
	working, err = withDays.IsWorkingDay(Date{2026, 12, 29})
	require.NoError(t, err)
	assert.False(t, working, "the new calendar keeps the host's closures")

	_, err = host.With(WithClosures(Holiday{Date: Date{2026, 12, 29}, Name: "again"}))
	assert.ErrorContains(t, err, "listed twice")
	_, err = host.With(WithDaysOff(DayOff{Name: "x"}))
	var de *DayOffError
	assert.ErrorAs(t, err, &de)
}

// Declared days are in the same tables as the bank holidays: the arithmetic
// agrees with a day-by-day walk on random dates of a calendar with every
// kind of declared day.
func TestDeclaredDaysArithmeticMatchesWalk(t *testing.T) {
	c, err := New(IsleOfMan,
		WithDaysOff(liberationDay,
			DayOff{Name: "TT Bank Holiday", Date: Date{2027, 6, 4}},
			DayOff{Name: "Training day", Yearly: Yearly{Month: time.March, Nth: Last, Weekday: time.Friday}},
			DayOff{Name: "Closure", From: Date{2027, 12, 23}, To: Date{2028, 1, 3}}),
		WithClosures(Holiday{Date: Date{2027, 7, 6}, Name: "Tynwald Fair clean-up"}))
	require.NoError(t, err)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	first, _ := c.Range()
	for range 3000 {
		d := first.AddDays(rng.Intn(365 * 30))
		n := rng.Intn(30)
		got, err := c.AddWorkingDays(d, n)
		require.NoError(t, err)
		require.Equal(t, walkAdd(t, c, d, n), got, "seed %d: %s + %d", seed, d, n)
	}
}

// The edges of what a range may be: 31 days, and at least one weekday.
func TestRangeLimits(t *testing.T) {
	for _, tc := range []struct {
		from, to Date
		err      string
	}{
		{Date{2026, 7, 1}, Date{2026, 7, 31}, ""},                                               // 31 days
		{Date{2026, 7, 1}, Date{2026, 8, 1}, "the range is 32 days long, over the limit of 31"}, // 32
		{Date{2026, 12, 26}, Date{2026, 12, 26}, "every day from 2026-12-26 to 2026-12-26 is at a weekend"},
		{Date{2026, 12, 27}, Date{2026, 12, 27}, "is at a weekend"},
		{Date{2026, 12, 27}, Date{2026, 12, 28}, ""}, // Sunday to Monday: Monday is off already, but a weekday
		{Date{2026, 12, 29}, Date{2026, 12, 29}, ""}, // one day
		{Date{2026, 12, 29}, Date{2026, 12, 28}, "the range runs backwards"},
	} {
		_, err := New(EnglandAndWales, WithDaysOff(DayOff{Name: "r", From: tc.from, To: tc.to}))
		if tc.err == "" {
			assert.NoError(t, err, "%s to %s", tc.from, tc.to)
		} else {
			assert.ErrorContains(t, err, tc.err, "%s to %s", tc.from, tc.to)
		}
	}
	assert.Equal(t, "7th Monday of May", Yearly{Month: time.May, Nth: 7, Weekday: time.Monday}.String(), "an invalid Yearly still prints")
}
