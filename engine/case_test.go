package engine

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeRecord writes a case as a host stores it, its head and each entry as
// JSON, and reads it back.
func storeRecord(t testing.TB, c rec) rec {
	t.Helper()
	data, err := json.Marshal(c.Head)
	require.NoError(t, err)
	var back rec
	require.NoError(t, json.Unmarshal(data, &back.Head))
	for _, en := range c.Entries {
		data, err := json.Marshal(en)
		require.NoError(t, err)
		var read Entry
		require.NoError(t, json.Unmarshal(data, &read))
		back.Entries = append(back.Entries, &read)
	}
	return back
}

// storedCase is a case at stage 2 with an expedited obligation behind it.
func storedCase(t testing.TB, p *Policy) rec {
	t.Helper()
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"immediate_risk": true, "agencies": []string{"police"}})
	return fire(t, p, c, "escalate", "practitioner", "2026-12-22 11:00")
}

func TestStoredHashesAreHexAndTheFirstPrevIsEmpty(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := storedCase(t, p)
	var raw [2]struct{ Prev, Hash, MAC string }
	for i, en := range c.Entries {
		data, err := json.Marshal(en)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &raw[i]))
		assert.NotContains(t, string(data), `"mac"`, "an entry recorded without a key has no MAC")
	}
	assert.Equal(t, "", raw[0].Prev)
	assert.Regexp(t, `^[0-9a-f]{64}$`, raw[0].Hash)
	assert.Equal(t, raw[0].Hash, raw[1].Prev)
	head, err := json.Marshal(c.Head)
	require.NoError(t, err)
	assert.Contains(t, string(head), `"hash":"`+raw[1].Hash+`"`, "the head names the last entry")
}

// The head's JSON, pinned: hosts store it, and databases index into it.
func TestHeadJSON(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := storedCase(t, p)
	c = fire(t, p, c, "formally_escalate", "line_manager", "2026-12-22 12:00")
	data, err := json.Marshal(c.Head)
	require.NoError(t, err)
	want := `{"schema":3,"id":"case-1","policy":{"id":"casework","version":"1"},"revision":3,` +
		`"raised":"2026-12-22T10:00:00Z","stage":"stage2","entered":"2026-12-22T11:00:00Z",` +
		`"facts":{"agencies":["police"],"child_name":"","dispute_area":"other","immediate_risk":true,"meetings":0},` +
		`"milestones":{"formally_escalated":"2026-12-22T12:00:00Z"},` +
		`"obligations":[{"id":"managers_meet","anchor":"2026-12-22T10:00:00Z","due":"2026-12-31T00:00:00Z","within":"4 working days"},` +
		`{"id":"written_outcome","anchor":"2026-12-22T12:00:00Z","due":"2026-12-25T00:00:00Z","within":"2 working days"}],` +
		`"last":"2026-12-22T12:00:00Z","hash":"` + c.Hash.String() + `"}`
	assert.Equal(t, want, string(data))
	assert.True(t, json.Valid(data))
}

func TestHeadJSONReadsWhatADatabaseGivesBack(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := storedCase(t, p)
	c, err := fireOn(p, c, Event{Name: "met", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-22 12:00"),
		Facts: map[string]any{"meetings": 2}, Forms: map[string]map[string]any{"escalation_form": {"child_initials": "A\u00e9\"\\\n\u2028"}}})
	require.NoError(t, err)
	data, err := json.Marshal(c.Head)
	require.NoError(t, err)

	// Another order, other spacing, members it does not know, escapes where
	// none were needed: what a database's JSON type may give back.
	var generic map[string]any
	require.NoError(t, json.Unmarshal(data, &generic))
	generic["added_by_the_host"] = map[string]any{"deep": []any{1.5, nil, "x"}}
	reordered, err := json.MarshalIndent(generic, " ", "\t")
	require.NoError(t, err)
	require.NotEqual(t, string(data), string(reordered))

	for _, form := range [][]byte{data, reordered} {
		var h Head
		require.NoError(t, json.Unmarshal(form, &h))
		assert.Empty(t, headDiff(&c.Head, &h), "read back: %s", form)
		assert.Equal(t, c.Hash, h.Hash)
		assert.Equal(t, c.Revision, h.Revision)
		assert.Equal(t, int64(2), h.Facts["meetings"], "a whole number reads back as an int")
		assert.Equal(t, "A\u00e9\"\\\n\u2028", h.Forms["escalation_form"]["child_initials"])
		require.NoError(t, p.Verify(ctx, h, c.record()))
	}
}

