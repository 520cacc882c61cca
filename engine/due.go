package engine

import (
	"fmt"
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

// Duty is one obligation of the case's current stage, as it stands at a time.
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
	Met       time.Time       // when it was met, if it was
	Late      bool            // it was met after its deadline
	// Breach is what the policy says an overdue obligation means; set only
	// when Status is StatusOverdue and the policy says something.
	Breach *Breach

	cal *calendar.Calendar
}

// Explain recomputes the deadline with the calendar's day-by-day reasons, so a
// case record can show why the date is what it is.
func (d Duty) Explain() (calendar.Deadline, error) {
	if d.Within.IsZero() || d.Anchor.IsZero() {
		return calendar.Deadline{}, fmt.Errorf("obligation %q has no deadline to explain", d.Obligation.ID)
	}
	return d.cal.Deadline(d.Anchor, d.Within)
}

// Due lists the obligations of the case's current stage and where each stands
// at time at, in the policy's order. A closed case owes nothing.
func (p *Policy) Due(h Head, at time.Time) ([]Duty, error) {
	if err := p.owns(&h); err != nil {
		return nil, err
	}
	if h.Closed() {
		return nil, nil
	}
	stage, err := p.caseStage(&h)
	if err != nil {
		return nil, err
	}
	duties := make([]Duty, 0, len(stage.Obligations))
	for i := range h.Obligations {
		o := &h.Obligations[i]
		ob, ok := stage.Obligation(o.ID)
		if !ok {
			return nil, fmt.Errorf("%w: obligation %q is not part of stage %q", ErrPolicyMismatch, o.ID, stage.ID)
		}
		d := Duty{
			Obligation: ob, Status: o.status(at), Anchor: o.Anchor, Due: o.Due,
			Within: o.Within, Expedited: o.Expedited,
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
	return duties, nil
}
