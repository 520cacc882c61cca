package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Raise starts a case under the policy at its start stage, and returns its
// head and the first entry of its record: who raised it, in which role and
// agency, when, and with what facts. The start stage's obligations begin
// counting from r.At.
func (p *Policy) Raise(ctx context.Context, r Raise) (Head, *Entry, error) {
	return p.raise(ctx, r, nil)
}

// raise is Raise. Replay passes scratch, the entry to rebuild the record's
// first in; it replays an act already recorded, so it does not hold it to
// checks added since (see fire).
func (p *Policy) raise(ctx context.Context, r Raise, scratch *Entry) (Head, *Entry, error) {
	switch {
	case strings.TrimSpace(r.CaseID) == "":
		return Head{}, nil, &InputError{Path: "case_id", Message: "is required: the host's identifier for the case"}
	case strings.TrimSpace(r.Actor) == "":
		return Head{}, nil, &InputError{Path: "actor", Message: "is required: who is raising the case"}
	case r.At.IsZero():
		return Head{}, nil, &InputError{Path: "at", Message: "is required: when the case was raised"}
	}
	if err := p.knownRole(r.Role); err != nil {
		return Head{}, nil, err
	}
	updates, err := p.canonicalFacts(r.Facts, false)
	if err != nil {
		return Head{}, nil, err
	}
	forms, err := p.canonicalForms(r.Forms)
	if err != nil {
		return Head{}, nil, err
	}
	if scratch == nil {
		if err := p.formsBelong(forms, place{stage: p.Start}, place{}); err != nil {
			return Head{}, nil, err
		}
	}
	facts := p.initialFacts(updates)
	h := Head{
		Schema: CaseSchema, ID: r.CaseID, Policy: PolicyRef{ID: p.ID, Version: p.Version},
		Raised: r.At, Facts: facts, Forms: forms,
	}
	en, owed := scratch, []ObligationState(nil)
	if en == nil {
		en, owed = entryWith(len(p.Start.Obligations))
	}
	act := newActivation(activation{p: p, facts: facts, role: r.Role, actor: r.Actor, now: r.At, raised: r.At})
	defer act.release()
	if err := p.enter(ctx, &h, place{stage: p.Start}, r.At, act, owed); err != nil {
		return Head{}, nil, err
	}
	*en = Entry{
		Case: r.CaseID, At: r.At, Actor: r.Actor, Role: r.Role, Agency: r.Agency,
		Event: RaiseEvent, To: p.Start.ID, Facts: updates, Forms: forms, Note: r.Note,
	}
	p.seal(&h, en)
	return h, en, nil
}

// initialFacts are a new case's facts: each fact's default, then updates.
func (p *Policy) initialFacts(updates map[string]any) map[string]any {
	facts := make(map[string]any, len(p.Facts))
	for _, f := range p.Facts {
		if f.Default != nil {
			facts[f.ID] = f.Default
		}
	}
	maps.Copy(facts, updates)
	return facts
}

// Fire applies an event to a case and returns the case's next head and the
// one entry that records the event. The host appends the entry to the case's
// record and replaces the head, refusing the write if the stored head is no
// longer at h.Revision. Nothing Fire does depends on the record's length: it
// reads only the head. The head passed in is not changed. A refused event
// returns a *RefusedError (or another error that errors.Is matches to one of
// the Err* values) saying why.
func (p *Policy) Fire(ctx context.Context, h Head, ev Event) (Head, *Entry, error) {
	return p.fire(ctx, h, ev, nil)
}

// entryWith allocates an entry, and room for the n obligations of the
// place the act enters, in one piece: one allocation is cheaper than two.
// The obligations' slice is capped, so nothing written through it can reach
// the entry.
func entryWith(n int) (*Entry, []ObligationState) {
	switch n {
	case 0:
		return new(Entry), nil
	case 1:
		x := new(struct {
			Entry
			owed [1]ObligationState
		})
		return &x.Entry, x.owed[:]
	case 2:
		x := new(struct {
			Entry
			owed [2]ObligationState
		})
		return &x.Entry, x.owed[:]
	case 3:
		x := new(struct {
			Entry
			owed [3]ObligationState
		})
		return &x.Entry, x.owed[:]
	case 4:
		x := new(struct {
			Entry
			owed [4]ObligationState
		})
		return &x.Entry, x.owed[:]
	}
	return new(Entry), make([]ObligationState, n)
}

