package engine

import (
	"context"
	"sync"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// activation is what a guard sees: the built-in names of the policy language
// and the case's facts. It resolves each name only when a guard reads it, so
// an event pays for what its guards use and nothing else.
type activation struct {
	p           *Policy
	facts       map[string]any
	role, actor string
	stage       string
	now         time.Time
	raised      time.Time
	entered     time.Time
	milestones  map[string]time.Time
	obligations []ObligationState // the current visit's

	// memo, when on, remembers the guards evaluated, by their text: Available
	// asks about every event of a stage at one time, and a stage's
	// transitions often share a condition (resolve and escalate after the
	// same one), which gives the same answer each time.
	memo struct {
		on   bool
		n    int
		text [8]string
		ok   [8]bool
		err  [8]error
	}
}

// eval evaluates a guard against the activation, or recalls the answer.
func (a *activation) eval(ctx context.Context, g *Guard) (bool, error) {
	m := &a.memo
	if m.on {
		for i := 0; i < m.n; i++ {
			if m.text[i] == g.Text {
				return m.ok[i], m.err[i]
			}
		}
	}
	ok, err := g.Eval(ctx, a)
	if m.on && m.n < len(m.text) {
		m.text[m.n], m.ok[m.n], m.err[m.n] = g.Text, ok, err
		m.n++
	}
	return ok, err
}

var _ interpreter.Activation = (*activation)(nil)

// Guards see an activation through an interface, so it escapes to the heap;
// pooling them keeps that allocation out of every event.
var activations = sync.Pool{New: func() any { return new(activation) }}

// newActivation returns a pooled copy of a. Release it when the event is done.
func newActivation(a activation) *activation {
	pa := activations.Get().(*activation)
	*pa = a
	return pa
}

// release returns a to the pool, dropping what it refers to. No compiled
// program keeps an activation once Eval returns.
func (a *activation) release() {
	*a = activation{}
	activations.Put(a)
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "role":
		return a.p.str(a.role), true
	case "actor":
		return types.String(a.actor), true
	case "stage":
		return a.p.str(a.stage), true
	case "now":
		return types.Timestamp{Time: a.now}, true
	case "raised":
		return types.Timestamp{Time: a.raised}, true
	case "entered":
		return types.Timestamp{Time: a.entered}, true
	case "milestones":
		return milestonesVal{a}, true
	case "obligations":
		return obligationsVal{a}, true
	case "overdue":
		return overdueVal{a}, true
	}
	f, ok := a.p.facts[name]
	if !ok {
		return nil, false
	}
	v, ok := a.facts[name]
	if !ok {
		v = f.Default
	}
	return a.p.factVal(f, v)
}

// intern boxes, once, the strings guards compare most: role and stage ids
// and enum values. Boxing a string for CEL allocates; these need not.
func intern(p *Policy) map[string]ref.Val {
	m := map[string]ref.Val{}
	for _, r := range p.Roles {
		m[r.ID] = types.String(r.ID)
	}
	for _, s := range p.Stages {
		m[s.ID] = types.String(s.ID)
	}
	for _, f := range p.Facts {
		for _, v := range f.Values {
			m[v] = types.String(v)
		}
	}
	for _, st := range [...]Status{StatusWaiting, StatusPending, StatusOverdue, StatusMet} {
		m[string(st)] = types.String(st)
	}
	return m
}

// str is s as a CEL value, from the interned ones when it is one of them.
func (p *Policy) str(s string) ref.Val {
	if v, ok := p.interned[s]; ok {
		return v
	}
	return types.String(s)
}

// factVal turns a stored fact into its CEL value. A date fact that was never
// set resolves to nothing, so a guard reading it fails and says so.
func (p *Policy) factVal(f *Fact, v any) (ref.Val, bool) {
	switch f.Type {
	case FactBool:
		b, ok := canonicalBool(v)
		return types.Bool(b), ok
	case FactInt:
		n, ok := canonicalInt(v)
		return types.Int(n), ok
	case FactDate:
		s, ok := canonicalDate(v)
		if !ok {
			return nil, false
		}
		d, err := calendar.ParseDate(s)
		if err != nil {
			return nil, false
		}
		return types.Timestamp{Time: d.Start()}, true
	case FactList:
		l, ok := canonicalList(v)
		return types.NewStringList(types.DefaultTypeAdapter, l), ok
	}
	s, ok := canonicalString(v)
	return p.str(s), ok
}
