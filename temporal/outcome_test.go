package temporal

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// Staffordshire and Stoke-on-Trent (bundled, escalation/v1.1): agreement at
// Stage 1 or 2 resolves the case, and the outcome owes duties after it
// ("advise the agency of the outcome within a maximum of 1 working day").

func raiseStaffordshire() Input {
	return Input{Policy: "staffordshire-stoke", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Agency: "school"}}
}

// outcomeDutiesByEngine fires the acts on a case of the policy through the
// engine alone and gives what its outcome owes at the end, with the engine's
// deadlines.
func outcomeDutiesByEngine(t *testing.T, eng *engine.Engine, policy string, raised time.Time, acts []act) []engine.Duty {
	t.Helper()
	ctx := context.Background()
	h, _, err := eng.Raise(ctx, policy, engine.Raise{CaseID: testCase, Actor: "asha", Role: "practitioner", Agency: "school", At: raised})
	require.NoError(t, err)
	for _, a := range acts {
		a.ev.At = a.at
		h, _, err = eng.Fire(ctx, h, a.ev)
		require.NoError(t, err)
	}
	require.True(t, h.Closed())
	duties, err := eng.Due(h, h.Last)
	require.NoError(t, err)
	return duties
}

// timer is a timer the workflow started: when, and the instant it is set
// for.
type timer struct{ started, at time.Time }

// timers records every timer the workflow starts.
func (e *caseEnv) timers() *[]timer {
	var ts []timer
	e.SetOnTimerScheduledListener(func(_ string, d time.Duration) {
		ts = append(ts, timer{started: e.Now(), at: e.Now().Add(d)})
	})
	return &ts
}

// setFor lists the instants of the timers started at or after since.
func setFor(ts []timer, since time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		if !t.started.Before(since) {
			out = append(out, t.at.In(calendar.London()))
		}
	}
	return out
}

func (e *caseEnv) dueAt(at time.Time) []Duty {
	e.t.Helper()
	v, err := e.QueryWorkflow(QueryDue, at)
	require.NoError(e.t, err)
	var duties []Duty
	require.NoError(e.t, v.Get(&duties))
	return duties
}

