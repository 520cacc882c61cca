package engine

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// The runtime of the constructs escalation/v1.1 adds, on testdata/constructs.yaml.
// Tuesday 22 December 2026: the working days that follow are 23, 24, 29, 30
// and 31 December (25 and 28 December are bank holidays), then 4 January.

// setFacts fires the fixture's "update" event with fact updates.
func setFacts(t testing.TB, p *Policy, c rec, when string, facts map[string]any) rec {
	t.Helper()
	next, err := fireOn(p, c, Event{Name: "update", Actor: "asha", Role: "practitioner", At: london(t, when), Facts: facts})
	require.NoError(t, err)
	return next
}

// owed lists the ids of what the case owes, in the order Due gives them.
func owed(t testing.TB, p *Policy, c rec, when string) []string {
	t.Helper()
	ds, err := p.Due(c.Head, london(t, when))
	require.NoError(t, err)
	ids := []string{}
	for _, d := range ds {
		ids = append(ids, d.Obligation.ID)
	}
	return ids
}

func TestDeadlineFromADateTheCaseGives(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	assert.Equal(t, "2026-12-23", duty(t, p, c, "raise_matter", "2026-12-22 10:00").DueDate.String(), "1 working day from the raise")

	// The disagreement was on Monday 21st: 1 working day of it is the 22nd.
	c = raise(t, p, "2026-12-22 10:00", map[string]any{"disagreement_date": "2026-12-21"})
	d := duty(t, p, c, "raise_matter", "2026-12-22 10:00")
	assert.Equal(t, "2026-12-22", d.DueDate.String(), "1 working day of the disagreement, which is sooner")
	assert.Equal(t, calendar.Date{Year: 2026, Month: 12, Day: 21}.Start(), d.Anchor, "a date counts as an event at its start")
	explained, err := d.Explain()
	require.NoError(t, err)
	assert.Equal(t, d.Due, explained.Due)

	// A date learnt later brings the deadline forward; one later still does not push it back.
	c = raise(t, p, "2026-12-22 10:00", nil)
	c = setFacts(t, p, c, "2026-12-22 11:00", map[string]any{"disagreement_date": "2026-12-18"})
	assert.Equal(t, "2026-12-21", duty(t, p, c, "raise_matter", "2026-12-22 11:00").DueDate.String())
	assert.Equal(t, StatusOverdue, duty(t, p, c, "raise_matter", "2026-12-22 11:00").Status, "already late: the disagreement was last week")
	c = setFacts(t, p, c, "2026-12-22 12:00", map[string]any{"disagreement_date": "2026-12-22"})
	assert.Equal(t, "2026-12-21", duty(t, p, c, "raise_matter", "2026-12-22 12:00").DueDate.String(), "a deadline never moves later")
}

func TestWhicheverIsSooner(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	d := duty(t, p, c, "resolve_soon", "2026-12-22 10:00")
	assert.Equal(t, "2026-12-31", d.DueDate.String(), "a working week: 23, 24, 29, 30, 31")
	assert.False(t, d.ByDate)

	c = setFacts(t, p, c, "2026-12-23 09:00", map[string]any{"protect_by": "2026-12-24"})
	d = duty(t, p, c, "resolve_soon", "2026-12-23 09:00")
	assert.Equal(t, "2026-12-24", d.DueDate.String(), "the date set to protect the child is sooner")
	assert.True(t, d.ByDate)
	assert.Equal(t, london(t, "2026-12-25 00:00"), d.Due, "due by the end of that day, working day or not")
	_, err := d.Explain()
	assert.ErrorContains(t, err, "a date the case gives")
	assert.Equal(t, StatusPending, duty(t, p, c, "resolve_soon", "2026-12-24 23:59").Status)
	assert.Equal(t, StatusOverdue, duty(t, p, c, "resolve_soon", "2026-12-25 00:00").Status)

	c = setFacts(t, p, c, "2026-12-24 09:00", map[string]any{"protect_by": "2027-01-29"})
	assert.Equal(t, "2026-12-24", duty(t, p, c, "resolve_soon", "2026-12-24 09:00").DueDate.String(), "a later date does not push it back")

	// A date later than the working week never applies.
	c = raise(t, p, "2026-12-22 10:00", map[string]any{"protect_by": "2027-02-01"})
	assert.Equal(t, "2026-12-31", duty(t, p, c, "resolve_soon", "2026-12-22 10:00").DueDate.String())
}

