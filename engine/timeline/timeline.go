package timeline

import (
	"context"
	"fmt"
	"slices"
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
	// Outcomes are the outcomes that owe duties, each as if the case reached
	// it when the ladder ends (the last rung's Left).
	Outcomes []Outcome
}

// Outcome is an outcome that owes duties, and when they fall due.
type Outcome struct {
	Outcome   *engine.Outcome
	Reached   time.Time
	Deadlines []Deadline
	Untimed   []*engine.Obligation
	ByCase    []*engine.Obligation
	NotOwed   []*engine.Obligation
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
	// ByCase are the owed obligations whose deadline counts only from a
	// date the case gives (a date fact), which the case has not given: they
	// cannot be dated.
	ByCase []*engine.Obligation
	// NotOwed are the obligations whose condition (when:) does not hold for
	// the case's facts.
	NotOwed []*engine.Obligation
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
	// Sooner is the obligation's whichever_sooner deadline that applies, being
	// the earliest; nil when its own does.
	Sooner *engine.Alternative
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
	// Fact is the date fact, when Kind is AnchorFact; EndOf says the duty is
	// due by the end of that date (whichever_sooner's by:), not counted from it.
	Fact  *engine.Fact
	EndOf bool
	// Outcome is set when the deadline counts from reaching the outcome
	// that owes the duty (Kind is AnchorStage).
	Outcome *engine.Outcome
}

