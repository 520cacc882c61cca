package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

// builder turns a policy file's checked mappings into the model. It fills
// each element's own values at once and defers every reference to another
// element (later), since YAML keys may come in any order; check.go resolves
// them once every id is declared.
type builder struct {
	f   *yamlfront.File
	cfg *loadConfig
	sug suggest.Suggester
	p   *Policy
	// lang is the language version the file names (the latest when it names
	// none it knows, so that one mistake is not reported at every new key).
	lang langVersion

	docs        map[string]bool
	pending     []func() // references to resolve, in file order
	guards      []*guardSite
	quotes      []quoteSite
	usedRoles   map[*Role]bool
	usedFacts   map[*Fact]bool
	setMiles    map[*Milestone]bool
	scopes      map[*Transition]*scope
	idLists     map[string][]string
	graphBroken bool // a transition's target or start did not resolve: skip the graph checks
	roleFailed  bool // a role reference did not resolve: "never used" may be wrong
	guardFailed bool // a guard did not compile: "never read" may be wrong

	jurisdictionNode, reviewNode *yaml.Node
	daysOff                      []dayOffSite // the declared days off that read without errors
}

// report adds a diagnostic.
func (b *builder) report(sev Severity, pos, end Pos, code, msg, hint string) {
	b.f.Report(sev, pos, end, code, msg, hint)
}

// errorAt reports an error at a node.
func (b *builder) errorAt(n *yaml.Node, code, hint, format string, args ...any) {
	b.f.ErrorAt(n, code, hint, format, args...)
}

// warnAt reports a warning at a node.
func (b *builder) warnAt(n *yaml.Node, code, hint, format string, args ...any) {
	b.f.WarnAt(n, code, hint, format, args...)
}

func (b *builder) policy(root *yaml.Node) {
	p := b.p
	b.lang = languageOf(root)
	o := b.object(root, root, policyShape)
	p.Language, p.ID, p.Title = o.str("language"), o.str("id"), o.str("title")
	p.Partnership, p.Version = o.str("partnership"), o.str("version")
	p.Approved, p.ReviewDue, p.InForceFrom = o.date("approved"), o.date("review_due"), o.date("in_force_from")
	b.reviewNode = o.node("review_due")
	if n := o.node("jurisdiction"); n != nil {
		p.Jurisdiction = calendar.Jurisdiction(n.Value) // the table allows only calendar.Jurisdictions()
		b.jurisdictionNode = n
	}
	if n := o.node("calendar"); n != nil {
		b.calendarSpec(o.key("calendar"), n)
	}
	p.Scope = o.strs("scope")
	for _, n := range o.list("documents") {
		b.document(n)
	}
	for _, n := range o.list("notes") {
		b.note(n)
	}
	for _, e := range o.idmap("roles") {
		b.role(e)
	}
	for _, e := range o.idmap("facts") {
		b.fact(e)
	}
	for _, e := range o.idmap("milestones") {
		b.milestone(e)
	}
	for _, e := range o.idmap("forms") {
		b.form(e)
	}
	for i, e := range o.idmap("stages") {
		if i == maxStages {
			b.errorAt(o.key("stages"), "too-many", "split the procedure, or check the file", "a policy may have at most %d stages", maxStages)
			break
		}
		b.stage(e)
	}
	for _, e := range o.idmap("outcomes") {
		b.outcome(e)
	}
	for i, n := range o.list("any_stage") {
		if i == maxAnyStage {
			b.errorAt(o.key("any_stage"), "too-many", "check the file", "a policy may have at most %d any_stage transitions", maxAnyStage)
			break
		}
		p.AnyStage = append(p.AnyStage, b.transition(n, nil, nil))
	}
	if n := o.node("start"); n != nil {
		b.later(func() {
			p.Start = b.refStage(n)
			b.graphBroken = b.graphBroken || p.Start == nil
		})
	} else {
		b.graphBroken = true
	}
	b.meta(o, &p.Meta, root)
}

// languageOf returns the language version a policy's root names, or the
// latest when it names none the loader knows (which object reports).
func languageOf(root *yaml.Node) langVersion {
	if m := deref(root); m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if deref(m.Content[i]).Value == "language" {
				if v := slices.Index(languages[:], deref(m.Content[i+1]).Value); v >= 0 {
					return langVersion(v)
				}
			}
		}
	}
	return latest
}

// later queues a reference to resolve once every id is declared.
func (b *builder) later(f func()) { b.pending = append(b.pending, f) }

