package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// overdueItem is one overdue obligation, as the API and the sweep report it.
type overdueItem struct {
	Case       string `json:"case"`
	Policy     string `json:"policy"`
	Version    string `json:"version"`
	Stage      string `json:"stage"`
	Obligation string `json:"obligation"`
	Title      string `json:"title"`
	Owner      string `json:"owner,omitempty"`
	// Due is the instant it became late; DueDate the last day it was on time.
	Due     time.Time     `json:"due"`
	DueDate calendar.Date `json:"due_date"`
	// WorkingDaysLate counts the working days after DueDate up to and
	// including the sweep's date: 0 until the next working day starts.
	WorkingDaysLate int `json:"working_days_late"`
}

// describeOverdue completes an index row from the policy the case runs
// under, without reading the case: the title and owner of the obligation, and
// how late it is on that policy's calendar.
func describeOverdue(eng *engine.Engine, o Owed, at time.Time) (overdueItem, error) {
	p, ok := eng.PolicyVersion(o.Policy)
	if !ok {
		return overdueItem{}, fmt.Errorf("%w: case %s is on %s version %s, which this engine does not have", engine.ErrPolicyMismatch, o.Case, o.Policy.ID, o.Policy.Version)
	}
	item := overdueItem{
		Case: o.Case, Policy: o.Policy.ID, Version: o.Policy.Version, Stage: o.Stage, Obligation: o.Obligation,
		Due: o.Due.In(calendar.London()),
		// As engine.Duty.DueDate: the date of the last instant before Due.
		DueDate: calendar.DateOf(o.Due.Add(-time.Nanosecond)),
	}
	st, ok := p.Stage(o.Stage)
	if !ok {
		return overdueItem{}, fmt.Errorf("%w: case %s is at stage %q, which %s %s does not have", engine.ErrPolicyMismatch, o.Case, o.Stage, p.ID, p.Version)
	}
	ob, ok := st.Obligation(o.Obligation)
	if !ok {
		return overdueItem{}, fmt.Errorf("%w: case %s owes %q, which stage %s does not have", engine.ErrPolicyMismatch, o.Case, o.Obligation, st.ID)
	}
	item.Title = ob.Title
	if ob.Owner != nil {
		item.Owner = ob.Owner.ID
	}
	late, err := p.Calendar().WorkingDaysBetween(item.DueDate, calendar.DateOf(at))
	if err != nil {
		return overdueItem{}, err
	}
	item.WorkingDaysLate = late
	return item, nil
}

// sweep prints every obligation overdue at time at across all open cases,
// earliest deadline first, and returns how many there are.
func sweep(ctx context.Context, store *Store, eng *engine.Engine, at time.Time, w io.Writer) (int, error) {
	const layout = "Mon 2 Jan 2006 15:04 MST"
	fmt.Fprintf(w, "Overdue at %s\n", at.In(calendar.London()).Format(layout))
	// tabwriter holds the rows until Flush to align the columns: a few tens
	// of bytes per overdue obligation.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tPOLICY\tSTAGE\tOBLIGATION\tOWNER\tDUE BY END OF\tWORKING DAYS LATE")
	n := 0
	for o, err := range store.Overdue(ctx, at) {
		if err != nil {
			return n, err
		}
		item, err := describeOverdue(eng, o, at)
		if err != nil {
			return n, err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", item.Case, item.Policy, item.Stage, item.Obligation, item.Owner, item.DueDate, item.WorkingDaysLate)
		n++
	}
	if err := tw.Flush(); err != nil {
		return n, err
	}
	_, err := fmt.Fprintf(w, "%d overdue\n", n)
	return n, err
}