// A case agreed at Stage 1 on Christmas Eve is resolved, and owes the agency
// the outcome, in words and in writing, within 1 working day: by the end of
// Tue 29 Dec 2026 (Christmas, the weekend and Boxing Day's substitute not
// counted). The workflow stays open for them, notices both at that deadline,
// and completes when the second is met.
func TestOutcomeDutiesKeepTheCaseOpenUntilMet(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 23, 9, 0)
	env := newCaseEnv(t, eng, raised)
	timers := env.timers()
	agree := act{london(2026, 12, 24, 11, 0), engine.Event{Name: "agree", Actor: "asha", Role: "practitioner"}}
	advised := act{london(2026, 12, 30, 10, 0), engine.Event{Name: "outcome_advised", Actor: "asha", Role: "practitioner"}}
	confirmed := act{london(2026, 12, 31, 10, 0), engine.Event{Name: "confirmed_in_writing", Actor: "asha", Role: "practitioner"}}
	var sent []*outcome
	for _, a := range []act{agree, advised, confirmed} {
		env.at(a.at, func() { sent = append(sent, env.update(UpdateFire, a.ev)) })
	}
	var (
		headAtOutcome, headAfterOne engine.Head
		dueAtOutcome, dueAfterOne   []Duty
		timersAtOutcome             []timer
		actions                     []Action
	)
	env.at(london(2026, 12, 29, 12, 0), func() {
		headAtOutcome, dueAtOutcome = env.head(), env.dueAt(london(2026, 12, 29, 12, 0))
		timersAtOutcome = slices.Clone(*timers)
		v, err := env.QueryWorkflow(QueryAvailable, "asha", "practitioner", london(2026, 12, 29, 12, 0))
		require.NoError(t, err)
		require.NoError(t, v.Get(&actions))
	})
	env.at(london(2026, 12, 30, 12, 0), func() {
		headAfterOne, dueAfterOne = env.head(), env.dueAt(london(2026, 12, 30, 12, 0))
	})
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseStaffordshire())

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError(), "completed when the last duty was met, not cancelled at the end of the test")
	require.Len(t, sent, 3)
	for i, o := range sent {
		require.True(t, o.completed, "act %d", i)
		require.NoError(t, o.err, "act %d", i)
	}

	// The engine's deadline, pinned: the end of Tue 29 Dec.
	deadline := london(2026, 12, 30, 0, 0)
	owed := outcomeDutiesByEngine(t, eng, "staffordshire-stoke", raised, []act{agree})
	require.Len(t, owed, 2)
	for i, ob := range []string{"advise_outcome", "confirm_in_writing"} {
		assert.Equal(t, ob, owed[i].Obligation.ID)
		assert.Equal(t, deadline, owed[i].Due.In(calendar.London()))
		assert.Equal(t, calendar.Date{Year: 2026, Month: 12, Day: 29}, owed[i].DueDate)
	}

	// At the outcome the case was open, its duties pending, and the timers
	// to their deadline armed.
	assert.Equal(t, "resolved", headAtOutcome.Outcome)
	assert.Equal(t, int64(2), headAtOutcome.Revision)
	require.Len(t, dueAtOutcome, 2)
	for i, d := range dueAtOutcome {
		assert.Equal(t, owed[i].Obligation.ID, d.Obligation)
		assert.Equal(t, engine.StatusPending, d.Status)
		assert.True(t, owed[i].Due.Equal(d.Due))
	}
	assert.Equal(t, []time.Time{deadline, deadline}, setFor(timersAtOutcome, agree.at), "one timer to each duty's deadline")
	allowed := map[string]bool{}
	for _, a := range actions {
		allowed[a.Event] = a.Allowed
	}
	assert.Equal(t, map[string]bool{"outcome_advised": true, "confirmed_in_writing": true, "confirmed_by_letter": false, "plan_fed_back": false}, allowed)

	// Missed: both notices at exactly the engine's deadline, about the
	// outcome.
	// The notifier runs both at once: compare them in the duties' order.
	got := env.host.Notices()
	slices.SortFunc(got, func(a, b Notice) int { return strings.Compare(a.Obligation, b.Obligation) })
	require.Len(t, got, 2)
	for i, n := range got {
		assert.Equal(t, Overdue, n.Kind)
		assert.Equal(t, owed[i].Obligation.ID, n.Obligation)
		assert.Equal(t, deadline, n.At.In(calendar.London()))
		assert.True(t, owed[i].Due.Equal(n.Due))
		assert.Equal(t, "resolved", n.Outcome)
		assert.Equal(t, "", n.Stage)
		assert.Equal(t, "practitioner", n.Owner)
	}

	// One met: still open, the other still overdue.
	assert.Equal(t, int64(3), headAfterOne.Revision)
	require.Len(t, dueAfterOne, 2)
	assert.Equal(t, engine.StatusMet, dueAfterOne[0].Status)
	assert.True(t, dueAfterOne[0].Late)
	assert.Equal(t, engine.StatusOverdue, dueAfterOne[1].Status)

	// Both met: the workflow completed then, with the last head.
	assert.Equal(t, confirmed.at, env.Now().In(calendar.London()))
	var h engine.Head
	require.NoError(t, env.GetWorkflowResult(&h))
	assert.Equal(t, "resolved", h.Outcome)
	assert.Equal(t, int64(4), h.Revision)
	for _, ob := range h.Obligations {
		assert.False(t, ob.Met.IsZero(), "%s met", ob.ID)
	}
	assert.Len(t, env.host.Record(testCase), 4)
	// The queries still answer once the workflow has completed.
	assertSameHead(t, h, env.head())
	after := env.dueAt(london(2027, 1, 4, 9, 0))
	require.Len(t, after, 2)
	for _, d := range after {
		assert.Equal(t, engine.StatusMet, d.Status, d.Obligation)
	}
}

