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

func BenchmarkDue(b *testing.B) {
	c, err := For(EnglandAndWales)
	if err != nil {
		b.Fatal(err)
	}
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

func BenchmarkAddWorkingDays(b *testing.B) {
	c, err := For(EnglandAndWales)
	if err != nil {
		b.Fatal(err)
	}
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
	c, err := For(EnglandAndWales)
	if err != nil {
		b.Fatal(err)
	}
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