// meta fills what every element may carry, and lists its assumption as a
// warning for a reviewer to confirm.
func (b *builder) meta(o *obj, m *Meta, at *yaml.Node) {
	m.Pos = b.f.Pos(at)
	srcs := o.list("source")
	if n := o.node("source"); n != nil && n.Kind == yaml.MappingNode {
		srcs = []*yaml.Node{n}
	}
	for _, n := range srcs {
		so := b.object(n, n, sourceShape)
		m.Sources = append(m.Sources, Source{File: so.str("file"), Quote: so.str("quote"), Pos: b.f.Pos(n)})
		if f := so.node("file"); f != nil {
			b.later(func() { b.refDocument(f) })
			if q := so.node("quote"); q != nil {
				b.quotes = append(b.quotes, quoteSite{file: f.Value, quote: q})
			}
		}
	}
	if n := o.node("assumption"); n != nil {
		m.Assumption = n.Value
		// Shown where its text starts, in the words written (on one line).
		pos, end := b.f.FirstLineSpan(n)
		b.report(SeverityWarning, pos, end, "assumption", "assumption to confirm: "+strings.Join(strings.Fields(n.Value), " "),
			"confirm it against the procedure, or ask the partnership")
	}
}

func (b *builder) document(n *yaml.Node) {
	o := b.object(n, n, documentShape)
	d := &Document{File: o.str("file"), Title: o.str("title"), URL: o.str("url"), Date: o.str("date"), Pos: b.f.Pos(n)}
	if d.File != "" {
		if b.docs[d.File] {
			b.errorAt(o.node("file"), "duplicate-id", "remove one", "document %q is listed twice", d.File)
		}
		b.docs[d.File] = true
	}
	b.p.Documents = append(b.p.Documents, d)
}

func (b *builder) note(n *yaml.Node) {
	o := b.object(n, n, noteShape)
	note := &Note{Text: o.str("text"), Level: NoteLevel(o.str("level"))}
	if note.Level == "" {
		note.Level = NoteInfo
	}
	b.meta(o, &note.Meta, n)
	b.p.Notes = append(b.p.Notes, note)
}

func (b *builder) role(e pair) {
	o := b.object(e.k, e.v, roleShape)
	r := &Role{ID: e.k.Value, Title: o.str("title"), Description: o.str("description")}
	b.meta(o, &r.Meta, e.k)
	b.p.Roles = append(b.p.Roles, r)
	b.p.roles[r.ID] = r
}

func (b *builder) fact(e pair) {
	o := b.object(e.k, e.v, factShape)
	f := &Fact{ID: e.k.Value, Type: FactType(o.str("type")), Values: o.strs("values"),
		Description: o.str("description"), Personal: o.flag("personal")}
	if why, reserved := reservedName(f.ID); reserved {
		b.errorAt(e.k, "reserved-id", "rename the fact, e.g. "+strconv.Quote(f.ID+"_fact"), "fact %q has the name of %s", f.ID, why)
	}
	f.Default = b.factDefault(f, o.node("default"))
	b.meta(o, &f.Meta, e.k)
	b.p.Facts = append(b.p.Facts, f)
	b.p.facts[f.ID] = f
}

// factDefault checks a fact's default against its type, or supplies the
// type's zero value. Messages never quote the value: the fact may be
// personal.
func (b *builder) factDefault(f *Fact, n *yaml.Node) any {
	if n == nil {
		switch f.Type {
		case FactBool:
			return false
		case FactInt:
			return int64(0)
		case FactString:
			return ""
		case FactEnum:
			if len(f.Values) > 0 {
				return f.Values[0]
			}
		case FactList:
			return []string{}
		}
		return nil
	}
	want := ""
	switch v := deref(n); f.Type {
	case FactBool:
		if v.Tag == "!!bool" {
			return strings.EqualFold(v.Value, "true")
		}
		want = "true or false"
	case FactInt:
		if i, err := strconv.ParseInt(v.Value, 0, 64); v.Tag == "!!int" && err == nil {
			return i
		}
		want = "a whole number"
	case FactString:
		if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
			return v.Value
		}
		want = "text"
	case FactEnum:
		if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
			for _, x := range f.Values {
				if x == v.Value {
					return x
				}
			}
			b.errorAt(n, "unknown-value", suggest.Choices(f.Values), "the default of fact %q is not one of its values", f.ID)
			return nil
		}
		want = "one of its values"
	case FactDate:
		b.errorAt(n, "key-not-allowed", "remove the default: a date fact is unset until a case sets it", "a date fact has no default")
		return nil
	case FactList:
		l, bad := stringList(v)
		if bad == nil {
			return l
		}
		if bad != v {
			b.errorAt(bad, "wrong-type", "", "the items of the default of fact %q must be text, but this one is %s", f.ID, describeKind(bad))
			return nil
		}
		want = "a list of text"
	default:
		return nil
	}
	b.errorAt(n, "wrong-type", "", "the default of fact %q must be %s, but it is %s", f.ID, want, describeKind(n))
	return nil
}

