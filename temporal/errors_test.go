package temporal

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Every sentinel of the engine's crosses the boundary and comes back as
// itself, with the engine's message.
func TestEverySentinelComesBack(t *testing.T) {
	for _, c := range codes {
		err := FromError(overTheWire(applicationError(engine.PolicyRef{}, nil, c.Err)), nil)
		assert.ErrorIs(t, err, c.Err, c.Name)
		assert.Equal(t, c.Err.Error(), err.Error(), c.Name)
	}
}

func TestInputErrorComesBackWithItsPath(t *testing.T) {
	in := &engine.InputError{Path: "forms.report_to_sscp.step4_meeting_date", Message: "must be a date"}
	err := FromError(overTheWire(applicationError(engine.PolicyRef{}, nil, in)), nil)
	var got *engine.InputError
	require.ErrorAs(t, err, &got)
	assert.Equal(t, *in, *got)
	assert.ErrorIs(t, err, engine.ErrInvalidInput)
}

func TestOtherErrorsPassThrough(t *testing.T) {
	plain := errors.New("connection refused")
	assert.Same(t, plain, FromError(plain, nil))
	other := temporal.NewApplicationError("host's own", "HostError")
	assert.Same(t, other, FromError(other, nil))
	// Details of another shape are left as they are, not guessed at.
	odd := temporal.NewApplicationError("odd", RefusedType, "not a refusal")
	assert.Same(t, odd, FromError(odd, nil), "in the process")
	wire := overTheWire(odd)
	assert.Same(t, wire, FromError(wire, nil), "over the wire")
	oddProblem := overTheWire(temporal.NewApplicationError("odd", ErrorType, 42))
	assert.Same(t, oddProblem, FromError(oddProblem, nil))
}

// A refusal from a newer worker, with a code this version does not know,
// still reads: its reason keeps the engine's own words.
func TestUnknownReasonCodeKeepsItsText(t *testing.T) {
	r := Refused{Event: "escalate", Stage: "step1", Reasons: []Reason{{Code: "new_reason", Error: "a reason from the future", Index: -1, Detail: "why"}}}
	err := FromError(overTheWire(temporal.NewApplicationError("refused", RefusedType, r)), nil)
	var refused *engine.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, `event "escalate" refused at step1: a reason from the future: why`, refused.Error())
}

// FromError reads what a server hands back, so whatever the details say it
// must not panic, and a transition it cannot find is left out.
func FuzzFromError(f *testing.F) {
	f.Add("guard_false", "step1", 0, "immediate_risk", "sefton", "2024-05-02")
	f.Add("role_not_permitted", "", 1, "", "sefton", "2024-05-02")
	f.Add("", "nowhere", -7, "x", "other", "1")
	f.Add("unknown_event", "step4", 99, "", "sefton", "2024-05-02")
	eng := bundledEngine(f)
	f.Fuzz(func(t *testing.T, code, from string, index int, detail, policy, version string) {
		r := Refused{Event: "e", Stage: from, Policy: engine.PolicyRef{ID: policy, Version: version},
			Reasons: []Reason{{Code: code, Error: "text", From: from, Index: index, Detail: detail}}}
		err := FromError(overTheWire(temporal.NewApplicationError("refused", RefusedType, r)), eng)
		var refused *engine.RefusedError
		if !errors.As(err, &refused) {
			t.Fatalf("%v is not a RefusedError", err)
		}
		_ = refused.Error()
		if s := sentinel(code); s != nil && !errors.Is(err, s) {
			t.Fatalf("%v does not match %v", err, s)
		}
		if tr := refused.Reasons[0].Transition; tr != nil && (index < 0 || (from != "" && tr.From.ID != from)) {
			t.Fatalf("found a transition %v for %q/%d", tr.Event, from, index)
		}
	})
}
