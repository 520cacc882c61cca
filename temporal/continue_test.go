package temporal

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// continued is the input a run continued as new with.
func continued(t *testing.T, err error) Input {
	t.Helper()
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &can)
	assert.Equal(t, WorkflowName, can.WorkflowType.Name)
	var in Input
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
	return in
}

func TestContinueAsNewKeepsTimersAndHead(t *testing.T) {
	eng := bundledEngine(t)
	// The first run: the discussion goes overdue and the plan's reminder is
	// sent at the start of the 23rd; at 09:00 the discussion is recorded, by
	// when the history is past its bound.
	first := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	var discussed *outcome
	first.at(london(2026, 12, 23, 9, 0), func() {
		first.SetCurrentHistoryLength(50)
		discussed = first.update(UpdateFire, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner"})
	})
	first.ExecuteWorkflow(WorkflowName, raiseSefton(Options{Remind: true, MaxHistory: 50}))
	require.NoError(t, discussed.err)
	in := continued(t, first.GetWorkflowError())
	require.NotNil(t, in.Head)
	assertSameHead(t, discussed.applied.Head, *in.Head)
	assert.Equal(t, Options{Remind: true, MaxHistory: 50}, in.Options)
	assert.Len(t, in.Handled, 1, "the plan's reminder; the discussion is met")
	assert.Len(t, first.host.Record(testCase), 2, "the run ended after the store had every entry")
	require.Len(t, first.host.Notices(), 2)

	// The next run, from where the first ended: the plan's reminder is not
	// sent again, and it goes overdue at the end of the 24th, as the engine
	// fixed when the case was raised.
	next := newCaseEnvFor(t, eng, london(2026, 12, 23, 9, 0), first.host)
	var plan *outcome
	next.at(london(2026, 12, 29, 9, 0), func() {
		plan = next.update(UpdateFire, engine.Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner"})
	})
	next.until(london(2027, 2, 1, 0, 0))
	next.ExecuteWorkflow(WorkflowName, in)
	require.ErrorContains(t, next.GetWorkflowError(), "canceled")
	got := next.host.Notices()[2:]
	require.Len(t, got, 1)
	assert.Equal(t, Overdue, got[0].Kind)
	assert.Equal(t, "agree_plan", got[0].Obligation)
	assert.Equal(t, london(2026, 12, 25, 0, 0), got[0].At.In(calendar.London()))
	// The record goes on from the head: the next entry is the third, linked
	// to the second.
	require.NoError(t, plan.err)
	assert.Equal(t, 3, plan.applied.Entry.Seq)
	assert.Equal(t, discussed.applied.Entry.Hash, plan.applied.Entry.Prev)
	rec := next.host.Record(testCase)
	require.Len(t, rec, 3)
	require.NoError(t, eng.Verify(context.Background(), plan.applied.Head, engine.Entries(rec)))
}

func TestContinueAsNewWhenTemporalSuggests(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	env.at(london(2026, 12, 22, 10, 0), func() {
		env.SetContinueAsNewSuggested(true)
		env.update(UpdateFire, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner"})
	})
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	in := continued(t, env.GetWorkflowError())
	assert.Equal(t, int64(2), in.Head.Revision)
	assert.Empty(t, in.Handled)
}

func TestHistoryUnderItsBoundDoesNotContinue(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	env.at(london(2026, 12, 22, 10, 0), func() {
		env.SetCurrentHistoryLength(49)
		env.update(UpdateFire, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner"})
	})
	env.until(london(2026, 12, 22, 11, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{MaxHistory: 50}))
	require.ErrorContains(t, env.GetWorkflowError(), "canceled")
}

// A case keeps the policy version it was raised under, whatever its worker
// loads later, and a worker without that version does not run it.
func TestCasePinnedToItsPolicyVersion(t *testing.T) {
	old := loadVersion(t, "testdata/versions/v1.yaml")
	newer := loadVersion(t, "testdata/versions/v2.yaml")
	only := func(ps ...*engine.Policy) *engine.Engine {
		eng, err := engine.New(engine.WithPolicies(ps...))
		require.NoError(t, err)
		return eng
	}
	raised := london(2026, 12, 22, 9, 0)
	first := newCaseEnv(t, only(old), raised)
	first.at(london(2026, 12, 22, 10, 0), func() {
		first.SetContinueAsNewSuggested(true)
		first.update(UpdateFire, engine.Event{Name: "noted", Actor: "asha", Role: "practitioner"})
	})
	first.ExecuteWorkflow(WorkflowName, Input{Policy: "pinned", Raise: &engine.Raise{Actor: "asha", Role: "practitioner"}})
	in := continued(t, first.GetWorkflowError())
	assert.Equal(t, engine.PolicyRef{ID: "pinned", Version: "1"}, in.Head.Policy)

	// A worker holding both versions runs it on version 1: 2 working days,
	// not version 2's 5.
	both := newCaseEnv(t, only(old, newer), london(2026, 12, 22, 10, 0))
	both.until(london(2027, 2, 1, 0, 0))
	both.ExecuteWorkflow(WorkflowName, in)
	got := both.host.Notices()
	require.Len(t, got, 1)
	assert.Equal(t, london(2026, 12, 25, 0, 0), got[0].Due.In(calendar.London()))
	assert.Equal(t, engine.PolicyRef{ID: "pinned", Version: "1"}, got[0].Policy)

	// A worker with version 2 alone cannot: its workflow task fails (and
	// Temporal would retry it on another worker) rather than the case.
	missing := newCaseEnv(t, only(newer), london(2026, 12, 22, 10, 0))
	missing.ExecuteWorkflow(WorkflowName, in)
	require.ErrorContains(t, missing.GetWorkflowError(), "does not hold policy pinned version 1")

	// A new case is raised on the newest version.
	fresh := newCaseEnv(t, only(old, newer), raised)
	var o *outcome
	fresh.at(raised, func() { o = fresh.update(UpdateRaised) })
	fresh.until(london(2026, 12, 22, 12, 0))
	fresh.ExecuteWorkflow(WorkflowName, Input{Policy: "pinned", Raise: &engine.Raise{Actor: "asha", Role: "practitioner"}})
	require.NoError(t, o.err)
	assert.Equal(t, "2", o.applied.Head.Policy.Version)
}