func TestAStoredHeadThatDoesNotReadBackSaysWhere(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	stored, err := json.Marshal(storedCase(t, p).Head)
	require.NoError(t, err)
	data := string(stored) + "\x00" // marks the end, for edits there
	for _, tt := range []struct{ name, from, to, want string }{
		{"hash not hex", `"hash":"`, `"hash":"zz`, "hash: a record's hash is 64 hex digits"},
		{"timescale unknown", `"within":"4 working days"`, `"within":"4 fortnights"`, `obligations[0]: obligation "managers_meet": within: calendar: cannot read timescale "4 fortnights"`},
		{"immediate contradicts the timescale", `"within":"4 working days"`, `"within":"4 working days","immediate":true`, `immediate is true but within is "4 working days"`},
		{"revision not a number", `"revision":2`, `"revision":"2"`, "revision: must be a whole number"},
		{"revision not whole", `"revision":2`, `"revision":2.5`, "revision: must be a whole number"},
		{"time not a time", `"raised":"2026-12-22T10:00:00Z"`, `"raised":"22/12/2026"`, "raised: must be an RFC 3339 time"},
		{"nested too deep", `"facts":{`, `"facts":{"x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `,`, "values nested more than 64 deep"},
		{"a record inside", `"facts":`, `"history":[],"schema":2,"facts":`, "read it with MigrateCase"},
		// encoding/json finds these before the head's reader sees them; a
		// caller of UnmarshalJSON gets the reader's own message.
		{"truncated", `"}` + "\x00", ``, "a string without its closing quote"},
		{"trailing data", `"}` + "\x00", `"} {}`, "more after the head's closing brace"},
		{"control character", `"id":"case-1"`, "\"id\":\"case\x01\"", "a control character in a string"},
		{"missing colon", `"stage":"stage2"`, `"stage" "stage2"`, "expected ':' after a member's name"},
		{"number with a leading zero", `"revision":2`, `"revision":02`, "a malformed number"},
		{"bad literal", `"immediate_risk":true`, `"immediate_risk":ture`, "expected true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := []byte(strings.TrimSuffix(strings.Replace(data, tt.from, tt.to, 1), "\x00"))
			require.NotEqual(t, data, string(bad)+"\x00", "the test's edit must apply")
			var h Head
			err := h.UnmarshalJSON(bad)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Error(t, json.Unmarshal(bad, &h), "encoding/json refuses it too")
		})
	}
}

