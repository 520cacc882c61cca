package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// What a case owes, and by when, is decided at three moments: when it
// enters a place (a stage, or the outcome it reaches), when an event sets a
// milestone, and when an event changes its facts. At each, every deadline
// whose anchor has just occurred is counted, and a duty is due at the
// earliest of its deadlines known so far; a deadline is only ever brought
// forward. A duty with a condition is owed while the condition holds, except
// that one already met is never taken away.

// place is where a case is: a stage, or the outcome it has reached.
type place struct {
	stage   *Stage
	outcome *Outcome
}

// placeOf returns the case's place under the policy.
func (p *Policy) placeOf(h *Head) (place, error) {
	if h.Outcome != "" { // h.Closed(), without copying the head
		o, ok := p.outcomes[h.Outcome]
		if !ok {
			return place{}, fmt.Errorf("%w: case %s reached outcome %q, which policy %s version %s does not have",
				ErrPolicyMismatch, h.ID, h.Outcome, p.ID, p.Version)
		}
		return place{outcome: o}, nil
	}
	s, err := p.caseStage(h)
	return place{stage: s}, err
}

// String names the place in messages: `stage "x"` or `outcome "y"`.
func (pl place) String() string {
	if pl.outcome != nil {
		return "outcome " + strconv.Quote(pl.outcome.ID)
	}
	return "stage " + strconv.Quote(pl.stage.ID)
}

// named names the place in words: "stage x" or "outcome y".
func (pl place) named() string {
	if pl.outcome != nil {
		return "outcome " + pl.outcome.ID
	}
	return "stage " + pl.stage.ID
}

// none reports whether the place is empty: a transition's destination when
// it stays where it is.
func (pl place) none() bool { return pl.stage == nil && pl.outcome == nil }

// id is the place's stage or outcome id.
func (pl place) id() string {
	if pl.outcome != nil {
		return pl.outcome.ID
	}
	return pl.stage.ID
}

// obligations are the duties the place may owe, in the policy's order
// (none for no place).
func (pl place) obligations() []*Obligation {
	switch {
	case pl.outcome != nil:
		return pl.outcome.Obligations
	case pl.stage != nil:
		return pl.stage.Obligations
	}
	return nil
}

// obligation finds one of the place's duties by id.
func (pl place) obligation(id string) (*Obligation, bool) {
	if pl.stage != nil {
		return pl.stage.Obligation(id)
	}
	for _, ob := range pl.outcome.Obligations {
		if ob.ID == id {
			return ob, true
		}
	}
	return nil, false
}

// transitions are the transitions that may fire at the place: a stage's
// own, then the any_stage ones (which choose narrows to those that apply);
// an outcome's own.
func (p *Policy) transitions(pl place) [2][]*Transition {
	if pl.outcome != nil {
		return [2][]*Transition{pl.outcome.Transitions}
	}
	return [2][]*Transition{pl.stage.Transitions, p.AnyStage}
}

// trigger says which anchors have just occurred.
type trigger struct {
	entered    bool           // the place was entered: every anchor that has happened counts
	milestones []*Milestone   // milestones the event set
	facts      map[string]any // facts the event changed
}

// fires reports whether the trigger makes a deadline counted from a count.
func (tr *trigger) fires(a Anchor) bool {
	switch {
	case tr.entered:
		return true
	case a.Kind == AnchorMilestone:
		return slices.Contains(tr.milestones, a.Milestone)
	case a.Kind == AnchorFact:
		_, ok := tr.facts[a.Fact.ID]
		return ok
	}
	return false
}

