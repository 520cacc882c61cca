package calendar

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/diag"
)

func FuzzParseWithin(f *testing.F) {
	for _, s := range []string{
		"2 working days", "1 working day", "24 hours", "1 hour", "72 hours", "immediately",
		"without delay", "0 working days", " 3 WORKING DAYS ", "1001 working days", "999999999999999999999 hours",
		"-1 hours", "+1 hours", "1e3 hours", "١ hour", "2\u00a0working days", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWithin(s)
		if err != nil {
			require.Equal(t, Within{}, w)
			return
		}
		require.NoError(t, w.check())
		back, err := ParseWithin(w.String())
		require.NoError(t, err, "%q parsed to %#v, whose String %q does not parse", s, w, w.String())
		require.Equal(t, w, back)
		text, err := w.MarshalText()
		require.NoError(t, err)
		require.Equal(t, w.String(), string(text))
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-22", "2024-02-29", "2026-02-29", "0000-00-00", "9999-12-31", "2026-1-1", "2026-12-22x", "+026-12-22", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			require.Equal(t, Date{}, d)
			return
		}
		require.True(t, d.valid())
		require.Equal(t, s, d.String())
		require.Equal(t, d, fromDayNumber(d.dayNumber()))
		require.Equal(t, d.AddDays(1), fromDayNumber(d.dayNumber()+1))
	})
}

func FuzzParseClosures(f *testing.F) {
	for _, s := range []string{
		"- date: 2026-12-29\n  name: Council Christmas closure\n  source: Cabinet\n",
		"- date: 2026-12-29\n  name: A\n  reason: B\n",
		"- {date: 2026-12-29, name: A}\n- {date: 2026-12-29, name: B}\n",
		"- date: &a 2026-12-29\n  name: *a\n",
		"- date: 2026-12-29\n  name: A\n---\n- [\n",
		"date: 2026-12-29", "[", "- - -", "\t", "- date: !!binary aGVsbG8=\n  name: x\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		days, err := ParseClosures("fuzz.yaml", data)
		if err != nil {
			require.Nil(t, days)
			var ds diag.Diagnostics
			require.ErrorAs(t, err, &ds, "the error lists every problem")
			for _, d := range ds {
				require.Equal(t, "fuzz.yaml", d.Pos.File)
				require.NotEmpty(t, d.Code)
				require.Equal(t, diag.SeverityError, d.Severity)
			}
			return
		}
		for _, h := range days {
			require.NoError(t, checkClosure(h))
		}
		if _, err := New(EnglandAndWales, WithClosures(days...)); err != nil {
			require.ErrorIs(t, err, ErrOutOfRange)
		}
	})
}

// FuzzWorkingDays checks the working-day arithmetic's properties on any
// date of any jurisdiction's range.
func FuzzWorkingDays(f *testing.F) {
	f.Add(uint8(0), uint32(9852), uint16(3), uint16(870))   // England and Wales, 22 Dec 2026 14:30
	f.Add(uint8(1), uint32(3076), uint16(1), uint16(1380))  // Isle of Man, 4 Jun 2026 23:00
	f.Add(uint8(3), uint32(9860), uint16(2), uint16(0))     // Scotland, 30 Dec 2026 00:00
	f.Add(uint8(2), uint32(73047), uint16(1000), uint16(1)) // the end of the range
	f.Fuzz(func(t *testing.T, jur uint8, offset uint32, n16 uint16, minute uint16) {
		j := Jurisdictions()[int(jur)%4]
		c, err := For(j)
		require.NoError(t, err)
		first, last := c.Range()
		span := last.dayNumber() - first.dayNumber() + 1
		d := first.AddDays(int(offset) % span)
		n := int(n16) % (maxWorkingDays + 1)

		e, err := c.AddWorkingDays(d, n)
		if err != nil {
			require.ErrorIs(t, err, ErrOutOfRange)
			require.Greater(t, d.AddDays(2*n+14).Year, last.Year, "%s + %d out of range", d, n)
			return
		}
		require.False(t, e.Before(d))
		working, err := c.IsWorkingDay(e)
		require.NoError(t, err)
		require.True(t, working, "%s %s + %d = %s, not a working day", j, d, n, e)
		between, err := c.WorkingDaysBetween(d, e)
		require.NoError(t, err)
		if n > 0 {
			require.Equal(t, n, between, "%s (%s, %s]", j, d, e)
		} else {
			startWorking, _ := c.IsWorkingDay(d)
			require.Equal(t, !startWorking, e != d)
		}
		back, err := c.WorkingDaysBetween(e, d)
		require.NoError(t, err)
		require.Equal(t, -between, back)

		// Moving the trigger forward never brings the result earlier.
		if d != last {
			later, err := c.AddWorkingDays(d.AddDays(1), n)
			if err == nil {
				require.False(t, later.Before(e), "%s + %d = %s but %s + %d = %s", d, n, e, d.AddDays(1), n, later)
			}
		}

		// Due is the start of the day after the due date, which is a
		// working day, and agrees with AddWorkingDays on the trigger's date.
		trigger := d.Start().Add(time.Duration(minute%1440) * time.Minute)
		due, err := c.Due(trigger, Within{N: n, Unit: WorkingDays})
		if errors.Is(err, ErrOutOfRange) {
			return // the trigger's date moved past the end of the range
		}
		require.NoError(t, err)
		dueDate := DateOf(due.Add(-time.Nanosecond))
		require.True(t, dueDate.AddDays(1).Start().Equal(due), "%s is not the start of a day", due)
		working, err = c.IsWorkingDay(dueDate)
		require.NoError(t, err)
		require.True(t, working)
		want, err := c.AddWorkingDays(DateOf(trigger), n)
		require.NoError(t, err)
		require.Equal(t, want, dueDate)
	})
}