func TestAStoredEntryThatDoesNotReadBackSaysWhere(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	data, err := json.Marshal(storedCase(t, p).Entries[1])
	require.NoError(t, err)
	for _, tt := range []struct{ name, from, to, want string }{
		{"hash too short", `"prev":"`, `"prev":"abcd`, "a record's hash is 64 hex digits"},
		{"timescale unknown", `"within":"immediately"`, `"within":"2 fortnights"`, `obligation "agree_plan": within`},
		{"immediate contradicts the timescale", `"immediate":true,`, ``, `immediate is false but within is "immediately"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(string(data), tt.from, tt.to, 1)
			require.NotEqual(t, string(data), bad, "the test's edit must apply")
			var en Entry
			err := json.Unmarshal([]byte(bad), &en)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestAMissingEntryIsTamperingNotAPanic(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := storeRecord(t, storedCase(t, p))
	for _, entries := range [][]*Entry{{c.Entries[0], nil}, {nil, c.Entries[1]}, {nil}, nil} {
		var re *RecordError
		require.ErrorAs(t, p.Verify(ctx, c.Head, Entries(entries)), &re)
		assert.Equal(t, EntryMissing, re.How)
		_, err := c.Visits(Entries(entries))
		require.ErrorAs(t, err, &re)
		assert.Equal(t, EntryMissing, re.How)
	}
	_, err := p.Replay(ctx, Entries([]*Entry{nil, c.Entries[1]}))
	assert.ErrorIs(t, err, ErrHistoryTampered)
	_, err = p.Replay(ctx, Entries(nil))
	assert.ErrorIs(t, err, ErrHistoryTampered, "an empty record lacks its first entry")
	assert.Error(t, p.Verify(ctx, c.Head, nil), "no record at all")
}

func TestTheCaseKeepsItsOwnCopyOfAListFact(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	agencies := []string{"police", "school"}
	c := raise(t, p, "2026-12-22 10:00", nil)
	c, err := fireOn(p, c, Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 11:00"),
		Facts: map[string]any{"agencies": agencies}})
	require.NoError(t, err)
	agencies[0] = "changed by the host afterwards"
	assert.Equal(t, []string{"police", "school"}, c.Facts["agencies"])
	require.NoError(t, p.Verify(ctx, c.Head, c.record()), "the recorded entry did not change with the host's slice")
}

func TestFiringOnOneCaseFromManyGoroutines(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := benchCase(t, p)
	const n = 16
	results := make([]rec, n)
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
			next, err := fireOn(p, c, ev)
			assert.NoError(t, err)
			results[i] = next
		}(i)
	}
	wg.Wait()
	seen := map[Digest]bool{}
	for i, r := range results {
		require.Len(t, r.Entries, len(c.Entries)+1)
		require.NoError(t, p.Verify(ctx, r.Head, r.record()), "result %d", i)
		assert.False(t, seen[r.Hash], "result %d shares its last entry with another", i)
		seen[r.Hash] = true
	}
	require.NoError(t, p.Verify(ctx, c.Head, c.record()), "the case they all fired on is unchanged")
}

func TestAHeadOfAnotherSchemaIsRefused(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := storeRecord(t, storedCase(t, p))
	at := london(t, "2026-12-23 09:00")
	for _, schema := range []int{CaseSchema - 1, CaseSchema + 1} {
		h := c.Head
		h.Schema = schema
		_, _, err := p.Fire(ctx, h, Event{Name: "met", Actor: "lee", Role: "line_manager", At: at})
		assert.ErrorIs(t, err, ErrCaseSchema)
		_, err = p.Due(h, at)
		assert.ErrorIs(t, err, ErrCaseSchema)
		_, err = p.Available(ctx, h, "lee", "line_manager", at)
		assert.ErrorIs(t, err, ErrCaseSchema)
		assert.ErrorIs(t, p.Verify(ctx, h, c.record()), ErrCaseSchema)
	}
	h := c.Head
	h.Schema = 2
	assert.ErrorContains(t, p.Verify(ctx, h, c.record()), "case case-1 is in schema 2, with its record inside; read it with MigrateCase")
	h.Schema = 4
	assert.ErrorContains(t, p.Verify(ctx, h, c.record()), "case case-1 is in schema 4; this engine reads schema 3")
}

func TestVisitsRecordWhatEachStageOwed(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"dispute_area": "threshold"})
	c = fire(t, p, c, "plan_agreed", "practitioner", "2026-12-23 09:00")
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-23 10:00")

	vs, err := c.Visits(c.record())
	require.NoError(t, err)
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
	closed, err := fireOn(p, c, Event{Name: "resolve", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 11:00"),
		Forms: map[string]map[string]any{"escalation_form": {"child_initials": "AB"}}})
	require.NoError(t, err)
	vs, err = closed.Visits(closed.record())
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.True(t, vs[1].Left.Equal(london(t, "2026-12-23 11:00")))
	require.Len(t, vs[1].Obligations, 2)
	assert.True(t, vs[1].Obligations[0].Met.IsZero(), "the managers had not met: left unmet")

	// The record reads the same from the stored JSON.
	stored := storeRecord(t, closed)
	again, err := stored.Visits(stored.record())
	require.NoError(t, err)
	require.Len(t, again, len(vs))
	assert.True(t, again[1].Left.Equal(vs[1].Left))

	// A record that does not end at the head gives no visits.
	_, err = c.Visits(closed.record())
	assert.ErrorIs(t, err, ErrHistoryTampered)
	assert.ErrorContains(t, err, "the head is at revision 3 but the record goes on to entry 4")
}