// fire is Fire. Replay passes scratch, the entry to rebuild the recorded one
// in: it gives h up (no one else holds it), so h's facts and obligations are
// changed in place, not copied; and it replays acts already recorded, so it
// does not hold them to checks added since (form data for another stage's
// form, which engines before schema 3 accepted).
func (p *Policy) fire(ctx context.Context, h Head, ev Event, scratch *Entry) (Head, *Entry, error) {
	owned := scratch != nil
	if err := p.ready(&h, &ev); err != nil {
		return Head{}, nil, err
	}
	pl, err := p.placeOf(&h)
	if err != nil {
		return Head{}, nil, err
	}
	updates, err := p.canonicalFacts(ev.Facts, owned)
	if err != nil {
		return Head{}, nil, err
	}
	formUpdates, err := p.canonicalForms(ev.Forms)
	if err != nil {
		return Head{}, nil, err
	}
	next := h
	if len(updates) > 0 {
		if !owned || next.Facts == nil {
			next.Facts = maps.Clone(h.Facts)
			if next.Facts == nil {
				next.Facts = make(map[string]any, len(updates))
			}
		}
		maps.Copy(next.Facts, updates)
	}
	if len(formUpdates) > 0 {
		next.Forms = mergeForms(h.Forms, formUpdates)
	}
	act := newActivation(activation{
		p: p, facts: next.Facts, role: ev.Role, actor: ev.Actor, stage: h.Stage,
		now: ev.At, raised: h.Raised, entered: h.Entered, milestones: h.Milestones, obligations: h.Obligations,
	})
	defer act.release()
	// A replayed act was accepted when it was recorded, and a record is
	// never rewritten; an act that brings data records something new.
	fresh := !owned && len(updates) == 0 && len(formUpdates) == 0
	t, refusal := p.choose(ctx, act, pl, ev.Name, next.Forms, fresh)
	if refusal != nil {
		return Head{}, nil, refusal
	}
	to := place{stage: t.ToStage, outcome: t.ToOutcome}
	if !owned {
		if err := p.formsBelong(formUpdates, pl, place{stage: t.ToStage}); err != nil {
			return Head{}, nil, err
		}
	}

	// Completing obligations, setting milestones and changing facts can
	// change what the visit owes, so the new head gets its own copy first:
	// firing twice on the same head can never corrupt either result. Moving
	// on needs no copy: the visit's obligations go as they are to the entry
	// that records it.
	reacts := len(updates) > 0 && pl.reacts()
	if !owned && (len(t.Completes) > 0 || len(t.Sets) > 0 || reacts) {
		next.Obligations = slices.Clone(h.Obligations)
	}
	act.obligations = next.Obligations
	t.meet(next.Obligations, ev.At)
	if set := p.setMilestones(&next, t, ev.At, act); len(set) > 0 || reacts {
		if err := p.refresh(ctx, &next, pl, &trigger{milestones: set, facts: updates}, act); err != nil {
			return Head{}, nil, err
		}
		// A duty the act's own facts made owed is met by it too, if it
		// completes it; those met before the refresh stay as they are.
		t.meet(next.Obligations, ev.At)
	}
	en, owed := scratch, []ObligationState(nil)
	if en == nil {
		en, owed = entryWith(len(to.obligations()))
	}
	*en = Entry{
		At: ev.At, Actor: ev.Actor, Role: ev.Role, Agency: ev.Agency, Event: ev.Name,
		From: pl.id(), Facts: updates, Forms: formUpdates, Note: ev.Note,
	}
	if t.When != nil {
		en.Guard = t.When.Text
	}
	if !to.none() {
		en.Left = next.Obligations
		if err := p.enter(ctx, &next, to, ev.At, act, owed); err != nil {
			return Head{}, nil, err
		}
		en.To = to.id()
	}
	p.seal(&next, en)
	return next, en, nil
}

