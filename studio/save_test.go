package studio

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// A saved story pins what the case owes after an act, an outcome's duties
// included (policy language 1.1), and says "urgent" for an urgent duty
// without a backstop; an outcome that owes nothing is pinned by its name
// alone, as before.
func TestExpectationsPinUrgentAndOutcomeDuties(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "engine", "testdata", "constructs.yaml"))
	require.NoError(t, err)
	p, diags := engine.Load("constructs.yaml", src)
	require.NoError(t, diags.Err())
	ctx := context.Background()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London())
		require.NoError(t, err)
		return v
	}
	text := func(c engine.Head, when string, a Act) string {
		t.Helper()
		n, err := expectations(ctx, p, c, at(when), a)
		require.NoError(t, err)
		b, err := yaml.Marshal(n)
		require.NoError(t, err)
		return string(b)
	}
	asha := Act{By: "asha", Role: "practitioner"}

	c, _, err := p.Raise(ctx, engine.Raise{CaseID: "s", Actor: "asha", Role: "practitioner", At: at("2026-12-22 10:00")})
	require.NoError(t, err)
	assert.Contains(t, text(c, "2026-12-22 10:00", asha), "speak: urgent")
	assert.Contains(t, text(c, "2026-12-22 10:00", asha), "confirm: 2026-12-24")

	resolved, _, err := p.Fire(ctx, c, engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner", At: at("2026-12-24 15:00")})
	require.NoError(t, err)
	assert.Equal(t, `outcome: resolved
due: {feed_back: urgent, letter: 2026-12-30}
status: {feed_back: pending, letter: pending}
available:
    role: practitioner
    events: [letter_sent, fed_back]
`, text(resolved, "2026-12-24 15:00", asha))

	stage2, _, err := p.Fire(ctx, c, engine.Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: at("2026-12-23 08:00")})
	require.NoError(t, err)
	withdrawn, _, err := p.Fire(ctx, stage2, engine.Event{Name: "withdraw", Actor: "lee", Role: "line_manager", At: at("2026-12-23 09:00")})
	require.NoError(t, err)
	assert.Equal(t, "outcome: withdrawn\n", text(withdrawn, "2026-12-23 09:00", Act{By: "lee", Role: "line_manager"}))
}
