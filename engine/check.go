package engine

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

// Limits on how many stages and any_stage transitions a policy may have. Real
// ladders have up to ten stages and a few any_stage transitions; the limits
// keep the checks below, which pair every any_stage transition with every
// stage, cheap for hostile input.
const (
	maxStages   = 256
	maxAnyStage = 256
)

// resolve runs the deferred references in file order, so that lists fill in
// the order the file gives them.
func (b *builder) resolve() {
	for _, f := range b.pending {
		f()
	}
}

// lookup finds a referenced id, or reports it with the nearest declared one.
func lookup[T any](b *builder, n *yaml.Node, m map[string]T, what string) (T, bool) {
	v, ok := m[n.Value]
	if !ok {
		b.errorAt(n, "unknown-ref", b.sug.Hint(n.Value, b.ids(what)), "there is no %s %q", what, n.Value)
	}
	return v, ok
}

// ids lists the declared ids of one kind of element in file order, as
// candidates for "did you mean". Each list is built once, when first needed:
// after every id is declared.
func (b *builder) ids(what string) []string {
	if l, ok := b.idLists[what]; ok {
		return l
	}
	p := b.p
	var l []string
	switch what {
	case "role":
		l = idsOf(p.Roles, func(r *Role) string { return r.ID })
	case "form":
		l = idsOf(p.Forms, func(f *Form) string { return f.ID })
	case "milestone":
		l = idsOf(p.Milestones, func(m *Milestone) string { return m.ID })
	case "document":
		l = idsOf(p.Documents, func(d *Document) string { return d.File })
	case "stage":
		l = idsOf(p.Stages, func(s *Stage) string { return s.ID })
	case "stage or outcome":
		l = append(idsOf(p.Stages, func(s *Stage) string { return s.ID }), idsOf(p.Outcomes, func(o *Outcome) string { return o.ID })...)
	case "date fact":
		for _, f := range p.Facts {
			if f.Type == FactDate {
				l = append(l, f.ID)
			}
		}
	case "guard name": // what a guard can read: the facts, then the built-ins
		l = append(idsOf(p.Facts, func(f *Fact) string { return f.ID }), builtinNames()...)
	}
	b.idLists[what] = l
	return l
}

