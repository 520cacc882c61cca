package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cel.dev/cel-go/interpreter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// guardPolicy is a minimal policy with facts and one guarded transition.
func guardPolicy(facts, when string) string {
	return `language: escalation/v1
id: guards
title: Guards
partnership: Test
version: "1"
jurisdiction: england-and-wales
scope: [children]
documents: [{file: p.txt}]
roles: {practitioner: {title: Practitioner, source: {file: p.txt}}}
facts:
` + facts + `
start: s1
stages:
  s1:
    title: Stage 1
    source: {file: p.txt}
    involves: [practitioner]
    obligations: {plan: {title: Plan, source: {file: p.txt}}}
    transitions:
      - {event: go, to: done, roles: [practitioner], when: '` + when + `'}
outcomes: {done: {kind: resolved, title: Done}}
`
}

func loadGuard(t *testing.T, facts, when string, opts ...LoadOption) *Guard {
	t.Helper()
	p, ds := Load("guards.yaml", []byte(guardPolicy(facts, when)), opts...)
	require.NoError(t, ds.Err())
	return p.Stages[0].Transitions[0].When
}

func vars(m map[string]any) interpreter.Activation {
	a, err := interpreter.NewActivation(m)
	if err != nil {
		panic(err)
	}
	return a
}

func TestGuardEval(t *testing.T) {
	p, ds := loadFile(t, filepath.Join("testdata", "riverside.yaml"))
	require.NoError(t, ds.Err())
	stage2, _ := p.Stage("stage2")
	g := stage2.Transitions[1].When
	ctx := context.Background()

	ok, err := g.Eval(ctx, vars(map[string]any{"dispute_area": "threshold", "obligations": map[string]string{}}))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = g.Eval(ctx, vars(map[string]any{"dispute_area": "information_sharing", "obligations": map[string]string{"managers_meet": "pending"}}))
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = g.Eval(ctx, vars(map[string]any{"dispute_area": "information_sharing", "obligations": map[string]string{"managers_meet": "overdue"}}))
	require.NoError(t, err)
	assert.True(t, ok)

	_, err = g.Eval(ctx, vars(map[string]any{}))
	require.Error(t, err, "a variable the guard reads is missing")
	assert.Contains(t, err.Error(), `guard "dispute_area != \"information_sharing\"`)

	var none *Guard
	ok, err = none.Eval(ctx, vars(nil))
	assert.True(t, ok, "no guard means always")
	assert.NoError(t, err)

	_, err = (&Guard{Text: "x"}).Eval(ctx, vars(nil))
	assert.ErrorContains(t, err, "not compiled")
}

func TestGuardEvalConcurrently(t *testing.T) {
	g := loadGuard(t, "  n: {type: int, description: N.}", "n > 2")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ok, err := g.Eval(context.Background(), vars(map[string]any{"n": int64(i)}))
			assert.NoError(t, err)
			assert.Equal(t, i > 2, ok)
		}(i)
	}
	wg.Wait()
}

func TestGuardEvalWithholdsPersonalData(t *testing.T) {
	// CEL's message for a bad regular expression quotes it.
	g := loadGuard(t, "  initials: {type: string, personal: true, description: Initials.}", `"x".matches(initials)`)
	_, err := g.Eval(context.Background(), vars(map[string]any{"initials": "(JQX"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "JQX")
	assert.Contains(t, err.Error(), "withheld")

	g = loadGuard(t, "  code: {type: string, description: A code.}", `"x".matches(code)`)
	_, err = g.Eval(context.Background(), vars(map[string]any{"code": "(JQX"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "JQX", "a fact that is not personal may appear")
}

func TestGuardRuntimeLimits(t *testing.T) {
	g := loadGuard(t, "  agencies: {type: list, description: Agencies.}", `agencies.exists(a, a == "x")`)
	big := make([]string, 100_000)
	for i := range big {
		big[i] = fmt.Sprint(i)
	}
	_, err := g.Eval(context.Background(), vars(map[string]any{"agencies": big}))
	assert.ErrorContains(t, err, "cost limit", "data beyond what the budget assumed stops at the runtime limit")

	ok, err := g.Eval(context.Background(), vars(map[string]any{"agencies": []string{"x", ""}}))
	require.NoError(t, err)
	assert.True(t, ok)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = g.Eval(ctx, vars(map[string]any{"agencies": big[:5000]}))
	assert.ErrorIs(t, err, context.Canceled)
}

func TestGuardCostEstimate(t *testing.T) {
	tests := []struct {
		when string
		max  uint64
	}{
		{"true", 1},
		{`stage == "s1"`, 3},
		{`"plan" in overdue`, 10},
		{`obligations.exists(k, obligations[k] == "overdue")`, 50},
		{`agencies.exists(a, a == "police")`, 2000},
	}
	for _, tt := range tests {
		g := loadGuard(t, "  agencies: {type: list, description: Agencies.}", tt.when)
		assert.LessOrEqual(t, g.Cost, tt.max, tt.when)
	}
}

func TestGuardLintRespectsShadowing(t *testing.T) {
	// A comprehension's own variable named like a built-in is not the built-in.
	g := loadGuard(t, "  agencies: {type: list, description: Agencies.}", `agencies.exists(stage, stage == "police")`)
	assert.NotNil(t, g)
}

func TestGuardFactsRead(t *testing.T) {
	g := loadGuard(t, "  a: {type: bool, description: A.}\n  b: {type: bool, description: B.}\n  c: {type: int, description: C.}", "c > 1 && a")
	var ids []string
	for _, f := range g.Facts {
		ids = append(ids, f.ID)
	}
	assert.Equal(t, []string{"a", "c"}, ids, "in declaration order")
	assert.False(t, strings.Contains(fmt.Sprint(ids), "b"))
}

// A guard that is one name alone is answered by reading the name; it must
// give what its CEL program gives, and leave a value it cannot read to CEL
// to report.
func TestAGuardOfOneNameReadsAsCELWould(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	var g *Guard
	for _, tr := range p.AnyStage {
		if tr.Event == "expedite" {
			g = tr.When
		}
	}
	require.NotNil(t, g)
	require.Equal(t, "immediate_risk", g.ident)
	refused := 0
	for _, facts := range []map[string]any{
		{"immediate_risk": true}, {"immediate_risk": false}, {}, {"immediate_risk": "yes"}, {"immediate_risk": 1.0},
	} {
		act := &activation{p: p, facts: facts}
		got, gotErr := g.Eval(ctx, act)
		out, _, celErr := g.prg.Eval(act)
		if celErr != nil {
			require.Error(t, gotErr, "%v", facts)
			assert.Contains(t, gotErr.Error(), celErr.Error())
			refused++
			continue
		}
		require.NoError(t, gotErr, "%v", facts)
		assert.Equal(t, out.Value(), got, "%v", facts)
	}
	assert.Equal(t, 2, refused, "a text and a number are not true or false")
	// Any activation: a plain Go bool reads as CEL reads it.
	vars, err := interpreter.NewActivation(map[string]any{"immediate_risk": true})
	require.NoError(t, err)
	ok, err := g.Eval(ctx, vars)
	require.NoError(t, err)
	assert.True(t, ok)
}
