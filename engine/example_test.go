package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// A case raised on Tuesday 22 December 2026, escalated the next morning, and
// what it owes over Christmas.
func Example() {
	src, err := os.ReadFile("testdata/casework.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, diags := engine.Load("casework.yaml", src)
	if err := diags.Err(); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	london := calendar.London()

	c, err := p.Raise(ctx, engine.Raise{
		CaseID: "case-7", Actor: "asha", Role: "practitioner", Agency: "school",
		At: time.Date(2026, 12, 22, 10, 0, 0, 0, london),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err = p.Fire(ctx, c, engine.Event{
		Name: "escalate", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 23, 9, 0, 0, 0, london),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	duties, err := p.Due(c, time.Date(2026, 12, 29, 9, 0, 0, 0, london))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range duties {
		if d.Due.IsZero() {
			fmt.Printf("%s: %s (counts from a milestone not yet reached)\n", d.Obligation.ID, d.Status)
			continue
		}
		fmt.Printf("%s: %s, due by the end of %v\n", d.Obligation.ID, d.Status, d.DueDate)
	}

	// A practitioner cannot take the line manager's step.
	_, err = p.Fire(ctx, c, engine.Event{
		Name: "formally_escalate", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 29, 10, 0, 0, 0, london),
	})
	fmt.Println(errors.Is(err, engine.ErrRoleNotPermitted))
	for _, e := range c.History {
		fmt.Println(e)
	}
	// Output:
	// managers_meet: pending, due by the end of 2026-12-30
	// written_outcome: waiting (counts from a milestone not yet reached)
	// true
	// #1 2026-12-22T10:00:00Z raise by asha (practitioner): raised at stage1
	// #2 2026-12-23T09:00:00Z escalate by asha (practitioner): stage1 -> stage2
}
