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
		if err := p.formsBelong(forms, p.Start, nil); err != nil {
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
	if err := p.enter(ctx, &h, p.Start, r.At, act, owed); err != nil {
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
// stage the act enters, in one piece: one allocation is cheaper than two.
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
	stage, err := p.caseStage(&h)
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
	t, refusal := p.choose(ctx, act, stage, ev.Name, next.Forms, fresh)
	if refusal != nil {
		return Head{}, nil, refusal
	}
	if !owned {
		if err := p.formsBelong(formUpdates, stage, t.ToStage); err != nil {
			return Head{}, nil, err
		}
	}

	// Completing obligations and setting milestones change what the visit
	// owes, so the new head gets its own copy first: firing twice on the same
	// head can never corrupt either result. Moving on needs no copy: the
	// visit's obligations go as they are to the entry that records it.
	if !owned && (len(t.Completes) > 0 || len(t.Sets) > 0) {
		next.Obligations = slices.Clone(h.Obligations)
	}
	act.obligations = next.Obligations
	for _, ob := range t.Completes {
		for i := range next.Obligations {
			if o := &next.Obligations[i]; o.ID == ob.ID && o.open() {
				o.Met = ev.At
			}
		}
	}
	if err := p.setMilestones(ctx, &next, t, ev.At, act); err != nil {
		return Head{}, nil, err
	}
	en, owed := scratch, []ObligationState(nil)
	if en == nil {
		n := 0
		if t.ToStage != nil {
			n = len(t.ToStage.Obligations)
		}
		en, owed = entryWith(n)
	}
	*en = Entry{
		At: ev.At, Actor: ev.Actor, Role: ev.Role, Agency: ev.Agency, Event: ev.Name,
		From: h.Stage, Facts: updates, Forms: formUpdates, Note: ev.Note,
	}
	if t.When != nil {
		en.Guard = t.When.Text
	}
	switch {
	case t.ToStage != nil:
		en.Left = next.Obligations
		if err := p.enter(ctx, &next, t.ToStage, ev.At, act, owed); err != nil {
			return Head{}, nil, err
		}
		en.To = t.ToStage.ID
	case t.ToOutcome != nil:
		en.Left, next.Obligations = next.Obligations, nil
		next.Stage, next.Outcome, next.Entered = "", t.ToOutcome.ID, ev.At
		en.To = t.ToOutcome.ID
	}
	p.seal(&next, en)
	return next, en, nil
}

// ready checks what must hold before any transition is considered.
func (p *Policy) ready(h *Head, ev *Event) error {
	if err := p.owns(h); err != nil {
		return err
	}
	switch {
	case h.Closed():
		return fmt.Errorf("%w: it reached outcome %q; raise a new case to take the matter further", ErrCaseClosed, h.Outcome)
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
// stage's, or an any_stage one that Only and Except allow there.
func (t *Transition) AppliesIn(s *Stage) bool {
	if t.From != nil {
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
// the outstanding obligations, the forms and the guard all allow: the stage's
// own transitions first, then the any_stage ones that apply there, in file
// order. Checks run cheapest first, and the guard last. For a fresh act (new,
// and bringing no data) a transition that would change nothing is refused.
func (p *Policy) choose(ctx context.Context, act *activation, s *Stage, event string, forms map[string]map[string]any, fresh bool) (*Transition, *RefusedError) {
	var refused *refusedWithRoom
	for _, ts := range [2][]*Transition{s.Transitions, p.AnyStage} {
		for _, t := range ts {
			if t.Event != event || !t.AppliesIn(s) {
				continue
			}
			r, ok := p.check(ctx, act, s, t, forms, fresh)
			if ok {
				return t, nil
			}
			if refused == nil {
				refused = &refusedWithRoom{RefusedError: RefusedError{Event: event, Stage: s.ID}}
				refused.Reasons = refused.room[:0]
			}
			refused.Reasons = append(refused.Reasons, r)
		}
	}
	if refused == nil {
		names := p.eventNames(s)
		return nil, refuse(event, s.ID, ErrUnknownEvent, nil, "events here: "+strings.Join(names, ", ")+didYouMean(event, names))
	}
	return nil, &refused.RefusedError
}

// refusedWithRoom is a refusal with room for the reasons most events have
// (one or two transitions of a name), so that refusing takes one allocation.
type refusedWithRoom struct {
	RefusedError
	room [2]Refusal
}

func (p *Policy) check(ctx context.Context, act *activation, s *Stage, t *Transition, forms map[string]map[string]any, fresh bool) (Refusal, bool) {
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
		if missing := missingFields(f, s, forms[f.ID]); len(missing) > 0 {
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

// eventNames lists the distinct events that can be fired in stage s, in order.
func (p *Policy) eventNames(s *Stage) []string {
	var names []string
	p.eachEvent(s, func(name string) { names = append(names, name) })
	return names
}

// eachEvent calls fn with each distinct event that can be fired in stage s,
// in order. A stage has a few transitions, so looking back for an earlier
// one of the same name is quicker than a set, and allocates nothing.
func (p *Policy) eachEvent(s *Stage, fn func(name string)) {
	own := len(s.Transitions)
	seen := func(i int, name string) bool {
		for j := 0; j < i; j++ {
			var t *Transition
			if j < own {
				t = s.Transitions[j]
			} else if t = p.AnyStage[j-own]; !t.AppliesIn(s) {
				continue
			}
			if t.Event == name {
				return true
			}
		}
		return false
	}
	for i, t := range s.Transitions {
		if !seen(i, t.Event) {
			fn(t.Event)
		}
	}
	for i, t := range p.AnyStage {
		if t.AppliesIn(s) && !seen(own+i, t.Event) {
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
// at time at, and why not when they may not. A closed case has none.
func (p *Policy) Available(ctx context.Context, h Head, actor, role string, at time.Time) ([]Action, error) {
	if err := p.owns(&h); err != nil {
		return nil, err
	}
	if err := p.knownRole(role); err != nil {
		return nil, err
	}
	if h.Closed() {
		return nil, nil
	}
	s, err := p.caseStage(&h)
	if err != nil {
		return nil, err
	}
	act := newActivation(activation{
		p: p, facts: h.Facts, role: role, actor: actor, stage: h.Stage, now: at,
		raised: h.Raised, entered: h.Entered, milestones: h.Milestones, obligations: h.Obligations,
	})
	defer act.release()
	act.memo.on = true // one head, one time: a guard gives one answer
	actions := make([]Action, 0, len(s.Transitions)+len(p.AnyStage))
	p.eachEvent(s, func(name string) {
		t, refused := p.choose(ctx, act, s, name, h.Forms, true)
		a := Action{Event: name, Transition: t, Allowed: refused == nil}
		if refused != nil {
			a.Refused = refused // never a typed nil
		}
		actions = append(actions, a)
	})
	return actions, nil
}

// enter moves the case into stage s at time at and starts the visit's
// obligations, in a slice of their own: owed, when the caller has made room
// for them, or a new one.
func (p *Policy) enter(ctx context.Context, h *Head, s *Stage, at time.Time, act *activation, owed []ObligationState) error {
	h.Stage, h.Entered = s.ID, at
	act.stage, act.entered = s.ID, at
	if owed == nil && len(s.Obligations) > 0 {
		owed = make([]ObligationState, len(s.Obligations))
	}
	for i, ob := range s.Obligations {
		o := &owed[i]
		o.ID = ob.ID
		if anchor, ok := anchorTime(h, ob, at); ok {
			if err := p.fix(ctx, o, ob, anchor, act); err != nil {
				return err
			}
		}
	}
	h.Obligations, act.obligations = owed, owed
	return nil
}

// anchorTime is the instant an obligation's deadline counts from, if it has
// happened.
func anchorTime(h *Head, ob *Obligation, entered time.Time) (time.Time, bool) {
	switch ob.From.Kind {
	case AnchorRaised:
		return h.Raised, true
	case AnchorMilestone:
		t, ok := h.Milestones[ob.From.Milestone.ID]
		return t, ok
	}
	return entered, true
}

// fix sets an obligation's deadline once, from its anchor, applying the
// expedited timescale if its condition holds now.
func (p *Policy) fix(ctx context.Context, o *ObligationState, ob *Obligation, anchor time.Time, act *activation) error {
	o.Anchor = anchor
	if !ob.HasDeadline {
		return nil
	}
	w, expedited, err := timescale(ctx, ob, act)
	if err != nil {
		return err
	}
	o.Expedited = expedited
	due, err := p.calendar.Due(anchor, w)
	if err != nil {
		return fmt.Errorf("obligation %s: %w", ob.ID, err)
	}
	o.Due, o.Within = due, w
	return nil
}

// setMilestones records the milestones a transition sets (each once: a
// milestone keeps the first time it happened) and fixes the deadlines of the
// current stage's obligations that were waiting for them.
func (p *Policy) setMilestones(ctx context.Context, h *Head, t *Transition, at time.Time, act *activation) error {
	if len(t.Sets) == 0 {
		return nil
	}
	ms := maps.Clone(h.Milestones)
	if ms == nil {
		ms = make(map[string]time.Time, len(t.Sets))
	}
	for _, m := range t.Sets {
		if _, done := ms[m.ID]; !done {
			ms[m.ID] = at
		}
	}
	h.Milestones = ms
	act.milestones = ms
	stage := p.stages[h.Stage]
	for i := range h.Obligations {
		o := &h.Obligations[i]
		if !o.Anchor.IsZero() {
			continue
		}
		ob, known := stage.Obligation(o.ID)
		if !known {
			return fmt.Errorf("%w: obligation %q is not part of stage %q", ErrPolicyMismatch, o.ID, stage.ID)
		}
		if anchor, ok := anchorTime(h, ob, h.Entered); ok {
			if err := p.fix(ctx, o, ob, anchor, act); err != nil {
				return err
			}
		}
	}
	return nil
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
