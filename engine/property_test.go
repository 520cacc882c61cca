package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// walker drives a case with random actors, roles, times, fact updates and
// events (allowed and refused alike) and checks the runtime's invariants
// after every step.
type walker struct {
	t   testing.TB
	p   *Policy
	rng *rand.Rand
	// facts returns fact updates for an event; events, names to try besides
	// those available. Both default to casework.yaml's.
	facts  func(*rand.Rand) map[string]any
	events []string
}

func (w *walker) pick(xs []string) string { return xs[w.rng.IntN(len(xs))] }

func (w *walker) randomEvent(c rec, at time.Time) Event {
	ev := Event{Actor: fmt.Sprintf("actor-%d", w.rng.IntN(4)), Role: w.pick(w.p.roleIDs()), At: at}
	acts, err := w.p.Available(ctx, c.Head, ev.Actor, ev.Role, at)
	require.NoError(w.t, err)
	switch {
	case len(acts) == 0 || w.rng.IntN(10) == 0:
		events := w.events
		if events == nil {
			events = []string{"escalate", "resolve", "no_such_event", "decide"}
		}
		ev.Name = w.pick(events)
	default:
		ev.Name = acts[w.rng.IntN(len(acts))].Event
	}
	if w.facts != nil {
		ev.Facts = w.facts(w.rng)
		return ev
	}
	if w.rng.IntN(3) == 0 {
		ev.Facts = map[string]any{
			"immediate_risk": w.rng.IntN(4) == 0,
			"dispute_area":   w.pick([]string{"other", "threshold", "information_sharing"}),
			"meetings":       w.rng.IntN(3),
		}
	}
	if w.rng.IntN(3) == 0 {
		ev.Facts = map[string]any{"referral_date": "2026-11-30"}
	}
	if w.rng.IntN(3) == 0 {
		ev.Forms = map[string]map[string]any{"escalation_form": {"child_initials": "AB", "response": w.pick([]string{"", "agreed"})}}
	}
	return ev
}

// walk runs one random sequence and returns the final case.
func (w *walker) walk(steps int) rec {
	at := time.Date(2026, time.Month(1+w.rng.IntN(12)), 1+w.rng.IntN(28), w.rng.IntN(24), 0, 0, 0, time.UTC)
	facts := map[string]any{"immediate_risk": w.rng.IntN(5) == 0}
	if w.facts != nil {
		facts = w.facts(w.rng)
	}
	h, en, err := w.p.Raise(ctx, Raise{CaseID: "walk", Actor: "asha", Role: "practitioner", At: at, Facts: facts})
	require.NoError(w.t, err)
	c := rec{Head: h, Entries: []*Entry{en}}
	for i := 0; i < steps; i++ {
		at = at.Add(time.Duration(w.rng.IntN(72*60)) * time.Minute)
		ev := w.randomEvent(c, at)
		h, en, err := w.p.Fire(ctx, c.Head, ev)
		if err != nil {
			require.NotEmpty(w.t, err.Error())
			require.Nil(w.t, en, "a refused event records nothing")
			continue
		}
		next := c.then(h, en)
		w.checkStep(c, next)
		c = next
	}
	return c
}