// String says what the deadline counts from, in words.
func (f From) String() string {
	switch f.Kind {
	case engine.AnchorFact:
		if f.EndOf {
			return fmt.Sprintf("by the end of the date in %s", f.Fact.ID)
		}
		return fmt.Sprintf("from the date in %s", f.Fact.ID)
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
	if f.Outcome != nil {
		return "from reaching the outcome"
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
	for _, oc := range p.Outcomes {
		if len(oc.Obligations) == 0 {
			continue
		}
		out, err := w.outcome(oc, at)
		if err != nil {
			return nil, err
		}
		s.Outcomes = append(s.Outcomes, out)
	}
	return s, nil
}

// outcome schedules the duties outcome oc owes, reached at reached.
func (w *walk) outcome(oc *engine.Outcome, reached time.Time) (Outcome, error) {
	w.enter()
	out := Outcome{Outcome: oc, Reached: reached}
	owed, notOwed, err := w.owed(oc.Obligations, reached)
	if err != nil {
		return Outcome{}, err
	}
	out.NotOwed = notOwed
	for _, ob := range owed {
		d, ok, err := w.deadline(ob, reached)
		switch {
		case err != nil:
			return Outcome{}, err
		case ok:
			out.Deadlines = append(out.Deadlines, d)
		case !ob.HasDeadline:
			out.Untimed = append(out.Untimed, ob)
		case ob.From.Kind == engine.AnchorFact:
			out.ByCase = append(out.ByCase, ob)
		}
	}
	return out, nil
}

// enter clears the per-visit milestones, as entering a stage or an outcome
// does in the engine.
func (w *walk) enter() {
	for m := range w.set {
		if m.PerVisit {
			delete(w.set, m)
		}
	}
}

// owed splits obligations into those owed and those whose condition does
// not hold for the case's facts and the milestones set so far, at a stage
// or outcome entered at entered.
func (w *walk) owed(obs []*engine.Obligation, entered time.Time) (owed, notOwed []*engine.Obligation, err error) {
	var milestones map[string]time.Time
	for _, ob := range obs {
		if ob.When == nil {
			owed = append(owed, ob)
			continue
		}
		if milestones == nil {
			milestones = make(map[string]time.Time, len(w.set))
			for m, s := range w.set {
				milestones[m.ID] = s.at
			}
		}
		ok, err := w.p.Owes(context.Background(), ob, w.facts, milestones, w.raised, entered)
		if err != nil {
			return nil, nil, fmt.Errorf("timeline: %s, obligation %s: %w", where(ob), ob.ID, err)
		}
		if ok {
			owed = append(owed, ob)
		} else {
			notOwed = append(notOwed, ob)
		}
	}
	return owed, notOwed, nil
}

// where names an obligation's stage or outcome in an error.
func where(ob *engine.Obligation) string {
	if ob.Outcome != nil {
		return "outcome " + ob.Outcome.ID
	}
	return "stage " + ob.Stage.ID
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
	w.enter()
	if r.Via != nil {
		w.mark(r.Via.Sets, setting{at: entered, stage: r.Stage})
	}
	owedHere, notOwed, err := w.owed(r.Owed, entered)
	if err != nil {
		return Stage{}, err
	}
	st.NotOwed = notOwed
	owed := map[*engine.Obligation]bool{}
	for _, ob := range owedHere {
		owed[ob] = true
		if !ob.HasDeadline {
			st.Untimed = append(st.Untimed, ob)
		}
	}
	done := map[*engine.Obligation]*Deadline{}
	// fix computes every owed deadline whose anchor is now known.
	fix := func() error {
		for _, ob := range owedHere {
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
		if onlyNotOwed(a.Transition, notOwed) {
			continue // it would meet only duties not owed, and record nothing new
		}
		at := lastMinute(fixed(owedHere, done), entered)
		if a.Meets != nil {
			d := done[a.Meets]
			switch {
			case d == nil && (!owed[a.Meets] || a.Meets.From.Kind == engine.AnchorFact):
				continue // not owed here, or counted from a date the case has not given: never done
			case d == nil:
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
	st.Deadlines = fixed(owedHere, done)
	for _, ob := range owedHere {
		if ob.HasDeadline && done[ob] == nil && ob.From.Kind == engine.AnchorFact {
			st.ByCase = append(st.ByCase, ob)
		}
	}
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

// onlyNotOwed reports whether transition t meets only obligations in
// notOwed, and sets no milestone.
func onlyNotOwed(t *engine.Transition, notOwed []*engine.Obligation) bool {
	if len(t.Completes) == 0 || len(t.Sets) > 0 {
		return false
	}
	for _, ob := range t.Completes {
		if !slices.Contains(notOwed, ob) {
			return false
		}
	}
	return true
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

// deadline is obligation ob's deadline, or false while none of its anchors
// is known: the earliest of its own deadline and its whichever_sooner ones,
// as the engine counts them. A date the case gives is known only from the
// facts given with WithFacts.
func (w *walk) deadline(ob *engine.Obligation, entered time.Time) (Deadline, bool, error) {
	var best Deadline
	found := false
	take := func(d Deadline) {
		if !found || d.Due.Before(best.Due) {
			best, found = d, true
		}
	}
	if anchor, from, ok := w.anchor(ob.From, entered); ok && ob.HasDeadline {
		within, expedited := ob.Within, false
		if w.facts != nil {
			var err error
			within, expedited, err = w.p.Timescale(context.Background(), ob, w.facts, w.raised, anchor)
			if err != nil {
				return Deadline{}, false, fmt.Errorf("timeline: %s, obligation %s: %w", where(ob), ob.ID, err)
			}
		}
		dl, err := w.p.Calendar().Deadline(anchor, within)
		if err != nil {
			return Deadline{}, false, fmt.Errorf("timeline: %s, obligation %s: %w", where(ob), ob.ID, err)
		}
		take(Deadline{Obligation: ob, From: from, Expedited: expedited, Deadline: dl})
	}
	for _, alt := range ob.Sooner {
		if alt.By != nil {
			if d, ok := w.date(alt.By); ok {
				due := d.AddDays(1).Start()
				take(Deadline{Obligation: ob, From: From{Kind: engine.AnchorFact, Fact: alt.By, EndOf: true}, Sooner: alt,
					Deadline: calendar.Deadline{Trigger: d.Start(), Due: due, DueDate: d}})
			}
			continue
		}
		anchor, from, ok := w.anchor(alt.From, entered)
		if !ok {
			continue
		}
		dl, err := w.p.Calendar().Deadline(anchor, alt.Within)
		if err != nil {
			return Deadline{}, false, fmt.Errorf("timeline: %s, obligation %s: %w", where(ob), ob.ID, err)
		}
		take(Deadline{Obligation: ob, From: from, Sooner: alt, Deadline: dl})
	}
	if best.From.Kind == engine.AnchorStage {
		best.From.Outcome = ob.Outcome
	}
	return best, found, nil
}

// anchor is the instant a deadline counts from, if it is known yet.
func (w *walk) anchor(a engine.Anchor, entered time.Time) (time.Time, From, bool) {
	from := From{Kind: a.Kind, Milestone: a.Milestone, Fact: a.Fact}
	switch a.Kind {
	case engine.AnchorRaised:
		return w.raised, from, true
	case engine.AnchorMilestone:
		s, ok := w.set[a.Milestone]
		if !ok {
			return time.Time{}, from, false
		}
		from.SetBy, from.By = s.stage, s.by
		return s.at, from, true
	case engine.AnchorFact:
		d, ok := w.date(a.Fact)
		return d.Start(), from, ok
	}
	return entered, from, true
}

// date is a date fact's value among the facts given with WithFacts.
func (w *walk) date(f *engine.Fact) (calendar.Date, bool) {
	v, ok := w.facts[f.ID]
	if !ok {
		return calendar.Date{}, false
	}
	var d calendar.Date
	switch x := v.(type) {
	case calendar.Date:
		d = x
	case string:
		var err error
		if d, err = calendar.ParseDate(x); err != nil {
			return calendar.Date{}, false
		}
	case time.Time:
		d = calendar.DateOf(x)
	}
	return d, !d.IsZero()
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
