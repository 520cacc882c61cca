package prose_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/prose"
)

const fixture = `language: escalation/v1
id: words
title: Words fixture
partnership: Test Partnership
version: "1"
jurisdiction: england-and-wales
scope: [children]
documents: [{file: fixture.txt}]
roles:
  manager: {title: Manager}
facts:
  immediate_risk: {type: bool, description: A child is at immediate risk of significant harm.}
  nhs_checked: {type: bool, description: NHS records have been checked.}
  dispute_area: {type: enum, values: [other, threshold, information_sharing], description: What it is about.}
  meetings: {type: int, description: How many meetings.}
milestones:
  formally_escalated: {title: The matter was formally escalated}
start: stage1
stages:
  stage1:
    title: Stage 1
    obligations:
      agree_plan: {title: Agree a plan, owner: manager, within: 2 working days}
    transitions:
      - {event: escalate_formally, to: stage2, roles: [manager], sets: [formally_escalated]}
  stage2:
    title: Stage 2
    obligations:
      managers_meet: {title: Managers meet, owner: manager, within: 2 working days}
    transitions:
      - {event: decide, to: decided, roles: [manager], when: 'immediate_risk || meetings > 0 || nhs_checked || dispute_area == "threshold" || "formally_escalated" in milestones || obligations.managers_meet == "met" || "managers_meet" in overdue || stage == "stage2"'}
outcomes:
  decided: {kind: final_decision, title: Decided}
`

func TestGuard(t *testing.T) {
	p, diags := engine.Load("words.yaml", []byte(fixture))
	require.NoError(t, diags.Err())
	for _, tc := range []struct{ guard, words string }{
		{"immediate_risk", "a child is at immediate risk of significant harm"},
		{"nhs_checked", "NHS records have been checked"}, // an acronym keeps its capitals
		{"!immediate_risk", "it is not so that a child is at immediate risk of significant harm"},
		{`dispute_area == "threshold"`, "dispute area is “threshold”"},
		{`dispute_area != "information_sharing"`, "dispute area is not “information sharing”"},
		{`"formally_escalated" in milestones`, "once the matter was formally escalated"},
		{`obligations.managers_meet == "overdue"`, "“Managers meet” is overdue"},
		{`obligations.agree_plan != "met"`, "“Agree a plan” is not met"},
		{`"agree_plan" in overdue`, "“Agree a plan” is overdue"},
		{`stage == "stage2"`, "the case is at “Stage 2”"},
		{`immediate_risk || dispute_area == "threshold"`, "a child is at immediate risk of significant harm, or dispute area is “threshold”"},
		{`immediate_risk && "formally_escalated" in milestones`, "a child is at immediate risk of significant harm, and once the matter was formally escalated"},
	} {
		w, ok := prose.Guard(p, &engine.Guard{Text: tc.guard})
		assert.True(t, ok, tc.guard)
		assert.Equal(t, tc.words, w, tc.guard)
	}
	// A part with no description or title leaves the expression as it is.
	for _, guard := range []string{
		"meetings > 0", `meetings == "x"`, `obligations.nothing == "met"`, `"nothing" in milestones`,
		`"x" in ["x"]`, `stage == "nowhere"`, `other.field == "x"`, "immediate_risk || meetings > 0", "(",
	} {
		_, ok := prose.Guard(p, &engine.Guard{Text: guard})
		assert.False(t, ok, guard)
	}
}

func TestEventAndSpaced(t *testing.T) {
	assert.Equal(t, "Escalate formally", prose.Event(&engine.Transition{Event: "escalate_formally"}))
	assert.Equal(t, "dispute area", prose.Spaced("dispute_area"))
	assert.Equal(t, "the matter was escalated", prose.Sentence("The matter was escalated."))
}