// enter moves the case into a place at time at and starts the duties it
// owes there, in a slice of their own: owed, when the caller has made room
// for every duty of the place, or a new one.
func (p *Policy) enter(ctx context.Context, h *Head, pl place, at time.Time, act *activation, owed []ObligationState) error {
	if pl.outcome != nil {
		h.Stage, h.Outcome = "", pl.outcome.ID
	} else {
		h.Stage = pl.stage.ID
	}
	h.Entered = at
	act.stage, act.entered = h.Stage, at
	obs := pl.obligations()
	if owed == nil && len(obs) > 0 {
		owed = make([]ObligationState, len(obs))
	}
	owed = owed[:0]
	tr := trigger{entered: true}
	for _, ob := range obs {
		if ob.When != nil {
			holds, err := p.condition(ctx, ob, act)
			if err != nil {
				return err
			}
			if !holds {
				continue
			}
		}
		owed = owed[:len(owed)+1] // made zeroed, with room for every duty
		o := &owed[len(owed)-1]
		o.ID = ob.ID
		if err := p.fix(ctx, h, o, ob, &tr, act); err != nil {
			return err
		}
	}
	h.Obligations, act.obligations = owed, owed
	return nil
}

// condition evaluates a duty's condition.
func (p *Policy) condition(ctx context.Context, ob *Obligation, act *activation) (bool, error) {
	holds, err := ob.When.Eval(ctx, act)
	if err != nil {
		return false, fmt.Errorf("obligation %s: condition %s: %w", ob.ID, ob.When.Text, err)
	}
	return holds, nil
}

// anchorTime is the instant a deadline counts from, if it has happened: a
// date fact counts as an event at the start of its day.
func anchorTime(h *Head, a Anchor) (time.Time, bool) {
	switch a.Kind {
	case AnchorStage:
		return h.Entered, true
	case AnchorRaised:
		return h.Raised, true
	case AnchorMilestone:
		t, ok := h.Milestones[a.Milestone.ID]
		return t, ok
	case AnchorFact:
		d, ok := h.dateFact(a.Fact.ID)
		return d.Start(), ok
	}
	return h.Entered, true
}

// dateFact returns a date fact's value, if the case has one.
func (h *Head) dateFact(id string) (calendar.Date, bool) {
	s, ok := canonicalDate(h.Facts[id])
	if !ok {
		return calendar.Date{}, false
	}
	d, err := calendar.ParseDate(s)
	return d, err == nil
}

// fix counts the deadlines of an obligation whose anchors the trigger makes
// happen, and keeps the earliest.
func (p *Policy) fix(ctx context.Context, h *Head, o *ObligationState, ob *Obligation, tr *trigger, act *activation) error {
	if tr.fires(ob.From) {
		if err := p.fixOwn(ctx, h, o, ob, act); err != nil {
			return err
		}
	}
	for _, alt := range ob.Sooner {
		if alt.By != nil {
			if d, ok := h.dateFact(alt.By.ID); ok && tr.fires(Anchor{Kind: AnchorFact, Fact: alt.By}) {
				o.sooner(d.Start(), d.AddDays(1).Start(), calendar.Within{}, false, true)
			}
			continue
		}
		anchor, ok := anchorTime(h, alt.From)
		if !ok || !tr.fires(alt.From) {
			continue
		}
		due, err := p.calendar.Due(anchor, alt.Within)
		if err != nil {
			return fmt.Errorf("obligation %s: %w", ob.ID, err)
		}
		o.sooner(anchor, due, alt.Within, false, false)
	}
	return nil
}

// fixOwn counts the obligation's own deadline, if its anchor has happened,
// applying the expedited timescale if its condition holds now.
func (p *Policy) fixOwn(ctx context.Context, h *Head, o *ObligationState, ob *Obligation, act *activation) error {
	anchor, ok := anchorTime(h, ob.From)
	switch {
	case !ok:
		return nil
	case !ob.HasDeadline:
		if o.Anchor.IsZero() {
			o.Anchor = anchor
		}
		return nil
	}
	w, expedited, err := timescale(ctx, ob, act)
	if err != nil {
		return err
	}
	due, err := p.calendar.Due(anchor, w)
	if err != nil {
		return fmt.Errorf("obligation %s: %w", ob.ID, err)
	}
	o.sooner(anchor, due, w, expedited, false)
	return nil
}

