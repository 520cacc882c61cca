package engine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Timescale gives what Raise would fix, without a case: the expedited
// timescale exactly when the condition holds for the facts given.
func TestTimescaleAsRaiseWouldFixIt(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	stage1, _ := p.Stage("stage1")
	plan, _ := stage1.Obligation("agree_plan")
	at := london(t, "2026-12-22 10:00")
	for _, tc := range []struct {
		name      string
		facts     map[string]any
		want      string
		expedited bool
	}{
		{"no facts: the defaults", nil, "2 working days", false},
		{"the condition is false", map[string]any{"immediate_risk": false}, "2 working days", false},
		{"the condition holds", map[string]any{"immediate_risk": true}, "immediately", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, expedited, err := p.Timescale(ctx, plan, tc.facts, at, at)
			require.NoError(t, err)
			assert.Equal(t, tc.want, w.String())
			assert.Equal(t, tc.expedited, expedited)
			c := raise(t, p, "2026-12-22 10:00", tc.facts)
			d := duty(t, p, c, "agree_plan", "2026-12-22 10:00")
			assert.Equal(t, d.Within, w, "the timescale Raise fixed")
		})
	}
}

func TestTimescaleRefusesWhatIsNotThePolicys(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	other := loadTestPolicy(t, "casework.yaml")
	stage1, _ := other.Stage("stage1")
	plan, _ := stage1.Obligation("agree_plan")
	at := london(t, "2026-12-22 10:00")
	_, _, err := p.Timescale(ctx, plan, nil, at, at)
	assert.ErrorIs(t, err, ErrPolicyMismatch)
	_, _, err = p.Timescale(ctx, nil, nil, at, at)
	assert.ErrorIs(t, err, ErrPolicyMismatch)

	mine, _ := p.Stage("stage1")
	ob, _ := mine.Obligation("agree_plan")
	_, _, err = p.Timescale(ctx, ob, map[string]any{"immediate_rsk": true}, at, at)
	var in *InputError
	require.True(t, errors.As(err, &in), "%v", err)
	assert.Contains(t, err.Error(), `did you mean "immediate_risk"`)
}
