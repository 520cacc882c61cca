package timeline

import (
	"fmt"
	"slices"
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
	// Outcomes are the outcomes that owe duties, each as if reached when
	// the ladder ends (the last minute its last stage allows).
	Outcomes []Outcome
}

// Stage is one stage of the schedule.
type Stage struct {
	Stage   *engine.Stage
	Entered time.Time
	// Deadlines are the obligations that state a timescale, in policy order.
	Deadlines []Deadline
	// Untimed are the obligations that state none (an urgent duty without a
	// backstop among them).
	Untimed []*engine.Obligation
	// ByCase are the obligations whose own timescale counts from a date the
	// case gives (from: fact.NAME): the schedule cannot date them.
	ByCase []*engine.Obligation
}

// Outcome is an outcome that owes duties, and when they fall due.
type Outcome struct {
	Outcome   *engine.Outcome
	Reached   time.Time
	Deadlines []Deadline
	Untimed   []*engine.Obligation
	ByCase    []*engine.Obligation
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
	// SetBy is the stage where the milestone is set on the worst-case path:
	// on entering it, or During it by an event that does not move the case.
	// It is nil when no stage up to this one sets the milestone, and the
	// deadline then counts from the obligation's own stage being entered.
	SetBy  *engine.Stage
	During bool
	// Outcome: the deadline is an outcome's, and "stage" is the outcome
	// being reached.
	Outcome bool
}

// String says what the deadline counts from, in words.
func (f From) String() string {
	switch f.Kind {
	case engine.AnchorRaised:
		return "from the case being raised"
	case engine.AnchorMilestone:
		switch {
		case f.SetBy == nil && f.Milestone.PerVisit:
			return fmt.Sprintf("from milestone %s, which nothing sets at this stage: counted from entering it", f.Milestone.ID)
		case f.SetBy == nil:
			return fmt.Sprintf("from milestone %s, which no earlier event sets: counted from entering this stage", f.Milestone.ID)
		case f.During:
			return fmt.Sprintf("from milestone %s, set during %s in the last minute its other deadlines allow", f.Milestone.ID, f.SetBy.ID)
		}
		return fmt.Sprintf("from milestone %s, set on entering %s", f.Milestone.ID, f.SetBy.ID)
	}
	if f.Outcome {
		return "from reaching the outcome"
	}
	return "from entering the stage"
}

// WorstCase computes the schedule of a case raised at raised that is never
// resolved and is escalated at every stage on the last day allowed. A
// milestone set on entering a stage is set when the stage is entered; one set
// by an event during a stage is set, at worst, in the last minute that
// stage's other deadlines allow; a per-visit one is set again at each stage
// that sets it. Each duty is scheduled by its own timescale, the latest it
// can be due: a sooner deadline, a condition or urgency only bring it
// forward. Its own timescale counted from a date the case gives cannot be
// dated, and is listed in ByCase.
func WorstCase(p *engine.Policy, raised time.Time) (*Schedule, error) {
	if raised.IsZero() {
		return nil, fmt.Errorf("timeline: no raised time given: give the instant the case is raised")
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
		for _, m := range p.Milestones {
			if m.PerVisit {
				settings[m] = SetIn(p, m, st)
				delete(setAt, m)
			}
		}
		for m, set := range settings {
			if set.Stage == st && !set.During {
				setAt[m] = at
			}
		}
		deadline := func(ob *engine.Obligation) (Deadline, error) {
			return scheduled(cal, ob, at, raised, setAt, settings, "stage "+st.ID)
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
				if !ob.HasDeadline || ob.From.Kind == engine.AnchorFact || setHere(ob) != waiting {
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
		stage.Untimed, stage.ByCase = unscheduled(st.Obligations)
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
	for _, o := range p.Outcomes {
		if len(o.Obligations) == 0 {
			continue
		}
		out := Outcome{Outcome: o, Reached: at}
		out.Untimed, out.ByCase = unscheduled(o.Obligations)
		for _, ob := range o.Obligations {
			if !ob.HasDeadline || ob.From.Kind == engine.AnchorFact {
				continue
			}
			d, err := scheduled(cal, ob, at, raised, setAt, settings, "outcome "+o.ID)
			if err != nil {
				return nil, err
			}
			out.Deadlines = append(out.Deadlines, d)
		}
		s.Outcomes = append(s.Outcomes, out)
	}
	return s, nil
}

// scheduled is an obligation's deadline on the schedule, counted by its own
// timescale from its anchor: entered, raised, or a milestone when setAt says
// when it is set.
func scheduled(cal *calendar.Calendar, ob *engine.Obligation, entered, raised time.Time, setAt map[*engine.Milestone]time.Time,
	settings map[*engine.Milestone]Setting, where string) (Deadline, error) {
	from := From{Kind: ob.From.Kind, Milestone: ob.From.Milestone, Outcome: ob.Outcome != nil}
	anchor := entered
	switch ob.From.Kind {
	case engine.AnchorRaised:
		anchor = raised
	case engine.AnchorMilestone:
		if t, ok := setAt[ob.From.Milestone]; ok {
			set := settings[ob.From.Milestone]
			from.SetBy, from.During, anchor = set.Stage, set.During, t
		}
	}
	dl, err := cal.Deadline(anchor, ob.Within)
	if err != nil {
		return Deadline{}, fmt.Errorf("timeline: %s, obligation %s: %w", where, ob.ID, err)
	}
	return Deadline{Obligation: ob, From: from, Deadline: dl}, nil
}

// unscheduled splits off the obligations that state no timescale and those
// whose own timescale counts from a date the case gives.
func unscheduled(obs []*engine.Obligation) (untimed, byCase []*engine.Obligation) {
	for _, ob := range obs {
		switch {
		case !ob.HasDeadline:
			untimed = append(untimed, ob)
		case ob.From.Kind == engine.AnchorFact:
			byCase = append(byCase, ob)
		}
	}
	return untimed, byCase
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

// SetIn returns where per-visit milestone m is set during a visit to stage
// st: on entering it, by a transition that leads there and sets m, or
// During it, by an event there that sets m and stays; none otherwise.
func SetIn(p *engine.Policy, m *engine.Milestone, st *engine.Stage) Setting {
	var during bool
	for _, t := range allTransitions(p) {
		if !slices.Contains(t.Sets, m) {
			continue
		}
		if t.ToStage == st {
			return Setting{Stage: st}
		}
		during = during || t.ToStage == nil && t.ToOutcome == nil && t.AppliesIn(st)
	}
	if during {
		return Setting{Stage: st, During: true}
	}
	return Setting{}
}

func allTransitions(p *engine.Policy) []*engine.Transition {
	var ts []*engine.Transition
	for _, st := range p.Stages {
		ts = append(ts, st.Transitions...)
	}
	return append(ts, p.AnyStage...)
}
