package engine

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// Status is where an obligation stands at a given time.
type Status string

// Obligation statuses.
const (
	// StatusWaiting: the deadline counts from a milestone that has not happened yet.
	StatusWaiting Status = "waiting"
	// StatusPending: owed and not yet late (or owed with no timescale stated).
	StatusPending Status = "pending"
	// StatusOverdue: owed and past its deadline. A breach never moves a case by
	// itself; the policy's guards say what it allows.
	StatusOverdue Status = "overdue"
	// StatusMet: an event completed it.
	StatusMet Status = "met"
)

// status is the obligation's status at time at. Due is the first instant at
// which the act is late (the start of the day after the last day allowed).
func (o *ObligationState) status(at time.Time) Status {
	switch {
	case !o.Met.IsZero():
		return StatusMet
	case o.Anchor.IsZero():
		return StatusWaiting
	case !o.Due.IsZero() && !at.Before(o.Due):
		return StatusOverdue
	}
	return StatusPending
}

// Duty is one obligation of the case's current stage (or of the outcome it
// reached), as it stands at a time.
type Duty struct {
	Obligation *Obligation
	Status     Status
	// Anchor is the instant the deadline counts from (zero while waiting).
	Anchor time.Time
	// Due is the instant by which the act is due; DueDate is the last local
	// date on which it is on time. Both are zero when no timescale applies.
	Due       time.Time
	DueDate   calendar.Date
	Within    calendar.Within // the timescale applied (zero while waiting or when none)
	Expedited bool            // a shorter timescale applied because its condition held
	ByDate    bool            // Due is the end of a date the case gave, not a timescale
	// Urgent: "as soon as possible". It is never overdue by itself; Due, if
	// set, is its backstop.
	Urgent bool
	Met    time.Time // when it was met, if it was
	Late   bool      // it was met after its deadline
	// Breach is what the policy says an overdue obligation means; set only
	// when Status is StatusOverdue and the policy says something.
	Breach *Breach

	cal *calendar.Calendar
}

// Explain recomputes the deadline with the calendar's day-by-day reasons, so a
// case record can show why the date is what it is.
func (d Duty) Explain() (calendar.Deadline, error) {
	switch {
	case d.ByDate:
		return calendar.Deadline{}, fmt.Errorf("obligation %q is due by the end of %v, a date the case gives: there is nothing to count", d.Obligation.ID, d.DueDate)
	case d.Within.IsZero() || d.Anchor.IsZero():
		return calendar.Deadline{}, fmt.Errorf("obligation %q has no deadline to explain", d.Obligation.ID)
	}
	return d.cal.Deadline(d.Anchor, d.Within)
}

// Due lists what the case owes and where each duty stands at time at: the
// obligations of its current stage, or of the outcome it has reached, urgent
// ones first, each group in the policy's order. A duty whose condition does
// not hold is not listed.
func (p *Policy) Due(h Head, at time.Time) ([]Duty, error) {
	if err := p.owns(&h); err != nil {
		return nil, err
	}
	pl, err := p.placeOf(&h)
	if err != nil {
		return nil, err
	}
	if pl.outcome != nil && len(h.Obligations) == 0 {
		return nil, nil
	}
	duties := make([]Duty, 0, len(h.Obligations))
	urgent := false
	for i := range h.Obligations {
		o := &h.Obligations[i]
		ob, ok := pl.obligation(o.ID)
		if !ok {
			return nil, fmt.Errorf("%w: obligation %q is not part of %s", ErrPolicyMismatch, o.ID, pl)
		}
		urgent = urgent || ob.Urgent
		d := Duty{
			Obligation: ob, Status: o.status(at), Urgent: ob.Urgent, Anchor: o.Anchor, Due: o.Due,
			Within: o.Within, Expedited: o.Expedited, ByDate: o.ByDate,
			Met: o.Met, cal: p.calendar,
		}
		if !o.Due.IsZero() {
			d.DueDate = calendar.DateOf(o.Due.Add(-time.Nanosecond))
			d.Late = !o.Met.IsZero() && !o.Met.Before(o.Due)
		}
		if d.Status == StatusOverdue {
			d.Breach = ob.Breach
		}
		duties = append(duties, d)
	}
	if urgent {
		slices.SortStableFunc(duties, func(a, b Duty) int { return cmp.Compare(btoi(b.Urgent), btoi(a.Urgent)) })
	}
	return duties, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
