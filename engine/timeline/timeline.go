package timeline

import (
	"context"
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
	// Expedited is set when WithFacts's facts made the obligation's expedite
	// condition hold, so Within is its expedited timescale.
	Expedited bool
	calendar.Deadline
}

// From is what a deadline counts from on the schedule.
type From struct {
	Kind      engine.AnchorKind
	Milestone *engine.Milestone // set when Kind is AnchorMilestone
	// SetBy is the stage where the milestone is set on the worst-case path:
	// on entering it, or During it by an event that does not move the case.
	// It is nil when no stage up to this one sets the milestone, and the
	// deadline then counts from the obligation's own stage being entered.
	SetBy  *engine.Stage
	During bool
}

// String says what the deadline counts from, in words.
func (f From) String() string {
	switch f.Kind {
	case engine.AnchorRaised:
		return "from the case being raised"
	case engine.AnchorMilestone:
		switch {
		case f.SetBy == nil:
			return fmt.Sprintf("from milestone %s, which no earlier event sets: counted from entering this stage", f.Milestone.ID)
		case f.During:
			return fmt.Sprintf("from milestone %s, set during %s in the last minute its other deadlines allow", f.Milestone.ID, f.SetBy.ID)
		}
		return fmt.Sprintf("from milestone %s, set on entering %s", f.Milestone.ID, f.SetBy.ID)
	}
	return "from entering the stage"
}

// Option configures WorstCase.
type Option func(*options)

type options struct {
	facts map[string]any
}

// WithFacts gives the case's facts (by fact id, as engine.Raise takes them):
// an obligation whose expedite condition holds for them gets its expedited
// timescale, as the engine would give it. Without it every obligation keeps
// its own timescale, the longest wait.
func WithFacts(facts map[string]any) Option {
	return func(o *options) { o.facts = facts }
}

// WorstCase computes the schedule of a case raised at raised that is never
// resolved and is escalated at every stage on the last day allowed. A
// milestone set on entering a stage is set when the stage is entered; one set
// by an event during a stage is set, at worst, in the last minute that
// stage's other deadlines allow.
func WorstCase(p *engine.Policy, raised time.Time, opts ...Option) (*Schedule, error) {
	if raised.IsZero() {
		return nil, fmt.Errorf("timeline: no raised time given: give the instant the case is raised")
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cal := p.Calendar()
	s := &Schedule{Policy: p, Raised: raised, Stages: make([]Stage, 0, len(p.Stages))}
	settings := make(map[*engine.Milestone]Setting, len(p.Milestones))
	for _, m := range p.Milestones {
		settings[m] = SetBy(p, m)
	}
	setAt := make(map[*engine.Milestone]time.Time, len(p.Milestones))
	at := raised
	for _, st := range p.Stages {
		stage := Stage{Stage: st, Entered: at}
		for m, set := range settings {
			if set.Stage == st && !set.During {
				setAt[m] = at
			}
		}
		deadline := func(ob *engine.Obligation) (Deadline, error) {
			from := From{Kind: ob.From.Kind, Milestone: ob.From.Milestone}
			anchor := at
			switch ob.From.Kind {
			case engine.AnchorRaised:
				anchor = raised
			case engine.AnchorMilestone:
				if t, ok := setAt[ob.From.Milestone]; ok {
					set := settings[ob.From.Milestone]
					from.SetBy, from.During, anchor = set.Stage, set.During, t
				}
			}
			within, expedited := ob.Within, false
			if o.facts != nil {
				var err error
				within, expedited, err = p.Timescale(context.Background(), ob, o.facts, raised, anchor)
				if err != nil {
					return Deadline{}, fmt.Errorf("timeline: stage %s, obligation %s: %w", st.ID, ob.ID, err)
				}
			}
			dl, err := cal.Deadline(anchor, within)
			if err != nil {
				return Deadline{}, fmt.Errorf("timeline: stage %s, obligation %s: %w", st.ID, ob.ID, err)
			}
			return Deadline{Obligation: ob, From: from, Expedited: expedited, Deadline: dl}, nil
		}
		// Deadlines that count from a milestone set during this stage wait
		// until the stage's other deadlines say when that is.
		setHere := func(ob *engine.Obligation) bool {
			set := settings[ob.From.Milestone]
			return ob.From.Kind == engine.AnchorMilestone && set.Stage == st && set.During
		}
		// Each timed obligation gets its slot in file order; those that count
		// from a milestone set during this stage are filled in last, once the
		// stage's other deadlines say when that is.
		slots := make([]*Deadline, len(st.Obligations))
		fill := func(waiting bool) error {
			for i, ob := range st.Obligations {
				if !ob.HasDeadline || setHere(ob) != waiting {
					continue
				}
				d, err := deadline(ob)
				if err != nil {
					return err
				}
				slots[i] = &d
			}
			return nil
		}
		for _, ob := range st.Obligations {
			if !ob.HasDeadline {
				stage.Untimed = append(stage.Untimed, ob)
			}
		}
		if err := fill(false); err != nil {
			return nil, err
		}
		stage.Deadlines = collect(slots)
		during := lastMinute(stage, at)
		for m, set := range settings {
			if set.Stage == st && set.During {
				setAt[m] = during
			}
		}
		if err := fill(true); err != nil {
			return nil, err
		}
		stage.Deadlines = collect(slots)
		at = lastMinute(stage, at)
		s.Stages = append(s.Stages, stage)
	}
	return s, nil
}

// collect gathers the filled slots, in obligation order.
func collect(slots []*Deadline) []Deadline {
	var ds []Deadline
	for _, d := range slots {
		if d != nil {
			ds = append(ds, *d)
		}
	}
	return ds
}

// lastMinute is the last minute the stage's latest deadline allows, and
// never before the stage was entered: when the next stage is entered on the
// worst-case path.
func lastMinute(stage Stage, entered time.Time) time.Time {
	if latest := stage.Latest(); latest != nil {
		if t := latest.Due.Add(-time.Minute); t.After(entered) {
			return t
		}
	}
	return entered
}

// Setting is where a milestone is first set along the ladder: on entering
// Stage, or During it by an event that does not move the case. Stage is nil
// when no transition sets the milestone.
type Setting struct {
	Stage  *engine.Stage
	During bool
}

// SetBy returns where milestone m is first set along the ladder: the
// earliest stage that a transition setting m leads to, or in which an event
// that sets m and stays is fired (entering a stage comes before anything
// during it).
func SetBy(p *engine.Policy, m *engine.Milestone) Setting {
	var best Setting
	consider := func(st *engine.Stage, during bool) {
		if best.Stage == nil || st.Index < best.Stage.Index || (st == best.Stage && best.During && !during) {
			best = Setting{Stage: st, During: during}
		}
	}
	sets := func(t *engine.Transition) bool {
		for _, set := range t.Sets {
			if set.ID == m.ID {
				return true
			}
		}
		return false
	}
	for _, t := range allTransitions(p) {
		switch {
		case !sets(t):
		case t.ToStage != nil:
			consider(t.ToStage, false)
		case t.ToOutcome == nil:
			for _, st := range p.Stages {
				if t.AppliesIn(st) {
					consider(st, true)
					break
				}
			}
		}
	}
	return best
}

func allTransitions(p *engine.Policy) []*engine.Transition {
	var ts []*engine.Transition
	for _, st := range p.Stages {
		ts = append(ts, st.Transitions...)
	}
	return append(ts, p.AnyStage...)
}
