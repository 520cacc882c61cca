package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
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
}

func (w *walker) pick(xs []string) string { return xs[w.rng.IntN(len(xs))] }

func (w *walker) randomEvent(c rec, at time.Time) Event {
	ev := Event{Actor: fmt.Sprintf("actor-%d", w.rng.IntN(4)), Role: w.pick(w.p.roleIDs()), At: at}
	acts, err := w.p.Available(ctx, c.Head, ev.Actor, ev.Role, at)
	require.NoError(w.t, err)
	switch {
	case len(acts) == 0 || w.rng.IntN(10) == 0:
		ev.Name = w.pick([]string{"escalate", "resolve", "no_such_event", "decide"})
	default:
		ev.Name = acts[w.rng.IntN(len(acts))].Event
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
	h, en, err := w.p.Raise(ctx, Raise{CaseID: "walk", Actor: "asha", Role: "practitioner", At: at,
		Facts: map[string]any{"immediate_risk": w.rng.IntN(5) == 0}})
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
	require.False(t, before.Closed(), "nothing fires on a closed case")
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
		owed = last.Left
		stage, ok := w.p.Stage(after.Stage)
		if after.Closed() {
			require.Empty(t, after.Obligations, "a closed case owes nothing")
		} else {
			require.True(t, ok)
			require.Len(t, after.Obligations, len(stage.Obligations), "a new visit owes its own stage's obligations")
		}
		for i, o := range after.Obligations {
			require.Equal(t, stage.Obligations[i].ID, o.ID)
			require.True(t, o.Met.IsZero(), "nothing is met on entering a stage")
		}
	} else {
		require.Empty(t, last.Left, "staying in a stage leaves nothing")
	}
	require.Len(t, owed, len(before.Obligations))
	bv, err := before.Visits(before.record())
	require.NoError(t, err)
	av, err := after.Visits(after.record())
	require.NoError(t, err)
	if last.To != "" && !after.Closed() {
		require.Len(t, av, len(bv)+1, "moving to a stage starts a visit")
	} else {
		require.Len(t, av, len(bv))
	}
	for i := 0; i < len(bv)-1; i++ {
		require.Equal(t, bv[i], av[i], "a finished visit's record never changes")
	}
	for i, o := range before.Obligations {
		require.Equal(t, o.ID, owed[i].ID)
		if !o.Due.IsZero() {
			require.True(t, o.Due.Equal(owed[i].Due), "a fixed deadline never moves")
		}
		if !o.Met.IsZero() {
			require.True(t, o.Met.Equal(owed[i].Met), "a met obligation stays met")
		}
	}
	if after.Closed() {
		_, _, err := w.p.Fire(ctx, after.Head, Event{Name: "withdraw", Actor: "a", Role: "practitioner", At: after.Entered})
		require.ErrorIs(t, err, ErrCaseClosed, "nothing leaves an outcome")
	}
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
