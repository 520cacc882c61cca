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

// A milestone set by an act during a stage is set in the last minute the
// duty the act meets allows, and what counts from it follows.
func TestAnActSetsItsMilestoneInTheLastMinuteItsDutyAllows(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "{event: escalate, to: stage3, roles: [manager], sets: [formally_escalated]}",
			"{event: escalate, to: stage3, roles: [manager]}", 1)
		s = strings.Replace(s, "      write: {title: Write up",
			"      review: {title: Review, owner: manager, within: 3 working days, source: {file: fixture.txt, quote: review}}\n      write: {title: Write up", 1)
		return strings.Replace(s, "{event: decide, to: decided, roles: [manager]}",
			"{event: decide, to: decided, roles: [manager]}\n      - {event: escalate_formally, roles: [manager], completes: [review], sets: [formally_escalated]}", 1)
	})
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	last := s.Stages[len(s.Stages)-1]
	require.Equal(t, "stage5", last.Stage.ID)
	require.Len(t, last.Deadlines, 2)
	review, write := last.Deadlines[0], last.Deadlines[1]
	require.Equal(t, "review", review.Obligation.ID)
	require.Equal(t, "write", write.Obligation.ID)
	require.Len(t, last.Acts, 1)
	act := last.Acts[0]
	assert.Equal(t, "escalate_formally", act.Transition.Event)
	assert.True(t, act.At.Equal(review.Due.Add(-time.Minute)), "the act is done in review's last minute, %s", act.At)
	assert.True(t, write.Trigger.Equal(act.At), "write counts from the act, %s", write.Trigger)
	assert.Equal(t, "from milestone formally_escalated, set by escalate_formally in the last minute review allows", write.From.String())
	assert.True(t, last.Left.Equal(write.Due.Add(-time.Minute)), "the stage waits for write")
}

// Duties that count from a milestone the way up never sets, such as an
// agreement, are owed only if it happens: they are listed apart and do not
// lengthen the stage's wait.
func TestDutiesAfterAnAgreementDoNotLengthenTheWait(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "milestones:\n", "milestones:\n  agreed: {title: Agreed}\n", 1)
		s = strings.Replace(s, "      plan: {title: Agree a plan",
			"      advise: {title: Advise the outcome, owner: practitioner, within: 3 working days, from: milestone.agreed, source: {file: fixture.txt, quote: advise}}\n      plan: {title: Agree a plan", 1)
		return strings.Replace(s, "      - {event: escalate, to: stage2, roles: [practitioner]}",
			"      - {event: agree, roles: [practitioner], sets: [agreed]}\n      - {event: escalate, to: stage2, roles: [practitioner]}", 1)
	})
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	first := s.Stages[0]
	require.Len(t, first.OnlyIf, 1)
	assert.Equal(t, "advise", first.OnlyIf[0].ID)
	require.Len(t, first.Deadlines, 1)
	assert.Equal(t, "plan", first.Deadlines[0].Obligation.ID)
	assert.Empty(t, first.Acts, "agree meets nothing and the way out does not need it")
	assert.True(t, london(t, "2026-12-24 23:59").Equal(s.Stages[1].Entered), "stage 2 starts when plan runs out, %s", s.Stages[1].Entered)
}

// The way out needs the milestone that a duty it meets counts from: the act
// that sets it is done in the last minute the stage's other deadlines allow,
// and the duty then counts from it.
func TestTheWayOutSetsTheMilestoneItsDutyCountsFrom(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "milestones:\n", "milestones:\n  stuck: {title: Stuck}\n", 1)
		s = strings.Replace(s, "      plan: {title: Agree a plan",
			"      refer: {title: Refer without delay, owner: practitioner, within: immediately, from: milestone.stuck, source: {file: fixture.txt, quote: refer}}\n      plan: {title: Agree a plan", 1)
		return strings.Replace(s, "      - {event: escalate, to: stage2, roles: [practitioner]}",
			"      - {event: not_resolved, roles: [practitioner], sets: [stuck]}\n      - {event: escalate, to: stage2, roles: [practitioner], completes: [refer]}", 1)
	})
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	first := s.Stages[0]
	require.Len(t, first.Acts, 1)
	assert.Equal(t, "not_resolved", first.Acts[0].Transition.Event)
	assert.Nil(t, first.Acts[0].Meets)
	assert.True(t, london(t, "2026-12-24 23:59").Equal(first.Acts[0].At), "in plan's last minute, %s", first.Acts[0].At)
	require.Len(t, first.Deadlines, 2)
	refer := first.Deadlines[1]
	assert.Equal(t, "refer", refer.Obligation.ID, "counted from a later anchor, it comes after plan")
	assert.Equal(t, "2026-12-24", refer.DueDate.String())
	assert.Equal(t, "from milestone stuck, set by not_resolved in the last minute the other deadlines allow", refer.From.String())
	assert.Empty(t, first.OnlyIf)
}

