package timeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

// The constructs of escalation/v1.1 on the schedule, on the engine's
// fixture: each duty by its own deadline unless the case's facts give an
// earlier one; a duty whose condition does not hold for the facts is not
// owed; an urgent duty without a backstop is untimed; and an outcome's
// duties fall due from the end of the ladder.
func TestWorstCaseOfTheNewConstructs(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "constructs.yaml"))
	require.NoError(t, err)
	p, diags := engine.Load("constructs.yaml", src)
	require.NoError(t, diags.Err())
	raised := london(t, "2026-12-22 10:00")

	s, err := timeline.WorstCase(p, raised)
	require.NoError(t, err)
	require.Len(t, s.Stages, 2)
	stage1 := s.Stages[0]
	assert.Equal(t, map[string]string{"raise_matter": "2026-12-23", "resolve_soon": "2026-12-31", "confirm": "2026-12-24"}, dueDates(stage1.Deadlines))
	assert.Equal(t, []string{"speak"}, ids(stage1.Untimed), "urgent, with no backstop")
	assert.Equal(t, []string{"involve_mash"}, ids(stage1.NotOwed), "not a threshold dispute, by default")
	assert.Equal(t, []string{"minutes"}, ids(stage1.OnlyIf), "no meeting on the way up")
	require.Len(t, s.Outcomes, 1, "only the outcome that owes duties")
	resolved := s.Outcomes[0]
	assert.True(t, resolved.Reached.Equal(s.Stages[1].Left))
	assert.Equal(t, map[string]string{"letter": "2027-01-05"}, dueDates(resolved.Deadlines), "reached in the last minute of 31 Dec; 2 working days: 4 and 5 Jan")
	assert.Equal(t, []string{"feed_back"}, ids(resolved.Untimed))
	replay(t, p, s)

	// The case's facts bring deadlines forward, and make the MASH duty owed.
	s, err = timeline.WorstCase(p, raised, timeline.WithFacts(map[string]any{
		"dispute_area": "threshold", "protect_by": "2026-12-24", "disagreement_date": "2026-12-21",
	}))
	require.NoError(t, err)
	stage1 = s.Stages[0]
	assert.Equal(t, map[string]string{"raise_matter": "2026-12-22", "resolve_soon": "2026-12-24", "confirm": "2026-12-24", "involve_mash": "2026-12-24"},
		dueDates(stage1.Deadlines))
	assert.Empty(t, stage1.NotOwed)
	for _, d := range stage1.Deadlines {
		switch d.Obligation.ID {
		case "raise_matter":
			assert.Equal(t, "from the date in disagreement_date", d.From.String())
		case "resolve_soon":
			assert.Equal(t, "by the end of the date in protect_by", d.From.String())
		}
	}

	// A duty whose own deadline counts from a date the case has not given
	// cannot be dated.
	p, diags = engine.Load("constructs.yaml", []byte(strings.Replace(string(src), "        from: raised\n", "        from: fact.disagreement_date\n", 1)))
	require.NoError(t, diags.Err())
	s, err = timeline.WorstCase(p, raised)
	require.NoError(t, err)
	assert.Equal(t, []string{"raise_matter"}, ids(s.Stages[0].ByCase))
	assert.NotContains(t, dueDates(s.Stages[0].Deadlines), "raise_matter")
}

func dueDates(ds []timeline.Deadline) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		out[d.Obligation.ID] = d.DueDate.String()
	}
	return out
}

func ids(obs []*engine.Obligation) []string {
	var out []string
	for _, ob := range obs {
		out = append(out, ob.ID)
	}
	return out
}
