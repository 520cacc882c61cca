package calendar

import (
	"testing"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dayOffCase says what a date must be in a jurisdiction: a day off with a
// name (and whether it is a substitute), or a working day (name "").
type dayOffCase struct {
	j          Jurisdiction
	date       string
	weekday    time.Weekday // guards the case itself against a wrong date
	name       string
	substitute bool
}

func checkDaysOff(t *testing.T, cases []dayOffCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(string(tc.j)+"/"+tc.date, func(t *testing.T) {
			d := mustDate(t, tc.date)
			require.Equal(t, tc.weekday, d.Weekday(), "the case's weekday")
			c, err := For(tc.j)
			require.NoError(t, err)
			working, err := c.IsWorkingDay(d)
			require.NoError(t, err)
			h, off := c.Holiday(d)
			if tc.name == "" {
				assert.True(t, working, "want a working day, got %q", h.Name)
				assert.False(t, off)
				return
			}
			assert.False(t, working)
			assert.True(t, off)
			assert.Equal(t, Holiday{Date: d, Name: tc.name, Substitute: tc.substitute, Source: h.Source}, h)
		})
	}
}

// Rules outside the years of the published data.
func TestRulesOutsidePublishedYears(t *testing.T) {
	const work = ""
	checkDaysOff(t, []dayOffCase{
		// Easter 2030 is 21 April.
		{EnglandAndWales, "2030-04-19", time.Friday, "Good Friday", false},
		{EnglandAndWales, "2030-04-22", time.Monday, "Easter Monday", false},
		{NorthernIreland, "2030-04-22", time.Monday, "Easter Monday", false},
		{Scotland, "2030-04-19", time.Friday, "Good Friday", false},
		{Scotland, "2030-04-22", time.Monday, work, false}, // no Easter Monday in Scotland
		// Christmas Day 2032 is a Saturday: both substitutes follow.
		{EnglandAndWales, "2032-12-24", time.Friday, work, false},
		{EnglandAndWales, "2032-12-27", time.Monday, "Christmas Day", true},
		{EnglandAndWales, "2032-12-28", time.Tuesday, "Boxing Day", true},
		{EnglandAndWales, "2032-12-29", time.Wednesday, work, false},
		// Christmas Day 2033 is a Sunday: Boxing Day keeps Monday, Christmas
		// Day's substitute is Tuesday (as gov.uk named 2016 and 2022).
		{NorthernIreland, "2033-12-26", time.Monday, "Boxing Day", false},
		{NorthernIreland, "2033-12-27", time.Tuesday, "Christmas Day", true},
		{EnglandAndWales, "2022-12-26", time.Monday, "Boxing Day", false},
		{EnglandAndWales, "2022-12-27", time.Tuesday, "Christmas Day", true},
		// 2002 Golden Jubilee, 2011 royal wedding, 2012 Diamond Jubilee.
		{EnglandAndWales, "2002-05-27", time.Monday, work, false},
		{Scotland, "2002-06-03", time.Monday, "Golden Jubilee bank holiday", false},
		{NorthernIreland, "2002-06-04", time.Tuesday, "Spring bank holiday", false},
		{Scotland, "2011-04-29", time.Friday, "Royal wedding bank holiday", false},
		{EnglandAndWales, "2012-05-28", time.Monday, work, false},
		{EnglandAndWales, "2012-06-04", time.Monday, "Spring bank holiday", false},
		{EnglandAndWales, "2012-06-05", time.Tuesday, "Queen's Diamond Jubilee", false},
		{NorthernIreland, "2012-06-05", time.Tuesday, "Queen's Diamond Jubilee", false},
		{Scotland, "2012-05-28", time.Monday, work, false},
		// Tynwald Day: 5 July, or the next Monday from a weekend; a weekday
		// other than Monday stays.
		{IsleOfMan, "2031-07-07", time.Monday, "Tynwald Day", true},
		{IsleOfMan, "2037-07-06", time.Monday, "Tynwald Day", true},
		{IsleOfMan, "2028-07-05", time.Wednesday, "Tynwald Day", false},
		{EnglandAndWales, "2028-07-05", time.Wednesday, work, false},
		// St Andrew's Day from a weekend, and not before the 2007 Act.
		{Scotland, "2030-12-02", time.Monday, "St Andrew's Day", true},
		{Scotland, "2031-12-01", time.Monday, "St Andrew's Day", true},
		{Scotland, "2006-11-30", time.Thursday, work, false},
		{Scotland, "2007-11-30", time.Friday, "St Andrew's Day", false},
		// Scotland's New Year from a Saturday: 3 and 4 January 2033.
		{Scotland, "2033-01-03", time.Monday, "New Year's Day", true},
		{Scotland, "2033-01-04", time.Tuesday, "2nd January", true},
		{EnglandAndWales, "2033-01-04", time.Tuesday, work, false},
		// Northern Ireland's days from a weekend.
		{NorthernIreland, "2031-07-14", time.Monday, "Battle of the Boyne (Orangemen's Day)", true},
		{NorthernIreland, "2029-03-19", time.Monday, "St Patrick's Day", true},
		// The 2020 VE Day move and the 2022 Jubilee move, everywhere.
		{IsleOfMan, "2020-05-04", time.Monday, work, false},
		{IsleOfMan, "2020-05-08", time.Friday, "Early May bank holiday (VE day)", false},
		{IsleOfMan, "2022-05-30", time.Monday, work, false},
		{IsleOfMan, "2022-06-02", time.Thursday, "Spring bank holiday", false},
		// One-offs stay in their own jurisdictions.
		{EnglandAndWales, "2026-06-15", time.Monday, work, false},
		{IsleOfMan, "2026-06-15", time.Monday, work, false},
		{EnglandAndWales, "2026-06-05", time.Friday, work, false},
		// The last year of the range.
		{EnglandAndWales, "2199-12-25", time.Wednesday, "Christmas Day", false},
	})
}

