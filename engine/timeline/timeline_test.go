package timeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

func load(t *testing.T, name string, edit func(string) string) *engine.Policy {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	if edit != nil {
		src = []byte(edit(string(src)))
	}
	p, diags := engine.Load(name, src)
	require.NoError(t, diags.Err())
	return p
}

func london(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London())
	require.NoError(t, err)
	return v
}

type wantDeadline struct {
	id, dueDate string
	from        engine.AnchorKind
}

type wantStage struct {
	id, entered string
	deadlines   []wantDeadline
	untimed     []string
	note        string
}

// Raised on Tue 22 Dec 2026, the ladder runs over Christmas Day (Fri),
// Boxing Day's substitute (Mon 28) and New Year's Day (Fri 1 Jan).
func TestWorstCaseOverChristmas(t *testing.T) {
	p := load(t, "ladder.yaml", nil)
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)

	want := []wantStage{
		{id: "stage1", entered: "2026-12-22 10:00", deadlines: []wantDeadline{{"plan", "2026-12-24", engine.AnchorStage}}},
		// Entered in the last minute of 24 Dec; 2 working days from then
		// skip Christmas and Boxing Day: 29 and 30 Dec. Four days from the
		// raise (23, 24, 29, 30) land on the same day.
		{id: "stage2", entered: "2026-12-24 23:59", deadlines: []wantDeadline{
			{"meet", "2026-12-30", engine.AnchorStage}, {"total", "2026-12-30", engine.AnchorRaised},
		}},
		// 24 hours of clock time from 23:59 on 30 Dec.
		{id: "stage3", entered: "2026-12-30 23:59", deadlines: []wantDeadline{{"respond", "2026-12-31", engine.AnchorStage}}, untimed: []string{"consider"}},
		{id: "stage4", entered: "2026-12-31 23:58", untimed: []string{"reflect"}, note: timeline.NoTimescale},
		// Entered at once; the milestone was set on entering stage 3 (30
		// Dec), so 2 working days are 31 Dec and, after New Year's Day, 4 Jan.
		{id: "stage5", entered: "2026-12-31 23:58", deadlines: []wantDeadline{{"write", "2027-01-04", engine.AnchorMilestone}}},
	}
	require.Len(t, s.Stages, len(want))
	for i, w := range want {
		st := s.Stages[i]
		assert.Equal(t, w.id, st.Stage.ID)
		assert.True(t, london(t, w.entered).Equal(st.Entered), "%s entered %s, want %s", w.id, st.Entered, w.entered)
		assert.Equal(t, w.note, st.Note(), w.id)
		var untimed []string
		for _, ob := range st.Untimed {
			untimed = append(untimed, ob.ID)
		}
		assert.Equal(t, w.untimed, untimed, w.id)
		require.Len(t, st.Deadlines, len(w.deadlines), w.id)
		for j, wd := range w.deadlines {
			d := st.Deadlines[j]
			assert.Equal(t, wd.id, d.Obligation.ID)
			assert.Equal(t, wd.dueDate, d.DueDate.String(), wd.id)
			assert.Equal(t, wd.from, d.From.Kind, wd.id)
		}
	}
	write := s.Stages[4].Deadlines[0]
	require.NotNil(t, write.From.SetBy)
	assert.Equal(t, "stage3", write.From.SetBy.ID)
	assert.True(t, s.Stages[2].Entered.Equal(write.Trigger), "the milestone is set when stage 3 is entered")
	assert.Equal(t, "from milestone formally_escalated, set on entering stage3", write.From.String())
}

func TestWorstCaseExplainsTheDaysNotCounted(t *testing.T) {
	p := load(t, "ladder.yaml", nil)
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	total := s.Stages[1].Deadlines[1]
	require.Equal(t, "total", total.Obligation.ID)
	reasons := map[string]string{}
	for _, step := range total.Steps {
		if !step.Counted {
			reasons[step.Date.String()] = step.Reason
		}
	}
	assert.Equal(t, "trigger date", reasons["2026-12-22"])
	assert.Equal(t, "Christmas Day", reasons["2026-12-25"])
	assert.Contains(t, reasons["2026-12-28"], "Boxing Day")
	assert.Contains(t, total.String(), "Due: Thu 31 Dec 2026 00:00 GMT")
}

