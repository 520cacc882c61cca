package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// Timescale returns the timescale obligation ob gets when its deadline is
// fixed at time at, in a case raised at raised whose facts are facts, at the
// obligation's stage (or outcome) entered at at: its expedited timescale when the
// expedite condition holds then, and its own otherwise. Facts not given take
// their defaults. It answers "what if" without a case, for a schedule of a
// case not yet raised; a running case's deadlines are fixed by Raise and
// Fire, in the same way.
func (p *Policy) Timescale(ctx context.Context, ob *Obligation, facts map[string]any, raised, at time.Time) (w calendar.Within, expedited bool, err error) {
	act, err := p.whatIf(ob, facts, nil, raised, at)
	if err != nil {
		return calendar.Within{}, false, err
	}
	defer act.release()
	return timescale(ctx, ob, act)
}

// Owes reports whether obligation ob is owed, at its stage (or outcome)
// entered at entered, in a case raised at raised whose facts are facts and
// whose milestones are milestones: whether its condition (when:) holds for
// them. An obligation without a condition is always owed. Facts not given
// take their defaults. Like Timescale, it answers "what if" without a case;
// a running case's duties are decided by Raise and Fire, in the same way.
func (p *Policy) Owes(ctx context.Context, ob *Obligation, facts map[string]any, milestones map[string]time.Time, raised, entered time.Time) (bool, error) {
	act, err := p.whatIf(ob, facts, milestones, raised, entered)
	if err != nil {
		return false, err
	}
	defer act.release()
	if ob.When == nil {
		return true, nil
	}
	return p.condition(ctx, ob, act)
}

// whatIf is the activation of a case that is not there: raised at raised,
// at ob's stage (or outcome) entered at at, with the facts given and the
// defaults.
func (p *Policy) whatIf(ob *Obligation, facts map[string]any, milestones map[string]time.Time, raised, at time.Time) (*activation, error) {
	stage := ""
	switch {
	case ob != nil && ob.Stage != nil && p.stages[ob.Stage.ID] == ob.Stage:
		stage = ob.Stage.ID
	case ob != nil && ob.Outcome != nil && p.outcomes[ob.Outcome.ID] == ob.Outcome:
	default:
		return nil, fmt.Errorf("%w: the obligation is not one of policy %s's", ErrPolicyMismatch, p.ID)
	}
	updates, err := p.canonicalFacts(facts, false)
	if err != nil {
		return nil, err
	}
	return newActivation(activation{p: p, facts: p.initialFacts(updates), stage: stage, now: at, raised: raised, entered: at, milestones: milestones}), nil
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
