package engine

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// Engine holds the policies a host runs cases under, by id and version. It
// raises each new case under the version in force on the day the case is
// raised, whatever order the versions were added in, and sends each case to
// the version it was raised under for the rest of its life. It is immutable
// once New returns it and safe for concurrent use.
type Engine struct {
	versions map[PolicyRef]*Policy
	inForce  map[string][]*Policy // each id's versions, earliest in force first
	ids      []string
}

// Option configures an Engine.
type Option func(*Engine) error

// WithPolicies adds policies. Several versions of one id may be added, in
// any order: each applies from its in_force_from date (a version without one
// applies from the start) until the next version's; two versions of one id in
// force from the same date are an error from New.
func WithPolicies(ps ...*Policy) Option {
	return func(e *Engine) error {
		for _, p := range ps {
			if err := e.add(p, "WithPolicies"); err != nil {
				return err
			}
			if _, seen := e.inForce[p.ID]; !seen {
				e.ids = append(e.ids, p.ID)
			}
			e.inForce[p.ID] = append(e.inForce[p.ID], p)
		}
		return nil
	}
}

// WithSuperseded adds versions that the cases raised under them keep running
// on, but under which no new case is raised (unless a host names one with
// RaiseVersion): an older version kept for its open cases without the date
// its successor took over, which WithPolicies would need to tell which is in
// force.
func WithSuperseded(ps ...*Policy) Option {
	return func(e *Engine) error {
		for _, p := range ps {
			if err := e.add(p, "WithSuperseded"); err != nil {
				return err
			}
		}
		return nil
	}
}

// add makes a version known to the engine, once.
func (e *Engine) add(p *Policy, option string) error {
	if p == nil {
		return fmt.Errorf("engine: %s was given a nil policy", option)
	}
	ref := PolicyRef{ID: p.ID, Version: p.Version}
	if _, dup := e.versions[ref]; dup {
		return fmt.Errorf("engine: policy %s version %s was added twice", p.ID, p.Version)
	}
	e.versions[ref] = p
	return nil
}

// New builds an engine from its options. It fails with ErrVersionConflict
// when two versions of one policy are in force from the same date.
func New(opts ...Option) (*Engine, error) {
	e := &Engine{versions: map[PolicyRef]*Policy{}, inForce: map[string][]*Policy{}}
	for _, opt := range opts {
		if err := opt(e); err != nil {
			return nil, err
		}
	}
	sort.Strings(e.ids)
	for _, id := range e.ids {
		vs := e.inForce[id]
		slices.SortStableFunc(vs, func(a, b *Policy) int { return a.InForceFrom.Compare(b.InForceFrom) })
		for i := 1; i < len(vs); i++ {
			if a, b := vs[i-1], vs[i]; a.InForceFrom == b.InForceFrom {
				from := "from " + a.InForceFrom.String()
				if a.InForceFrom.IsZero() {
					from = "from the start (neither has in_force_from)"
				}
				return nil, fmt.Errorf("%w: policy %s versions %s and %s are both in force %s: give the newer one the date it applies from",
					ErrVersionConflict, id, a.Version, b.Version, from)
			}
		}
	}
	return e, nil
}

// Policies lists the policy ids new cases can be raised under, sorted.
func (e *Engine) Policies() []string { return append([]string(nil), e.ids...) }

// Policy returns the latest version of a policy: the one in force from the
// latest date. PolicyInForce gives the version in force on a given day.
func (e *Engine) Policy(id string) (*Policy, bool) {
	vs := e.inForce[id]
	if len(vs) == 0 {
		return nil, false
	}
	return vs[len(vs)-1], true
}

// PolicyInForce returns the version of a policy in force on a day: the one
// with the latest in_force_from on or before it. It is false when the policy
// is unknown or no version is in force yet on that day.
func (e *Engine) PolicyInForce(id string, on calendar.Date) (*Policy, bool) {
	vs := e.inForce[id]
	i := sort.Search(len(vs), func(i int) bool { return vs[i].InForceFrom.After(on) })
	if i == 0 {
		return nil, false
	}
	return vs[i-1], true
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

// Raise starts a case under the version of the policy in force on the day
// it is raised (r.At's date in Europe/London), and returns its head and the
// first entry of its record. It fails with ErrNoVersionInForce when every
// version of the policy applies only from a later date.
func (e *Engine) Raise(ctx context.Context, policyID string, r Raise) (Head, *Entry, error) {
	vs, ok := e.inForce[policyID]
	if !ok {
		return Head{}, nil, fmt.Errorf("%w %q%s", ErrUnknownPolicy, policyID, didYouMean(policyID, e.ids))
	}
	if r.At.IsZero() {
		return Head{}, nil, &InputError{Path: "at", Message: "is required: when the case was raised"}
	}
	on := calendar.DateOf(r.At)
	p, ok := e.PolicyInForce(policyID, on)
	if !ok {
		return Head{}, nil, fmt.Errorf("%w: policy %s on %s: its earliest version, %s, is in force from %s; raise under it with RaiseVersion if it should apply",
			ErrNoVersionInForce, policyID, on, vs[0].Version, vs[0].InForceFrom)
	}
	return p.Raise(ctx, r)
}

// RaiseVersion starts a case under a version the host names, whatever the
// version in force on the day: for a case the host knows belongs to an
// earlier or a later procedure.
func (e *Engine) RaiseVersion(ctx context.Context, ref PolicyRef, r Raise) (Head, *Entry, error) {
	p, ok := e.versions[ref]
	if !ok {
		var known []string
		for _, p := range e.inForce[ref.ID] {
			known = append(known, p.Version)
		}
		if len(known) == 0 {
			return Head{}, nil, fmt.Errorf("%w %q%s", ErrUnknownPolicy, ref.ID, didYouMean(ref.ID, e.ids))
		}
		return Head{}, nil, fmt.Errorf("%w: %s has no version %q (it has %s)", ErrUnknownPolicy, ref.ID, ref.Version, strings.Join(known, ", "))
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