func (w *walker) checkStep(before, after rec) {
	t := w.t
	require.Equal(t, before.Revision+1, after.Revision, "the revision counts the entries")
	last := after.last()
	require.Equal(t, int(after.Revision), last.Seq)
	require.Equal(t, before.Hash, last.Prev, "the new entry follows the head it was fired on")
	require.Equal(t, last.Hash, after.Hash, "the new head names the new entry")
	require.True(t, after.Last.Equal(last.At))
	// What the visit owed is still owed (or met) in the new case, or, when
	// the case moved on, kept in the entry that records the move.
	owed := after.Obligations
	if last.To != "" {
		require.False(t, before.Closed(), "no transition leaves an outcome")
		owed = last.Left
		w.checkOwes(after, true)
		for _, o := range after.Obligations {
			require.True(t, o.Met.IsZero(), "nothing is met on entering a stage or an outcome")
		}
	} else {
		require.Empty(t, last.Left, "staying in a stage leaves nothing")
		require.Equal(t, before.Outcome, after.Outcome, "an event after an outcome keeps the case closed")
		w.checkOwes(after, false)
	}
	bv, err := before.Visits(before.record())
	require.NoError(t, err)
	av, err := after.Visits(after.record())
	require.NoError(t, err)
	switch {
	case last.To != "" && (!after.Closed() || len(after.Obligations) > 0):
		require.Len(t, av, len(bv)+1, "moving on starts a visit")
	default:
		require.Len(t, av, len(bv))
	}
	for i := 0; i < len(bv)-1; i++ {
		require.Equal(t, bv[i], av[i], "a finished visit's record never changes")
	}
	pl, err := w.p.placeOf(&before.Head)
	require.NoError(t, err)
	for _, o := range before.Obligations {
		i := slices.IndexFunc(owed, func(x ObligationState) bool { return x.ID == o.ID })
		if i < 0 {
			ob, _ := pl.obligation(o.ID)
			require.NotNil(t, ob.When, "only a conditional duty stops being owed (%s)", o.ID)
			require.True(t, o.Met.IsZero(), "a met duty is never taken away (%s)", o.ID)
			continue
		}
		if !o.Due.IsZero() {
			require.False(t, owed[i].Due.IsZero(), "a fixed deadline stays (%s)", o.ID)
			require.False(t, owed[i].Due.After(o.Due), "a deadline never moves later (%s: %v, then %v)", o.ID, o.Due, owed[i].Due)
		}
		if !o.Met.IsZero() {
			require.True(t, o.Met.Equal(owed[i].Met), "a met obligation stays met")
		}
	}
	if after.Closed() {
		_, _, err := w.p.Fire(ctx, after.Head, Event{Name: "withdraw", Actor: "a", Role: "practitioner", At: last.At})
		require.ErrorIs(t, err, ErrCaseClosed, "nothing leaves an outcome")
	}
}

// checkOwes checks that the case owes exactly its place's duties whose
// conditions hold, in the policy's order, besides conditional ones already
// met; on entering, none is met.
func (w *walker) checkOwes(c rec, entered bool) {
	t := w.t
	pl, err := w.p.placeOf(&c.Head)
	require.NoError(t, err)
	act := &activation{p: w.p, facts: c.Facts, stage: c.Stage, raised: c.Raised, entered: c.Entered, milestones: c.Milestones}
	var want []string
	for _, ob := range pl.obligations() {
		i := slices.IndexFunc(c.Obligations, func(o ObligationState) bool { return o.ID == ob.ID })
		holds := ob.When == nil
		if !holds {
			holds, err = ob.When.Eval(ctx, act)
			require.NoError(t, err)
		}
		if holds || !entered && i >= 0 && !c.Obligations[i].Met.IsZero() {
			want = append(want, ob.ID)
		}
	}
	var got []string
	for _, o := range c.Obligations {
		got = append(got, o.ID)
	}
	require.Equal(t, want, got, "a conditional duty is owed while its condition holds, and kept once met")
}

func (w *walker) checkReplay(c rec) {
	t := w.t
	rebuilt, err := w.p.Replay(ctx, c.record())
	require.NoError(t, err)
	live, err := json.Marshal(c.Head)
	require.NoError(t, err)
	again, err := json.Marshal(rebuilt)
	require.NoError(t, err)
	require.Equal(t, string(live), string(again), "replay rebuilds the live head")

	stored := storeRecord(t, c)
	require.NoError(t, w.p.Verify(ctx, stored.Head, stored.record()), "the stored JSON verifies")
}

func TestRandomEventSequencesKeepTheInvariants(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	sequences := 3000
	if testing.Short() {
		sequences = 300
	}
	for seed := 0; seed < sequences; seed++ {
		w := &walker{t: t, p: p, rng: rand.New(rand.NewPCG(uint64(seed), 42))}
		w.checkReplay(w.walk(5 + seed%20))
	}
}

