package temporal

import (
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// Duty is an engine.Duty as the due query answers it: by the obligation's
// id, since the policy's own values point into each other and do not travel.
type Duty struct {
	Obligation string        `json:"obligation"`
	Title      string        `json:"title"`
	Owner      string        `json:"owner,omitempty"`
	Status     engine.Status `json:"status"`
	Within     string        `json:"within,omitempty"`
	Immediate  bool          `json:"immediate,omitempty"`
	Expedited  bool          `json:"expedited,omitempty"`
	Anchor     time.Time     `json:"anchor,omitzero"`
	// Due is the instant the duty is late from; DueDate the last day on
	// which it is on time.
	Due     time.Time     `json:"due,omitzero"`
	DueDate calendar.Date `json:"due_date,omitzero"`
	Met     time.Time     `json:"met,omitzero"`
	Late    bool          `json:"late,omitempty"`
	Breach  string        `json:"breach,omitempty"`
}

func dutyOf(d engine.Duty) Duty {
	out := Duty{
		Obligation: d.Obligation.ID, Title: d.Obligation.Title, Status: d.Status,
		Within: d.Within.String(), Immediate: d.Within.Immediate, Expedited: d.Expedited,
		Anchor: d.Anchor, Due: d.Due, DueDate: d.DueDate, Met: d.Met, Late: d.Late,
	}
	if d.Obligation.Owner != nil {
		out.Owner = d.Obligation.Owner.ID
	}
	if d.Breach != nil {
		out.Breach = d.Breach.Message
	}
	return out
}

// Action is an engine.Action as the available query answers it: the event,
// whether the actor may fire it, where it leads, and if not, why not.
type Action struct {
	Event   string   `json:"event"`
	Allowed bool     `json:"allowed"`
	To      string   `json:"to,omitempty"`
	Refused *Refused `json:"refused,omitempty"`
}

func actionOf(ref engine.PolicyRef, p *engine.Policy, a engine.Action) Action {
	out := Action{Event: a.Event, Allowed: a.Allowed}
	if a.Transition != nil {
		out.To = a.Transition.Destination()
	}
	if refused, ok := a.Refused.(*engine.RefusedError); ok {
		r := refusedOf(ref, p, refused)
		out.Refused = &r
	}
	return out
}