// Agreed at Stage 2, the outcome owes three duties (feed the plan back
// immediately; advise and confirm by letter within 1 working day). Met in
// time, they get no notice, their timers are cancelled, and the workflow
// completes when the last is met.
func TestOutcomeDutiesMetInTime(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 23, 9, 0)
	env := newCaseEnv(t, eng, raised)
	timers := env.timers()
	var cancelled int
	env.SetOnTimerCanceledListener(func(string) { cancelled++ })
	acts := []act{
		{london(2026, 12, 23, 10, 0), engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner"}},
		{london(2026, 12, 23, 11, 0), engine.Event{Name: "agree", Actor: "lee", Role: "line_manager"}},
		{london(2026, 12, 23, 15, 0), engine.Event{Name: "plan_fed_back", Actor: "lee", Role: "line_manager"}},
		{london(2026, 12, 24, 9, 0), engine.Event{Name: "outcome_advised", Actor: "lee", Role: "line_manager"}},
		{london(2026, 12, 24, 16, 0), engine.Event{Name: "confirmed_by_letter", Actor: "lee", Role: "line_manager"}},
	}
	var sent []*outcome
	for _, a := range acts {
		env.at(a.at, func() { sent = append(sent, env.update(UpdateFire, a.ev)) })
	}
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, raiseStaffordshire())

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, sent, len(acts))
	for i, o := range sent {
		require.NoError(t, o.err, "act %d", i)
	}
	assert.Empty(t, env.host.Notices())
	assert.Equal(t, acts[len(acts)-1].at, env.Now().In(calendar.London()))

	owed := outcomeDutiesByEngine(t, eng, "staffordshire-stoke", raised, acts[:2])
	require.Len(t, owed, 3)
	assert.Equal(t, "feed_back_plan", owed[0].Obligation.ID)
	assert.Equal(t, london(2026, 12, 24, 0, 0), owed[0].Due.In(calendar.London()), "immediately: by the end of the day")
	var deadlines []time.Time
	for _, d := range owed {
		deadlines = append(deadlines, d.Due.In(calendar.London()))
	}
	assert.Equal(t, []time.Time{london(2026, 12, 24, 0, 0), london(2026, 12, 25, 0, 0), london(2026, 12, 25, 0, 0)}, deadlines)
	assert.Equal(t, deadlines, setFor(*timers, acts[1].at), "a timer to each outcome duty's deadline")
	// Every timer started was cancelled: Stage 1's (left), Stage 2's
	// (left), the outcome's three (met).
	assert.Len(t, *timers, 5)
	assert.Equal(t, len(*timers), cancelled)
}

// An outcome that owes nothing ends the workflow at once: a withdrawal, and
// a resolution by the Board representative, whose duties' conditions (an
// agreement at Stage 1 or 2) do not hold.
func TestOutcomeWithoutDutiesCompletesAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		facts   map[string]any
		acts    []engine.Event
		outcome string
	}{
		{"withdrawn", nil, []engine.Event{{Name: "withdraw", Actor: "asha", Role: "practitioner"}}, "withdrawn"},
		{"resolved at stage 5", map[string]any{"no_senior_tiers": true}, []engine.Event{
			{Name: "escalate", Actor: "asha", Role: "practitioner"},
			{Name: "escalate_to_board_representative", Actor: "lee", Role: "line_manager"},
			{Name: "resolve", Actor: "rep", Role: "scb_representative"},
		}, "resolved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := bundledEngine(t)
			env := newCaseEnv(t, eng, london(2026, 12, 23, 9, 0))
			var sent []*outcome
			var last time.Time
			for i, ev := range tc.acts {
				last = london(2026, 12, 23, 10+i, 0)
				env.at(last, func() { sent = append(sent, env.update(UpdateFire, ev)) })
			}
			env.until(london(2027, 2, 1, 0, 0))
			in := raiseStaffordshire()
			in.Raise.Facts = tc.facts
			env.ExecuteWorkflow(WorkflowName, in)

			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			require.Len(t, sent, len(tc.acts))
			for i, o := range sent {
				require.NoError(t, o.err, "act %d", i)
			}
			assert.Equal(t, last, env.Now().In(calendar.London()), "completed on reaching the outcome")
			var h engine.Head
			require.NoError(t, env.GetWorkflowResult(&h))
			assert.Equal(t, tc.outcome, h.Outcome)
			assert.Empty(t, h.Obligations)
			assert.Empty(t, env.host.Notices())
		})
	}
}

