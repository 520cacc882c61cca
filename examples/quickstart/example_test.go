package main

import "os"

// The program's whole output, pinned: a change to the engine, the calendar or
// the Sefton policy that moves a date or a message shows here.
func Example() {
	if err := run(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// case case-42 (sefton 2024-05-02, revision 3) at step2
	//
	// managers_agree_plan: pending, due by the end of 2026-12-30
	// Trigger: Tue 22 Dec 2026 10:00 GMT
	// Rule: within 4 working days: day 1 is the first working day after the trigger date; due by the end of day 4
	// Due: Thu 31 Dec 2026 00:00 GMT (by the end of Wed 30 Dec 2026)
	//   Tue 22 Dec 2026  trigger date
	//   Wed 23 Dec 2026  day 1
	//   Thu 24 Dec 2026  day 2
	//   Fri 25 Dec 2026  Christmas Day
	//   Sat 26 Dec 2026  Sat
	//   Sun 27 Dec 2026  Sun
	//   Mon 28 Dec 2026  Boxing Day (substitute day)
	//   Tue 29 Dec 2026  day 3
	//   Wed 30 Dec 2026  day 4
	//
	// refused: event "plan_agreed" refused at step2: the role may not fire this event: "practitioner" may not; it is for line_manager
	//
	// record:
	// #1 2026-12-22T10:00:00Z raise by asha (practitioner): raised at step1
	// #2 2026-12-22T15:00:00Z discussed by asha (practitioner): stays at step1
	// #3 2026-12-24T16:00:00Z escalate by asha (practitioner): step1 -> step2
	// #4 2026-12-29T14:00:00Z plan_agreed by lee (line_manager): stays at step2
}