// sooner takes a deadline when the obligation has none yet or it is earlier
// than the one it has: a deadline never moves later.
func (o *ObligationState) sooner(anchor, due time.Time, w calendar.Within, expedited, byDate bool) {
	if !o.Due.IsZero() && !due.Before(o.Due) {
		return
	}
	o.Anchor, o.Due, o.Within, o.Expedited, o.ByDate = anchor, due, w, expedited, byDate
}

// refresh brings what the place owes up to date after an event set
// milestones or changed facts (fire calls it only then): each duty's condition is decided again (a
// duty is added when it turns true, and a pending one removed when it turns
// false), and deadlines counted from what just happened are fixed. h's
// obligations must be its own: they are changed in place.
func (p *Policy) refresh(ctx context.Context, h *Head, pl place, tr *trigger, act *activation) error {
	for _, ob := range pl.obligations() {
		i := slices.IndexFunc(h.Obligations, func(o ObligationState) bool { return o.ID == ob.ID })
		if ob.When != nil {
			holds, err := p.condition(ctx, ob, act)
			if err != nil {
				return err
			}
			switch {
			case holds && i < 0:
				o := ObligationState{ID: ob.ID}
				if err := p.fix(ctx, h, &o, ob, &trigger{entered: true}, act); err != nil {
					return err
				}
				h.Obligations = p.insert(pl, h.Obligations, o)
				act.obligations = h.Obligations
				continue
			case !holds && i >= 0 && h.Obligations[i].open():
				h.Obligations = slices.Delete(h.Obligations, i, i+1)
				act.obligations = h.Obligations
				continue
			}
		}
		if i >= 0 {
			if err := p.fix(ctx, h, &h.Obligations[i], ob, tr, act); err != nil {
				return err
			}
		}
	}
	return nil
}

// insert adds a duty to the owed list, keeping the policy's order, in a
// slice of its own.
func (p *Policy) insert(pl place, owed []ObligationState, o ObligationState) []ObligationState {
	order := func(id string) int {
		return slices.IndexFunc(pl.obligations(), func(ob *Obligation) bool { return ob.ID == id })
	}
	at := order(o.ID)
	i := slices.IndexFunc(owed, func(x ObligationState) bool { return order(x.ID) > at })
	if i < 0 {
		i = len(owed)
	}
	return slices.Insert(slices.Clip(owed), i, o)
}

// reacts reports whether a change of facts can change what the place owes.
func (pl place) reacts() bool {
	if pl.outcome != nil {
		return pl.outcome.reacts
	}
	return pl.stage.reacts
}

// setMilestones records the milestones a transition sets (each once: a
// milestone keeps the first time it happened in the case, or for a
// per-visit one in the visit) and returns those it set. A transition that
// moves the case first clears the per-visit milestones: those it sets belong
// to the visit it starts.
func (p *Policy) setMilestones(h *Head, t *Transition, at time.Time, act *activation) []*Milestone {
	moves := t.ToStage != nil || t.ToOutcome != nil
	clear := moves && p.perVisit && slices.ContainsFunc(p.Milestones, func(m *Milestone) bool {
		_, set := h.Milestones[m.ID]
		return m.PerVisit && set
	})
	if len(t.Sets) == 0 && !clear {
		return nil
	}
	ms := maps.Clone(h.Milestones)
	if ms == nil {
		ms = make(map[string]time.Time, len(t.Sets))
	}
	if clear {
		for _, m := range p.Milestones {
			if m.PerVisit {
				delete(ms, m.ID)
			}
		}
	}
	h.Milestones = ms
	act.milestones = ms
	fresh := !slices.ContainsFunc(t.Sets, func(m *Milestone) bool { _, done := ms[m.ID]; return done })
	if fresh { // the common case: every one is set now, and t.Sets says which
		for _, m := range t.Sets {
			ms[m.ID] = at
		}
		return t.Sets
	}
	var set []*Milestone
	for _, m := range t.Sets {
		if _, done := ms[m.ID]; !done {
			ms[m.ID] = at
			set = append(set, m)
		}
	}
	return set
}