// stringList returns the values of a list of text, or the node that is not
// one: v itself, or the first item that is not text.
func stringList(v *yaml.Node) ([]string, *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		return nil, v
	}
	l := []string{}
	for _, item := range v.Content {
		if d := deref(item); d.Kind != yaml.ScalarNode || d.Tag != "!!str" {
			return nil, item
		}
		l = append(l, deref(item).Value)
	}
	return l, nil
}

func (b *builder) milestone(e pair) {
	o := b.object(e.k, e.v, milestoneShape)
	m := &Milestone{ID: e.k.Value, Title: o.str("title"), PerVisit: o.flag("per_visit")}
	b.meta(o, &m.Meta, e.k)
	b.p.Milestones = append(b.p.Milestones, m)
	b.p.milestones[m.ID] = m
}

func (b *builder) form(e pair) {
	o := b.object(e.k, e.v, formShape)
	f := &Form{ID: e.k.Value, Title: o.str("title"), Personal: o.flag("personal"), Guidance: o.strs("guidance")}
	ids := map[string]*yaml.Node{} // form data is keyed by field id, across the form and its sections
	f.Fields = b.fields(o.idmap("fields"), f, ids)
	for _, se := range o.idmap("sections") {
		so := b.object(se.k, se.v, sectionShape)
		s := &Section{ID: se.k.Value, Title: so.str("title"), Fields: b.fields(so.idmap("fields"), f, ids)}
		for _, n := range so.list("stages") {
			b.later(func() {
				if st := b.refStage(n); st != nil {
					s.Stages = append(s.Stages, st)
				}
			})
		}
		b.meta(so, &s.Meta, se.k)
		f.Sections = append(f.Sections, s)
	}
	b.meta(o, &f.Meta, e.k)
	b.p.Forms = append(b.p.Forms, f)
	b.p.forms[f.ID] = f
}

func (b *builder) fields(entries []pair, f *Form, ids map[string]*yaml.Node) []*Field {
	var out []*Field
	for _, e := range entries {
		if first := ids[e.k.Value]; first != nil {
			b.errorAt(e.k, "duplicate-id", fmt.Sprintf("it is already on the form at line %d; rename one", first.Line), "field %q is declared twice on form %q", e.k.Value, f.ID)
			continue
		}
		ids[e.k.Value] = e.k
		o := b.object(e.k, e.v, fieldShape)
		fl := &Field{ID: e.k.Value, Title: o.str("title"), Type: FieldType(o.str("type")), Values: o.strs("values"),
			Required: o.flag("required"), Personal: f.Personal || o.flag("personal")}
		b.meta(o, &fl.Meta, e.k)
		out = append(out, fl)
	}
	return out
}

func (b *builder) record(n *yaml.Node) *Record {
	o := b.object(n, n, recordShape)
	r := &Record{Text: o.str("text")}
	if fn := o.node("form"); fn != nil {
		b.later(func() { r.Form = b.refForm(fn) })
	}
	b.meta(o, &r.Meta, n)
	return r
}

func (b *builder) stage(e pair) {
	o := b.object(e.k, e.v, stageShape)
	s := &Stage{ID: e.k.Value, Title: o.str("title"), Description: o.str("description"), Index: len(b.p.Stages)}
	b.p.Stages = append(b.p.Stages, s)
	b.p.stages[s.ID] = s
	for _, n := range o.list("involves") {
		b.later(func() {
			if r := b.refRole(n); r != nil {
				s.Involves = append(s.Involves, r)
			}
		})
	}
	for _, oe := range o.idmap("obligations") {
		s.Obligations = append(s.Obligations, b.obligation(oe, s, nil))
	}
	for _, n := range o.list("records") {
		s.Records = append(s.Records, b.record(n))
	}
	for _, n := range o.list("forms") {
		b.later(func() {
			if f := b.refForm(n); f != nil {
				s.Forms = append(s.Forms, f)
			}
		})
	}
	for _, n := range o.list("transitions") {
		s.Transitions = append(s.Transitions, b.transition(n, s, nil))
	}
	b.meta(o, &s.Meta, e.k)
}

