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

// Guernsey keeps England and Wales's bank holidays and adds Liberation Day,
// 9 May. In 2026 it is a Saturday, so the day off is Monday 11 May.
func ExampleWithDaysOff() {
	liberation, err := calendar.ParseYearly("9 May")
	if err != nil {
		panic(err)
	}
	guernsey, err := calendar.New(calendar.EnglandAndWales, calendar.WithDaysOff(calendar.DayOff{
		Name: "Liberation Day", Yearly: liberation, Source: "procedure.txt, paragraph 2.4",
	}))
	if err != nil {
		panic(err)
	}
	raised := time.Date(2026, 5, 7, 10, 0, 0, 0, calendar.London())
	deadline, err := guernsey.Deadline(raised, calendar.Within{N: 2, Unit: calendar.WorkingDays})
	if err != nil {
		panic(err)
	}
	fmt.Print(deadline)
	for _, s := range deadline.Steps {
		if s.Source != "" {
			fmt.Printf("%s: %s\n", s.Reason, s.Source)
		}
	}
	// Output:
	// Trigger: Thu 7 May 2026 10:00 BST
	// Rule: within 2 working days: day 1 is the first working day after the trigger date; due by the end of day 2
	// Due: Wed 13 May 2026 00:00 BST (by the end of Tue 12 May 2026)
	//   Thu 7 May 2026  trigger date
	//   Fri 8 May 2026  day 1
	//   Sat 9 May 2026  Sat
	//   Sun 10 May 2026  Sun
	//   Mon 11 May 2026  Liberation Day (substitute day)
	//   Tue 12 May 2026  day 2
	// Liberation Day (substitute day): procedure.txt, paragraph 2.4
}

// A host loads gov.uk's bank holiday feed, newer than this release, and the
// calendar takes its days for the years it lists. A real feed lists every
// bank holiday of its years; this one is cut to two days of 2030, which then
// has only those.
func ExampleParseGovUKFeed() {
	feed, err := calendar.ParseGovUKFeed("bank-holidays.json", []byte(`{
	  "england-and-wales": {"division": "england-and-wales", "events": [
	    {"title": "New Year’s Day", "date": "2030-01-01", "notes": "", "bunting": true},
	    {"title": "Bank holiday for a national event", "date": "2030-06-14", "notes": "", "bunting": true}
	  ]}}`))
	if err != nil {
		panic(err)
	}
	ew, err := calendar.New(calendar.EnglandAndWales, calendar.WithFeed(feed))
	if err != nil {
		panic(err)
	}
	days, err := ew.Holidays(calendar.Date{Year: 2030, Month: time.January, Day: 1}, calendar.Date{Year: 2030, Month: time.December, Day: 31})
	if err != nil {
		panic(err)
	}
	for _, h := range days {
		fmt.Println(h.Date, h.Name)
	}
	// Output:
	// 2030-01-01 New Year's Day
	// 2030-06-14 Bank holiday for a national event
}