// A stage that only an any_stage route reaches is a branch, not the next
// rung: the ladder goes from stage 1 to the stage its way up leads to.
func TestAStageOnlyAnAnyStageRouteReachesIsABranch(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "stages:\n  stage1:", `facts:
  urgent: {type: bool, description: Urgent.}
stages:
  protect:
    title: Protect the child now
    source: {file: fixture.txt, quote: protect}
    obligations:
      refer: {title: Refer to children's social care, owner: manager, within: immediately, source: {file: fixture.txt, quote: refer}}
    transitions:
      - {event: back, to: stage1, roles: [manager]}
  stage1:`, 1)
		s = strings.Replace(s, "start: stage1", "start: stage1\nany_stage:\n  - {event: protect, to: protect, roles: [manager], when: urgent, except: [protect]}", 1)
		return s
	})
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	var ids []string
	for _, st := range s.Stages {
		ids = append(ids, st.Stage.ID)
	}
	assert.Equal(t, []string{"stage1", "stage2", "stage3", "stage4", "stage5"}, ids)
	require.Len(t, s.Branches, 1)
	assert.Equal(t, "protect", s.Branches[0].Stage.ID)
	require.Len(t, s.Branches[0].Via, 1)
	assert.Equal(t, "protect", s.Branches[0].Via[0].Event)
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

// With the case's facts, an expedite whose condition holds shortens the
// deadline as the engine would; without them, every timescale is its own.
func TestWorstCaseWithFactsExpedites(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "milestones:", "facts:\n  urgent: {type: bool, description: Urgent.}\nmilestones:", 1)
		return strings.Replace(s, "within: 2 working days, source: {file: fixture.txt, quote: plan}",
			"within: 2 working days, expedite: {when: urgent, within: immediately}, source: {file: fixture.txt, quote: plan}", 1)
	})
	raised := london(t, "2026-12-22 10:00")
	for _, tc := range []struct {
		name      string
		opts      []timeline.Option
		due       string
		expedited bool
	}{
		{"no facts", nil, "2026-12-24", false},
		{"the condition is false", []timeline.Option{timeline.WithFacts(map[string]any{"urgent": false})}, "2026-12-24", false},
		{"the condition holds", []timeline.Option{timeline.WithFacts(map[string]any{"urgent": true})}, "2026-12-22", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := timeline.WorstCase(p, raised, tc.opts...)
			require.NoError(t, err)
			plan := s.Stages[0].Deadlines[0]
			assert.Equal(t, tc.due, plan.DueDate.String())
			assert.Equal(t, tc.expedited, plan.Expedited)
			assert.Equal(t, tc.expedited, plan.Immediate)
		})
	}
	_, err := timeline.WorstCase(p, raised, timeline.WithFacts(map[string]any{"urgnt": true}))
	assert.ErrorContains(t, err, `did you mean "urgent"`)
}

// A milestone keeps the first time it is set, as in the engine: set on
// entering stage 2 and again on entering stage 3, it counts from stage 2.
func TestAMilestoneKeepsItsFirstTime(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		return strings.Replace(s, "{event: escalate, to: stage2, roles: [practitioner]}",
			"{event: escalate, to: stage2, roles: [practitioner], sets: [formally_escalated]}", 1)
	})
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 10:00"))
	require.NoError(t, err)
	write := s.Stages[4].Deadlines[0]
	require.Equal(t, "write", write.Obligation.ID)
	assert.Equal(t, "stage2", write.From.SetBy.ID)
	assert.True(t, write.Trigger.Equal(s.Stages[1].Entered))
	assert.Equal(t, "2026-12-30", write.DueDate.String(), "2 working days from Thu 24 Dec: Tue 29 and Wed 30")
}

// The way up is a stage's first transition to a later stage without a
// condition; only when every one has a condition is the first of them taken.
func TestTheWayUpPrefersATransitionWithoutACondition(t *testing.T) {
	p := load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "stages:\n  stage1:", "facts:\n  urgent: {type: bool, description: Urgent.}\nstages:\n  stage1:", 1)
		return strings.Replace(s, "      - {event: escalate, to: stage2, roles: [practitioner]}",
			"      - {event: skip, to: stage3, roles: [practitioner], when: urgent}\n      - {event: escalate, to: stage2, roles: [practitioner]}", 1)
	})
	rungs, branches := timeline.Ladder(p)
	require.NotEmpty(t, rungs)
	assert.Equal(t, "escalate", rungs[0].Exit.Event)
	assert.Equal(t, "stage2", rungs[1].Stage.ID)
	assert.Empty(t, branches)

	p = load(t, "ladder.yaml", func(s string) string {
		s = strings.Replace(s, "stages:\n  stage1:", "facts:\n  urgent: {type: bool, description: Urgent.}\nstages:\n  stage1:", 1)
		return strings.Replace(s, "      - {event: escalate, to: stage2, roles: [practitioner]}",
			"      - {event: skip, to: stage3, roles: [practitioner], when: urgent}\n      - {event: escalate, to: stage2, roles: [practitioner], when: '!urgent'}", 1)
	})
	rungs, branches = timeline.Ladder(p)
	assert.Equal(t, "skip", rungs[0].Exit.Event, "every way up has a condition: the first")
	require.Len(t, branches, 1)
	assert.Equal(t, "stage2", branches[0].Stage.ID, "stage 2 is then reached only by a way the ladder does not take")
	require.Len(t, rungs[len(rungs)-1].Stage.Transitions, 1)
	assert.Nil(t, rungs[len(rungs)-1].Exit, "the last rung has no way up")
}
