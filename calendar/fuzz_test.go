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
