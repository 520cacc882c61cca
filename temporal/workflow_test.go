package temporal

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// act is an event fired on a case at a time, in a test.
type act struct {
	at time.Time
	ev engine.Event
}

// The Sefton ladder climbed by the next working morning after each step's
// deadline: every step's duties go overdue first.
func seftonLadder() []act {
	const initials = "A.B."
	return []act{
		{london(2026, 12, 29, 9, 0), engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner"}},
		{london(2026, 12, 31, 9, 0), engine.Event{Name: "escalate", Actor: "lee", Role: "line_manager", Forms: map[string]map[string]any{
			"agency_escalation_summary_log": {
				"date_escalated": "2026-12-31", "manager": "lee", "agency": "school", "other_agency": "social care",
				"child_initials": initials, "disagreement": "threshold for a child in need assessment",
			},
		}}},
		{london(2027, 1, 5, 9, 0), engine.Event{Name: "escalate", Actor: "hana", Role: "head_of_service", Forms: map[string]map[string]any{
			"report_to_sscp": {
				"reported_by": "hana", "agency": "school", "other_agency": "social care", "child_initials": initials,
				"disagreement": "threshold for a child in need assessment", "step3_plan": "none agreed",
			},
		}}},
	}
}

// overdueByEngine is what the engine says falls overdue on a case raised at
// raised with the acts, up to end: for the stage each act leaves, and the
// last, every duty overdue by then, with its deadline. It fires the acts
// through the engine alone, with no workflow.
func overdueByEngine(t *testing.T, eng *engine.Engine, r engine.Raise, acts []act, end time.Time) []Notice {
	t.Helper()
	ctx := context.Background()
	h, _, err := eng.Raise(ctx, "sefton", r)
	require.NoError(t, err)
	var out []Notice
	collect := func(until time.Time) {
		duties, err := eng.Due(h, until)
		require.NoError(t, err)
		for _, d := range duties {
			if d.Status == engine.StatusOverdue {
				out = append(out, Notice{Kind: Overdue, Stage: h.Stage, Obligation: d.Obligation.ID, Due: d.Due, DueDate: d.DueDate, At: d.Due})
			}
		}
	}
	for _, a := range acts {
		collect(a.at)
		a.ev.At = a.at
		h, _, err = eng.Fire(ctx, h, a.ev)
		require.NoError(t, err)
	}
	collect(end)
	slices.SortStableFunc(out, func(a, b Notice) int { return a.At.Compare(b.At) })
	return out
}

// brief is a notice as the tests compare them: kind, stage, duty and times.
func brief(ns []Notice) []Notice {
	out := make([]Notice, len(ns))
	for i, n := range ns {
		out[i] = Notice{Kind: n.Kind, Stage: n.Stage, Obligation: n.Obligation, Due: n.Due.UTC(), DueDate: n.DueDate, At: n.At.UTC()}
	}
	return out
}

func TestChristmasUntouched(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	env := newCaseEnv(t, eng, raised)
	end := london(2027, 3, 1, 0, 0)
	env.until(end)
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.ErrorContains(t, env.GetWorkflowError(), "canceled")

	want := overdueByEngine(t, eng, engine.Raise{CaseID: testCase, Actor: "asha", Role: "practitioner", Agency: "school", At: raised}, nil, end)
	got := env.host.Notices()
	assert.Equal(t, brief(want), brief(got))
	// The engine's deadlines, pinned: "immediately" is by the end of the
	// Tuesday it was raised, and 2 working days the end of Thursday 24th.
	require.Len(t, got, 2)
	assert.Equal(t, "discuss", got[0].Obligation)
	assert.Equal(t, london(2026, 12, 23, 0, 0), got[0].At.In(calendar.London()))
	assert.Equal(t, "agree_plan", got[1].Obligation)
	assert.Equal(t, london(2026, 12, 25, 0, 0), got[1].At.In(calendar.London()))
	assert.Equal(t, calendar.Date{Year: 2026, Month: 12, Day: 24}, got[1].DueDate)
	for _, n := range got {
		assert.Equal(t, n.Due, n.At, "a notice arrives at its deadline, not later")
		assert.Equal(t, Overdue, n.Kind)
		assert.Equal(t, testCase, n.Case)
		assert.Equal(t, "practitioner", n.Owner)
	}
	// The raise is the record's only entry.
	require.Len(t, env.host.Record(testCase), 1)
}

func TestChristmasLadderNoticesAtTheEnginesDeadlines(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	env := newCaseEnv(t, eng, raised)
	acts := seftonLadder()
	outcomes := make([]*outcome, len(acts))
	for i, a := range acts {
		env.at(a.at, func() { outcomes[i] = env.update(UpdateFire, a.ev) })
	}
	end := london(2027, 3, 1, 0, 0)
	env.until(end)
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	for i, o := range outcomes {
		require.NotNil(t, o, "act %d never sent", i)
		require.True(t, o.completed, "act %d", i)
		require.NoError(t, o.err, "act %d", i)
	}

	want := overdueByEngine(t, eng, engine.Raise{CaseID: testCase, Actor: "asha", Role: "practitioner", Agency: "school", At: raised}, acts, end)
	got := env.host.Notices()
	assert.Equal(t, brief(want), brief(got))
	// The ends of 24 Dec, 30 Dec, 4 Jan and 11 Jan: Christmas Day, Boxing
	// Day's substitute (Mon 28th) and New Year's Day are not counted.
	ends := map[string]time.Time{}
	for _, n := range got {
		ends[n.Obligation] = n.At.In(calendar.London())
	}
	assert.Equal(t, map[string]time.Time{
		"discuss":                 london(2026, 12, 23, 0, 0),
		"agree_plan":              london(2026, 12, 25, 0, 0),
		"managers_agree_plan":     london(2026, 12, 31, 0, 0),
		"contact_head_of_service": london(2027, 1, 1, 0, 0),
		"heads_agree_plan":        london(2027, 1, 5, 0, 0),
		"decide":                  london(2027, 1, 12, 0, 0),
		"convene_meeting":         london(2027, 1, 13, 0, 0),
	}, ends)
	assert.Len(t, env.host.Record(testCase), 4)
}

func TestMetInTimeGetsNoNotice(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	env := newCaseEnv(t, eng, raised)
	var cancelled []string
	env.SetOnTimerCanceledListener(func(id string) { cancelled = append(cancelled, id) })
	var met *outcome
	// Both Step 1 duties met by a plan agreed at 16:00 on the day of the raise.
	env.at(london(2026, 12, 22, 16, 0), func() {
		met = env.update(UpdateFire, engine.Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner"})
	})
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.NoError(t, met.err)
	assert.Empty(t, env.host.Notices())
	assert.Len(t, cancelled, 2, "both deadlines' timers are cancelled")
	duties := met.applied.Head.Obligations
	require.Len(t, duties, 2)
	for _, d := range duties {
		assert.Equal(t, london(2026, 12, 22, 16, 0), d.Met.In(calendar.London()))
	}
}

func TestOneDutyMetTheOtherStillNoticed(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	env := newCaseEnv(t, eng, raised)
	env.at(london(2026, 12, 22, 10, 0), func() {
		env.update(UpdateFire, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner"})
	})
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	got := env.host.Notices()
	require.Len(t, got, 1)
	assert.Equal(t, "agree_plan", got[0].Obligation)
	assert.Equal(t, london(2026, 12, 25, 0, 0), got[0].At.In(calendar.London()))
}

func TestRefusedEventLeavesNoTrace(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	for _, tc := range []struct {
		name   string
		ev     engine.Event
		reason error
		detail string
	}{
		{"wrong role", engine.Event{Name: "escalate", Actor: "chair", Role: "sscp_chair"}, engine.ErrRoleNotPermitted, ""},
		{"guard false", engine.Event{Name: "urgent_resolution", Actor: "lee", Role: "line_manager"}, engine.ErrGuardFalse, "immediate_risk"},
		{"unknown event", engine.Event{Name: "decide", Actor: "chair", Role: "sscp_chair"}, engine.ErrUnknownEvent, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newCaseEnv(t, eng, raised)
			var (
				before, after engine.Head
				o             *outcome
				appends       int
			)
			env.at(london(2026, 12, 22, 10, 0), func() {
				before = env.head()
				appends = env.host.appends
				o = env.update(UpdateFire, tc.ev)
			})
			env.at(london(2026, 12, 22, 11, 0), func() { after = env.head() })
			env.until(london(2026, 12, 22, 12, 0))
			env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))

			require.True(t, o.rejected, "refused by the validator, so never in the history")
			assert.False(t, o.accepted)
			assert.False(t, o.completed)
			// The engine's reasons, as a caller gets them across the wire.
			err := FromError(overTheWire(o.err), eng)
			var refused *engine.RefusedError
			require.ErrorAs(t, err, &refused)
			assert.ErrorIs(t, err, tc.reason)
			assert.Equal(t, tc.ev.Name, refused.Event)
			assert.Equal(t, "step1", refused.Stage)
			require.NotEmpty(t, refused.Reasons)
			if tc.detail != "" {
				assert.Equal(t, tc.detail, refused.Reasons[0].Detail)
				require.NotNil(t, refused.Reasons[0].Transition, "the policy's own transition, found again")
				assert.Equal(t, tc.ev.Name, refused.Reasons[0].Transition.Event)
			}
			var app *temporal.ApplicationError
			require.ErrorAs(t, o.err, &app)
			assert.Equal(t, RefusedType, app.Type())
			assert.Equal(t, app.Message(), err.Error(), "the engine's message, intact")
			// Nothing changed: the head, and no entry for the store.
			assert.Equal(t, before, after)
			assert.Equal(t, int64(1), after.Revision)
			assert.Equal(t, appends, env.host.appends)
			assert.Len(t, env.host.Record(testCase), 1)
		})
	}
}