func FuzzParseYearly(f *testing.F) {
	for _, s := range []string{
		"9 May", "May 9", "first Monday of June", "last monday in august", "2nd Tue of March", "29 February",
		"31 April", "0 May", "first Saturday of June", "fifth Monday of June", "9th May", "", "99 May", "9  may ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, err := ParseYearly(s)
		if err != nil {
			require.True(t, y.IsZero())
			return
		}
		require.NoError(t, y.check())
		back, err := ParseYearly(y.String())
		require.NoError(t, err, "%q parsed to %#v, whose String %q does not parse", s, y, y.String())
		require.Equal(t, y, back)
		for _, year := range []int{2000, 2024, 2199} {
			d := y.in(year)
			require.True(t, d.valid(), "%s in %d", y, year)
			require.Equal(t, y.Month, d.Month)
		}
	})
}

func FuzzParseGovUKFeed(f *testing.F) {
	for _, s := range []string{
		`{"england-and-wales": {"division": "england-and-wales", "events": [{"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true}]}}`,
		`{"scotland": {"division": "scotland", "events": [{"title": "x", "date": "2026-12-26"}]}}`,
		`{"northern-ireland": {"division": "northern-ireland", "events": [{"title": "x", "date": "1999-12-27"}, {"title": "y", "date": "2300-01-02"}]}}`,
		`{"wales": {}}`, `[]`, `{}`, `{"scotland": {"events": null}}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseGovUKFeed("fuzz.json", data)
		if err != nil {
			require.Nil(t, feed)
			return
		}
		for j, days := range feed {
			for k, h := range days {
				require.NoError(t, checkFeedDay(h))
				if k > 0 {
					require.True(t, days[k-1].Date.Before(h.Date))
				}
			}
			c, err := New(j, WithFeed(feed))
			if err != nil {
				require.ErrorIs(t, err, ErrOutOfRange)
				continue
			}
			for _, h := range days {
				if working, err := c.IsWorkingDay(h.Date); err == nil {
					require.False(t, working, "%s %s", j, h.Date)
				}
			}
		}
	})
}

// FuzzDaysOff declares a day off of each kind from fuzzed numbers: the
// calendar either reports DayOffErrors or has every declared weekday off,
// and its arithmetic keeps its properties.
func FuzzDaysOff(f *testing.F) {
	f.Add(uint8(0), uint32(9624), uint8(2), uint8(5), uint8(9), uint8(0), uint8(0))  // Liberation Day, 2026-05-09 onwards
	f.Add(uint8(1), uint32(9858), uint8(3), uint8(12), uint8(0), uint8(1), uint8(1)) // a range from 2026-12-29
	f.Add(uint8(3), uint32(9857), uint8(40), uint8(6), uint8(0), uint8(255), uint8(6))
	f.Fuzz(func(t *testing.T, jur uint8, offset uint32, span, month, day, nth, wd uint8) {
		j := Jurisdictions()[int(jur)%4]
		start := fromDayNumber(int(offset) % 100000)
		days := []DayOff{
			{Name: "single", Date: start},
			{Name: "range", From: start.AddDays(int(span) % 40), To: start.AddDays(int(span)%40 + int(span)%7 - 2)},
			{Name: "yearly date", Yearly: Yearly{Month: time.Month(month % 14), Day: int(day % 33)}},
			{Name: "yearly weekday", Yearly: Yearly{Month: time.Month(month % 14), Nth: int(int8(nth)) % 6, Weekday: time.Weekday(wd % 8)}},
		}
		c, err := New(j, WithDaysOff(days...))
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var de *DayOffError
				require.ErrorAs(t, e, &de)
				require.GreaterOrEqual(t, de.Index, 0)
				require.Less(t, de.Index, len(days))
			}
			return
		}
		if isWeekend(start) {
			t.Fatalf("%s: a weekend date was accepted", start)
		}
		working, err := c.IsWorkingDay(start)
		require.NoError(t, err)
		require.False(t, working)
		n, err := c.WorkingDaysBetween(start.AddDays(-10), start.AddDays(10))
		require.NoError(t, err)
		e, err := c.AddWorkingDays(start.AddDays(-10), n)
		if err == nil {
			require.False(t, e.After(start.AddDays(10)))
		}
	})
}
