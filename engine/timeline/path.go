package timeline

import "github.com/safeguarding-partnerships/escalation/engine"

// Rung is one stage of the ladder as a case that is never resolved climbs
// it: how it gets there, what it owes there, the acts it does there and the
// way it leaves. It says nothing about dates; WorstCase gives them.
type Rung struct {
	Stage *engine.Stage
	// Via is the transition that brings the case to the stage: nil for the
	// start stage.
	Via *engine.Transition
	// Exit is the stage's first way up the ladder (see Ladder); nil on the
	// last rung, which the case leaves only for an outcome.
	Exit *engine.Transition
	// Owed are the obligations owed on the way up, in the policy's order:
	// those counting from the stage or the raise, and those counting from a
	// milestone that the way up sets.
	Owed []*engine.Obligation
	// OnlyIf are the obligations that count from a milestone the way up
	// never sets (such as an agreement), in the policy's order: a case that
	// stays unresolved never owes them, so they never lengthen its wait.
	OnlyIf []*engine.Obligation
	// Acts are the events the case fires at the stage before it leaves, in
	// the order their causes allow.
	Acts []Act
}

// Act is an event fired on the way up, by a transition that keeps the case
// at its stage.
type Act struct {
	Transition *engine.Transition
	// Meets is the obligation the act is done for, at the last minute its
	// deadline allows; nil for an act the way out needs (a milestone its
	// duties count from, or an obligation it requires), which is done at the
	// last minute the stage's other deadlines allow.
	Meets *engine.Obligation
}

// Branch is a stage the ladder never climbs to: it is reached only by the
// transitions in Via, such as an any_stage route taken on immediate risk.
type Branch struct {
	Stage *engine.Stage
	Via   []*engine.Transition
}

// Ladder returns the way a case that is never resolved climbs the policy:
// from the start stage, each stage is left by its first transition to a
// later stage (in the policy's stage order) that has no condition, or, if
// every one has a condition, by the first of them. The last rung has none.
// Stages the climb never reaches are returned as branches, in the policy's
// order, with the transitions that lead to them.
//
// At each rung the case does every duty it owes, in the last minute the
// duty allows: an act is the first transition that keeps the case at the
// stage and meets an owed obligation with a timescale. The milestones such
// acts set make the obligations counting from them owed too. The way out
// also needs the milestones that the obligations it meets or requires count
// from, and the obligations it requires to be met: the first transition
// that sets such a milestone, or meets such an obligation, is an act.
// Whatever still counts from a milestone that nothing on the way sets is
// owed only if that milestone happens: a duty that follows an agreement is
// never owed by a case that stays unresolved.
func Ladder(p *engine.Policy) ([]Rung, []Branch) {
	var rungs []Rung
	climbed := make(map[*engine.Stage]bool, len(p.Stages))
	set := map[*engine.Milestone]bool{}
	var via *engine.Transition
	for st := p.Start; st != nil && !climbed[st]; {
		climbed[st] = true
		r := Rung{Stage: st, Via: via, Exit: exit(st)}
		for m := range set {
			if m.PerVisit {
				delete(set, m) // entering a stage clears them
			}
		}
		if via != nil {
			for _, m := range via.Sets {
				set[m] = true
			}
		}
		r.climb(p, set)
		rungs = append(rungs, r)
		if r.Exit == nil {
			break
		}
		via, st = r.Exit, r.Exit.ToStage
	}
	var branches []Branch
	for _, st := range p.Stages {
		if climbed[st] {
			continue
		}
		b := Branch{Stage: st}
		for _, t := range allTransitions(p) {
			if t.ToStage == st {
				b.Via = append(b.Via, t)
			}
		}
		branches = append(branches, b)
	}
	return rungs, branches
}

// exit is the stage's first way up: the first transition to a later stage
// without a condition, else the first with one.
func exit(st *engine.Stage) *engine.Transition {
	var guarded *engine.Transition
	for _, t := range st.Transitions {
		if t.ToStage == nil || t.ToStage.Index <= st.Index {
			continue
		}
		if t.When == nil {
			return t
		}
		if guarded == nil {
			guarded = t
		}
	}
	return guarded
}

// climb works out what the rung owes and the acts it does, given the
// milestones already set (which it extends with those its acts set).
func (r *Rung) climb(p *engine.Policy, set map[*engine.Milestone]bool) {
	st := r.Stage
	owed := map[*engine.Obligation]bool{}
	acted := map[*engine.Transition]bool{}
	anchored := func(ob *engine.Obligation) bool {
		return ob.From.Kind != engine.AnchorMilestone || set[ob.From.Milestone]
	}
	act := func(t *engine.Transition, meets *engine.Obligation) {
		if t == nil || acted[t] {
			return
		}
		acted[t] = true
		r.Acts = append(r.Acts, Act{Transition: t, Meets: meets})
		for _, m := range t.Sets {
			set[m] = true
		}
	}
	// Each pass does the duties whose anchors are known; an act may set a
	// milestone that anchors more, so repeat until nothing changes.
	settle := func() {
		for changed := true; changed; {
			changed = false
			for _, ob := range st.Obligations {
				if owed[ob] || !anchored(ob) {
					continue
				}
				owed[ob], changed = true, true
				if ob.HasDeadline {
					act(stay(p, st, func(t *engine.Transition) bool { return meets(t, ob) }), ob)
				}
			}
		}
	}
	settle()
	if r.Exit != nil {
		for _, ob := range append(append([]*engine.Obligation(nil), r.Exit.Completes...), r.Exit.Requires...) {
			if !anchored(ob) {
				m := ob.From.Milestone
				act(stay(p, st, func(t *engine.Transition) bool { return sets(t, m) }), nil)
				settle()
			}
		}
		for _, ob := range r.Exit.Requires {
			if !metByAct(r.Acts, ob) {
				act(stay(p, st, func(t *engine.Transition) bool { return meets(t, ob) }), nil)
			}
		}
		settle()
	}
	for _, ob := range st.Obligations {
		if owed[ob] {
			r.Owed = append(r.Owed, ob)
		} else {
			r.OnlyIf = append(r.OnlyIf, ob)
		}
	}
}

// stay is the first transition that keeps the case at stage st (its own,
// then any_stage ones that apply there) and satisfies ok.
func stay(p *engine.Policy, st *engine.Stage, ok func(*engine.Transition) bool) *engine.Transition {
	for _, t := range st.Transitions {
		if t.ToStage == nil && t.ToOutcome == nil && ok(t) {
			return t
		}
	}
	for _, t := range p.AnyStage {
		if t.ToStage == nil && t.ToOutcome == nil && t.AppliesIn(st) && ok(t) {
			return t
		}
	}
	return nil
}

func meets(t *engine.Transition, ob *engine.Obligation) bool {
	for _, c := range t.Completes {
		if c.ID == ob.ID {
			return true
		}
	}
	return false
}

func sets(t *engine.Transition, m *engine.Milestone) bool {
	for _, s := range t.Sets {
		if s == m {
			return true
		}
	}
	return false
}

func metByAct(acts []Act, ob *engine.Obligation) bool {
	for _, a := range acts {
		if meets(a.Transition, ob) {
			return true
		}
	}
	return false
}

func allTransitions(p *engine.Policy) []*engine.Transition {
	var ts []*engine.Transition
	for _, st := range p.Stages {
		ts = append(ts, st.Transitions...)
	}
	return append(ts, p.AnyStage...)
}
