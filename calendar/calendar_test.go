package calendar

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func forJ(t testing.TB, j Jurisdiction) *Calendar {
	t.Helper()
	c, err := For(j)
	require.NoError(t, err)
	return c
}

// walkAdd is the obvious day-by-day definition of AddWorkingDays, used as
// the reference for the table-driven implementation.
func walkAdd(t *testing.T, c *Calendar, d Date, n int) Date {
	working := func(d Date) bool {
		w, err := c.IsWorkingDay(d)
		require.NoError(t, err)
		return w
	}
	if n == 0 {
		for !working(d) {
			d = d.AddDays(1)
		}
		return d
	}
	for n > 0 {
		d = d.AddDays(1)
		if working(d) {
			n--
		}
	}
	return d
}

func TestWorkingDayArithmeticMatchesDayByDayWalk(t *testing.T) {
	for _, j := range Jurisdictions() {
		c := forJ(t, j)
		for d := (Date{2025, 12, 1}); d.Before(Date{2027, 2, 1}); d = d.AddDays(1) {
			for _, n := range []int{0, 1, 2, 3, 5, 10, 20} {
				got, err := c.AddWorkingDays(d, n)
				require.NoError(t, err)
				require.Equal(t, walkAdd(t, c, d, n), got, "%s %s + %d", j, d, n)
				between, err := c.WorkingDaysBetween(d, got)
				require.NoError(t, err)
				if ok, _ := c.IsWorkingDay(d); n > 0 || !ok {
					require.Equal(t, max(n, 1), between, "%s (%s, %s]", j, d, got)
				} else {
					require.Equal(t, 0, between)
				}
			}
		}
	}
}

func TestWorkingDayQueries(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	next, err := c.NextWorkingDay(Date{2026, 12, 24})
	require.NoError(t, err)
	assert.Equal(t, Date{2026, 12, 29}, next)

	same, err := c.AddWorkingDays(Date{2026, 12, 24}, 0)
	require.NoError(t, err)
	assert.Equal(t, Date{2026, 12, 24}, same)

	n, err := c.WorkingDaysBetween(Date{2026, 12, 22}, Date{2026, 12, 31})
	require.NoError(t, err)
	assert.Equal(t, 5, n) // 23, 24, 29, 30, 31
	n, err = c.WorkingDaysBetween(Date{2026, 12, 31}, Date{2026, 12, 22})
	require.NoError(t, err)
	assert.Equal(t, -5, n)
	n, err = c.WorkingDaysBetween(Date{2026, 12, 26}, Date{2026, 12, 28})
	require.NoError(t, err)
	assert.Equal(t, 0, n)

	// A whole year: 2026 has 261 weekdays and 8 bank holidays on weekdays.
	n, err = c.WorkingDaysBetween(Date{2025, 12, 31}, Date{2026, 12, 31})
	require.NoError(t, err)
	assert.Equal(t, 253, n)

	_, err = c.AddWorkingDays(Date{2026, 12, 22}, -1)
	assert.ErrorContains(t, err, "count forward")
	assert.Equal(t, EnglandAndWales, c.Jurisdiction())
}

func TestSupportedRange(t *testing.T) {
	cases := map[Jurisdiction][2]Date{
		EnglandAndWales: {{2000, 1, 1}, {2199, 12, 31}},
		Scotland:        {{2000, 1, 1}, {2199, 12, 31}},
		NorthernIreland: {{2000, 1, 1}, {2199, 12, 31}},
		IsleOfMan:       {{2018, 1, 1}, {2199, 12, 31}},
	}
	for j, want := range cases {
		c := forJ(t, j)
		first, last := c.Range()
		assert.Equal(t, want, [2]Date{first, last}, j)

		for _, d := range []Date{first.AddDays(-1), last.AddDays(1), {1, 1, 1}, {9999, 12, 31}} {
			_, err := c.IsWorkingDay(d)
			assert.ErrorIs(t, err, ErrOutOfRange, "%s %s", j, d)
			assert.ErrorContains(t, err, "the range supported for "+string(j))
			_, err = c.AddWorkingDays(d, 1)
			assert.ErrorIs(t, err, ErrOutOfRange)
			_, err = c.NextWorkingDay(d)
			assert.ErrorIs(t, err, ErrOutOfRange)
			_, err = c.WorkingDaysBetween(first, d)
			assert.ErrorIs(t, err, ErrOutOfRange)
			_, err = c.WorkingDaysBetween(d, last)
			assert.ErrorIs(t, err, ErrOutOfRange)
			_, err = c.Holidays(d, last)
			assert.ErrorIs(t, err, ErrOutOfRange)
			_, err = c.Holidays(first, d)
			assert.ErrorIs(t, err, ErrOutOfRange)
			_, ok := c.Holiday(d)
			assert.False(t, ok)
			for _, w := range []Within{{N: 2, Unit: WorkingDays}, {N: 24, Unit: Hours}, {Unit: WorkingDays, Immediate: true}} {
				_, err = c.Due(d.Start().Add(12*time.Hour), w)
				assert.ErrorIs(t, err, ErrOutOfRange, "%s %s %s", j, d, w)
				_, err = c.Deadline(d.Start().Add(12*time.Hour), w)
				assert.ErrorIs(t, err, ErrOutOfRange)
			}
		}
		// Counting past the end is out of range too; counting up to it is not.
		end, err := c.AddWorkingDays(last.AddDays(-10), 5)
		require.NoError(t, err)
		assert.False(t, end.After(last))
		_, err = c.AddWorkingDays(last.AddDays(-10), 10)
		assert.ErrorIs(t, err, ErrOutOfRange)
		_, err = c.AddWorkingDays(first, 1<<62)
		assert.ErrorIs(t, err, ErrOutOfRange)
		_, err = c.Due(last.Start().Add(12*time.Hour), Within{N: 1, Unit: WorkingDays})
		assert.ErrorIs(t, err, ErrOutOfRange)
	}
}