func TestConcurrentUpdatesAreSerialised(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	env := newCaseEnv(t, eng, raised)
	var first, second *outcome
	env.at(london(2026, 12, 22, 10, 0), func() {
		// Both sent at once: the second is decided on the head the first
		// led to (it needs the case at Step 2).
		first = env.update(UpdateFire, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", Revision: 1})
		second = env.update(UpdateFire, engine.Event{Name: "plan_agreed", Actor: "lee", Role: "line_manager"})
	})
	env.until(london(2026, 12, 22, 12, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.NoError(t, first.err)
	require.NoError(t, second.err)
	assert.Equal(t, int64(2), first.applied.Head.Revision)
	assert.Equal(t, int64(3), second.applied.Head.Revision)
	assert.Equal(t, "step2", second.applied.Head.Stage)
	assert.Equal(t, first.applied.Entry.Hash, second.applied.Entry.Prev, "the second entry follows the first")
	rec := env.host.Record(testCase)
	require.Len(t, rec, 3)
	assert.Equal(t, []string{"raise", "escalate", "plan_agreed"}, []string{rec[0].Event, rec[1].Event, rec[2].Event})
	// The record the store holds verifies against the workflow's head.
	require.NoError(t, eng.Verify(context.Background(), second.applied.Head, engine.Entries(rec)))
}

func TestStaleRevisionRefused(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	var first, second *outcome
	env.at(london(2026, 12, 22, 10, 0), func() {
		first = env.update(UpdateFire, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner", Revision: 1})
		second = env.update(UpdateFire, engine.Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", Revision: 1})
	})
	env.until(london(2026, 12, 22, 12, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.NoError(t, first.err)
	require.True(t, second.rejected)
	assert.ErrorIs(t, FromError(overTheWire(second.err), eng), engine.ErrStaleRevision)
}

func TestEventTimeIsTheWorkflows(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	var o *outcome
	env.at(london(2026, 12, 22, 10, 0), func() {
		o = env.update(UpdateFire, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner", At: london(2026, 12, 22, 9, 30)})
	})
	env.until(london(2026, 12, 22, 12, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.True(t, o.rejected)
	var input *engine.InputError
	require.ErrorAs(t, FromError(overTheWire(o.err), eng), &input)
	assert.Equal(t, "event.At", input.Path)
}

func TestRaisedUpdateAnswersTheFirstEntry(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 22, 9, 0)
	env := newCaseEnv(t, eng, raised)
	var o *outcome
	env.at(raised, func() { o = env.update(UpdateRaised) })
	env.until(london(2026, 12, 22, 12, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.NoError(t, o.err)
	assert.Equal(t, testCase, o.applied.Head.ID)
	assert.Equal(t, engine.PolicyRef{ID: "sefton", Version: "2024-05-02"}, o.applied.Head.Policy)
	assert.Equal(t, raised, o.applied.Head.Raised.In(calendar.London()))
	assert.Equal(t, engine.RaiseEvent, o.applied.Entry.Event)
	assert.Equal(t, testCase, o.applied.Entry.Case)
}

func TestRaiseRefusedFailsTheWorkflowWithTheEnginesError(t *testing.T) {
	eng := bundledEngine(t)
	for _, tc := range []struct {
		name string
		in   Input
		is   error
		path string
	}{
		{"unknown fact", Input{Policy: "sefton", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Facts: map[string]any{"imediate_risk": true}}}, engine.ErrInvalidInput, "facts.imediate_risk"},
		{"unknown policy", Input{Policy: "nowhere", Raise: &engine.Raise{Actor: "asha", Role: "practitioner"}}, engine.ErrUnknownPolicy, ""},
		{"another case's id", Input{Policy: "sefton", Raise: &engine.Raise{CaseID: "case-2", Actor: "asha", Role: "practitioner"}}, engine.ErrInvalidInput, "raise.CaseID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := london(2026, 12, 22, 9, 0)
			env := newCaseEnv(t, eng, start)
			var o *outcome
			env.at(start, func() { o = env.update(UpdateRaised) })
			env.ExecuteWorkflow(WorkflowName, tc.in)
			for _, err := range []error{env.GetWorkflowError(), o.err} {
				err = FromError(overTheWire(err), eng)
				assert.ErrorIs(t, err, tc.is)
				var input *engine.InputError
				if tc.path != "" && assert.ErrorAs(t, err, &input) {
					assert.Equal(t, tc.path, input.Path)
				}
			}
			assert.Empty(t, env.host.Record(testCase))
		})
	}
}

func TestCompletesAtAnOutcomeWithTheLastHead(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	env.at(london(2026, 12, 23, 9, 0), func() {
		env.update(UpdateFire, engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner"})
	})
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var h engine.Head
	require.NoError(t, env.GetWorkflowResult(&h))
	assert.Equal(t, "resolved", h.Outcome)
	assert.Equal(t, int64(2), h.Revision)
	// The discussion went overdue at the end of the 22nd; the plan, met on
	// resolving, never did. The workflow ended when the case closed, not at
	// a deadline: no timer was left to fire.
	require.Len(t, env.host.Notices(), 1)
	assert.Equal(t, "discuss", env.host.Notices()[0].Obligation)
	assert.Equal(t, london(2026, 12, 23, 9, 0), env.Now().In(calendar.London()))
	assert.Len(t, env.host.Record(testCase), 2)
}

func TestRemindersOneWorkingDayBefore(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	acts := seftonLadder()
	for _, a := range acts {
		env.at(a.at, func() { env.update(UpdateFire, a.ev) })
	}
	env.until(london(2027, 3, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{Remind: true}))
	reminders := map[string]time.Time{}
	for _, n := range env.host.Notices() {
		if n.Kind == Reminder {
			assert.NotContains(t, reminders, n.Obligation)
			reminders[n.Obligation] = n.At.In(calendar.London())
		}
	}
	// At the start of the working day before each due date, on the policy's
	// calendar, or on reaching the stage when that is later; none for a
	// duty due the day it starts ("immediately").
	assert.Equal(t, map[string]time.Time{
		"agree_plan": london(2026, 12, 23, 0, 0), // due Thu 24 Dec
		// Due Wed 30 Dec, so from the start of Tue 29th (Mon 28th is Boxing
		// Day's substitute), but Step 2 is reached only at 09:00 that day.
		"managers_agree_plan": london(2026, 12, 29, 9, 0),
		// Due Mon 4 Jan, so from Thu 31 Dec (New Year's Day and a weekend
		// between), the day Step 3 is reached at 09:00.
		"heads_agree_plan": london(2026, 12, 31, 9, 0),
		"decide":           london(2027, 1, 8, 0, 0),  // due Mon 11 Jan
		"convene_meeting":  london(2027, 1, 11, 0, 0), // due Tue 12 Jan
	}, reminders)
}

func TestReminderNotSentForADutyMetBefore(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	env.at(london(2026, 12, 22, 16, 0), func() {
		env.update(UpdateFire, engine.Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner"})
	})
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{Remind: true}))
	assert.Empty(t, env.host.Notices())
}

func TestQueries(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	var (
		duties  []Duty
		actions []Action
	)
	env.at(london(2026, 12, 23, 9, 0), func() {
		v, err := env.QueryWorkflow(QueryDue, london(2026, 12, 23, 9, 0))
		require.NoError(t, err)
		require.NoError(t, v.Get(&duties))
		v, err = env.QueryWorkflow(QueryAvailable, "lee", "line_manager", london(2026, 12, 23, 9, 0))
		require.NoError(t, err)
		require.NoError(t, v.Get(&actions))
	})
	env.until(london(2026, 12, 24, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseSefton(Options{}))
	require.Len(t, duties, 2)
	assert.Equal(t, Duty{
		Obligation: "discuss", Title: "Discuss the disagreement professional to professional, immediately",
		Owner: "practitioner", Status: engine.StatusOverdue, Within: "immediately", Immediate: true,
		Anchor: london(2026, 12, 22, 9, 0).UTC(), Due: london(2026, 12, 23, 0, 0).UTC(),
		DueDate: calendar.Date{Year: 2026, Month: 12, Day: 22},
	}, utcDuty(duties[0]))
	assert.Equal(t, engine.StatusPending, duties[1].Status)
	byEvent := map[string]Action{}
	for _, a := range actions {
		byEvent[a.Event] = a
	}
	assert.True(t, byEvent["escalate"].Allowed)
	assert.Equal(t, "step2", byEvent["escalate"].To)
	require.False(t, byEvent["resolve"].Allowed)
	require.NotNil(t, byEvent["resolve"].Refused)
	assert.Equal(t, "role_not_permitted", byEvent["resolve"].Refused.Reasons[0].Code)
	assert.ErrorIs(t, byEvent["resolve"].Refused.engineError(eng), engine.ErrRoleNotPermitted)
}

func utcDuty(d Duty) Duty {
	d.Anchor, d.Due, d.Met = d.Anchor.UTC(), d.Due.UTC(), d.Met.UTC()
	return d
}

func TestWorkflowNeedsARaiseOrAHead(t *testing.T) {
	env := newCaseEnv(t, bundledEngine(t), london(2026, 12, 22, 9, 0))
	env.ExecuteWorkflow(WorkflowName, Input{})
	assert.ErrorIs(t, FromError(overTheWire(env.GetWorkflowError()), nil), engine.ErrEmptyCase)
}
