package engine

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storedCase is a case at stage 2 with an expedited obligation behind it, as
// a host would read it back from its store.
func storedCase(t testing.TB, p *Policy) []byte {
	t.Helper()
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"immediate_risk": true, "agencies": []string{"police"}})
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-22 11:00")
	data, err := json.Marshal(c)
	require.NoError(t, err)
	return data
}

func TestStoredHashesAreHexAndTheFirstPrevIsEmpty(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	var raw struct {
		History []struct{ Prev, Hash string }
	}
	require.NoError(t, json.Unmarshal(storedCase(t, p), &raw))
	require.Len(t, raw.History, 2)
	assert.Equal(t, "", raw.History[0].Prev)
	assert.Regexp(t, `^[0-9a-f]{64}$`, raw.History[0].Hash)
	assert.Equal(t, raw.History[0].Hash, raw.History[1].Prev)
}

func TestAStoredCaseThatDoesNotReadBackSaysWhere(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	data := string(storedCase(t, p))
	for _, tt := range []struct{ name, from, to, want string }{
		{"hash not hex", `"hash":"`, `"hash":"zz`, "history hash is 64 hex digits"},
		{"hash too short", `"prev":""`, `"prev":"abcd"`, "history hash is 64 hex digits"},
		{"timescale unknown", `"within":"4 working days"`, `"within":"4 fortnights"`, `obligation "managers_meet": within`},
		{"immediate contradicts the timescale", `"immediate":true,`, ``, `immediate is false but within is "immediately"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(data, tt.from, tt.to, 1)
			require.NotEqual(t, data, bad, "the test's edit must apply")
			var c Case
			err := json.Unmarshal([]byte(bad), &c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestAMissingHistoryEntryIsTamperingNotAPanic(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	var c Case
	require.NoError(t, json.Unmarshal(storedCase(t, p), &c))

	last := c
	last.History = []*Entry{c.History[0], nil}
	_, err := p.Fire(ctx, last, Event{Name: "met", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 09:00")})
	assert.ErrorIs(t, err, ErrHistoryTampered)

	first := c
	first.History = []*Entry{nil, c.History[1]}
	assert.ErrorIs(t, VerifyHistory(first.History), ErrHistoryTampered)
	_, err = p.Replay(ctx, first.History)
	assert.ErrorIs(t, err, ErrHistoryTampered)
	assert.ErrorIs(t, p.Verify(ctx, first), ErrHistoryTampered)
}

func TestTheCaseKeepsItsOwnCopyOfAListFact(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	agencies := []string{"police", "school"}
	c := raise(t, p, "2026-12-22 10:00", nil)
	c, err := p.Fire(ctx, c, Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 11:00"),
		Facts: map[string]any{"agencies": agencies}})
	require.NoError(t, err)
	agencies[0] = "changed by the host afterwards"
	assert.Equal(t, []string{"police", "school"}, c.Facts["agencies"])
	require.NoError(t, p.Verify(ctx, c), "the recorded entry did not change with the host's slice")
}

func TestFiringOnOneCaseFromManyGoroutines(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := benchCase(t, p)
	const n = 16
	results := make([]Case, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ev := Event{Name: "met", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 09:00"),
				Facts: map[string]any{"meetings": i + 1}, Note: strings.Repeat("n", i)}
			if i%2 == 0 {
				ev = Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 09:00"), Note: strings.Repeat("e", i)}
			}
			next, err := p.Fire(ctx, c, ev)
			assert.NoError(t, err)
			results[i] = next
		}(i)
	}
	wg.Wait()
	seen := map[Digest]bool{}
	for i, r := range results {
		require.Len(t, r.History, len(c.History)+1)
		require.NoError(t, p.Verify(ctx, r), "result %d", i)
		last := r.History[len(r.History)-1]
		assert.False(t, seen[last.Hash], "result %d shares its last entry with another", i)
		seen[last.Hash] = true
	}
	require.NoError(t, p.Verify(ctx, c), "the case they all fired on is unchanged")
}

func TestACaseOfAnotherSchemaIsRefused(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	var c Case
	require.NoError(t, json.Unmarshal(storedCase(t, p), &c))
	c.Schema = CaseSchema - 1
	at := london(t, "2026-12-23 09:00")
	_, err := p.Fire(ctx, c, Event{Name: "met", Actor: "lee", Role: "line_manager", At: at})
	assert.ErrorIs(t, err, ErrCaseSchema)
	_, err = p.Due(c, at)
	assert.ErrorIs(t, err, ErrCaseSchema)
	_, err = p.Available(ctx, c, "lee", "line_manager", at)
	assert.ErrorIs(t, err, ErrCaseSchema)
	assert.ErrorIs(t, p.Verify(ctx, c), ErrCaseSchema)
	assert.ErrorContains(t, p.Verify(ctx, c), "this engine reads schema 2")
}

func TestVisitsRecordWhatEachStageOwed(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"dispute_area": "threshold"})
	c = fire(t, p, c, "plan_agreed", "practitioner", "2026-12-23 09:00")
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-23 10:00")

	vs := c.Visits()
	require.Len(t, vs, 2)
	assert.Equal(t, "stage1", vs[0].Stage)
	assert.True(t, vs[0].Entered.Equal(london(t, "2026-12-22 10:00")))
	assert.True(t, vs[0].Left.Equal(london(t, "2026-12-23 10:00")))
	require.Len(t, vs[0].Obligations, 1)
	assert.True(t, vs[0].Obligations[0].Met.Equal(london(t, "2026-12-23 09:00")), "the plan was agreed before the case moved on")
	assert.Equal(t, "stage2", vs[1].Stage)
	assert.True(t, vs[1].Left.IsZero(), "the case is still at stage 2")
	assert.Equal(t, c.Obligations, vs[1].Obligations)

	// Closing it ends the last visit; the outcome is not a visit.
	closed, err := p.Fire(ctx, c, Event{Name: "resolve", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 11:00"),
		Forms: map[string]map[string]any{"escalation_form": {"child_initials": "AB"}}})
	require.NoError(t, err)
	vs = closed.Visits()
	require.Len(t, vs, 2)
	assert.True(t, vs[1].Left.Equal(london(t, "2026-12-23 11:00")))
	require.Len(t, vs[1].Obligations, 2)
	assert.True(t, vs[1].Obligations[0].Met.IsZero(), "the managers had not met: left unmet")

	// The record reads the same from the stored JSON.
	data, err := json.Marshal(closed)
	require.NoError(t, err)
	var stored Case
	require.NoError(t, json.Unmarshal(data, &stored))
	assert.Equal(t, len(vs), len(stored.Visits()))
	assert.True(t, stored.Visits()[1].Left.Equal(vs[1].Left))
}
