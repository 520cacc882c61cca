package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// The calls every host makes, on the examples' small ladder: an engine with
// the policy, and a case raised on Tuesday 22 December 2026 at 10:00.
// It returns the case's head and the first entry of its record.
func hostCase() (*engine.Engine, engine.Head, *engine.Entry, error) {
	p, err := casework()
	if err != nil {
		return nil, engine.Head{}, nil, err
	}
	e, err := engine.New(engine.WithPolicies(p))
	if err != nil {
		return nil, engine.Head{}, nil, err
	}
	h, first, err := e.Raise(context.Background(), "casework", engine.Raise{
		CaseID: "case-9", Actor: "asha", Role: "practitioner", At: at(22, 10),
	})
	return e, h, first, err
}

// at is a time in December 2026, London time.
func at(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, calendar.London()) }

// Fire returns the case's next head and the entry that records the act, or
// says why not: test the reason with errors.Is, and read every transition's
// reason with errors.As.
func ExampleEngine_Fire() {
	e, c, _, err := hostCase()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	// The practitioner records the agreed plan, then escalates.
	for _, ev := range []engine.Event{
		{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: at(23, 9)},
		{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 10), Revision: 2},
	} {
		var en *engine.Entry
		if c, en, err = e.Fire(ctx, c, ev); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(en) // the host appends it to the case's record
	}
	fmt.Println(c.Stage, "revision", c.Revision)

	// A practitioner cannot take the line manager's step.
	_, _, err = e.Fire(ctx, c, engine.Event{Name: "formally_escalate", Actor: "asha", Role: "practitioner", At: at(23, 11)})
	fmt.Println(errors.Is(err, engine.ErrRoleNotPermitted))
	var refused *engine.RefusedError
	if errors.As(err, &refused) {
		for _, r := range refused.Reasons {
			fmt.Println(r)
		}
	}
	// Output:
	// #2 2026-12-23T09:00:00Z plan_agreed by asha (practitioner): stays at stage1
	// #3 2026-12-23T10:00:00Z escalate by asha (practitioner): stage1 -> stage2
	// stage2 revision 3
	// true
	// the role may not fire this event: "practitioner" may not; it is for line_manager
}

// Available lists what an actor may do now, and why not for the rest, so a
// host can show the buttons and explain the greyed-out ones.
func ExampleEngine_Available() {
	e, c, _, err := hostCase()
	if err != nil {
		fmt.Println(err)
		return
	}
	actions, err := e.Available(context.Background(), c, "lee", "line_manager", at(23, 10))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range actions {
		if a.Allowed {
			fmt.Printf("%s: allowed\n", a.Event)
			continue
		}
		var refused *engine.RefusedError
		if errors.As(a.Refused, &refused) {
			fmt.Printf("%s: %s\n", a.Event, refused.Reasons[len(refused.Reasons)-1])
		}
	}
	// Output:
	// plan_agreed: the role may not fire this event: "line_manager" may not; it is for practitioner
	// resolve: the role may not fire this event: "line_manager" may not; it is for practitioner
	// escalate: the event's condition does not hold: "agree_plan" in overdue
	// withdraw: allowed
	// expedite: the event's condition does not hold: immediate_risk
	// complain: the role may not fire this event: "line_manager" may not; it is for practitioner
}

// Due says what the current stage owes at a time: each duty's status and
// the last day it is on time; Explain shows the count day by day, here over
// Christmas.
func ExampleEngine_Due() {
	e, c, _, err := hostCase()
	if err != nil {
		fmt.Println(err)
		return
	}
	if c, _, err = e.Fire(context.Background(), c, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 10)}); err != nil {
		fmt.Println(err)
		return
	}
	duties, err := e.Due(c, at(29, 9))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range duties {
		if d.Status == engine.StatusWaiting {
			fmt.Printf("%s: waiting for the milestone it counts from\n", d.Obligation.ID)
			continue
		}
		fmt.Printf("%s: %s, due by the end of %v\n", d.Obligation.ID, d.Status, d.DueDate)
		dl, err := d.Explain()
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, s := range dl.Steps {
			if s.Counted {
				fmt.Printf("  %v day %d\n", s.Date, s.Day)
			} else {
				fmt.Printf("  %v %s\n", s.Date, s.Reason)
			}
		}
	}
	// Output:
	// managers_meet: pending, due by the end of 2026-12-30
	//   2026-12-22 trigger date
	//   2026-12-23 day 1
	//   2026-12-24 day 2
	//   2026-12-25 Christmas Day
	//   2026-12-26 Sat
	//   2026-12-27 Sun
	//   2026-12-28 Boxing Day (substitute day)
	//   2026-12-29 day 3
	//   2026-12-30 day 4
	// written_outcome: waiting for the milestone it counts from
}

// Verify replays a stored case's record and checks that it rebuilds the
// head: a record changed outside the engine does not verify, and the error
// says which entry and how.
func ExampleEngine_Verify() {
	e, c, first, err := hostCase()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	c, next, err := e.Fire(ctx, c, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 10)})
	if err != nil {
		fmt.Println(err)
		return
	}
	// What the host keeps in its database: the head, and each entry once.
	head, err := json.Marshal(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	var rows [][]byte
	for _, en := range []*engine.Entry{first, next} {
		row, err := json.Marshal(en)
		if err != nil {
			fmt.Println(err)
			return
		}
		rows = append(rows, row)
	}

	var read engine.Head
	if err := json.Unmarshal(head, &read); err != nil {
		fmt.Println(err)
		return
	}
	// The record, streamed as the database yields it.
	record := func(yield func(*engine.Entry, error) bool) {
		for _, row := range rows {
			en := new(engine.Entry)
			if !yield(en, json.Unmarshal(row, en)) {
				return
			}
		}
	}
	fmt.Println(e.Verify(ctx, read, record))

	rows[1] = bytes.Replace(rows[1], []byte(`"actor":"asha"`), []byte(`"actor":"someone else"`), 1) // an edit made in the database
	err = e.Verify(ctx, read, record)
	fmt.Println(errors.Is(err, engine.ErrHistoryTampered))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// case case-9: entry 2 is edited: what it says no longer matches its hash
}

// A date fact or form field takes a "YYYY-MM-DD" string, a calendar.Date or
// a time.Time (its date in Europe/London); the case keeps the string, so a
// case read back from JSON holds the same value.
func ExampleEvent_dates() {
	e, c, _, err := hostCase()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, date := range []any{
		"2026-12-21",
		calendar.Date{Year: 2026, Month: time.December, Day: 21},
		time.Date(2026, 12, 21, 23, 30, 0, 0, time.UTC), // 21 December in London too
	} {
		// The escalation form is Stage 2's: the escalation into it may bring it.
		next, _, err := e.Fire(context.Background(), c, engine.Event{
			Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 9),
			Facts: map[string]any{"referral_date": date},
			Forms: map[string]map[string]any{"escalation_form": {"sent_on": date}},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d: %T -> %q, %q\n", i, date, next.Facts["referral_date"], next.Forms["escalation_form"]["sent_on"])
	}
	// Output:
	// 0: string -> "2026-12-21", "2026-12-21"
	// 1: calendar.Date -> "2026-12-21", "2026-12-21"
	// 2: time.Time -> "2026-12-21", "2026-12-21"
}
