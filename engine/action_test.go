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
	acts, err := p.Available(ctx, c, "lee", "line_manager", london(t, "2026-12-23 10:00"))
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
