package engine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Action.Refused is an error a host can test the usual way: nil when the
// action is allowed, and a *RefusedError, which errors.Is and errors.As see,
// when it is not.
func TestActionRefusedIsAnError(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	acts, err := p.Available(ctx, c.Head, "lee", "line_manager", london(t, "2026-12-23 10:00"))
	require.NoError(t, err)
	allowed, refused := 0, 0
	for _, a := range acts {
		var err error = a.Refused
		if a.Allowed {
			allowed++
			assert.NoError(t, err, a.Event)
			continue
		}
		refused++
		var re *RefusedError
		require.True(t, errors.As(err, &re), a.Event)
		assert.Equal(t, a.Event, re.Event)
		assert.NotEmpty(t, re.Reasons)
	}
	assert.Positive(t, allowed)
	assert.Positive(t, refused)
}

// A zero Head (a case never raised, or a stored head not read back) is
// refused as empty, by the engine and by a policy, whatever is asked of it.
func TestEmptyHeadIsSaidToBeEmpty(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	e, err := New(WithPolicies(p))
	require.NoError(t, err)
	at := london(t, "2026-12-23 10:00")
	ev := Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: at}
	record := Entries(raise(t, p, "2026-12-22 10:00", nil).Entries)
	for name, call := range map[string]func(Head) error{
		"Engine.Fire":      func(h Head) error { _, _, err := e.Fire(ctx, h, ev); return err },
		"Engine.Due":       func(h Head) error { _, err := e.Due(h, at); return err },
		"Engine.Available": func(h Head) error { _, err := e.Available(ctx, h, "asha", "practitioner", at); return err },
		"Engine.Verify":    func(h Head) error { return e.Verify(ctx, h, record) },
		"Engine.PolicyFor": func(h Head) error { _, err := e.PolicyFor(h); return err },
		"Policy.Fire":      func(h Head) error { _, _, err := p.Fire(ctx, h, ev); return err },
		"Policy.Due":       func(h Head) error { _, err := p.Due(h, at); return err },
		"Policy.Available": func(h Head) error { _, err := p.Available(ctx, h, "asha", "practitioner", at); return err },
		"Policy.Verify":    func(h Head) error { return p.Verify(ctx, h, record) },
	} {
		t.Run(name, func(t *testing.T) {
			err := call(Head{})
			assert.ErrorIs(t, err, ErrEmptyCase)
			assert.EqualError(t, err, "the case is empty (a zero Head): raise a case with Raise, or read a stored head back whole")
		})
	}
}
