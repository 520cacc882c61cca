package calendar_test

import (
	"fmt"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// A disagreement raised on Tuesday 22 December 2026 in England, which the
// procedure says must be answered within 3 working days.
func Example() {
	ew, err := calendar.For(calendar.EnglandAndWales)
	if err != nil {
		panic(err)
	}
	raised := time.Date(2026, 12, 22, 14, 30, 0, 0, calendar.London())
	within, err := calendar.ParseWithin("3 working days")
	if err != nil {
		panic(err)
	}
	deadline, err := ew.Deadline(raised, within)
	if err != nil {
		panic(err)
	}
	fmt.Print(deadline)
	// Output:
	// Trigger: Tue 22 Dec 2026 14:30 GMT
	// Rule: within 3 working days: day 1 is the first working day after the trigger date; due by the end of day 3
	// Due: Wed 30 Dec 2026 00:00 GMT (by the end of Tue 29 Dec 2026)
	//   Tue 22 Dec 2026  trigger date
	//   Wed 23 Dec 2026  day 1
	//   Thu 24 Dec 2026  day 2
	//   Fri 25 Dec 2026  Christmas Day
	//   Sat 26 Dec 2026  Sat
	//   Sun 27 Dec 2026  Sun
	//   Mon 28 Dec 2026  Boxing Day (substitute day)
	//   Tue 29 Dec 2026  day 3
}

func ExampleParseWithin() {
	for _, s := range []string{"2 working days", "24 Hours", "without delay", "a fortnight"} {
		w, err := calendar.ParseWithin(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q -> %q (immediate: %t)\n", s, w, w.Immediate)
	}
	// Output:
	// "2 working days" -> "2 working days" (immediate: false)
	// "24 Hours" -> "24 hours" (immediate: false)
	// "without delay" -> "immediately" (immediate: true)
	// calendar: cannot read timescale "a fortnight": use "N working days" (or "1 working day"), "N hours" (or "1 hour"), "immediately" or "without delay"
}

func ExampleCalendar_Holidays() {
	iom, err := calendar.For(calendar.IsleOfMan)
	if err != nil {
		panic(err)
	}
	days, err := iom.Holidays(calendar.Date{Year: 2026, Month: time.May, Day: 1}, calendar.Date{Year: 2026, Month: time.July, Day: 31})
	if err != nil {
		panic(err)
	}
	for _, h := range days {
		fmt.Printf("%s %s substitute=%t\n", h.Date, h.Name, h.Substitute)
	}
	// Output:
	// 2026-05-04 Early May bank holiday substitute=false
	// 2026-05-25 Spring bank holiday substitute=false
	// 2026-06-05 TT Bank Holiday substitute=false
	// 2026-07-06 Tynwald Day substitute=true
}

// A council closes between Christmas and New Year; its closure days are
// read from a YAML file and stop the count.
func ExampleWithClosures() {
	closures, err := calendar.ParseClosures("closures.yaml", []byte(`
- date: 2026-12-29
  name: Council Christmas closure
- date: 2026-12-30
  name: Council Christmas closure
- date: 2026-12-31
  name: Council Christmas closure
`))
	if err != nil {
		panic(err)
	}
	council, err := calendar.New(calendar.EnglandAndWales, calendar.WithClosures(closures...))
	if err != nil {
		panic(err)
	}
	due, err := council.AddWorkingDays(calendar.Date{Year: 2026, Month: time.December, Day: 24}, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(due)
	// Output:
	// 2027-01-04
}