// meet marks the open duties among obs that t completes as met at at.
func (t *Transition) meet(obs []ObligationState, at time.Time) {
	for _, ob := range t.Completes {
		for i := range obs {
			if o := &obs[i]; o.ID == ob.ID && o.open() {
				o.Met = at
			}
		}
	}
}

// closed refuses an event on a closed case, unless its outcome has a
// transition for it.
func (p *Policy) closed(h *Head, event string) error {
	o := p.outcomes[h.Outcome]
	if o != nil && slices.ContainsFunc(o.Transitions, func(t *Transition) bool { return t.Event == event }) {
		return nil
	}
	err := fmt.Errorf("%w: it reached outcome %q; raise a new case to take the matter further", ErrCaseClosed, h.Outcome)
	if o != nil && len(o.Transitions) > 0 {
		err = fmt.Errorf("%w (events after the outcome: %s)", err, strings.Join(p.eventNames(place{outcome: o}), ", "))
	}
	return err
}

// ready checks what must hold before any transition is considered.
func (p *Policy) ready(h *Head, ev *Event) error {
	if err := p.owns(h); err != nil {
		return err
	}
	if h.Outcome != "" { // closed: h.Closed(), without copying the head
		if err := p.closed(h, ev.Name); err != nil {
			return err
		}
	}
	switch {
	case ev.Revision != 0 && ev.Revision != h.Revision:
		return fmt.Errorf("%w: revision %d was expected, the case is at %d; read the case again", ErrStaleRevision, ev.Revision, h.Revision)
	case ev.At.IsZero():
		return &InputError{Path: "at", Message: "is required: when the event happened"}
	case strings.TrimSpace(ev.Actor) == "":
		return &InputError{Path: "actor", Message: "is required: who fired the event"}
	case h.Revision < 1 || h.Hash.IsZero():
		return &RecordError{Case: h.ID, How: HeadDiffers, Detail: "the head names no last entry of its record"}
	}
	if err := p.knownRole(ev.Role); err != nil {
		return err
	}
	if ev.At.Before(h.Last) {
		return fmt.Errorf("%w: %s is before %s", ErrTimeBeforeLastEvent, ev.At.Format(time.RFC3339), h.Last.Format(time.RFC3339))
	}
	return nil
}

// knownRole refuses a role the policy does not have as bad input, so a typo
// in a host's role mapping is not mistaken for a refusal by the procedure.
func (p *Policy) knownRole(role string) error {
	if _, ok := p.roles[role]; !ok {
		return &InputError{Path: "role", Message: fmt.Sprintf("%q is not a role of policy %s%s", role, p.ID, didYouMean(role, p.roleIDs()))}
	}
	return nil
}

// owns checks that the head is in this engine's schema and its case was
// raised under this policy version.
func (p *Policy) owns(h *Head) error {
	if err := emptyHead(h); err != nil {
		return err
	}
	if h.Schema != CaseSchema {
		return schemaError(h.ID, h.Schema)
	}
	if h.Policy.ID != p.ID || h.Policy.Version != p.Version {
		return fmt.Errorf("%w: case %s is on %s version %s, not %s version %s",
			ErrPolicyMismatch, h.ID, h.Policy.ID, h.Policy.Version, p.ID, p.Version)
	}
	return nil
}

func (p *Policy) caseStage(h *Head) (*Stage, error) {
	s, ok := p.stages[h.Stage]
	if !ok {
		return nil, fmt.Errorf("%w: case %s is at stage %q, which policy %s version %s does not have",
			ErrPolicyMismatch, h.ID, h.Stage, p.ID, p.Version)
	}
	return s, nil
}

// AppliesIn reports whether the transition can be fired in stage s: its own
// stage's, or an any_stage one that Only and Except allow there; never an
// outcome's.
func (t *Transition) AppliesIn(s *Stage) bool {
	switch {
	case t.At != nil:
		return false // an outcome's
	case t.From != nil:
		return t.From == s
	}
	if len(t.Only) > 0 && !containsStage(t.Only, s) {
		return false
	}
	return !containsStage(t.Except, s)
}

