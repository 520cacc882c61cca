// Quickstart is the shortest complete program that embeds the engine: it
// raises a Sefton case two days before Christmas 2026, fires events as
// different people (one of them refused), and prints what is due, why the
// dates are what they are, and the case's record.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	// The engine never reads the clock: every act carries its own time.
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, calendar.London()) }

	e, err := policies.Engine() // the bundled procedures, loaded and checked once
	if err != nil {
		return err
	}

	// A school practitioner disagrees with another agency's decision about a
	// child. A case is a head (what the engine needs to act) and a record
	// that is only ever appended to.
	c, en, err := e.Raise(ctx, "sefton", engine.Raise{
		CaseID: "case-42", Actor: "asha", Role: "practitioner", Agency: "school", At: at(22, 10),
	})
	if err != nil {
		return err
	}
	record := []*engine.Entry{en}
	// Each accepted event returns the next head, and one entry to append;
	// the old head is unchanged.
	for _, ev := range []engine.Event{
		{Name: "discussed", Actor: "asha", Role: "practitioner", At: at(22, 15)},
		{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(24, 16)},
	} {
		if c, en, err = e.Fire(ctx, c, ev); err != nil {
			return err
		}
		record = append(record, en)
	}
	fmt.Fprintln(w, c)

	// What Step 2 owes on the first working morning after Christmas, and why.
	duties, err := e.Due(c, at(29, 9))
	if err != nil {
		return err
	}
	for _, d := range duties {
		fmt.Fprintf(w, "\n%s: %s, due by the end of %s\n", d.Obligation.ID, d.Status, d.DueDate)
		dl, err := d.Explain()
		if err != nil {
			return err
		}
		fmt.Fprint(w, dl)
	}

	// Agreeing the managers' plan is the line manager's act, not the practitioner's.
	_, _, err = e.Fire(ctx, c, engine.Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: at(29, 10)})
	if !errors.Is(err, engine.ErrRoleNotPermitted) {
		return fmt.Errorf("expected the practitioner to be refused, got %v", err)
	}
	fmt.Fprintln(w, "\nrefused:", err)

	// Revision makes the engine refuse the event if the case changed since it
	// was read: a host passes the revision its user was looking at.
	c, en, err = e.Fire(ctx, c, engine.Event{
		Name: "plan_agreed", Actor: "lee", Role: "line_manager", Agency: "school", At: at(29, 14), Revision: c.Revision,
	})
	if err != nil {
		return err
	}
	record = append(record, en)

	fmt.Fprintln(w, "\nrecord:")
	for _, en := range record {
		fmt.Fprintln(w, en)
	}
	// Replaying the record through the policy rebuilds the head exactly.
	return e.Verify(ctx, c, engine.Entries(record))
}