// Every proclaimed move names a regular holiday of each of its
// jurisdictions, and every proclaimed day is in the table in date order.
func TestProclaimedTableIsConsistent(t *testing.T) {
	for k, p := range proclaimed {
		if k > 0 {
			assert.True(t, proclaimed[k-1].date.Before(p.date), "%s is out of order", p.date)
		}
		assert.NotEmpty(t, p.source, p.date)
		for _, j := range p.in {
			rules, err := rulesFor(j)
			require.NoError(t, err)
			c, err := For(j)
			require.NoError(t, err)
			h, ok := c.Holiday(p.date)
			assert.True(t, ok, "%s %s", j, p.date)
			assert.Equal(t, p.name, h.Name)
			if p.replaces != "" {
				var names []string
				for _, r := range rules {
					names = append(names, r.h.Name)
				}
				assert.Contains(t, names, p.replaces)
			}
		}
	}
}

// The traps in rickar/cal that this package's design avoids. Each subtest
// shows the trap in rickar/cal itself, then that this package gets the day
// right.
func TestRickarCalTraps(t *testing.T) {
	ew, err := For(EnglandAndWales)
	require.NoError(t, err)

	t.Run("IsHoliday reports only the first matching holiday", func(t *testing.T) {
		// With Boxing Day listed before Christmas Day, 26 December 2022
		// matches Boxing Day's nominal date first, is reported as not
		// observed, and so counts as a workday.
		bc := cal.NewBusinessCalendar()
		bc.AddHoliday(gb.BoxingDay, gb.ChristmasDay)
		assert.True(t, bc.IsWorkday(time.Date(2022, 12, 26, 12, 0, 0, 0, London())))

		for _, d := range []Date{{2022, 12, 26}, {2022, 12, 27}} {
			working, err := ew.IsWorkingDay(d)
			require.NoError(t, err)
			assert.False(t, working, d)
		}
	})

	t.Run("the day is read in the time's own location", func(t *testing.T) {
		la, err := time.LoadLocation("America/Los_Angeles")
		require.NoError(t, err)
		// 23:30 on Christmas Eve in Los Angeles is Christmas morning in London.
		eve := time.Date(2026, 12, 24, 23, 30, 0, 0, la)
		bc := cal.NewBusinessCalendar()
		bc.AddHoliday(gb.Holidays...)
		assert.True(t, bc.IsWorkday(eve))

		assert.Equal(t, Date{2026, 12, 25}, DateOf(eve))
		due, err := ew.Due(eve, Within{N: 1, Unit: WorkingDays})
		require.NoError(t, err)
		want, err := ew.Due(eve.In(London()), Within{N: 1, Unit: WorkingDays})
		require.NoError(t, err)
		assert.Equal(t, want, due)
		assert.Equal(t, time.Date(2026, 12, 30, 0, 0, 0, 0, London()), due) // day 1 is Tue 29th
	})

	t.Run("Calendar.Locations compares location pointers", func(t *testing.T) {
		// A second load of Europe/London is a different pointer, so a
		// calendar restricted to the first does not apply to the second.
		other, err := time.LoadLocation("Europe/London")
		require.NoError(t, err)
		c := &cal.Calendar{Locations: []*time.Location{London()}}
		c.AddHoliday(gb.Holidays...)
		_, observed, _ := c.IsHoliday(time.Date(2026, 12, 25, 12, 0, 0, 0, other))
		assert.False(t, observed)

		_, ok := ew.Holiday(DateOf(time.Date(2026, 12, 25, 12, 0, 0, 0, other)))
		assert.True(t, ok)
	})

	t.Run("the shared gb definitions are cloned, not changed", func(t *testing.T) {
		for _, j := range Jurisdictions() {
			_, err := New(j)
			require.NoError(t, err)
		}
		assert.Equal(t, []int{2020}, gb.EarlyMay.Except)
		assert.Equal(t, []int{2022}, gb.SpringHoliday.Except)
		assert.Equal(t, "Early May", gb.EarlyMay.Name)
		assert.Equal(t, []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}, gb.ChristmasDay.Observed)
	})
}
