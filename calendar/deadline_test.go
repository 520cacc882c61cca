package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, London())
}

func TestDueWorkingDays(t *testing.T) {
	days := func(n int) Within { return Within{N: n, Unit: WorkingDays} }
	immediately := Within{Unit: WorkingDays, Immediate: true}
	cases := []struct {
		name    string
		j       Jurisdiction
		trigger time.Time
		within  Within
		dueDate Date
	}{
		{"Saturday trigger: day 1 is Monday", EnglandAndWales, at(2026, 1, 10, 10, 0), days(1), Date{2026, 1, 12}},
		{"Sunday trigger", EnglandAndWales, at(2026, 1, 11, 10, 0), days(2), Date{2026, 1, 13}},
		{"Friday 23:00: day 1 is Monday", EnglandAndWales, at(2026, 1, 9, 23, 0), days(1), Date{2026, 1, 12}},
		{"Friday 23:30 UTC in summer is Saturday in London", EnglandAndWales, time.Date(2026, 6, 12, 23, 30, 0, 0, time.UTC), days(1), Date{2026, 6, 15}},
		{"Monday 00:00 counts from Tuesday", EnglandAndWales, at(2026, 1, 12, 0, 0), days(1), Date{2026, 1, 13}},
		{"Monday 23:59", EnglandAndWales, at(2026, 1, 12, 23, 59), days(5), Date{2026, 1, 19}},
		{"N=0 on a working day: its end", EnglandAndWales, at(2026, 1, 13, 9, 0), days(0), Date{2026, 1, 13}},
		{"N=0 on a Saturday: end of Monday", EnglandAndWales, at(2026, 1, 10, 9, 0), days(0), Date{2026, 1, 12}},
		{"immediately on Christmas Day 2026", EnglandAndWales, at(2026, 12, 25, 9, 0), immediately, Date{2026, 12, 29}},
		{"2 working days from Tue 22 Dec 2026: end of Thu 24th", EnglandAndWales, at(2026, 12, 22, 14, 30), days(2), Date{2026, 12, 24}},
		{"3 working days from Tue 22 Dec 2026: Tue 29th", EnglandAndWales, at(2026, 12, 22, 14, 30), days(3), Date{2026, 12, 29}},
		{"1 working day from Christmas Eve 2026", EnglandAndWales, at(2026, 12, 24, 16, 0), days(1), Date{2026, 12, 29}},
		{"New Year in England: 2 days from 30 Dec 2026", EnglandAndWales, at(2026, 12, 30, 10, 0), days(2), Date{2027, 1, 4}},
		{"New Year in Scotland: 2nd January's substitute too", Scotland, at(2026, 12, 30, 10, 0), days(2), Date{2027, 1, 5}},
		{"Isle of Man TT day 2026", IsleOfMan, at(2026, 6, 4, 10, 0), days(1), Date{2026, 6, 8}},
		{"same trigger in England", EnglandAndWales, at(2026, 6, 4, 10, 0), days(1), Date{2026, 6, 5}},
		{"Northern Ireland's Twelfth 2026 (Sunday, so Monday 13th)", NorthernIreland, at(2026, 7, 10, 10, 0), days(1), Date{2026, 7, 14}},
		{"Scotland's World Cup holiday 2026", Scotland, at(2026, 6, 12, 10, 0), days(1), Date{2026, 6, 16}},
		{"Easter 2027", EnglandAndWales, at(2027, 3, 25, 10, 0), days(1), Date{2027, 3, 30}},
		{"Sefton's 11 days across the 2022 State Funeral", EnglandAndWales, at(2022, 9, 12, 10, 0), days(11), Date{2022, 9, 28}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := forJ(t, tc.j)
			due, err := c.Due(tc.trigger, tc.within)
			require.NoError(t, err)
			// Due by the end of the due date: the start of the next day, local time.
			assert.Equal(t, time.Date(tc.dueDate.Year, tc.dueDate.Month, tc.dueDate.Day+1, 0, 0, 0, 0, London()), due)
			dl, err := c.Deadline(tc.trigger, tc.within)
			require.NoError(t, err)
			assert.Equal(t, tc.dueDate, dl.DueDate)
			assert.True(t, due.Equal(dl.Due))
			assert.Equal(t, tc.within.Immediate, dl.Immediate)
		})
	}
}

