package engine

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"time"
)

// Engine holds the policies a host runs cases under, by id and version, and
// sends each case to the policy version it was raised under. It is immutable
// once New returns it and safe for concurrent use.
type Engine struct {
	versions map[PolicyRef]*Policy
	current  map[string]*Policy // the version new cases are raised under
	ids      []string
}

// Option configures an Engine.
type Option func(*Engine) error

// WithPolicies adds policies. When several versions share an id, the one
// added last is the one new cases are raised under; cases raised under the
// others keep running on them.
func WithPolicies(ps ...*Policy) Option {
	return func(e *Engine) error {
		for _, p := range ps {
			if p == nil {
				return fmt.Errorf("engine: WithPolicies was given a nil policy")
			}
			ref := PolicyRef{ID: p.ID, Version: p.Version}
			if _, dup := e.versions[ref]; dup {
				return fmt.Errorf("engine: policy %s version %s was added twice", p.ID, p.Version)
			}
			e.versions[ref] = p
			if _, seen := e.current[p.ID]; !seen {
				e.ids = append(e.ids, p.ID)
			}
			e.current[p.ID] = p
		}
		return nil
	}
}

// New builds an engine from its options.
func New(opts ...Option) (*Engine, error) {
	e := &Engine{versions: map[PolicyRef]*Policy{}, current: map[string]*Policy{}}
	for _, opt := range opts {
		if err := opt(e); err != nil {
			return nil, err
		}
	}
	sort.Strings(e.ids)
	return e, nil
}

// Policies lists the policy ids new cases can be raised under, sorted.
func (e *Engine) Policies() []string { return append([]string(nil), e.ids...) }

// Policy returns the version of a policy new cases are raised under.
func (e *Engine) Policy(id string) (*Policy, bool) {
	p, ok := e.current[id]
	return p, ok
}

// PolicyVersion returns one version of a policy, as a case or a stored
// index row names it.
func (e *Engine) PolicyVersion(ref PolicyRef) (*Policy, bool) {
	p, ok := e.versions[ref]
	return p, ok
}

// PolicyFor returns the policy version a case runs under. A case on a
// version the engine was not given fails with ErrPolicyMismatch: the host
// must keep loading every version its stored cases were raised under.
func (e *Engine) PolicyFor(h Head) (*Policy, error) {
	if err := emptyHead(&h); err != nil {
		return nil, err
	}
	p, ok := e.versions[h.Policy]
	if !ok {
		return nil, fmt.Errorf("%w: case %s is on %s version %s, which this engine does not have",
			ErrPolicyMismatch, h.ID, h.Policy.ID, h.Policy.Version)
	}
	return p, nil
}

// Raise starts a case under the current version of the policy with that id,
// and returns its head and the first entry of its record.
func (e *Engine) Raise(ctx context.Context, policyID string, r Raise) (Head, *Entry, error) {
	p, ok := e.current[policyID]
	if !ok {
		return Head{}, nil, fmt.Errorf("%w %q%s", ErrUnknownPolicy, policyID, didYouMean(policyID, e.ids))
	}
	return p.Raise(ctx, r)
}

// Fire applies an event to a case under the policy version it was raised
// under, and returns the next head and the entry that records the event.
func (e *Engine) Fire(ctx context.Context, h Head, ev Event) (Head, *Entry, error) {
	p, err := e.PolicyFor(h)
	if err != nil {
		return Head{}, nil, err
	}
	return p.Fire(ctx, h, ev)
}

// Due lists what the case's current stage owes at time at.
func (e *Engine) Due(h Head, at time.Time) ([]Duty, error) {
	p, err := e.PolicyFor(h)
	if err != nil {
		return nil, err
	}
	return p.Due(h, at)
}

// Available lists the events an actor may (and may not) fire on the case now.
func (e *Engine) Available(ctx context.Context, h Head, actor, role string, at time.Time) ([]Action, error) {
	p, err := e.PolicyFor(h)
	if err != nil {
		return nil, err
	}
	return p.Available(ctx, h, actor, role, at)
}

// Verify checks a case's head and record under the policy version it was
// raised under (see Policy.Verify).
func (e *Engine) Verify(ctx context.Context, h Head, entries iter.Seq2[*Entry, error], opts ...VerifyOption) error {
	p, err := e.PolicyFor(h)
	if err != nil {
		return err
	}
	return p.Verify(ctx, h, entries, opts...)
}