func containsStage(list []*Stage, s *Stage) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// choose finds the first transition for the event that the actor's role,
// the outstanding obligations, the forms and the guard all allow: the
// place's own transitions first, then (at a stage) the any_stage ones that
// apply there, in file order. Checks run cheapest first, and the guard last.
// For a fresh act (new, and bringing no data) a transition that would change
// nothing is refused.
func (p *Policy) choose(ctx context.Context, act *activation, pl place, event string, forms map[string]map[string]any, fresh bool) (*Transition, *RefusedError) {
	var refused *refusedWithRoom
	for _, ts := range p.transitions(pl) {
		for _, t := range ts {
			if t.Event != event || pl.stage != nil && !t.AppliesIn(pl.stage) {
				continue
			}
			r, ok := p.check(ctx, act, pl, t, forms, fresh)
			if ok {
				return t, nil
			}
			if refused == nil {
				refused = &refusedWithRoom{RefusedError: RefusedError{Event: event, Stage: pl.id()}}
				refused.Reasons = refused.room[:0]
			}
			refused.Reasons = append(refused.Reasons, r)
		}
	}
	if refused == nil {
		names := p.eventNames(pl)
		return nil, refuse(event, pl.id(), ErrUnknownEvent, nil, "events here: "+strings.Join(names, ", ")+didYouMean(event, names))
	}
	return nil, &refused.RefusedError
}

// refusedWithRoom is a refusal with room for the reasons most events have
// (one or two transitions of a name), so that refusing takes one allocation.
type refusedWithRoom struct {
	RefusedError
	room [2]Refusal
}

func (p *Policy) check(ctx context.Context, act *activation, pl place, t *Transition, forms map[string]map[string]any, fresh bool) (Refusal, bool) {
	if !t.permits(act.role) {
		return Refusal{Err: ErrRoleNotPermitted, Transition: t, Detail: fmt.Sprintf("%q may not; it is for %s", act.role, roleList(t.Roles))}, false
	}
	if fresh {
		if done, ok := t.doneAlready(act); ok {
			return Refusal{Err: ErrAlreadyMet, Transition: t, Detail: done}, false
		}
	}
	var outstanding []string
	for _, ob := range t.Requires {
		for i := range act.obligations {
			if o := &act.obligations[i]; o.ID == ob.ID && o.open() {
				outstanding = append(outstanding, ob.ID)
			}
		}
	}
	if len(outstanding) > 0 {
		return Refusal{Err: ErrObligationsOutstanding, Transition: t, Detail: strings.Join(outstanding, ", ")}, false
	}
	for _, f := range t.Forms {
		if missing := missingFields(f, pl.stage, forms[f.ID]); len(missing) > 0 {
			return Refusal{Err: ErrFormsIncomplete, Transition: t, Detail: f.ID + " needs " + strings.Join(missing, ", ")}, false
		}
	}
	if t.When != nil {
		ok, err := act.eval(ctx, t.When)
		if err != nil {
			return Refusal{Err: ErrGuardFalse, Transition: t, Detail: err.Error()}, false
		}
		if !ok {
			return Refusal{Err: ErrGuardFalse, Transition: t, Detail: t.When.Text}, false
		}
	}
	return Refusal{}, true
}

// doneAlready reports whether taking t now would only complete duties that
// are complete, and says so: it stays at the stage, meets duties, and every
// one is met already (or not owed at this stage), and every milestone it sets
// is set. A transition that meets no duty records that something happened
// (and a milestone keeps its first time), so it is never done already.
func (t *Transition) doneAlready(act *activation) (string, bool) {
	if t.ToStage != nil || t.ToOutcome != nil || len(t.Completes) == 0 {
		return "", false
	}
	for _, m := range t.Sets {
		if _, set := act.milestones[m.ID]; !set {
			return "", false
		}
	}
	// Whether any duty it completes is still owed is asked first, so that the
	// answer costs nothing when it is (Available asks it of every event).
	owed := func(ob *Obligation) (o *ObligationState) {
		for i := range act.obligations {
			if x := &act.obligations[i]; x.ID == ob.ID {
				o = x
			}
		}
		return o
	}
	for _, ob := range t.Completes {
		if o := owed(ob); o != nil && o.open() {
			return "", false
		}
	}
	done := make([]string, len(t.Completes))
	for j, ob := range t.Completes {
		done[j] = ob.ID + " is not owed at this stage"
		if owed(ob) != nil {
			done[j] = ob.ID + " is met already"
		}
	}
	return strings.Join(done, "; "), true
}