func TestUrgentDuties(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	assert.Equal(t, []string{"speak", "confirm", "raise_matter", "resolve_soon", "minutes"}, owed(t, p, c, "2026-12-22 10:00"),
		"urgent duties first, then the rest, each in the policy's order")
	late := "2027-06-01 09:00"
	speak := duty(t, p, c, "speak", late)
	assert.True(t, speak.Urgent)
	assert.Equal(t, StatusPending, speak.Status, "never overdue by itself")
	assert.True(t, speak.Due.IsZero())
	confirm := duty(t, p, c, "confirm", "2026-12-24 23:59")
	assert.True(t, confirm.Urgent)
	assert.Equal(t, StatusPending, confirm.Status)
	assert.Equal(t, "2026-12-24", confirm.DueDate.String(), "the backstop")
	assert.Equal(t, StatusOverdue, duty(t, p, c, "confirm", "2026-12-29 00:00").Status, "overdue once the backstop passes")
	assert.False(t, duty(t, p, c, "raise_matter", late).Urgent)

	c = fire(t, p, c, "spoke", "practitioner", "2026-12-22 11:00")
	assert.Equal(t, StatusMet, duty(t, p, c, "speak", late).Status)
}

func TestConditionalDuties(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"dispute_area": "other"})
	assert.NotContains(t, owed(t, p, c, "2026-12-22 10:00"), "involve_mash", "not owed unless the dispute is about thresholds")
	// A duty that is not owed does not hold the case back.
	c2 := fire(t, p, c, "escalate", "line_manager", "2026-12-22 11:00")
	assert.Equal(t, "stage2", c2.Stage)

	// Re-decided when the facts change: its deadline counts from its anchor (entering the stage).
	c = setFacts(t, p, c, "2026-12-23 09:00", map[string]any{"dispute_area": "threshold"})
	assert.Equal(t, []string{"speak", "confirm", "raise_matter", "resolve_soon", "involve_mash", "minutes"}, owed(t, p, c, "2026-12-23 09:00"))
	assert.Equal(t, "2026-12-24", duty(t, p, c, "involve_mash", "2026-12-23 09:00").DueDate.String())
	_, _, err := p.Fire(ctx, c.Head, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 10:00")})
	assert.ErrorIs(t, err, ErrObligationsOutstanding, "owed now, so it must be met first")

	// Turning false again removes it while it is pending...
	c = setFacts(t, p, c, "2026-12-23 10:00", map[string]any{"dispute_area": "other"})
	assert.NotContains(t, owed(t, p, c, "2026-12-23 10:00"), "involve_mash")
	// ...but never once it is met.
	c = setFacts(t, p, c, "2026-12-23 11:00", map[string]any{"dispute_area": "threshold"})
	c = fire(t, p, c, "mash_involved", "line_manager", "2026-12-23 12:00")
	c = setFacts(t, p, c, "2026-12-23 13:00", map[string]any{"dispute_area": "other"})
	assert.Equal(t, StatusMet, duty(t, p, c, "involve_mash", "2026-12-23 13:00").Status)

	// Decided on entering: raised as a threshold dispute, it is owed at once.
	c = raise(t, p, "2026-12-22 10:00", map[string]any{"dispute_area": "threshold"})
	assert.Contains(t, owed(t, p, c, "2026-12-22 10:00"), "involve_mash")

	// An act whose facts make the duty owed and that meets it meets it: the
	// MASH was involved, and the act says the dispute is about thresholds.
	c = raise(t, p, "2026-12-22 10:00", map[string]any{"dispute_area": "other"})
	next, err := fireOn(p, c, Event{Name: "mash_involved", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-22 12:00"),
		Facts: map[string]any{"dispute_area": "threshold"}})
	require.NoError(t, err)
	d := duty(t, p, next, "involve_mash", "2026-12-22 13:00")
	assert.Equal(t, StatusMet, d.Status)
	assert.Equal(t, london(t, "2026-12-22 12:00"), d.Met)
}

