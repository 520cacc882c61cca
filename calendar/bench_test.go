package calendar

import (
	"testing"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// The benchmarks share one query: 10 working days from each of 256 triggers
// spread over 2026, so neither side answers from a single cached day.
func benchTriggers() []time.Time {
	ts := make([]time.Time, 256)
	for k := range ts {
		ts[k] = time.Date(2026, 1, 1+k*365/len(ts), 14, 30, 0, 0, London())
	}
	return ts
}

func BenchmarkDue(b *testing.B) { benchmarkDue(b, forJ(b, EnglandAndWales)) }

// BenchmarkDueWithDeclaredDays is BenchmarkDue on a calendar with a policy's
// own days off: a yearly day, a range and a single date, all in 2026. They
// are in the same tables as the bank holidays, so it costs the same.
func BenchmarkDueWithDeclaredDays(b *testing.B) { benchmarkDue(b, declaredCalendar(b)) }

func BenchmarkAddWorkingDays(b *testing.B) { benchmarkAddWorkingDays(b, forJ(b, EnglandAndWales)) }

func BenchmarkAddWorkingDaysWithDeclaredDays(b *testing.B) {
	benchmarkAddWorkingDays(b, declaredCalendar(b))
}

func declaredCalendar(b *testing.B) *Calendar {
	c, err := New(EnglandAndWales, WithDaysOff(
		DayOff{Name: "Liberation Day", Yearly: Yearly{Month: time.May, Day: 9}},
		DayOff{Name: "Council Christmas closure", From: Date{2026, 12, 29}, To: Date{2026, 12, 31}},
		DayOff{Name: "Staff training day", Date: Date{2026, 10, 16}},
	))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchmarkDue(b *testing.B, c *Calendar) {
	ts := benchTriggers()
	w := Within{N: 10, Unit: WorkingDays}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Due(ts[i&255], w); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkAddWorkingDays(b *testing.B, c *Calendar) {
	ts := benchTriggers()
	ds := make([]Date, len(ts))
	for k, t := range ts {
		ds[k] = DateOf(t)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.AddWorkingDays(ds[i&255], 10); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	c := forJ(b, EnglandAndWales)
	ts := benchTriggers()
	ds := make([]Date, len(ts))
	for k, t := range ts {
		ds[k] = DateOf(t)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.WorkingDaysBetween(ds[i&255], ds[(i+37)&255]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRickarWorkdaysFrom is the same query as BenchmarkDue answered by
// rickar/cal, which walks day by day, with its holiday cache on.
func BenchmarkRickarWorkdaysFrom(b *testing.B) {
	c := cal.NewBusinessCalendar()
	c.AddHoliday(gb.Holidays...) // Christmas Day before Boxing Day, as gb lists them
	c.Cacheable = true
	ts := benchTriggers()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = c.WorkdaysFrom(ts[i&255], 10)
	}
}

// BenchmarkNew is the cost of a calendar with a host's closures; For pays it
// once per jurisdiction.
func BenchmarkNew(b *testing.B) {
	closures := WithClosures(Holiday{Date: Date{2026, 12, 29}, Name: "Council Christmas closure"})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := New(EnglandAndWales, closures); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewWithDeclaredDays is the cost a policy that declares days off
// adds to loading it: its calendar is built once, at load.
func BenchmarkNewWithDeclaredDays(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		declaredCalendar(b)
	}
}