// TestRandomEventSequencesOfTheNewConstructs walks testdata/constructs.yaml
// with dates learnt late and conditions flipping: deadlines never move later,
// and a condition turning false removes a pending duty but never a met one.
func TestRandomEventSequencesOfTheNewConstructs(t *testing.T) {
	p := loadTestPolicy(t, "constructs.yaml")
	sequences := 2000
	if testing.Short() {
		sequences = 200
	}
	date := func(rng *rand.Rand) string {
		return time.Date(2026, 12, 1+rng.IntN(60), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	facts := func(rng *rand.Rand) map[string]any {
		f := map[string]any{}
		if rng.IntN(2) == 0 {
			f["dispute_area"] = []string{"other", "threshold"}[rng.IntN(2)]
		}
		if rng.IntN(3) == 0 {
			f["disagreement_date"] = date(rng)
		}
		if rng.IntN(3) == 0 {
			f["protect_by"] = date(rng)
		}
		return f
	}
	for seed := 0; seed < sequences; seed++ {
		w := &walker{t: t, p: p, rng: rand.New(rand.NewPCG(uint64(seed), 11)), facts: facts,
			events: []string{"update", "escalate", "resolve", "letter_sent", "meeting", "no_such_event"}}
		w.checkReplay(w.walk(5 + seed%25))
	}
}

func TestOnePolicySharedByManyGoroutines(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				w := &walker{t: t, p: p, rng: rand.New(rand.NewPCG(uint64(g), uint64(i)))}
				w.checkReplay(w.walk(15))
			}
		}(g)
	}
	wg.Wait()
}

// benchCase is a case at stage 2 whose "escalate" guard holds and whose form is complete.
func benchCase(b testing.TB, p *Policy) rec {
	c := raise(b, p, "2026-12-22 10:00", map[string]any{"dispute_area": "threshold"})
	c = fire(b, p, c, "escalate", "practitioner", "2026-12-22 11:00")
	c, err := fireOn(p, c, Event{Name: "formally_escalate", Actor: "lee", Role: "line_manager", At: london(b, "2026-12-22 12:00"),
		Forms: map[string]map[string]any{"escalation_form": {"child_initials": "AB"}}})
	require.NoError(b, err)
	return c
}

func BenchmarkFireGuardedTransition(b *testing.B) {
	p := loadTestPolicy(b, "casework.yaml")
	c := benchCase(b, p)
	ev := Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(b, "2026-12-23 09:00")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _, err := p.Fire(ctx, c.Head, ev)
		if err != nil || next.Stage != "stage3" {
			b.Fatal(err, next.Stage)
		}
	}
}

// BenchmarkFireWithinStage fires a guarded event that completes an
// obligation and stays at the stage: the commoner kind of event, which
// copies the stage's obligations instead of moving on.
func BenchmarkFireWithinStage(b *testing.B) {
	p := loadTestPolicy(b, "casework.yaml")
	c := benchCase(b, p)
	ev := Event{Name: "met", Actor: "lee", Role: "line_manager", At: london(b, "2026-12-23 09:00"), Facts: map[string]any{"meetings": 1}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _, err := p.Fire(ctx, c.Head, ev)
		if err != nil || next.Obligations[0].Met.IsZero() {
			b.Fatal(err, "managers_meet not met")
		}
	}
}

func BenchmarkDue(b *testing.B) {
	p := loadTestPolicy(b, "casework.yaml")
	c := benchCase(b, p)
	at := london(b, "2026-12-29 09:00")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ds, err := p.Due(c.Head, at)
		if err != nil || len(ds) != 2 {
			b.Fatal(err, len(ds))
		}
	}
}

// BenchmarkEntryHash hashes the entry of an escalation that leaves a stage:
// part of every event's cost, and of Verify's for each entry.
func BenchmarkEntryHash(b *testing.B) {
	p := loadTestPolicy(b, "casework.yaml")
	c := benchCase(b, p)
	c, err := fireOn(p, c, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(b, "2026-12-23 09:00")})
	require.NoError(b, err)
	en := c.last()
	require.Len(b, en.Left, 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if entryHash(en) != en.Hash {
			b.Fatal("the hash changed")
		}
	}
}
