package engine

import (
	"context"
	"fmt"
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
func (e *Engine) PolicyFor(c Case) (*Policy, error) {
	if err := emptyCase(&c); err != nil {
		return nil, err
	}
	p, ok := e.versions[c.Policy]
	if !ok {
		return nil, fmt.Errorf("%w: case %s is on %s version %s, which this engine does not have",
			ErrPolicyMismatch, c.ID, c.Policy.ID, c.Policy.Version)
	}
	return p, nil
}

// Raise starts a case under the current version of the policy with that id.
func (e *Engine) Raise(ctx context.Context, policyID string, r Raise) (Case, error) {
	p, ok := e.current[policyID]
	if !ok {
		return Case{}, fmt.Errorf("%w %q%s", ErrUnknownPolicy, policyID, didYouMean(policyID, e.ids))
	}
	return p.Raise(ctx, r)
}

// Fire applies an event to a case under the policy version it was raised under.
func (e *Engine) Fire(ctx context.Context, c Case, ev Event) (Case, error) {
	p, err := e.PolicyFor(c)
	if err != nil {
		return Case{}, err
	}
	return p.Fire(ctx, c, ev)
}

// Due lists what the case's current stage owes at time at.
func (e *Engine) Due(c Case, at time.Time) ([]Duty, error) {
	p, err := e.PolicyFor(c)
	if err != nil {
		return nil, err
	}
	return p.Due(c, at)
}

// Available lists the events an actor may (and may not) fire on the case now.
func (e *Engine) Available(ctx context.Context, c Case, actor, role string, at time.Time) ([]Action, error) {
	p, err := e.PolicyFor(c)
	if err != nil {
		return nil, err
	}
	return p.Available(ctx, c, actor, role, at)
}

// Verify checks that a stored case is exactly what its history rebuilds.
func (e *Engine) Verify(ctx context.Context, c Case) error {
	p, err := e.PolicyFor(c)
	if err != nil {
		return err
	}
	return p.Verify(ctx, c)
}
