package timeline

import (
	"context"
	"fmt"
	"sort"
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
	// Facts are the case's facts given with WithFacts, or nil.
	Facts map[string]any
	// Stages is the ladder, in the order the case climbs it (see Ladder).
	Stages []Stage
	// Branches are the stages the ladder never climbs to, such as one that
	// only an any_stage route reaches: their dates depend on when the route
	// is taken, so they have none.
	Branches []Branch
}

// Stage is one rung of the schedule.
type Stage struct {
	Stage *engine.Stage
	// Via is the transition that brought the case here; nil for the start.
	Via     *engine.Transition
	Entered time.Time
	// Deadlines are the obligations owed on the way up that state a
	// timescale: first those counting from the stage or the raise, in the
	// policy's order, then those counting from a milestone, in the order the
	// milestones occur.
	Deadlines []Deadline
	// Untimed are the owed obligations that state no timescale.
	Untimed []*engine.Obligation
	// OnlyIf are the obligations owed only once a milestone that a case
	// which stays unresolved never reaches (such as an agreement): they do
	// not lengthen the wait.
	OnlyIf []*engine.Obligation
	// Acts are the events fired at the stage, in time order.
	Acts []TimedAct
	// Exit is the transition the case leaves by, at Left; nil on the last
	// rung, where Left is the last minute its deadlines allow.
	Exit *engine.Transition
	Left time.Time
}

// TimedAct is an act of the ladder (see Rung) with the instant it is fired.
type TimedAct struct {
	Act
	At time.Time
}

// Note is NoTimescale when no owed obligation of the stage states a
// timescale (so the next stage is entered at once), and "" otherwise.
func (s Stage) Note() string {
	if len(s.Deadlines) == 0 {
		return NoTimescale
	}
	return ""
}

// Latest is the stage's latest deadline, or nil when it has none.
func (s Stage) Latest() *Deadline {
	return latest(s.Deadlines)
}

func latest(ds []Deadline) *Deadline {
	var l *Deadline
	for i := range ds {
		if d := &ds[i]; l == nil || d.Due.After(l.Due) {
			l = d
		}
	}
	return l
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
	// SetBy is the stage where the milestone was set, on entering it (By is
	// nil) or by the act By.
	SetBy *engine.Stage
	By    *Act
}

