package timeline

import (
	"fmt"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// NoTimescale is what a stage whose obligations state no timescale says.
const NoTimescale = "no timescale stated"

// Schedule is a policy's worst-case schedule for a case raised at Raised.
type Schedule struct {
	Policy *engine.Policy
	Raised time.Time
	Stages []Stage // in ladder order, from the first stage to the last
}

// Stage is one stage of the schedule.
type Stage struct {
	Stage   *engine.Stage
	Entered time.Time
	// Deadlines are the obligations that state a timescale, in policy order.
	Deadlines []Deadline
	// Untimed are the obligations that state none.
	Untimed []*engine.Obligation
}

// Note is NoTimescale when no obligation of the stage states a timescale
// (so the next stage is entered at once), and "" otherwise.
func (s Stage) Note() string {
	if len(s.Deadlines) == 0 {
		return NoTimescale
	}
	return ""
}

// Latest is the stage's latest deadline, or nil when it has none.
func (s Stage) Latest() *Deadline {
	var latest *Deadline
	for i := range s.Deadlines {
		if d := &s.Deadlines[i]; latest == nil || d.Due.After(latest.Due) {
			latest = d
		}
	}
	return latest
}

// Deadline is one obligation's deadline on the schedule. The embedded
// calendar.Deadline holds the anchor instant (Trigger), the timescale, the
// due instant and date, and the calendar's day-by-day explanation.
type Deadline struct {
	Obligation *engine.Obligation
	From       From
	calendar.Deadline
}

// From is what a deadline counts from on the schedule.
type From struct {
	Kind      engine.AnchorKind
	Milestone *engine.Milestone // set when Kind is AnchorMilestone
	// SetBy is the stage whose entry sets the milestone; nil when no
	// transition into a stage sets it, and the deadline then counts from
	// the obligation's own stage being entered.
	SetBy *engine.Stage
}

// String says what the deadline counts from, in words.
func (f From) String() string {
	switch f.Kind {
	case engine.AnchorRaised:
		return "from the case being raised"
	case engine.AnchorMilestone:
		if f.SetBy == nil {
			return fmt.Sprintf("from milestone %s, which no transition into a stage sets: counted from entering this stage", f.Milestone.ID)
		}
		return fmt.Sprintf("from milestone %s, set on entering %s", f.Milestone.ID, f.SetBy.ID)
	}
	return "from entering the stage"
}

// WorstCase computes the schedule of a case raised at raised that is never
// resolved and is escalated at every stage on the last day allowed.
func WorstCase(p *engine.Policy, raised time.Time) (*Schedule, error) {
	if raised.IsZero() {
		return nil, fmt.Errorf("timeline: no raised time given: give the instant the case is raised")
	}
	cal := p.Calendar()
	s := &Schedule{Policy: p, Raised: raised, Stages: make([]Stage, 0, len(p.Stages))}
	entered := make(map[*engine.Stage]time.Time, len(p.Stages))
	at := raised
	for _, st := range p.Stages {
		entered[st] = at
		stage := Stage{Stage: st, Entered: at}
		for _, ob := range st.Obligations {
			if !ob.HasDeadline {
				stage.Untimed = append(stage.Untimed, ob)
				continue
			}
			from := From{Kind: ob.From.Kind, Milestone: ob.From.Milestone}
			anchor := at
			switch ob.From.Kind {
			case engine.AnchorRaised:
				anchor = raised
			case engine.AnchorMilestone:
				if by := SetBy(p, ob.From.Milestone); by != nil && by.Index <= st.Index {
					from.SetBy, anchor = by, entered[by]
				}
			}
			dl, err := cal.Deadline(anchor, ob.Within)
			if err != nil {
				return nil, fmt.Errorf("timeline: stage %s, obligation %s: %w", st.ID, ob.ID, err)
			}
			stage.Deadlines = append(stage.Deadlines, Deadline{Obligation: ob, From: from, Deadline: dl})
		}
		// The next stage is entered in the last minute the latest deadline
		// allows, and never before this stage was entered.
		if latest := stage.Latest(); latest != nil {
			if next := latest.Due.Add(-time.Minute); next.After(at) {
				at = next
			}
		}
		s.Stages = append(s.Stages, stage)
	}
	return s, nil
}

// SetBy returns the first stage, in ladder order, that a transition setting
// milestone m leads to (a stage's own transition or an any_stage one), or
// nil if none does.
func SetBy(p *engine.Policy, m *engine.Milestone) *engine.Stage {
	var first *engine.Stage
	consider := func(t *engine.Transition) {
		if t.ToStage == nil || (first != nil && first.Index <= t.ToStage.Index) {
			return
		}
		for _, set := range t.Sets {
			if set.ID == m.ID {
				first = t.ToStage
				return
			}
		}
	}
	for _, st := range p.Stages {
		for _, t := range st.Transitions {
			consider(t)
		}
	}
	for _, t := range p.AnyStage {
		consider(t)
	}
	return first
}
