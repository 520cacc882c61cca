package engine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An event that stays at the stage and whose only effects (the duties it
// meets, the milestones it sets) have all happened already is refused with
// ErrAlreadyMet: recording "plan agreed" twice would say the plan was agreed
// again when nothing changed.
func TestRefiringWhatIsMetAlreadyIsRefused(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "plan_agreed", "practitioner", "2026-12-23 09:00")

	_, _, err := p.Fire(ctx, c.Head, Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-23 11:00")})
	require.ErrorIs(t, err, ErrAlreadyMet)
	var re *RefusedError
	require.True(t, errors.As(err, &re))
	assert.EqualError(t, err, `event "plan_agreed" refused at stage1: the event would record nothing new: agree_plan is met already`)

	// Available says the same, so a host does not offer it.
	acts, err := p.Available(ctx, c.Head, "asha", "practitioner", london(t, "2026-12-23 11:00"))
	require.NoError(t, err)
	for _, a := range acts {
		if a.Event == "plan_agreed" {
			assert.False(t, a.Allowed)
			assert.ErrorIs(t, a.Refused, ErrAlreadyMet)
		}
	}

	// An event that brings data changes the case, and is recorded.
	next, en, err := p.Fire(ctx, c.Head, Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-23 11:00"),
		Facts: map[string]any{"meetings": 2}})
	require.NoError(t, err)
	assert.Equal(t, c.Revision+1, next.Revision)
	assert.Equal(t, "plan_agreed", en.Event)

	// The wrong role still hears that it is the wrong role.
	_, _, err = p.Fire(ctx, c.Head, Event{Name: "plan_agreed", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 11:00")})
	assert.ErrorIs(t, err, ErrRoleNotPermitted)
	assert.NotErrorIs(t, err, ErrAlreadyMet)
}

// A case stored before the rule, with the same act recorded twice, still
// verifies: the rule is for new acts, and a record is never rewritten.
func TestACaseThatRefiredBeforeTheRuleStillVerifies(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	b, err := os.ReadFile(filepath.Join("testdata", "cases", "refired-before-the-rule.json"))
	require.NoError(t, err)
	h, record, err := MigrateCase(b) // it was stored in schema 2
	require.NoError(t, err)
	require.Len(t, record, 3)
	assert.Equal(t, "plan_agreed", record[2].Event)
	assert.NoError(t, p.Verify(ctx, h, Entries(record)))
}

// The rule's edges: an event that also sets a milestone not yet set records
// something new; one that meets a duty not owed at this stage changes
// nothing.
func TestAlreadyMetEdges(t *testing.T) {
	p, ds := Load("edges.yaml", []byte(`language: escalation/v1
id: edges
title: Edges
partnership: Test Partnership
version: "1"
jurisdiction: england-and-wales
scope: [children]
documents: [{file: edges.txt}]
roles: {practitioner: {title: Practitioner}}
milestones: {marked: {title: Marked}}
start: stage1
stages:
  stage1:
    title: Stage 1
    obligations: {a: {title: A, within: 2 working days}}
    transitions:
      - {event: meet_a, roles: [practitioner], completes: [a]}
      - {event: mark, roles: [practitioner], completes: [a], sets: [marked]}
      - {event: escalate, to: stage2, roles: [practitioner]}
  stage2:
    title: Stage 2
    obligations: {b: {title: B, within: 2 working days}}
    transitions: [{event: resolve, to: resolved, roles: [practitioner]}]
any_stage:
  - {event: meet_b, roles: [practitioner], completes: [b]}
outcomes: {resolved: {kind: resolved, title: Resolved}}
`))
	require.NotNil(t, p, "%v", ds)
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "meet_a", "practitioner", "2026-12-22 11:00")
	c = fire(t, p, c, "mark", "practitioner", "2026-12-22 12:00") // a is met, but marked is new
	_, _, err := p.Fire(ctx, c.Head, Event{Name: "mark", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 13:00")})
	assert.EqualError(t, err, `event "mark" refused at stage1: the event would record nothing new: a is met already`)
	_, _, err = p.Fire(ctx, c.Head, Event{Name: "meet_b", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 13:00")})
	assert.EqualError(t, err, `event "meet_b" refused at stage1: the event would record nothing new: b is not owed at this stage`)
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-22 14:00")
	c = fire(t, p, c, "meet_b", "practitioner", "2026-12-22 15:00") // owed at stage 2
	assert.Equal(t, "stage2", c.Stage)
}