// The Isle of Man's Board decision owes the return of the referral form to
// the referring agency, with no timescale: no timer is armed for it, nothing
// is noticed, and the workflow stays open, however long, until it is met.
func TestOutcomeDutyWithoutDeadlineWaitsToBeMet(t *testing.T) {
	eng := bundledEngine(t)
	env := newCaseEnv(t, eng, london(2026, 12, 23, 9, 0))
	timers := env.timers()
	decided := london(2026, 12, 23, 13, 0)
	returned := london(2027, 3, 1, 10, 0)
	acts := []act{
		{london(2026, 12, 23, 10, 0), engine.Event{Name: "urgent_referral", Actor: "sam", Role: "senior_manager"}},
		{london(2026, 12, 23, 11, 0), engine.Event{Name: "referral_submitted", Actor: "sam", Role: "senior_manager", Forms: map[string]map[string]any{
			"referral_form": {
				"referring_senior_manager": "sam", "agency": "school", "email": "sam@school.example", "other_agency": "social care",
				"subject_initials": "A.B.", "issues_concerns": "threshold", "steps_taken": "expedited: immediate risk", "date": "2026-12-23",
			},
		}}},
		{decided, engine.Event{Name: "decide", Actor: "chair", Role: "independent_chair"}},
		{returned, engine.Event{Name: "outcome_returned", Actor: "dee", Role: "director"}},
	}
	var sent []*outcome
	for _, a := range acts {
		env.at(a.at, func() { sent = append(sent, env.update(UpdateFire, a.ev)) })
	}
	var owed []Duty
	var open engine.Head
	env.at(london(2027, 2, 1, 0, 0), func() { open, owed = env.head(), env.dueAt(london(2027, 2, 1, 0, 0)) })
	env.until(london(2027, 6, 1, 0, 0))
	in := Input{Policy: "isle-of-man", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Agency: "school", Facts: map[string]any{"immediate_risk": true}}}
	env.ExecuteWorkflow(WorkflowName, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, sent, len(acts))
	for i, o := range sent {
		require.NoError(t, o.err, "act %d", i)
	}
	assert.Equal(t, "board_decision", open.Outcome)
	require.Len(t, owed, 1)
	assert.Equal(t, "return_outcome", owed[0].Obligation)
	assert.Equal(t, engine.StatusPending, owed[0].Status)
	assert.True(t, owed[0].Due.IsZero())
	assert.Empty(t, setFor(*timers, decided), "no timer for a duty with no deadline")
	assert.Empty(t, env.host.Notices())
	assert.Equal(t, returned, env.Now().In(calendar.London()))
}

// A case at its outcome, owing duties, that continues as new: the next run
// arms the outcome's timers again from the head, notices at the same
// deadline, and completes when the duties are met.
func TestOutcomeDutiesSurviveContinueAsNew(t *testing.T) {
	eng := bundledEngine(t)
	agreed := london(2026, 12, 24, 11, 0)
	first := newCaseEnv(t, eng, london(2026, 12, 23, 9, 0))
	var agree *outcome
	first.at(agreed, func() {
		first.SetCurrentHistoryLength(50)
		agree = first.update(UpdateFire, engine.Event{Name: "agree", Actor: "asha", Role: "practitioner"})
	})
	in := raiseStaffordshire()
	in.Options.MaxHistory = 50
	first.ExecuteWorkflow(WorkflowName, in)
	require.NoError(t, agree.err)
	next := continued(t, first.GetWorkflowError())
	require.NotNil(t, next.Head)
	assert.Equal(t, "resolved", next.Head.Outcome)
	assert.Empty(t, first.host.Notices())

	env := newCaseEnvFor(t, eng, agreed, first.host)
	for i, ev := range []string{"outcome_advised", "confirmed_in_writing"} {
		env.at(london(2026, 12, 30, 10+i, 0), func() {
			env.update(UpdateFire, engine.Event{Name: ev, Actor: "asha", Role: "practitioner"})
		})
	}
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, next)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	got := env.host.Notices()
	require.Len(t, got, 2)
	for _, n := range got {
		assert.Equal(t, london(2026, 12, 30, 0, 0), n.At.In(calendar.London()), n.Obligation)
	}
	assert.Equal(t, london(2026, 12, 30, 11, 0), env.Now().In(calendar.London()))
	assert.Len(t, env.host.Record(testCase), 4)
}