func (t *Transition) permits(role string) bool {
	for _, r := range t.Roles {
		if r.ID == role {
			return true
		}
	}
	return false
}

func roleList(roles []*Role) string {
	ids := make([]string, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}

// eventNames lists the distinct events that can be fired at the place, in
// order.
func (p *Policy) eventNames(pl place) []string {
	var names []string
	p.eachEvent(pl, func(name string) { names = append(names, name) })
	return names
}

// eachEvent calls fn with each distinct event that can be fired at the
// place, in order: its own transitions', then (at a stage) those of the
// any_stage ones that apply there. A place has a few transitions, so looking
// back for an earlier one of the same name is quicker than a set, and
// allocates nothing.
func (p *Policy) eachEvent(pl place, fn func(name string)) {
	ts := p.transitions(pl)
	own, anyStage := ts[0], ts[1]
	applies := func(t *Transition) bool { return pl.stage == nil || t.AppliesIn(pl.stage) }
	seen := func(i int, name string) bool {
		for j := 0; j < i; j++ {
			var t *Transition
			if j < len(own) {
				t = own[j]
			} else if t = anyStage[j-len(own)]; !applies(t) {
				continue
			}
			if t.Event == name {
				return true
			}
		}
		return false
	}
	for i, t := range own {
		if applies(t) && !seen(i, t.Event) {
			fn(t.Event)
		}
	}
	for i, t := range anyStage {
		if applies(t) && !seen(len(own)+i, t.Event) {
			fn(t.Event)
		}
	}
}

// Action is an event an actor could fire now, and whether they may.
type Action struct {
	Event string
	// Transition is the one that would be taken (nil when refused).
	Transition *Transition
	Allowed    bool
	// Refused says why not: a *RefusedError (errors.As gives it), with one
	// reason per transition of that name. It is nil when Allowed, a nil
	// error, so a host can test it as any other.
	Refused error
}

// Available lists every event of the case's current stage (and the any_stage
// events that apply there) with whether the actor, acting in role, may fire it
// at time at, and why not when they may not. A closed case has only the
// events after its outcome, if the policy gives it any.
func (p *Policy) Available(ctx context.Context, h Head, actor, role string, at time.Time) ([]Action, error) {
	if err := p.owns(&h); err != nil {
		return nil, err
	}
	if err := p.knownRole(role); err != nil {
		return nil, err
	}
	pl, err := p.placeOf(&h)
	if err != nil {
		return nil, err
	}
	ts := p.transitions(pl)
	if len(ts[0]) == 0 && len(ts[1]) == 0 {
		return nil, nil
	}
	act := newActivation(activation{
		p: p, facts: h.Facts, role: role, actor: actor, stage: h.Stage, now: at,
		raised: h.Raised, entered: h.Entered, milestones: h.Milestones, obligations: h.Obligations,
	})
	defer act.release()
	act.memo.on = true // one head, one time: a guard gives one answer
	actions := make([]Action, 0, len(ts[0])+len(ts[1]))
	p.eachEvent(pl, func(name string) {
		t, refused := p.choose(ctx, act, pl, name, h.Forms, true)
		a := Action{Event: name, Transition: t, Allowed: refused == nil}
		if refused != nil {
			a.Refused = refused // never a typed nil
		}
		actions = append(actions, a)
	})
	return actions, nil
}

func mergeForms(old, updates map[string]map[string]any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(old)+len(updates))
	for id, fields := range old {
		out[id] = fields
	}
	for id, fields := range updates {
		merged := maps.Clone(old[id])
		if merged == nil {
			merged = make(map[string]any, len(fields))
		}
		maps.Copy(merged, fields)
		out[id] = merged
	}
	return out
}

func (p *Policy) roleIDs() []string {
	ids := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		ids[i] = r.ID
	}
	return ids
}