// obligation builds a duty of a stage, or of an outcome when s is nil.
func (b *builder) obligation(e pair, s *Stage, oc *Outcome) *Obligation {
	o := b.object(e.k, e.v, obligationShape)
	ob := &Obligation{ID: e.k.Value, Title: o.str("title"), Stage: s, Outcome: oc, Urgent: o.flag("urgent")}
	ob.Within, ob.HasDeadline = o.within("within")
	if n := o.node("owner"); n != nil {
		b.later(func() { ob.Owner = b.refRole(n) })
	}
	b.anchor(&ob.From, o.node("from"), ob.Within)
	for _, n := range o.list("whichever_sooner") {
		ob.Sooner = append(ob.Sooner, b.alternative(n))
	}
	if g := o.node("when"); g != nil {
		ob.When = b.guard(g, placeScope(s, oc))
		if n := len(b.guards); n > 0 && b.guards[n-1].g == ob.When {
			b.guards[n-1].duty = true
		}
	}
	if n := o.node("expedite"); n != nil {
		eo := b.object(o.key("expedite"), n, expediteShape)
		x := &Expedite{}
		x.Within, _ = eo.within("within")
		if g := eo.node("when"); g != nil {
			x.When = b.guard(g, placeScope(s, oc))
		}
		b.meta(eo, &x.Meta, o.key("expedite"))
		ob.Expedite = x
	}
	if n := o.node("breach"); n != nil {
		bo := b.object(o.key("breach"), n, breachShape)
		br := &Breach{Message: bo.str("message")}
		for _, rn := range bo.list("notify") {
			b.later(func() {
				if r := b.refRole(rn); r != nil {
					br.Notify = append(br.Notify, r)
				}
			})
		}
		b.meta(bo, &br.Meta, o.key("breach"))
		ob.Breach = br
	}
	b.meta(o, &ob.Meta, e.k)
	return ob
}

// placeScope returns what the guards of a stage's (or an outcome's) duties
// can name, computed when they are compiled.
func placeScope(s *Stage, oc *Outcome) func() *scope {
	if oc != nil {
		return func() *scope { return outcomeScope(oc) }
	}
	return func() *scope { return stageScope(s) }
}

// alternative builds one of a duty's whichever_sooner deadlines.
func (b *builder) alternative(n *yaml.Node) *Alternative {
	o := b.object(n, n, alternativeShape)
	a := &Alternative{}
	a.Within, _ = o.within("within")
	if by := o.node("by"); by != nil {
		b.factRef(by, 0, func(f *Fact) { a.By = f })
	} else {
		b.anchor(&a.From, o.node("from"), a.Within)
		if o.key("within") == nil {
			b.errorAt(n, "missing-key", "add within: …, or by: fact.NAME for a date the case gives",
				"a sooner deadline needs a timescale (within) or a date (by)")
		}
	}
	b.meta(o, &a.Meta, n)
	return a
}

const (
	milestonePrefix = "milestone."
	factPrefix      = "fact."
)

// anchor reads a deadline's from: stage, raised, milestone.NAME or
// fact.NAME; w is the timescale it counts, which for a date must be in days.
func (b *builder) anchor(a *Anchor, n *yaml.Node, w calendar.Within) {
	*a = Anchor{Kind: AnchorStage}
	switch v := deref(n); {
	case v == nil || v.Value == string(AnchorStage):
	case v.Value == string(AnchorRaised):
		a.Kind = AnchorRaised
	case strings.HasPrefix(v.Value, milestonePrefix):
		a.Kind = AnchorMilestone
		b.later(func() { a.Milestone = b.refMilestoneAt(v, len(milestonePrefix)) })
	case strings.HasPrefix(v.Value, factPrefix):
		a.Kind = AnchorFact
		if b.lang < v1_1 {
			b.errorAt(n, "language-version", fmt.Sprintf("name the version that has it: language: %s (the file says %s)", v1_1, b.lang),
				"from: fact.NAME is new in %s", v1_1)
		}
		if w.Unit == calendar.Hours {
			b.errorAt(n, "hours-from-date", "count in working days from a date, or count the hours from an event (stage, raised, a milestone)",
				"a date has no time of day, so %s cannot count from it", w)
		}
		b.factRef(v, len(factPrefix), func(f *Fact) { a.Fact = f })
	default:
		b.later(func() { // once every milestone and fact is declared, for the hint
			forms := []string{string(AnchorStage), string(AnchorRaised)}
			for _, m := range b.ids("milestone") {
				forms = append(forms, milestonePrefix+m)
			}
			for _, f := range b.ids("date fact") {
				forms = append(forms, factPrefix+f)
			}
			hint := b.sug.Hint(v.Value, forms)
			switch {
			case b.p.facts[v.Value] != nil:
				hint = "write fact." + v.Value
			case b.p.milestones[v.Value] != nil:
				hint = "write milestone." + v.Value
			}
			b.errorAt(n, "unknown-value", hint, "%q is not a valid from: use stage, raised, milestone.NAME or fact.NAME", v.Value)
		})
	}
}