func TestDueHours(t *testing.T) {
	hours := func(n int) Within { return Within{N: n, Unit: Hours} }
	cases := []struct {
		name    string
		trigger time.Time
		within  Within
		due     time.Time
		dueDate Date
	}{
		// Clocks go forward at 01:00 GMT on 29 March 2026: 24 elapsed hours
		// end at 13:00 BST.
		{"across the March change", at(2026, 3, 28, 12, 0), hours(24), at(2026, 3, 29, 13, 0), Date{2026, 3, 29}},
		// Clocks go back at 02:00 BST on 25 October 2026.
		{"across the October change", at(2026, 10, 24, 12, 0), hours(24), at(2026, 10, 25, 11, 0), Date{2026, 10, 25}},
		{"72 hours ignore holidays and weekends", at(2026, 12, 24, 9, 0), hours(72), at(2026, 12, 27, 9, 0), Date{2026, 12, 27}},
		{"due at midnight: on time until the end of the day before", at(2026, 6, 1, 0, 0), hours(24), at(2026, 6, 2, 0, 0), Date{2026, 6, 1}},
		{"1 hour from a UTC time", time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC), hours(1), at(2026, 7, 2, 0, 30), Date{2026, 7, 2}},
		{"0 hours", at(2026, 7, 1, 9, 15), hours(0), at(2026, 7, 1, 9, 15), Date{2026, 7, 1}},
	}
	c := forJ(t, EnglandAndWales)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			due, err := c.Due(tc.trigger, tc.within)
			require.NoError(t, err)
			assert.True(t, tc.due.Equal(due), "got %s, want %s", due, tc.due)
			assert.Equal(t, London(), due.Location())
			assert.Equal(t, time.Duration(tc.within.N)*time.Hour, due.Sub(tc.trigger))
			dl, err := c.Deadline(tc.trigger, tc.within)
			require.NoError(t, err)
			assert.Equal(t, tc.dueDate, dl.DueDate)
			assert.Empty(t, dl.Steps)
			assert.Contains(t, dl.String(), "hours of clock time")
		})
	}
}

func TestDueRejectsBadInput(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	trigger := at(2026, 12, 22, 9, 0)
	for w, msg := range map[Within]string{
		{}:                         "no timescale given",
		{N: -1, Unit: WorkingDays}: "is negative",
		{N: 2, Unit: 7}:            "unknown unit 7",
		{N: 2, Unit: WorkingDays, Immediate: true}: "an immediate timescale must be N 0",
		{N: 1001, Unit: WorkingDays}:               "limit of 1000 working days",
		{N: 100001, Unit: Hours}:                   "limit of 100000 hours",
	} {
		_, err := c.Due(trigger, w)
		assert.ErrorContains(t, err, msg)
		_, err = c.Deadline(trigger, w)
		assert.ErrorContains(t, err, msg)
	}
	_, err := c.Due(time.Time{}, Within{N: 1, Unit: WorkingDays})
	assert.ErrorContains(t, err, "no trigger time given")
}

func TestDeadlineSteps(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	dl, err := c.Deadline(at(2026, 12, 22, 14, 30), Within{N: 3, Unit: WorkingDays})
	require.NoError(t, err)
	assert.Equal(t, []Step{
		{Date: Date{2026, 12, 22}, Reason: "trigger date"},
		{Date: Date{2026, 12, 23}, Counted: true, Day: 1},
		{Date: Date{2026, 12, 24}, Counted: true, Day: 2},
		{Date: Date{2026, 12, 25}, Reason: "Christmas Day"},
		{Date: Date{2026, 12, 26}, Reason: "Sat"},
		{Date: Date{2026, 12, 27}, Reason: "Sun"},
		{Date: Date{2026, 12, 28}, Reason: "Boxing Day (substitute day)"},
		{Date: Date{2026, 12, 29}, Counted: true, Day: 3},
	}, dl.Steps)

	// Immediately, from a Saturday: nothing counts; the due date is the
	// first working day.
	dl, err = c.Deadline(at(2026, 1, 10, 9, 0), Within{Unit: WorkingDays, Immediate: true})
	require.NoError(t, err)
	assert.Equal(t, []Step{
		{Date: Date{2026, 1, 10}, Reason: "trigger date"},
		{Date: Date{2026, 1, 11}, Reason: "Sun"},
		{Date: Date{2026, 1, 12}, Reason: "first working day"},
	}, dl.Steps)
	assert.Contains(t, dl.String(), "Rule: immediately")

	// N = 0 on a working day is the trigger date alone.
	dl, err = c.Deadline(at(2026, 1, 12, 9, 0), Within{Unit: WorkingDays})
	require.NoError(t, err)
	assert.Equal(t, []Step{{Date: Date{2026, 1, 12}, Reason: "trigger date"}}, dl.Steps)
	assert.Contains(t, dl.String(), "Rule: within 0 working days: by the end of the current working day")
}

func TestDeadlineString(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	dl, err := c.Deadline(at(2026, 3, 27, 16, 0), Within{N: 1, Unit: WorkingDays})
	require.NoError(t, err)
	assert.Equal(t, `Trigger: Fri 27 Mar 2026 16:00 GMT
Rule: within 1 working day: day 1 is the first working day after the trigger date; due by the end of day 1
Due: Tue 31 Mar 2026 00:00 BST (by the end of Mon 30 Mar 2026)
  Fri 27 Mar 2026  trigger date
  Sat 28 Mar 2026  Sat
  Sun 29 Mar 2026  Sun
  Mon 30 Mar 2026  day 1
`, dl.String())

	dl, err = c.Deadline(at(2026, 3, 28, 12, 0), Within{N: 24, Unit: Hours})
	require.NoError(t, err)
	assert.Equal(t, `Trigger: Sat 28 Mar 2026 12:00 GMT
Rule: within 24 hours: 24 hours of clock time
Due: Sun 29 Mar 2026 13:00 BST
`, dl.String(), "an instant of clock time, not the end of a day")
}