func TestDutiesAfterAnOutcome(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "resolve", "practitioner", "2026-12-23 15:00")
	require.True(t, c.Closed())
	assert.Equal(t, []string{"feed_back", "letter"}, owed(t, p, c, "2026-12-23 15:00"))
	letter := duty(t, p, c, "letter", "2026-12-23 15:00")
	assert.Equal(t, "2026-12-29", letter.DueDate.String(), "within a further 2 working days of the outcome: 24, 29")
	assert.Same(t, p.outcomes["resolved"], letter.Obligation.Outcome)
	assert.Equal(t, StatusOverdue, duty(t, p, c, "letter", "2026-12-30 09:00").Status, "a duty after an outcome can go overdue")

	actions, err := p.Available(ctx, c.Head, "asha", "practitioner", london(t, "2026-12-24 09:00"))
	require.NoError(t, err)
	require.Len(t, actions, 2)
	assert.Equal(t, "letter_sent", actions[0].Event)
	assert.True(t, actions[0].Allowed)

	c = fire(t, p, c, "letter_sent", "practitioner", "2026-12-24 09:00")
	assert.True(t, c.Closed(), "the case stays closed")
	assert.Equal(t, "resolved", c.Outcome)
	assert.Equal(t, StatusMet, duty(t, p, c, "letter", "2027-01-05 09:00").Status)
	last := c.last()
	assert.Equal(t, "resolved", last.From)
	assert.Empty(t, last.To)
	assert.Equal(t, "#3 2026-12-24T09:00:00Z letter_sent by practitioner-person (practitioner): stays at resolved", last.String())

	_, _, err = p.Fire(ctx, c.Head, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-24 10:00")})
	assert.ErrorIs(t, err, ErrCaseClosed, "no transition leaves an outcome")
	assert.ErrorContains(t, err, "events after the outcome: letter_sent, fed_back")
	_, _, err = p.Fire(ctx, c.Head, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-01 10:00")})
	assert.ErrorIs(t, err, ErrCaseClosed, "a closed case is refused as closed before its event is checked")
	_, _, err = p.Fire(ctx, c.Head, Event{Name: "fed_back", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-01 10:00")})
	assert.ErrorIs(t, err, ErrTimeBeforeLastEvent, "an event after the outcome is checked like any other")

	visits, err := c.Visits(c.record())
	require.NoError(t, err)
	require.Len(t, visits, 2)
	assert.Equal(t, "stage1", visits[0].Stage)
	assert.Equal(t, Visit{Outcome: "resolved", Entered: london(t, "2026-12-23 15:00"), Obligations: c.Obligations}, visits[1])
	require.NoError(t, p.Verify(ctx, c.Head, c.record()))

	// An outcome without duties owes nothing and takes no events, as before.
	w := fire(t, p, fire(t, p, raise(t, p, "2026-12-22 10:00", nil), "escalate", "line_manager", "2026-12-22 11:00"), "withdraw", "line_manager", "2026-12-22 12:00")
	ds, err := p.Due(w.Head, london(t, "2026-12-22 12:00"))
	require.NoError(t, err)
	assert.Nil(t, ds)
	actions, err = p.Available(ctx, w.Head, "lee", "line_manager", london(t, "2026-12-22 12:00"))
	require.NoError(t, err)
	assert.Nil(t, actions)
	visits, err = w.Visits(w.record())
	require.NoError(t, err)
	assert.Len(t, visits, 2, "no visit for an outcome that owes nothing")
}

func TestMilestonesPerVisit(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	assert.Equal(t, StatusWaiting, duty(t, p, c, "minutes", "2026-12-22 10:00").Status)
	c = fire(t, p, c, "meeting", "practitioner", "2026-12-22 14:00")
	assert.Equal(t, "2026-12-23", duty(t, p, c, "minutes", "2026-12-22 14:00").DueDate.String())
	c = fire(t, p, c, "meeting", "practitioner", "2026-12-23 14:00")
	assert.Equal(t, "2026-12-23", duty(t, p, c, "minutes", "2026-12-23 14:00").DueDate.String(), "within a visit the first meeting counts")

	c = fire(t, p, c, "escalate", "line_manager", "2026-12-24 09:00")
	assert.NotContains(t, c.Milestones, "meeting_held", "entering a stage clears a per-visit milestone")
	assert.Equal(t, StatusWaiting, duty(t, p, c, "minutes", "2026-12-24 09:00").Status, "this stage's meeting has not happened")
	c = fire(t, p, c, "meeting", "line_manager", "2026-12-29 10:00")
	assert.Equal(t, "2026-12-31", duty(t, p, c, "minutes", "2026-12-29 10:00").DueDate.String(), "2 working days from this stage's meeting: 30, 31")
	require.NoError(t, p.Verify(ctx, c.Head, c.record()))
}

func TestConstructsReplayAndStore(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"disagreement_date": "2026-12-21"})
	c = setFacts(t, p, c, "2026-12-22 11:00", map[string]any{"protect_by": "2026-12-23", "dispute_area": "threshold"})
	c = fire(t, p, c, "meeting", "practitioner", "2026-12-22 12:00")
	c = fire(t, p, c, "resolve", "practitioner", "2026-12-22 13:00")
	c = fire(t, p, c, "fed_back", "practitioner", "2026-12-22 14:00")
	var byDate bool
	for _, en := range c.Entries {
		data, err := json.Marshal(en)
		require.NoError(t, err)
		byDate = byDate || strings.Contains(string(data), `"by_date":true`)
	}
	assert.True(t, byDate, "a deadline by a date the case gave says so in the record")
	stored := storeRecord(t, c)
	require.NoError(t, p.Verify(ctx, stored.Head, stored.record()))
	rebuilt, err := p.Replay(ctx, stored.record())
	require.NoError(t, err)
	data, err := json.Marshal(c.Head)
	require.NoError(t, err)
	again, err := json.Marshal(rebuilt)
	require.NoError(t, err)
	assert.JSONEq(t, string(data), string(again))
}
