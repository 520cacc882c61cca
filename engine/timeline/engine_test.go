package timeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// The schedule is the engine's own answer: replaying each bundled policy's
// worst case through the engine (the same events, by a role allowed to fire
// them, at the same times) gives every stage the same entry time, and every
// duty the same anchor and due instant; each act is on time, duties owed
// only after an agreement are still waiting, and untimed duties have no due
// date. Raised over Christmas, over Easter, on the Isle of Man's TT week and
// the weekend the clocks go back, late on a Friday and on a Sunday.
func TestWorstCaseAgreesWithTheEngine(t *testing.T) {
	raises := []string{
		"2026-12-22 09:00", "2026-12-24 16:55", "2027-03-24 16:30",
		"2026-06-04 17:30", "2026-10-23 23:00", "2026-11-08 11:00",
	}
	for _, id := range policies.IDs() {
		p, diags := policies.Load(id)
		require.NoError(t, diags.Err())
		for _, raised := range raises {
			t.Run(id+"/"+raised, func(t *testing.T) {
				s, err := timeline.WorstCase(p, london(t, raised))
				require.NoError(t, err)
				replay(t, p, s)
			})
		}
	}
}

// Staffordshire raised on 22 Dec 2026 ends on Mon 11 Jan 2027 at 23:59: the
// duties that follow an agreement at Stages 1 and 2 are owed after the
// outcome it reaches, so they do not lengthen the wait (counted on the way
// up they made it Thu 14 Jan), and the Stage 5 referral, entered at the end
// of Fri 8 Jan, is due within 72 hours, sooner than 2 working days (Tue 12).
func TestStaffordshireWorstCaseEndsOnEleventhOfJanuary(t *testing.T) {
	p, diags := policies.Load("staffordshire-stoke")
	require.NoError(t, diags.Err())
	s, err := timeline.WorstCase(p, london(t, "2026-12-22 09:00"))
	require.NoError(t, err)
	var last *timeline.Deadline
	for i := range s.Stages {
		if l := s.Stages[i].Latest(); l != nil && (last == nil || l.Due.After(last.Due)) {
			last = l
		}
	}
	require.NotNil(t, last)
	assert.Equal(t, "2027-01-11", last.DueDate.String())
	assert.Equal(t, "refer_to_board_representative", last.Obligation.ID)
	require.NotNil(t, last.Sooner, "the 72 hours apply, not the duty's own 2 working days")
	assert.Equal(t, "72 hours", last.Within.String())
	assert.Equal(t, london(t, "2027-01-08 23:59").Add(72*time.Hour), last.Due)
	for _, st := range s.Stages {
		assert.Empty(t, st.OnlyIf, st.Stage.ID)
	}
	require.Len(t, s.Outcomes, 1)
	assert.Equal(t, "resolved", s.Outcomes[0].Outcome.ID)
	assert.Equal(t, []string{"advise_outcome", "confirm_in_writing", "feed_back_plan", "managers_advise_outcome", "managers_confirm_by_letter"}, ids(s.Outcomes[0].NotOwed),
		"owed only after an agreement at Stage 1 or 2, which the end of the ladder is not")
}

func replay(t *testing.T, p *engine.Policy, s *timeline.Schedule) {
	t.Helper()
	ctx := context.Background()
	c, _, err := p.Raise(ctx, engine.Raise{CaseID: "worst-case", Actor: "raiser", Role: p.Roles[0].ID, At: s.Raised})
	require.NoError(t, err)
	for _, st := range s.Stages {
		require.Equal(t, st.Stage.ID, c.Stage)
		require.True(t, st.Entered.Equal(c.Entered), "%s: engine entered %s, timeline %s", st.Stage.ID, c.Entered, st.Entered)
		for _, a := range st.Acts {
			c = fire(t, p, c, a.Transition, a.At)
		}
		duties, err := p.Due(c, st.Left)
		require.NoError(t, err)
		byID := map[string]engine.Duty{}
		for _, d := range duties {
			byID[d.Obligation.ID] = d
		}
		for _, d := range st.Deadlines {
			got := byID[d.Obligation.ID]
			where := fmt.Sprintf("%s.%s", st.Stage.ID, d.Obligation.ID)
			assert.True(t, d.Trigger.Equal(got.Anchor), "%s: engine counts from %s, timeline from %s", where, got.Anchor, d.Trigger)
			assert.True(t, d.Due.Equal(got.Due), "%s: engine due %s, timeline %s", where, got.Due, d.Due)
			assert.NotEqual(t, engine.StatusOverdue, got.Status, "%s is overdue at %s on the worst case", where, st.Left)
			assert.False(t, got.Late, "%s was met late", where)
		}
		for _, ob := range st.OnlyIf {
			assert.Equal(t, engine.StatusWaiting, byID[ob.ID].Status, "%s.%s is owed only if its milestone is set", st.Stage.ID, ob.ID)
		}
		for _, ob := range st.Untimed {
			assert.True(t, byID[ob.ID].Due.IsZero(), "%s.%s has no timescale", st.Stage.ID, ob.ID)
		}
		timed := 0
		for _, d := range duties {
			if !d.Due.IsZero() {
				timed++
			}
		}
		assert.Equal(t, len(st.Deadlines), timed, "%s: every deadline the engine has is on the timeline", st.Stage.ID)
		if st.Exit != nil {
			c = fire(t, p, c, st.Exit, st.Left)
		}
	}
}

// fire fires t's event at time at, in t's first role, with every form it
// needs filled in.
func fire(t *testing.T, p *engine.Policy, c engine.Head, tr *engine.Transition, at time.Time) engine.Head {
	t.Helper()
	forms := map[string]map[string]any{}
	for _, f := range tr.Forms {
		data := map[string]any{}
		fill := func(fs []*engine.Field) {
			for _, fd := range fs {
				data[fd.ID] = placeholder(fd)
			}
		}
		fill(f.Fields)
		for _, sec := range f.Sections {
			fill(sec.Fields)
		}
		forms[f.ID] = data
	}
	next, _, err := p.Fire(context.Background(), c, engine.Event{
		Name: tr.Event, Actor: "actor", Role: tr.Roles[0].ID, At: at, Forms: forms,
	})
	require.NoError(t, err, "%s at %s", tr.Event, at)
	return next
}

func placeholder(f *engine.Field) any {
	switch f.Type {
	case engine.FieldDate:
		return "2026-01-05"
	case engine.FieldBool:
		return false
	case engine.FieldInt:
		return 1
	case engine.FieldEmail:
		return "someone@example.org"
	case engine.FieldEnum:
		return f.Values[0]
	}
	return "x"
}

// BenchmarkWorstCaseStaffordshire computes one schedule of the bundled
// policy with the most milestones.
func BenchmarkWorstCaseStaffordshire(b *testing.B) {
	p, diags := policies.Load("staffordshire-stoke")
	require.NoError(b, diags.Err())
	raised := time.Date(2026, 12, 22, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := timeline.WorstCase(p, raised); err != nil {
			b.Fatal(err)
		}
	}
}