// A milestone set by an event during a stage is, at worst, set in the last
// minute that stage's other deadlines allow, and what counts from it follows.
func TestMilestoneSetDuringAStageCountsFromItsLastMinute(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "{event: escalate, to: stage3, roles: [manager], sets: [formally_escalated]}",
			"{event: escalate, to: stage3, roles: [manager]}", 1)
		s = strings.Replace(s, "      write: {title: Write up",
			"      review: {title: Review, owner: manager, within: 3 working days, source: {file: fixture.txt, quote: review}}\n      write: {title: Write up", 1)
		return strings.Replace(s, "{event: decide, to: decided, roles: [manager]}",
			"{event: decide, to: decided, roles: [manager]}\n      - {event: escalate_formally, roles: [manager], sets: [formally_escalated]}", 1)
	})
	m, ok := p.Milestone("formally_escalated")
	require.True(t, ok)
	set := timeline.SetBy(p, m)
	require.NotNil(t, set.Stage)
	assert.True(t, set.During)

	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	for _, st := range s.Stages {
		for _, d := range st.Deadlines {
			if d.Obligation.From.Kind != engine.AnchorMilestone {
				continue
			}
			require.Equal(t, set.Stage, d.From.SetBy, d.Obligation.ID)
			assert.True(t, d.From.During)
			assert.Contains(t, d.From.String(), "set during "+set.Stage.ID)
			if st.Stage == set.Stage {
				// It counts from after the stage's own latest other deadline.
				var latest time.Time
				for _, other := range st.Deadlines {
					if other.Obligation.From.Kind != engine.AnchorMilestone && other.Due.After(latest) {
						latest = other.Due
					}
				}
				require.False(t, latest.IsZero(), "the fixture's stage has another deadline")
				assert.True(t, d.Trigger.Equal(latest.Add(-time.Minute)), "%s counts from %s", d.Obligation.ID, d.Trigger)
			}
		}
	}
}

func TestSetByPrefersTheEarliestStage(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		return strings.Replace(s, "{event: escalate, to: stage2, roles: [practitioner]}",
			"{event: escalate, to: stage2, roles: [practitioner], sets: [formally_escalated]}", 1)
	})
	m, _ := p.Milestone("formally_escalated")
	set := timeline.SetBy(p, m)
	require.NotNil(t, set.Stage)
	assert.Equal(t, "stage2", set.Stage.ID)
	assert.False(t, set.During)
}

func TestWorstCaseNeedsATime(t *testing.T) {
	p := load(t, "ladder.yaml", nil)
	_, err := timeline.WorstCase(p, time.Time{})
	assert.ErrorContains(t, err, "no raised time")
}

// A case raised where the calendar ends cannot be scheduled, and the error
// says which obligation could not be counted.
func TestWorstCaseBeyondTheCalendar(t *testing.T) {
	p := load(t, "ladder.yaml", nil)
	_, err := timeline.WorstCase(p, london(t, "2199-12-30 10:00"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stage stage1, obligation plan")
	assert.ErrorIs(t, err, calendar.ErrOutOfRange)
}

// The constructs of escalation/v1.1 on the schedule: each duty by its own
// timescale (a sooner deadline only brings it forward), urgent duties
// without a backstop untimed, a per-visit milestone set again at each stage,
// and the duties an outcome owes, as if it were reached when the ladder ends.
func TestWorstCaseOfTheNewConstructs(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "constructs.yaml"))
	require.NoError(t, err)
	p, diags := engine.Load("constructs.yaml", src)
	require.NoError(t, diags.Err())
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	require.Len(t, s.Stages, 2)

	due := func(ds []timeline.Deadline) map[string]string {
		out := map[string]string{}
		for _, d := range ds {
			out[d.Obligation.ID] = d.DueDate.String()
		}
		return out
	}
	ids := func(obs []*engine.Obligation) []string {
		var out []string
		for _, ob := range obs {
			out = append(out, ob.ID)
		}
		return out
	}
	stage1 := s.Stages[0]
	assert.Equal(t, map[string]string{
		"raise_matter": "2026-12-23", "resolve_soon": "2026-12-31", "confirm": "2026-12-24", "involve_mash": "2026-12-24",
		"minutes": "2027-01-04", // the meeting held in the last minute of 31 Dec, then 1 working day
	}, due(stage1.Deadlines))
	assert.Equal(t, []string{"speak"}, ids(stage1.Untimed), "urgent with no backstop")
	assert.Empty(t, stage1.ByCase)

	stage2 := s.Stages[1]
	assert.Equal(t, london(t, "2027-01-04 23:59"), stage2.Entered)
	assert.Equal(t, map[string]string{"minutes": "2027-01-06"}, due(stage2.Deadlines), "the meeting is held again at stage 2")
	assert.Equal(t, "from milestone meeting_held, set during stage2 in the last minute its other deadlines allow", stage2.Deadlines[0].From.String())

	require.Len(t, s.Outcomes, 1, "only the outcome that owes duties")
	resolved := s.Outcomes[0]
	assert.Equal(t, "resolved", resolved.Outcome.ID)
	assert.Equal(t, london(t, "2027-01-06 23:59"), resolved.Reached)
	assert.Equal(t, map[string]string{"letter": "2027-01-08"}, due(resolved.Deadlines))
	assert.Equal(t, "from reaching the outcome", resolved.Deadlines[0].From.String())
	assert.Equal(t, []string{"feed_back"}, ids(resolved.Untimed))

	// A duty whose own timescale counts from a date the case gives is not dated.
	p, diags = engine.Load("constructs.yaml", []byte(strings.Replace(string(src), "        from: raised\n", "        from: fact.disagreement_date\n", 1)))
	require.NoError(t, diags.Err())
	s, err = timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	assert.Equal(t, []string{"raise_matter"}, ids(s.Stages[0].ByCase))
	assert.NotContains(t, due(s.Stages[0].Deadlines), "raise_matter")
}