// transition builds a stage's transition, an outcome's when oc is set, or an
// any_stage one when both are nil.
func (b *builder) transition(n *yaml.Node, s *Stage, oc *Outcome) *Transition {
	sh := transitionShape
	switch {
	case oc != nil:
		sh = outcomeTransitionShape
	case s == nil:
		sh = anyStageShape
	}
	o := b.object(n, n, sh)
	t := &Transition{Event: o.str("event"), From: s, At: oc, Note: o.str("note")}
	if tn := o.node("to"); tn != nil {
		b.later(func() {
			t.ToStage, t.ToOutcome = b.refTarget(tn)
			b.graphBroken = b.graphBroken || (t.ToStage == nil && t.ToOutcome == nil)
		})
	}
	for _, rn := range o.list("roles") {
		b.later(func() {
			if r := b.refRole(rn); r != nil {
				t.Roles = append(t.Roles, r)
			}
		})
	}
	for _, key := range []string{"only", "except"} {
		for _, sn := range o.list(key) {
			b.later(func() {
				st := b.refStage(sn)
				switch {
				case st == nil:
					b.graphBroken = true
				case key == "only":
					t.Only = append(t.Only, st)
				default:
					t.Except = append(t.Except, st)
				}
			})
		}
	}
	if g := o.node("when"); g != nil {
		t.When = b.guard(g, func() *scope { return b.scopeOf(t) })
	}
	b.obligationRefs(o.list("requires"), t, &t.Requires)
	b.obligationRefs(o.list("completes"), t, &t.Completes)
	for _, fn := range o.list("forms") {
		b.later(func() {
			if f := b.refForm(fn); f != nil {
				t.Forms = append(t.Forms, f)
			}
		})
	}
	for _, mn := range o.list("sets") {
		b.later(func() {
			if m := b.refMilestone(mn); m != nil {
				t.Sets = append(t.Sets, m)
				b.setMiles[m] = true
			}
		})
	}
	b.meta(o, &t.Meta, n)
	return t
}

// obligationRefs resolves a transition's requires or completes.
func (b *builder) obligationRefs(nodes []*yaml.Node, t *Transition, into *[]*Obligation) {
	for _, n := range nodes {
		b.later(func() {
			if ob := b.refObligation(n, t); ob != nil {
				*into = append(*into, ob)
			}
		})
	}
}

func (b *builder) outcome(e pair) {
	o := b.object(e.k, e.v, outcomeShape)
	id := e.k.Value
	if s := b.p.stages[id]; s != nil {
		b.errorAt(e.k, "duplicate-id", fmt.Sprintf("stage %q is at line %d; stages and outcomes share ids, so rename one", id, s.Pos.Line), "%q is both a stage and an outcome", id)
		return
	}
	oc := &Outcome{ID: id, Title: o.str("title"), Kind: OutcomeKind(o.str("kind")), Route: Route(o.str("route"))}
	for _, n := range o.list("records") {
		oc.Records = append(oc.Records, b.record(n))
	}
	for _, oe := range o.idmap("obligations") {
		oc.Obligations = append(oc.Obligations, b.obligation(oe, nil, oc))
	}
	for _, n := range o.list("transitions") {
		oc.Transitions = append(oc.Transitions, b.transition(n, nil, oc))
	}
	b.meta(o, &oc.Meta, e.k)
	b.p.Outcomes = append(b.p.Outcomes, oc)
	b.p.outcomes[id] = oc
}
