package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// Timescale returns the timescale obligation ob gets when its deadline is
// fixed at time at, in a case raised at raised whose facts are facts, at the
// obligation's stage entered at at: its expedited timescale when the
// expedite condition holds then, and its own otherwise. Facts not given take
// their defaults. It answers "what if" without a case, for a schedule of a
// case not yet raised; a running case's deadlines are fixed by Raise and
// Fire, in the same way.
func (p *Policy) Timescale(ctx context.Context, ob *Obligation, facts map[string]any, raised, at time.Time) (w calendar.Within, expedited bool, err error) {
	if ob == nil || ob.Stage == nil || p.stages[ob.Stage.ID] != ob.Stage {
		return calendar.Within{}, false, fmt.Errorf("%w: the obligation is not one of policy %s's", ErrPolicyMismatch, p.ID)
	}
	updates, err := p.canonicalFacts(facts, false)
	if err != nil {
		return calendar.Within{}, false, err
	}
	act := newActivation(activation{p: p, facts: p.initialFacts(updates), stage: ob.Stage.ID, now: at, raised: raised, entered: at})
	defer act.release()
	return timescale(ctx, ob, act)
}

// timescale is the obligation's timescale as the activation's case sees it:
// the expedited one when its condition holds.
func timescale(ctx context.Context, ob *Obligation, act *activation) (calendar.Within, bool, error) {
	if ob.Expedite == nil {
		return ob.Within, false, nil
	}
	ok, err := ob.Expedite.When.Eval(ctx, act)
	if err != nil {
		return calendar.Within{}, false, fmt.Errorf("obligation %s: expedite condition %s: %w", ob.ID, ob.Expedite.When.Text, err)
	}
	if ok {
		return ob.Expedite.Within, true, nil
	}
	return ob.Within, false, nil
}