func idsOf[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func (b *builder) refRole(n *yaml.Node) *Role {
	r, ok := lookup(b, n, b.p.roles, "role")
	if ok {
		b.usedRoles[r] = true
	}
	b.roleFailed = b.roleFailed || !ok
	return r
}

func (b *builder) refForm(n *yaml.Node) *Form {
	f, _ := lookup(b, n, b.p.forms, "form")
	return f
}

func (b *builder) refMilestone(n *yaml.Node) *Milestone {
	m, _ := lookup(b, n, b.p.milestones, "milestone")
	return m
}

// refMilestoneAt resolves a milestone named inside a value (from:
// milestone.NAME), pointing at the name itself when it is unknown.
func (b *builder) refMilestoneAt(n *yaml.Node, offset int) *Milestone {
	name := n.Value[offset:]
	if m, ok := b.p.milestones[name]; ok {
		return m
	}
	pos, end := b.f.SpanIn(n, offset, len([]rune(n.Value)))
	b.report(SeverityError, pos, end, "unknown-ref", fmt.Sprintf("there is no milestone %q", name),
		b.sug.Hint(name, b.ids("milestone")))
	return nil
}

// factRef resolves the date fact a value names (from: fact.NAME, by:
// fact.NAME; offset is where the name starts, 0 for a value that must be
// fact.NAME), pointing at the name when it is unknown or not a date.
func (b *builder) factRef(n *yaml.Node, offset int, set func(*Fact)) {
	b.later(func() {
		v := n.Value
		if offset == 0 {
			if !strings.HasPrefix(v, factPrefix) {
				hint := "name a date fact: fact.NAME"
				if b.p.facts[v] != nil {
					hint = "write fact." + v
				}
				b.errorAt(n, "unknown-value", hint, "%q does not name a fact: write fact.NAME", v)
				return
			}
			offset = len(factPrefix)
		}
		name := v[offset:]
		pos, end := b.f.SpanIn(n, offset, len([]rune(v)))
		f, ok := b.p.facts[name]
		switch {
		case !ok && b.p.milestones[name] != nil:
			b.report(SeverityError, pos, end, "unknown-ref", fmt.Sprintf("there is no fact %q: %s is a milestone", name, name), "write milestone."+name)
		case !ok:
			b.report(SeverityError, pos, end, "unknown-ref", fmt.Sprintf("there is no fact %q", name), b.sug.Hint(name, b.ids("date fact")))
		case f.Type != FactDate:
			b.report(SeverityError, pos, end, "not-a-date", fmt.Sprintf("fact %q is %s, not a date: a deadline counts only from a date", name, yamlfront.Article(string(f.Type))),
				"declare the fact with type: date, or count from stage, raised or a milestone")
		default:
			b.usedFacts[f] = true
			set(f)
		}
	})
}

func (b *builder) refDocument(n *yaml.Node) {
	lookup(b, n, b.docs, "document")
}

// refStage resolves a stage id; naming an outcome where a stage is needed
// gets its own message.
func (b *builder) refStage(n *yaml.Node) *Stage {
	if s, ok := b.p.stages[n.Value]; ok {
		return s
	}
	if _, ok := b.p.outcomes[n.Value]; ok {
		b.errorAt(n, "not-a-stage", "name a stage here", "%q is an outcome, not a stage", n.Value)
		return nil
	}
	s, _ := lookup(b, n, b.p.stages, "stage")
	return s
}

// refTarget resolves a transition's to: a stage or an outcome.
func (b *builder) refTarget(n *yaml.Node) (*Stage, *Outcome) {
	if s, ok := b.p.stages[n.Value]; ok {
		return s, nil
	}
	if o, ok := b.p.outcomes[n.Value]; ok {
		return nil, o
	}
	b.errorAt(n, "unknown-ref", b.sug.Hint(n.Value, b.ids("stage or outcome")), "there is no stage or outcome %q", n.Value)
	return nil, nil
}

// scope is what a transition's obligation references and guards can name:
// the obligations of its stage or outcome, or for an any_stage transition of
// every stage it applies in (the first stage's, where several have the same
// id).
type scope struct {
	owner       place // the stage or outcome; zero for several stages
	obligations map[string]*Obligation
	ids         []string
}

func newScope(owner place, lists ...[]*Obligation) *scope {
	sc := &scope{owner: owner, obligations: map[string]*Obligation{}}
	for _, obs := range lists {
		for _, ob := range obs {
			if sc.obligations[ob.ID] == nil {
				sc.obligations[ob.ID] = ob
				sc.ids = append(sc.ids, ob.ID)
			}
		}
	}
	return sc
}

// stageScope is the scope of one stage.
func stageScope(s *Stage) *scope { return newScope(place{stage: s}, s.Obligations) }

// outcomeScope is the scope of one outcome.
func outcomeScope(o *Outcome) *scope { return newScope(place{outcome: o}, o.Obligations) }

// has says, in a message, whose obligations a name was looked for among.
func (sc *scope) has(what string) string {
	if sc.owner == (place{}) {
		return "no stage this " + what + " applies in has"
	}
	return sc.owner.String() + " has"
}

// scopeOf returns a transition's scope, computed once.
func (b *builder) scopeOf(t *Transition) *scope {
	if sc := b.scopes[t]; sc != nil {
		return sc
	}
	var sc *scope
	switch {
	case t.At != nil:
		sc = outcomeScope(t.At)
	case t.From != nil:
		sc = stageScope(t.From)
	default:
		var stages []*Stage
		var lists [][]*Obligation
		for _, s := range b.p.Stages {
			if t.AppliesIn(s) {
				stages = append(stages, s)
				lists = append(lists, s.Obligations)
			}
		}
		sc = newScope(place{}, lists...)
		if len(stages) == 1 {
			sc.owner = place{stage: stages[0]}
		}
	}
	b.scopes[t] = sc
	return sc
}

// refObligation resolves an obligation a transition requires or completes.
func (b *builder) refObligation(n *yaml.Node, t *Transition) *Obligation {
	sc := b.scopeOf(t)
	if ob := sc.obligations[n.Value]; ob != nil {
		return ob
	}
	b.errorAt(n, "unknown-ref", b.sug.Hint(n.Value, sc.ids), "%s no obligation %q", sc.has("transition"), n.Value)
	return nil
}

// markReactive marks the duties that facts changing can change: those with
// a condition, or a deadline counted from a date fact; and the policy, if it
// has per-visit milestones.
func (b *builder) markReactive() {
	mark := func(obs []*Obligation) (reacting bool) {
		for _, ob := range obs {
			ob.reacts = ob.When != nil || ob.From.Kind == AnchorFact || slices.ContainsFunc(ob.Sooner, func(a *Alternative) bool {
				return a.By != nil || a.From.Kind == AnchorFact
			})
			reacting = reacting || ob.reacts
		}
		return reacting
	}
	for _, s := range b.p.Stages {
		s.reacts = mark(s.Obligations)
	}
	for _, o := range b.p.Outcomes {
		o.reacts = mark(o.Obligations)
	}
	b.p.perVisit = slices.ContainsFunc(b.p.Milestones, func(m *Milestone) bool { return m.PerVisit })
}

// checkGraph reports stages that cannot be reached from start, stages with
// no way out (or from which no outcome can be reached), and outcomes no
// reachable stage leads to. It follows every transition whatever its guard.
func (b *builder) checkGraph() {
	p := b.p
	if b.graphBroken {
		return // a target did not resolve: the graph would report its own knock-on effects
	}
	out := map[*Stage][]*Transition{}
	for _, s := range p.Stages {
		out[s] = b.scopeTransitions(s)
	}
	reached := map[*Stage]bool{p.Start: true}
	outcomes := map[*Outcome]bool{}
	for queue := []*Stage{p.Start}; len(queue) > 0; queue = queue[1:] {
		for _, t := range out[queue[0]] {
			if t.ToOutcome != nil {
				outcomes[t.ToOutcome] = true
			}
			if t.ToStage != nil && !reached[t.ToStage] {
				reached[t.ToStage] = true
				queue = append(queue, t.ToStage)
			}
		}
	}
	closes := closingStages(p.Stages, out)
	for _, s := range p.Stages {
		pos, end := idSpan(s.Pos, s.ID)
		if !reached[s] {
			b.report(SeverityError, pos, end, "unreachable-stage", fmt.Sprintf("stage %q cannot be reached from the start stage %q", s.ID, p.Start.ID),
				"add a transition to it (to: "+s.ID+"), or remove it")
		}
		leaves := false
		for _, t := range out[s] {
			leaves = leaves || t.ToOutcome != nil || (t.ToStage != nil && t.ToStage != s)
		}
		switch {
		case !leaves:
			b.report(SeverityError, pos, end, "no-way-out", fmt.Sprintf("stage %q has no way out: no transition leads to another stage or an outcome", s.ID),
				"add a transition out of this stage")
		case reached[s] && !closes[s]:
			b.report(SeverityError, pos, end, "no-way-out", fmt.Sprintf("a case in stage %q can never close: no outcome can be reached from it", s.ID),
				"add a transition to an outcome on the way from this stage")
		}
	}
	for _, o := range p.Outcomes {
		if !outcomes[o] {
			pos, end := idSpan(o.Pos, o.ID)
			b.report(SeverityError, pos, end, "unreachable-outcome", fmt.Sprintf("outcome %q cannot be reached: no transition from a reachable stage leads to it", o.ID),
				"add a transition with to: "+o.ID+", or remove the outcome")
		}
	}
}

// scopeTransitions returns the transitions that can fire in a stage: its
// own, then the any_stage ones that apply there.
func (b *builder) scopeTransitions(s *Stage) []*Transition {
	ts := append([]*Transition(nil), s.Transitions...)
	for _, t := range b.p.AnyStage {
		if t.AppliesIn(s) {
			ts = append(ts, t)
		}
	}
	return ts
}

// closingStages returns the stages from which some outcome can be reached.
func closingStages(stages []*Stage, out map[*Stage][]*Transition) map[*Stage]bool {
	closes := map[*Stage]bool{}
	for changed := true; changed; {
		changed = false
		for _, s := range stages {
			if closes[s] {
				continue
			}
			for _, t := range out[s] {
				if t.ToOutcome != nil || (t.ToStage != nil && closes[t.ToStage]) {
					closes[s], changed = true, true
					break
				}
			}
		}
	}
	return closes
}

// warnings reports what a reviewer should look at: a passed review date,
// roles, facts and milestones nothing uses (unless a reference or guard
// failed, when that could be why), elements without a source, and
// transitions an earlier one always takes first. Assumptions are reported
// where they are read (meta).
func (b *builder) warnings() {
	p := b.p
	if today := b.cfg.today; !today.IsZero() && !p.ReviewDue.IsZero() && p.ReviewDue.Before(today) {
		b.warnAt(b.reviewNode, "review-overdue", "review the procedure and update review_due", "the review date %s has passed", p.ReviewDue)
	}
	for _, r := range p.Roles {
		if !b.usedRoles[r] && !b.roleFailed {
			b.warnID(r.Meta, r.ID, "unused-role", "name it where it takes part, or remove it", "role %q is never used: no stage, obligation or transition names it", r.ID)
		}
	}
	for _, f := range p.Facts {
		if !b.usedFacts[f] && !b.guardFailed {
			b.warnID(f.Meta, f.ID, "unused-fact", "read it in a guard (when:), or remove it", "fact %q is never used: no guard reads it", f.ID)
		}
	}
	for _, m := range p.Milestones {
		if !b.setMiles[m] {
			b.warnID(m.Meta, m.ID, "milestone-never-set", "add sets: ["+m.ID+"] to the transition that marks it", "milestone %q is never set: no transition sets it", m.ID)
		}
	}
	for _, r := range p.Roles {
		b.warnNoSource(r.Meta, "role", r.ID)
	}
	for _, f := range p.Forms {
		b.warnNoSource(f.Meta, "form", f.ID)
	}
	if spec := p.CalendarSpec; spec != nil {
		for _, d := range spec.DaysOff {
			if len(d.Sources) == 0 {
				b.report(SeverityWarning, d.Pos, Pos{}, "no-source", fmt.Sprintf("day off %q has no source", d.Name), `cite where it comes from: source: {file: …, quote: "…"}`)
			}
		}
	}
	b.warnUnproclaimed()
	for _, s := range p.Stages {
		b.warnNoSource(s.Meta, "stage", s.ID)
		for _, ob := range s.Obligations {
			b.warnNoSource(ob.Meta, "obligation", ob.ID)
		}
		b.warnShadowed(s)
	}
	for _, o := range p.Outcomes {
		for _, ob := range o.Obligations {
			b.warnNoSource(ob.Meta, "obligation", ob.ID)
		}
	}
	b.warnDutiesThatCannotFallDue()
}

// warnDutiesThatCannotFallDue reports a breach of an urgent duty with no
// backstop, which can never be overdue, and a deadline counted from a
// per-visit milestone that nothing sets during a visit to the duty's stage or
// outcome (nor on entering it), which would wait for ever.
func (b *builder) warnDutiesThatCannotFallDue() {
	check := func(ob *Obligation, s *Stage, o *Outcome) {
		if ob.Urgent && !ob.HasDeadline && len(ob.Sooner) == 0 && ob.Breach != nil {
			b.report(SeverityWarning, ob.Breach.Pos, Pos{}, "breach-never", fmt.Sprintf("obligation %q is urgent with no backstop, so it is never overdue and this breach never applies", ob.ID),
				"add a backstop (within: …), or remove the breach")
		}
		for i := -1; i < len(ob.Sooner); i++ {
			a := ob.From
			if i >= 0 {
				a = ob.Sooner[i].From
			}
			if m := a.Milestone; m != nil && m.PerVisit && !b.setsDuringVisit(m, s, o) {
				pos, end := idSpan(ob.Pos, ob.ID)
				b.report(SeverityWarning, pos, end, "milestone-not-set-here",
					fmt.Sprintf("obligation %q counts from per-visit milestone %q, which nothing sets at %s or on the way in: it would wait for ever", ob.ID, m.ID, place{stage: s, outcome: o}),
					"add sets: ["+m.ID+"] to a transition here, or count from another anchor")
			}
		}
	}
	for _, s := range b.p.Stages {
		for _, ob := range s.Obligations {
			check(ob, s, nil)
		}
	}
	for _, o := range b.p.Outcomes {
		for _, ob := range o.Obligations {
			check(ob, nil, o)
		}
	}
}

// setsDuringVisit reports whether milestone m can be set during a visit to
// stage s (or outcome o): by a transition there that stays, or by one that
// enters it.
func (b *builder) setsDuringVisit(m *Milestone, s *Stage, o *Outcome) bool {
	sets := func(t *Transition) bool {
		stays := t.ToStage == nil && t.ToOutcome == nil
		here := s != nil && t.AppliesIn(s) || o != nil && t.At == o
		return slices.Contains(t.Sets, m) && (stays && here || s != nil && t.ToStage == s || o != nil && t.ToOutcome == o)
	}
	if slices.ContainsFunc(b.p.AnyStage, sets) || o != nil && slices.ContainsFunc(o.Transitions, sets) {
		return true
	}
	for _, st := range b.p.Stages {
		if slices.ContainsFunc(st.Transitions, sets) {
			return true
		}
	}
	return false
}

func (b *builder) warnID(m Meta, id, code, hint, format string, args ...any) {
	pos, end := idSpan(m.Pos, id)
	b.report(SeverityWarning, pos, end, code, fmt.Sprintf(format, args...), hint)
}

func (b *builder) warnNoSource(m Meta, what, id string) {
	if len(m.Sources) == 0 {
		b.warnID(m, id, "no-source", `cite the procedure: source: {file: …, quote: "…"}`, "%s %q has no source", what, id)
	}
}

// warnShadowed reports a stage transition that can never be taken: the
// first transition for an event that allows it is taken, and for each of
// its roles an earlier one for the same event always does (no guard, no
// obligations or forms it requires).
func (b *builder) warnShadowed(s *Stage) {
	type taken struct {
		roles map[*Role]bool
		first *Transition
	}
	byEvent := map[string]*taken{}
	for _, t := range s.Transitions {
		e := byEvent[t.Event]
		if e != nil && len(t.Roles) > 0 && !slices.ContainsFunc(t.Roles, func(r *Role) bool { return !e.roles[r] }) {
			b.report(SeverityWarning, t.Pos, Pos{}, "shadowed-transition",
				fmt.Sprintf("this %q transition is never taken: earlier ones for the event with no guard (from line %d) take it for each of its roles", t.Event, e.first.Pos.Line),
				"give the earlier transition a guard (when:), or remove this one")
		}
		if t.When != nil || len(t.Requires) > 0 || len(t.Forms) > 0 {
			continue
		}
		if e == nil {
			e = &taken{roles: map[*Role]bool{}, first: t}
			byEvent[t.Event] = e
		}
		for _, r := range t.Roles {
			e.roles[r] = true
		}
	}
}

// idSpan returns the span of an element's id where it is declared.
func idSpan(pos Pos, id string) (Pos, Pos) {
	if pos.Line == 0 {
		return pos, Pos{}
	}
	end := pos
	end.Column += utf8.RuneCountInString(id)
	return pos, end
}