func TestInvalidDates(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	for d, msg := range map[Date]string{
		{}:            "no date given",
		{2026, 2, 30}: "2026-02-30 is not a valid date",
		{2026, 13, 1}: "2026-13-01 is not a valid date",
		{2026, 1, 0}:  "2026-01-00 is not a valid date",
	} {
		_, err := c.IsWorkingDay(d)
		assert.ErrorContains(t, err, msg)
		assert.False(t, errors.Is(err, ErrOutOfRange))
		_, err = c.AddWorkingDays(d, 1)
		assert.ErrorContains(t, err, msg)
	}
}

func TestNewAndFor(t *testing.T) {
	a, err := For(Scotland)
	require.NoError(t, err)
	b, err := For(Scotland)
	require.NoError(t, err)
	assert.Same(t, a, b)

	fresh, err := New(Scotland)
	require.NoError(t, err)
	assert.NotSame(t, a, fresh)
	assert.Equal(t, a, fresh)

	for _, f := range []func(Jurisdiction) (*Calendar, error){For, func(j Jurisdiction) (*Calendar, error) { return New(j) }} {
		_, err = f("Scotland")
		assert.ErrorContains(t, err, `did you mean "scotland"?`)
	}
}

func TestHolidaysInRange(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	hs, err := c.Holidays(Date{2026, 12, 25}, Date{2027, 1, 1})
	require.NoError(t, err)
	require.Len(t, hs, 3)
	assert.Equal(t, Holiday{Date: Date{2026, 12, 25}, Name: "Christmas Day", Source: sourceUK}, hs[0])
	assert.Equal(t, Holiday{Date: Date{2026, 12, 28}, Name: "Boxing Day", Substitute: true, Source: sourceUK}, hs[1]) // on the day off, not Sat 26th
	assert.Equal(t, Date{2027, 1, 1}, hs[2].Date)

	hs, err = c.Holidays(Date{2026, 12, 26}, Date{2026, 12, 27})
	require.NoError(t, err)
	assert.Empty(t, hs)
	hs, err = c.Holidays(Date{2027, 1, 1}, Date{2026, 12, 1})
	require.NoError(t, err)
	assert.Empty(t, hs)

	all, err := c.Holidays(Date{2000, 1, 1}, Date{2199, 12, 31})
	require.NoError(t, err)
	assert.Greater(t, len(all), 200*8)
	for k := 1; k < len(all); k++ {
		require.True(t, all[k-1].Date.Before(all[k].Date))
	}
}

func TestConcurrentUse(t *testing.T) {
	trigger := time.Date(2026, 12, 22, 14, 0, 0, 0, London())
	var wg sync.WaitGroup
	results := make([]time.Time, 16)
	for g := range results {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c, err := For(Jurisdictions()[g%4])
			if err != nil {
				return
			}
			for k := 0; k < 200; k++ {
				results[g], _ = c.Due(trigger, Within{N: 3, Unit: WorkingDays})
				_, _ = c.Deadline(trigger, Within{N: 3, Unit: WorkingDays})
			}
		}(g)
	}
	wg.Wait()
	for g, due := range results {
		want := forJ(t, Jurisdictions()[g%4])
		d, err := want.Due(trigger, Within{N: 3, Unit: WorkingDays})
		require.NoError(t, err)
		assert.Equal(t, d, due)
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	c := forJ(t, EnglandAndWales)
	trigger := time.Date(2026, 12, 22, 14, 0, 0, 0, London())
	d := Date{2026, 12, 22}
	var sink Date
	checks := map[string]func(){
		"Due working days": func() { _, _ = c.Due(trigger, Within{N: 10, Unit: WorkingDays}) },
		"Due immediately":  func() { _, _ = c.Due(trigger, Within{Unit: WorkingDays, Immediate: true}) },
		"Due hours":        func() { _, _ = c.Due(trigger, Within{N: 72, Unit: Hours}) },
		"AddWorkingDays":   func() { sink, _ = c.AddWorkingDays(d, 10) },
		"WorkingDaysBetween": func() {
			_, _ = c.WorkingDaysBetween(d, Date{2027, 3, 1})
		},
		"IsWorkingDay": func() { _, _ = c.IsWorkingDay(d) },
		"DateOf":       func() { sink = DateOf(trigger) },
	}
	for name, f := range checks {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
	_ = sink
}

func TestSelectBit(t *testing.T) {
	words := []uint64{1, 1 << 63, ^uint64(0), 0x8000_0001_0000_0100, 0x5555_5555_5555_5555}
	for x := uint64(0x9E3779B97F4A7C15); len(words) < 2000; x = x*6364136223846793005 + 1442695040888963407 {
		words = append(words, x)
	}
	for _, x := range words {
		k := 0
		for bit := 0; bit < 64; bit++ {
			if x&(1<<bit) != 0 {
				k++
				require.Equal(t, bit, selectBit(x, k), "%#x k=%d", x, k)
			}
		}
	}
}
