package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Raise starts a case under the policy at its start stage. The case's first
// history entry records who raised it, in which role and agency, when, and
// with what facts; the start stage's obligations begin counting from r.At.
func (p *Policy) Raise(ctx context.Context, r Raise) (Case, error) {
	switch {
	case strings.TrimSpace(r.CaseID) == "":
		return Case{}, &InputError{Path: "case_id", Message: "is required: the host's identifier for the case"}
	case strings.TrimSpace(r.Actor) == "":
		return Case{}, &InputError{Path: "actor", Message: "is required: who is raising the case"}
	case r.At.IsZero():
		return Case{}, &InputError{Path: "at", Message: "is required: when the case was raised"}
	}
	if err := p.knownRole(r.Role); err != nil {
		return Case{}, err
	}
	updates, err := p.canonicalFacts(r.Facts, false)
	if err != nil {
		return Case{}, err
	}
	forms, err := p.canonicalForms(r.Forms)
	if err != nil {
		return Case{}, err
	}
	facts := p.initialFacts(updates)
	c := Case{
		Schema: CaseSchema, ID: r.CaseID, Policy: PolicyRef{ID: p.ID, Version: p.Version},
		Revision: 1, Raised: r.At, Facts: facts, Forms: forms,
	}
	act := newActivation(activation{p: p, facts: facts, role: r.Role, actor: r.Actor, now: r.At, raised: r.At})
	defer act.release()
	if err := p.enter(ctx, &c, place{stage: p.Start}, r.At, act); err != nil {
		return Case{}, err
	}
	entry := &Entry{
		Case: r.CaseID, At: r.At, Actor: r.Actor, Role: r.Role, Agency: r.Agency,
		Event: RaiseEvent, To: p.Start.ID, Facts: updates, Forms: forms, Note: r.Note,
	}
	seal(entry, nil)
	c.History = []*Entry{entry}
	return c, nil
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

// Fire applies an event to a case and returns the case that results. The case
// passed in is not changed. A refused event returns a *RefusedError (or
// another error that errors.Is matches to one of the Err* values) saying why.
func (p *Policy) Fire(ctx context.Context, c Case, ev Event) (Case, error) {
	return p.fire(ctx, c, ev, nil)
}

// fire is Fire. Replay passes into, the slot for the new entry in the history
// it is building: it gives c up (no one else holds it), so c's facts,
// obligations and history are changed and extended in place, not copied.
func (p *Policy) fire(ctx context.Context, c Case, ev Event, into *Entry) (Case, error) {
	owned := into != nil
	if err := p.ready(&c, &ev); err != nil {
		return Case{}, err
	}
	pl, err := p.placeOf(&c)
	if err != nil {
		return Case{}, err
	}
	updates, err := p.canonicalFacts(ev.Facts, owned)
	if err != nil {
		return Case{}, err
	}
	formUpdates, err := p.canonicalForms(ev.Forms)
	if err != nil {
		return Case{}, err
	}
	next := c
	if len(updates) > 0 {
		if !owned || next.Facts == nil {
			next.Facts = maps.Clone(c.Facts)
			if next.Facts == nil {
				next.Facts = make(map[string]any, len(updates))
			}
		}
		maps.Copy(next.Facts, updates)
	}
	if len(formUpdates) > 0 {
		next.Forms = mergeForms(c.Forms, formUpdates)
	}
	act := newActivation(activation{
		p: p, facts: next.Facts, role: ev.Role, actor: ev.Actor, stage: c.Stage,
		now: ev.At, raised: c.Raised, entered: c.Entered, milestones: c.Milestones, obligations: c.Obligations,
	})
	defer act.release()
	// A replayed act was accepted when it was recorded, and a record is
	// never rewritten; an act that brings data records something new.
	fresh := !owned && len(updates) == 0 && len(formUpdates) == 0
	t, refusal := p.choose(ctx, act, pl, ev.Name, next.Forms, fresh)
	if refusal != nil {
		return Case{}, refusal
	}

	// Completing obligations, setting milestones and changing facts can
	// change what the visit owes, so the new case gets its own copy first:
	// firing twice on the same case value can never corrupt either result.
	// Moving on needs no copy: the visit's obligations go as they are to the
	// entry that records it.
	if !owned && (len(t.Completes) > 0 || len(t.Sets) > 0 || len(updates) > 0 && pl.reacts()) {
		next.Obligations = slices.Clone(c.Obligations)
	}
	act.obligations = next.Obligations
	for _, ob := range t.Completes {
		for i := range next.Obligations {
			if o := &next.Obligations[i]; o.ID == ob.ID && o.open() {
				o.Met = ev.At
			}
		}
	}
	if set := p.setMilestones(&next, t, ev.At, act); len(set) > 0 || len(updates) > 0 && pl.reacts() {
		if err := p.refresh(ctx, &next, pl, &trigger{milestones: set, facts: updates}, act); err != nil {
			return Case{}, err
		}
	}
	entry := into
	if entry == nil {
		entry = new(Entry)
	}
	*entry = Entry{
		At: ev.At, Actor: ev.Actor, Role: ev.Role, Agency: ev.Agency, Event: ev.Name,
		From: pl.id(), Facts: updates, Forms: formUpdates, Note: ev.Note,
	}
	if t.When != nil {
		entry.Guard = t.When.Text
	}
	if to := (place{stage: t.ToStage, outcome: t.ToOutcome}); to.stage != nil || to.outcome != nil {
		entry.Left = next.Obligations
		if err := p.enter(ctx, &next, to, ev.At, act); err != nil {
			return Case{}, err
		}
		entry.To = to.id()
	}
	seal(entry, c.History)
	if owned {
		next.History = append(c.History, entry)
	} else {
		// The new case's history is its own slice (sharing the old case's
		// entries, which never change), so neither case can overwrite the other's.
		next.History = make([]*Entry, len(c.History)+1)
		copy(next.History, c.History)
		next.History[len(c.History)] = entry
	}
	next.Revision = c.Revision + 1
	return next, nil
}

// closed refuses an event on a closed case, unless its outcome has a
// transition for it.
func (p *Policy) closed(c *Case, event string) error {
	o := p.outcomes[c.Outcome]
	if o != nil && slices.ContainsFunc(o.Transitions, func(t *Transition) bool { return t.Event == event }) {
		return nil
	}
	err := fmt.Errorf("%w: it reached outcome %q; raise a new case to take the matter further", ErrCaseClosed, c.Outcome)
	if o != nil && len(o.Transitions) > 0 {
		err = fmt.Errorf("%w (events after the outcome: %s)", err, strings.Join(eventNames(o.Transitions, nil), ", "))
	}
	return err
}

// ready checks what must hold before any transition is considered.
func (p *Policy) ready(c *Case, ev *Event) error {
	if err := p.owns(c); err != nil {
		return err
	}
	if c.Outcome != "" { // closed: c.Closed(), without copying the case
		if err := p.closed(c, ev.Name); err != nil {
			return err
		}
	}
	switch {
	case ev.Revision != 0 && ev.Revision != c.Revision:
		return fmt.Errorf("%w: revision %d was expected, the case is at %d; read the case again", ErrStaleRevision, ev.Revision, c.Revision)
	case ev.At.IsZero():
		return &InputError{Path: "at", Message: "is required: when the event happened"}
	case strings.TrimSpace(ev.Actor) == "":
		return &InputError{Path: "actor", Message: "is required: who fired the event"}
	case len(c.History) == 0 || c.History[len(c.History)-1] == nil:
		return fmt.Errorf("%w: the case has no last history entry", ErrHistoryTampered)
	}
	if err := p.knownRole(ev.Role); err != nil {
		return err
	}
	if last := c.History[len(c.History)-1].At; ev.At.Before(last) {
		return fmt.Errorf("%w: %s is before %s", ErrTimeBeforeLastEvent, ev.At.Format(time.RFC3339), last.Format(time.RFC3339))
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

// owns checks that the case is in this engine's schema and was raised under
// this policy version.
func (p *Policy) owns(c *Case) error {
	if err := emptyCase(c); err != nil {
		return err
	}
	if c.Schema != CaseSchema {
		return fmt.Errorf("%w: case %s is in schema %d; this engine reads schema %d", ErrCaseSchema, c.ID, c.Schema, CaseSchema)
	}
	if c.Policy.ID != p.ID || c.Policy.Version != p.Version {
		return fmt.Errorf("%w: case %s is on %s version %s, not %s version %s",
			ErrPolicyMismatch, c.ID, c.Policy.ID, c.Policy.Version, p.ID, p.Version)
	}
	return nil
}

func (p *Policy) caseStage(c *Case) (*Stage, error) {
	s, ok := p.stages[c.Stage]
	if !ok {
		return nil, fmt.Errorf("%w: case %s is at stage %q, which policy %s version %s does not have",
			ErrPolicyMismatch, c.ID, c.Stage, p.ID, p.Version)
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
// the outstanding obligations, the forms and the guard all allow: the stage's
// own transitions first, then the any_stage ones that apply there, in file
// order. Checks run cheapest first, and the guard last. For a fresh act (new,
// and bringing no data) a transition that would change nothing is refused.
func (p *Policy) choose(ctx context.Context, act *activation, pl place, event string, forms map[string]map[string]any, fresh bool) (*Transition, *RefusedError) {
	var (
		reasons []Refusal
		matched bool
	)
	for _, ts := range p.transitions(pl) {
		for _, t := range ts {
			if t.Event != event || pl.stage != nil && !t.AppliesIn(pl.stage) {
				continue
			}
			matched = true
			r, ok := p.check(ctx, act, pl.stage, t, forms, fresh)
			if ok {
				return t, nil
			}
			reasons = append(reasons, r)
		}
	}
	if !matched {
		names := eventNames(p.transitions(pl)[0], pl.stage, p.transitions(pl)[1]...)
		return nil, refuse(event, pl.id(), ErrUnknownEvent, nil, "events here: "+strings.Join(names, ", ")+didYouMean(event, names))
	}
	return nil, &RefusedError{Event: event, Stage: pl.id(), Reasons: reasons}
}

func (p *Policy) check(ctx context.Context, act *activation, s *Stage, t *Transition, forms map[string]map[string]any, fresh bool) (Refusal, bool) {
	if !t.permits(act.role) {
		return Refusal{Err: ErrRoleNotPermitted, Transition: t, Detail: fmt.Sprintf("%q may not; it is for %s", act.role, roleList(t.Roles))}, false
	}
	if done, ok := t.doneAlready(act); fresh && ok {
		return Refusal{Err: ErrAlreadyMet, Transition: t, Detail: done}, false
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
		ok, err := t.When.Eval(ctx, act)
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
	done := make([]string, len(t.Completes))
	for j, ob := range t.Completes {
		done[j] = ob.ID + " is not owed at this stage"
		for i := range act.obligations {
			if o := &act.obligations[i]; o.ID == ob.ID {
				if o.open() {
					return "", false
				}
				done[j] = ob.ID + " is met already"
			}
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

// eventNames lists the distinct events of a place's own transitions, then
// of the any_stage ones that apply in stage s, in order.
func eventNames(own []*Transition, s *Stage, anyStage ...*Transition) []string {
	var names []string
	seen := map[string]bool{}
	add := func(t *Transition) {
		if !seen[t.Event] {
			seen[t.Event] = true
			names = append(names, t.Event)
		}
	}
	for _, t := range own {
		add(t)
	}
	for _, t := range anyStage {
		if t.AppliesIn(s) {
			add(t)
		}
	}
	return names
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
func (p *Policy) Available(ctx context.Context, c Case, actor, role string, at time.Time) ([]Action, error) {
	if err := p.owns(&c); err != nil {
		return nil, err
	}
	if err := p.knownRole(role); err != nil {
		return nil, err
	}
	pl, err := p.placeOf(&c)
	if err != nil {
		return nil, err
	}
	ts := p.transitions(pl)
	names := eventNames(ts[0], pl.stage, ts[1]...)
	if len(names) == 0 {
		return nil, nil
	}
	act := newActivation(activation{
		p: p, facts: c.Facts, role: role, actor: actor, stage: c.Stage, now: at,
		raised: c.Raised, entered: c.Entered, milestones: c.Milestones, obligations: c.Obligations,
	})
	defer act.release()
	actions := make([]Action, len(names))
	for i, name := range names {
		t, refused := p.choose(ctx, act, pl, name, c.Forms, true)
		actions[i] = Action{Event: name, Transition: t, Allowed: refused == nil}
		if refused != nil {
			actions[i].Refused = refused // never a typed nil
		}
	}
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