// String says what the deadline counts from, in words.
func (f From) String() string {
	switch f.Kind {
	case engine.AnchorRaised:
		return "from the case being raised"
	case engine.AnchorMilestone:
		switch {
		case f.By == nil:
			return fmt.Sprintf("from milestone %s, set on entering %s", f.Milestone.ID, f.SetBy.ID)
		case f.By.Meets != nil:
			return fmt.Sprintf("from milestone %s, set by %s in the last minute %s allows", f.Milestone.ID, f.By.Transition.Event, f.By.Meets.ID)
		}
		return fmt.Sprintf("from milestone %s, set by %s in the last minute the other deadlines allow", f.Milestone.ID, f.By.Transition.Event)
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
// resolved: it climbs the Ladder, does each duty it owes in the last minute
// the duty allows, and leaves each stage in the last minute its deadlines
// allow. The engine, given the same events at the same times, shows the same
// deadlines.
func WorstCase(p *engine.Policy, raised time.Time, opts ...Option) (*Schedule, error) {
	if raised.IsZero() {
		return nil, fmt.Errorf("timeline: no raised time given: give the instant the case is raised")
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	rungs, branches := Ladder(p)
	s := &Schedule{Policy: p, Raised: raised, Facts: o.facts, Stages: make([]Stage, 0, len(rungs)), Branches: branches}
	w := walk{p: p, raised: raised, facts: o.facts, set: map[*engine.Milestone]setting{}}
	at := raised
	for i := range rungs {
		st, err := w.stage(&rungs[i], at)
		if err != nil {
			return nil, err
		}
		s.Stages = append(s.Stages, st)
		at = st.Left
	}
	return s, nil
}

// walk carries what the climb has done so far.
type walk struct {
	p      *engine.Policy
	raised time.Time
	facts  map[string]any
	set    map[*engine.Milestone]setting
}

// setting is when and how a milestone was first set.
type setting struct {
	at    time.Time
	stage *engine.Stage
	by    *Act
}

// stage schedules rung r entered at entered.
func (w *walk) stage(r *Rung, entered time.Time) (Stage, error) {
	st := Stage{Stage: r.Stage, Via: r.Via, Entered: entered, OnlyIf: r.OnlyIf, Exit: r.Exit}
	if r.Via != nil {
		w.mark(r.Via.Sets, setting{at: entered, stage: r.Stage})
	}
	owed := map[*engine.Obligation]bool{}
	for _, ob := range r.Owed {
		owed[ob] = true
		if !ob.HasDeadline {
			st.Untimed = append(st.Untimed, ob)
		}
	}
	done := map[*engine.Obligation]*Deadline{}
	// fix computes every owed deadline whose anchor is now known.
	fix := func() error {
		for _, ob := range r.Owed {
			if !ob.HasDeadline || done[ob] != nil {
				continue
			}
			d, ok, err := w.deadline(ob, entered)
			if err != nil {
				return err
			}
			if ok {
				done[ob] = &d
			}
		}
		return nil
	}
	if err := fix(); err != nil {
		return Stage{}, err
	}
	for i := range r.Acts {
		a := &r.Acts[i]
		at := lastMinute(fixed(r.Owed, done), entered)
		if a.Meets != nil {
			d := done[a.Meets]
			if d == nil {
				return Stage{}, fmt.Errorf("timeline: stage %s: %s is done for %s before its deadline is known", r.Stage.ID, a.Transition.Event, a.Meets.ID)
			}
			at = lastMinute([]Deadline{*d}, entered)
		}
		st.Acts = append(st.Acts, TimedAct{Act: *a, At: at})
		w.mark(a.Transition.Sets, setting{at: at, stage: r.Stage, by: a})
		if err := fix(); err != nil {
			return Stage{}, err
		}
	}
	st.Deadlines = fixed(r.Owed, done)
	sort.SliceStable(st.Deadlines, func(i, j int) bool {
		return anchorOrder(st.Deadlines[i], entered).Before(anchorOrder(st.Deadlines[j], entered))
	})
	sort.SliceStable(st.Acts, func(i, j int) bool { return st.Acts[i].At.Before(st.Acts[j].At) })
	st.Left = lastMinute(st.Deadlines, entered)
	if n := len(st.Acts); n > 0 && st.Acts[n-1].At.After(st.Left) {
		st.Left = st.Acts[n-1].At
	}
	return st, nil
}

// anchorOrder places a deadline: those counting from the stage or the raise
// as if from the stage's start, those from a milestone when it was set.
func anchorOrder(d Deadline, entered time.Time) time.Time {
	if d.From.Kind == engine.AnchorMilestone {
		return d.Trigger
	}
	return entered
}

// mark records milestones set at s.at, each only the first time, as the
// engine does.
func (w *walk) mark(ms []*engine.Milestone, s setting) {
	for _, m := range ms {
		if _, ok := w.set[m]; !ok {
			w.set[m] = s
		}
	}
}

// deadline is obligation ob's deadline, or false while its milestone is unset.
func (w *walk) deadline(ob *engine.Obligation, entered time.Time) (Deadline, bool, error) {
	from := From{Kind: ob.From.Kind, Milestone: ob.From.Milestone}
	anchor := entered
	switch ob.From.Kind {
	case engine.AnchorRaised:
		anchor = w.raised
	case engine.AnchorMilestone:
		s, ok := w.set[ob.From.Milestone]
		if !ok {
			return Deadline{}, false, nil
		}
		from.SetBy, from.By, anchor = s.stage, s.by, s.at
	}
	within, expedited := ob.Within, false
	if w.facts != nil {
		var err error
		within, expedited, err = w.p.Timescale(context.Background(), ob, w.facts, w.raised, anchor)
		if err != nil {
			return Deadline{}, false, fmt.Errorf("timeline: stage %s, obligation %s: %w", ob.Stage.ID, ob.ID, err)
		}
	}
	dl, err := w.p.Calendar().Deadline(anchor, within)
	if err != nil {
		return Deadline{}, false, fmt.Errorf("timeline: stage %s, obligation %s: %w", ob.Stage.ID, ob.ID, err)
	}
	return Deadline{Obligation: ob, From: from, Expedited: expedited, Deadline: dl}, true, nil
}

// fixed lists the deadlines fixed so far, in the policy's order.
func fixed(owed []*engine.Obligation, done map[*engine.Obligation]*Deadline) []Deadline {
	var ds []Deadline
	for _, ob := range owed {
		if d := done[ob]; d != nil {
			ds = append(ds, *d)
		}
	}
	return ds
}

// lastMinute is the last minute the latest of ds allows, and never before
// the stage was entered.
func lastMinute(ds []Deadline, entered time.Time) time.Time {
	if l := latest(ds); l != nil {
		if t := l.Due.Add(-time.Minute); t.After(entered) {
			return t
		}
	}
	return entered
}