// Gloucestershire: an action agreed "should be fed back immediately". Agreed
// on Christmas Day, a day off, it is due by the end of the next working day,
// Tue 29 Dec 2026 (Boxing Day's substitute is Mon 28th); missed, it is
// noticed then, and the workflow completes when it is fed back.
func TestOutcomeDutyImmediatelyOverChristmas(t *testing.T) {
	eng := bundledEngine(t)
	raised := london(2026, 12, 24, 9, 0)
	env := newCaseEnv(t, eng, raised)
	resolve := act{london(2026, 12, 25, 10, 0), engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner"}}
	fedBack := act{london(2026, 12, 30, 9, 0), engine.Event{Name: "fed_back", Actor: "asha", Role: "practitioner"}}
	var sent []*outcome
	for _, a := range []act{resolve, fedBack} {
		env.at(a.at, func() { sent = append(sent, env.update(UpdateFire, a.ev)) })
	}
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, Input{Policy: "gloucestershire", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Agency: "school"}})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, sent, 2)
	for i, o := range sent {
		require.NoError(t, o.err, "act %d", i)
	}
	owed := outcomeDutiesByEngine(t, eng, "gloucestershire", raised, []act{resolve})
	require.Len(t, owed, 1)
	assert.Equal(t, "feed_back", owed[0].Obligation.ID)
	assert.Equal(t, london(2026, 12, 30, 0, 0), owed[0].Due.In(calendar.London()))
	got := env.host.Notices()
	require.Len(t, got, 1)
	assert.Equal(t, "feed_back", got[0].Obligation)
	assert.Equal(t, "resolved", got[0].Outcome)
	assert.True(t, owed[0].Due.Equal(got[0].At), "noticed at the engine's deadline")
	assert.Equal(t, fedBack.at, env.Now().In(calendar.London()))
}

// A duty an outcome owes from a moment after it (testdata/outcome): waiting
// at the outcome, with no timer, it keeps the case open; the event that
// starts its count arms a timer to the engine's deadline, which is noticed
// when missed, and meeting it completes the workflow.
func TestOutcomeDutyCountedFromAMomentAfterTheOutcome(t *testing.T) {
	eng, err := engine.New(engine.WithPolicies(loadVersion(t, "testdata/outcome/meeting.yaml")))
	require.NoError(t, err)
	env := newCaseEnv(t, eng, london(2026, 12, 22, 9, 0))
	timers := env.timers()
	meeting := london(2026, 12, 24, 15, 0)
	acts := []act{
		{london(2026, 12, 22, 10, 0), engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner"}},
		{meeting, engine.Event{Name: "meeting", Actor: "asha", Role: "practitioner"}},
		{london(2026, 12, 30, 10, 0), engine.Event{Name: "confirmed", Actor: "asha", Role: "practitioner"}},
	}
	var sent []*outcome
	for _, a := range acts {
		env.at(a.at, func() { sent = append(sent, env.update(UpdateFire, a.ev)) })
	}
	var waiting []Duty
	var timersBefore int
	env.at(london(2026, 12, 24, 12, 0), func() {
		waiting, timersBefore = env.dueAt(london(2026, 12, 24, 12, 0)), len(*timers)
	})
	env.until(london(2027, 2, 1, 0, 0))
	env.ExecuteWorkflow(WorkflowName, Input{Policy: "meeting", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Agency: "school"}})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, sent, len(acts))
	for i, o := range sent {
		require.NoError(t, o.err, "act %d", i)
	}
	require.Len(t, waiting, 1)
	assert.Equal(t, engine.StatusWaiting, waiting[0].Status)
	assert.Zero(t, timersBefore, "no timer while the duty waits")
	// The end of Tue 29 Dec: Christmas, the weekend and Boxing Day's
	// substitute are not counted.
	deadline := london(2026, 12, 30, 0, 0)
	assert.Equal(t, []time.Time{deadline}, setFor(*timers, meeting))
	got := env.host.Notices()
	require.Len(t, got, 1)
	assert.Equal(t, "confirm", got[0].Obligation)
	assert.Equal(t, deadline, got[0].At.In(calendar.London()))
	assert.Equal(t, acts[2].at, env.Now().In(calendar.London()))
}
