package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is a host's secret key, for tests only.
var testKey = bytes.Repeat([]byte("k3y!"), 8)

func loadKeyed(t testing.TB, name string) *Policy {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	p, diags := Load(name, src, WithRecordKey(testKey))
	require.NoError(t, diags.Err())
	return p
}

// copyEntries copies a record's entries: a case's own are shared and
// read-only, and the tests change these.
func copyEntries(es []*Entry) []*Entry {
	out := make([]*Entry, len(es))
	for i, en := range es {
		if en != nil {
			dup := *en
			dup.Left = slices.Clone(en.Left)
			out[i] = &dup
		}
	}
	return out
}

// reseal recomputes the hashes of es from index from on, as someone who can
// write the database but has no key would after changing an entry: each
// entry links to the one before and carries the hash of what it says.
func reseal(es []*Entry, from int) {
	for i := from; i < len(es); i++ {
		if i > 0 {
			es[i].Prev = es[i-1].Hash
		}
		es[i].Hash = entryHash(es[i])
	}
}

// recordError returns err as a *RecordError, failing the test if it is not.
func recordError(t testing.TB, err error) *RecordError {
	t.Helper()
	var re *RecordError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, ErrHistoryTampered)
	return re
}

func TestRecordErrorsSayWhichEntryAndHow(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"child_name": "Jo Bloggs"})
	c = fire(t, p, c, "plan_agreed", "practitioner", "2026-12-22 11:00")
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-22 12:00")
	c = fire(t, p, c, "formally_escalate", "line_manager", "2026-12-22 13:00")
	require.NoError(t, p.Verify(ctx, c.Head, c.record()))
	require.Len(t, c.Entries[2].Left, 1, "escalating left Stage 1's plan behind, met")

	tests := []struct {
		name   string
		change func(h *Head, es []*Entry) []*Entry
		want   string
		entry  int
		how    Tampering
	}{
		{"an actor edited", func(_ *Head, es []*Entry) []*Entry { es[1].Actor = "someone else"; return es },
			"case case-1: entry 2 is edited: what it says no longer matches its hash", 2, EntryEdited},
		{"a fact edited", func(_ *Head, es []*Entry) []*Entry { es[0].Facts = map[string]any{"child_name": "Other"}; return es },
			"case case-1: entry 1 is edited: what it says no longer matches its hash", 1, EntryEdited},
		{"a met time moved", func(_ *Head, es []*Entry) []*Entry { es[2].Left[0].Met = es[2].Left[0].Met.Add(-time.Hour); return es },
			"case case-1: entry 3 is edited: what it says no longer matches its hash", 3, EntryEdited},
		{"an unmet duty dropped", func(_ *Head, es []*Entry) []*Entry { es[2].Left = nil; return es },
			"case case-1: entry 3 is edited: what it says no longer matches its hash", 3, EntryEdited},
		{"renumbered", func(_ *Head, es []*Entry) []*Entry { es[2].Seq = 9; return es },
			"case case-1: entry 3 is edited: what it says no longer matches its hash", 3, EntryEdited},
		{"rewritten with its hash recomputed", func(_ *Head, es []*Entry) []*Entry { es[1].Note = "rewritten"; reseal(es[:2], 1); return es },
			"case case-1: entry 2 is edited: entry 3 does not name it as the entry before it", 2, EntryEdited},
		{"two swapped", func(_ *Head, es []*Entry) []*Entry { es[1], es[2] = es[2], es[1]; return es },
			"case case-1: entry 2 is out of order: it comes after entry 3", 2, EntryOutOfOrder},
		{"one recorded twice", func(_ *Head, es []*Entry) []*Entry { return slices.Insert(es, 2, es[1]) },
			"case case-1: entry 2 is out of order: a second entry numbered 2 comes after entry 2", 2, EntryOutOfOrder},
		{"one dropped", func(_ *Head, es []*Entry) []*Entry { return slices.Delete(es, 1, 2) },
			"case case-1: entry 2 is missing: the record goes from entry 1 to entry 3", 2, EntryMissing},
		{"one lost in reading", func(_ *Head, es []*Entry) []*Entry { es[2] = nil; return es },
			"case case-1: entry 3 is missing: the record has no entry in its place", 3, EntryMissing},
		{"the last dropped", func(_ *Head, es []*Entry) []*Entry { return es[:3] },
			"case case-1: entry 4 is missing: the head is at revision 4 but the record ends at entry 3", 4, EntryMissing},
		{"the head's revision raised", func(h *Head, es []*Entry) []*Entry { h.Revision = 40; return es },
			"case case-1: entry 5 is missing: the head is at revision 40 but the record ends at entry 4", 5, EntryMissing},
		{"the head's revision lowered", func(h *Head, es []*Entry) []*Entry { h.Revision = 3; return es },
			"case case-1: the head differs from its record: the head is at revision 3 but the record goes on to entry 4", 0, HeadDiffers},
		{"the last rewritten with its hash recomputed", func(_ *Head, es []*Entry) []*Entry { es[3].Actor = "x"; reseal(es, 3); return es },
			"case case-1: the head differs from its record: its hash is not that of entry 4, the record's last", 4, HeadDiffers},
		{"the head's stage changed", func(h *Head, es []*Entry) []*Entry { h.Stage = "stage3"; return es },
			"case case-1: the head differs from its record: its stage is not what the record rebuilds", 0, HeadDiffers},
		{"the head's deadline moved", func(h *Head, es []*Entry) []*Entry {
			h.Obligations = slices.Clone(h.Obligations)
			h.Obligations[1].Due = h.Obligations[1].Due.Add(24 * time.Hour)
			return es
		}, "case case-1: the head differs from its record: its obligations is not what the record rebuilds", 0, HeadDiffers},
		{"the head's milestone moved", func(h *Head, es []*Entry) []*Entry {
			h.Milestones = map[string]time.Time{"formally_escalated": h.Milestones["formally_escalated"].Add(time.Minute)}
			return es
		}, "case case-1: the head differs from its record: its milestones.formally_escalated is not what the record rebuilds", 0, HeadDiffers},
		{"the head's form filled in", func(h *Head, es []*Entry) []*Entry {
			h.Forms = map[string]map[string]any{"escalation_form": {"child_initials": "ZZ"}}
			return es
		}, "case case-1: the head differs from its record: its forms.escalation_form.child_initials is not what the record rebuilds", 0, HeadDiffers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := c.Head
			es := tt.change(&h, copyEntries(c.Entries))
			err := p.Verify(ctx, h, Entries(es))
			re := recordError(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.entry, re.Entry)
			assert.Equal(t, tt.how, re.How)
			assert.Equal(t, "case-1", re.Case)
			assert.NotContains(t, err.Error(), "Jo Bloggs")
		})
	}
	require.NoError(t, p.Verify(ctx, c.Head, c.record()), "changing copies leaves the case alone")
}

// Replay tells a changed record from a policy that now decides differently.
func TestReplayTellsTamperingFromAChangedPolicy(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := benchCase(t, p)
	es := copyEntries(c.Entries)
	es[1].Note = "rewritten"
	_, err := p.Replay(ctx, Entries(es))
	assert.Equal(t, EntryEdited, recordError(t, err).How)

	// The same record under a policy whose Stage 1 deadline is longer: the
	// record is intact, but the entry that left Stage 1 would now record
	// another deadline.
	src, err := os.ReadFile("testdata/casework.yaml")
	require.NoError(t, err)
	longer := bytes.Replace(src, []byte("within: 2 working days\n        expedite"), []byte("within: 3 working days\n        expedite"), 1)
	require.NotEqual(t, src, longer)
	q, diags := Load("casework.yaml", longer)
	require.NoError(t, diags.Err())
	err = q.Verify(ctx, c.Head, c.record())
	require.ErrorIs(t, err, ErrReplayMismatch)
	assert.NotErrorIs(t, err, ErrHistoryTampered, "the record is intact")
	assert.EqualError(t, err, "replaying the record does not rebuild the case: entry 2 (escalate) records left [agree_plan due 2026-12-25T00:00:00Z], the policy now gives left [agree_plan due 2026-12-30T00:00:00Z]")
}

func TestAKeyedRecordRewrittenWithoutTheKeyFails(t *testing.T) {
	p := loadKeyed(t, "casework.yaml")
	unkeyed := loadTestPolicy(t, "casework.yaml")
	c := benchCase(t, p)
	c = fire(t, p, c, "escalate", "line_manager", "2026-12-23 09:00")
	require.NoError(t, p.Verify(ctx, c.Head, c.record()))
	for _, en := range c.Entries {
		require.False(t, en.MAC.IsZero(), "every entry of a keyed record is authenticated")
		require.NotEqual(t, en.Hash, en.MAC)
	}
	require.NoError(t, unkeyed.Verify(ctx, c.Head, c.record()), "without the key, the chain still verifies")

	rewrite := func(keepMACs bool) (Head, []*Entry) {
		es := copyEntries(c.Entries)
		es[1].Actor = "mallory"
		reseal(es, 1)
		if !keepMACs {
			for _, en := range es[1:] {
				en.MAC = Digest{}
			}
		}
		h := c.Head
		h.Hash = es[len(es)-1].Hash
		return h, es
	}
	h, es := rewrite(true)
	require.NoError(t, unkeyed.Verify(ctx, h, Entries(es)), "a host without a key cannot tell")
	err := p.Verify(ctx, h, Entries(es))
	re := recordError(t, err)
	assert.Equal(t, 2, re.Entry)
	assert.Equal(t, EntryUnauthenticated, re.How)
	assert.Equal(t, "case case-1: entry 2 is unauthenticated: its MAC was not made with the host's key", err.Error())

	h, es = rewrite(false)
	err = p.Verify(ctx, h, Entries(es))
	assert.Equal(t, "case case-1: entry 2 is unauthenticated: it carries no MAC, though an entry before it does", err.Error())

	// A whole record written by the engine without the key has no MAC at all.
	forged := benchCase(t, unkeyed)
	err = p.Verify(ctx, forged.Head, forged.record())
	assert.Equal(t, "case case-1: entry 3 is unauthenticated: it carries no MAC: the record was not written with the host's key", err.Error())
	_, err = p.Replay(ctx, forged.record())
	assert.Equal(t, EntryUnauthenticated, recordError(t, err).How)
}

// A record begun without a key (a migrated case) is authenticated by the
// first entry the host records with one: its hash covers all before it.
func TestAKeyAuthenticatesTheEntriesRecordedBeforeIt(t *testing.T) {
	p := loadKeyed(t, "casework.yaml")
	c := benchCase(t, loadTestPolicy(t, "casework.yaml"))
	err := p.Verify(ctx, c.Head, c.record())
	assert.Equal(t, EntryUnauthenticated, recordError(t, err).How, "nothing authenticates it yet")
	c = fire(t, p, c, "escalate", "line_manager", "2026-12-23 09:00")
	require.NoError(t, p.Verify(ctx, c.Head, c.record()))

	// The entries before the key cannot be rewritten either.
	es := copyEntries(c.Entries)
	es[0].Actor = "mallory"
	reseal(es[:3], 0)
	err = p.Verify(ctx, c.Head, Entries(es))
	assert.Equal(t, "case case-1: entry 3 is edited: entry 4 does not name it as the entry before it", err.Error())
}

func TestTheKeyNeverShows(t *testing.T) {
	src, err := os.ReadFile("testdata/casework.yaml")
	require.NoError(t, err)
	p, diags := Load("casework.yaml", src, WithRecordKey(testKey))
	require.NoError(t, diags.Err())
	c := benchCase(t, p)
	c, err = fireOn(p, c, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-23 09:00")})
	require.NoError(t, err)

	var out bytes.Buffer
	head, err := json.Marshal(c.Head)
	require.NoError(t, err)
	out.Write(head)
	for _, en := range c.Entries {
		data, err := json.Marshal(en)
		require.NoError(t, err)
		out.Write(data)
	}
	log := slog.New(slog.NewJSONHandler(&out, nil))
	log.Info("policy", "policy", p, "case", c.Head, "entry", c.last())
	fmt.Fprintf(&out, "%v %+v %#v %s", p, p, p, c.Head)
	tampered := copyEntries(c.Entries)
	tampered[1].Actor = "mallory"
	reseal(tampered, 1)
	out.WriteString(p.Verify(ctx, c.Head, Entries(tampered)).Error())
	_, diags = Load("casework.yaml", src, WithRecordKey(testKey[:31]))
	out.WriteString(diags.Err().Error())

	for _, form := range []string{string(testKey), string(testKey[:31]), hex.EncodeToString(testKey), base64.StdEncoding.EncodeToString(testKey), "k3y!"} {
		assert.NotContains(t, out.String(), form)
	}
	assert.Contains(t, out.String(), "WithRecordKey needs a key of at least 32 bytes from a secure random source, not 31")
}

func TestCheckpointsDetectARollback(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	early := benchCase(t, p)
	late := fire(t, p, early, "escalate", "line_manager", "2026-12-23 09:00")
	cp := late.Checkpoint()
	assert.Equal(t, Checkpoint{Case: "case-1", Revision: 4, Hash: late.Hash}, cp)
	require.NoError(t, p.Verify(ctx, late.Head, late.record(), WithCheckpoint(cp)))
	require.NoError(t, p.Verify(ctx, late.Head, late.record(), WithCheckpoint(early.Checkpoint())), "a later case passes an earlier checkpoint")

	// The whole database put back: a genuine case, only an old one.
	require.NoError(t, p.Verify(ctx, early.Head, early.record()))
	err := p.Verify(ctx, early.Head, early.record(), WithCheckpoint(cp))
	re := recordError(t, err)
	assert.Equal(t, RolledBack, re.How)
	assert.Equal(t, "case case-1: the case was rolled back: the record ends at entry 3, but the checkpoint kept elsewhere is at entry 4", err.Error())

	// The head alone put back: its record has gone on without it.
	err = p.Verify(ctx, early.Head, late.record(), WithCheckpoint(cp))
	assert.Equal(t, "case case-1: the case was rolled back: the head is at revision 3, but the checkpoint kept elsewhere is at revision 4", err.Error())
	err = p.Verify(ctx, early.Head, late.record())
	assert.Equal(t, HeadDiffers, recordError(t, err).How, "without a checkpoint the head is still seen to be behind its record")

	// Rolled back, and then written again: another entry 4.
	other := fire(t, p, early, "withdraw", "line_manager", "2026-12-23 09:00")
	err = p.Verify(ctx, other.Head, other.record(), WithCheckpoint(cp))
	re = recordError(t, err)
	assert.Equal(t, 4, re.Entry)
	assert.Equal(t, EntryEdited, re.How)

	// The check a host can make on every read, from the head alone.
	assert.NoError(t, cp.Check(late.Head))
	assert.NoError(t, early.Checkpoint().Check(late.Head))
	assert.Equal(t, RolledBack, recordError(t, cp.Check(early.Head)).How)
	re = recordError(t, cp.Check(other.Head))
	assert.Equal(t, EntryEdited, re.How)
	assert.Equal(t, 4, re.Entry)
	assert.ErrorIs(t, cp.Check(Head{ID: "case-2", Revision: 9}), ErrInvalidInput)

	assert.ErrorIs(t, p.Verify(ctx, late.Head, late.record(), WithCheckpoint(Checkpoint{Case: "case-1"})), ErrInvalidInput)
	assert.ErrorIs(t, p.Verify(ctx, late.Head, late.record(), WithCheckpoint(Checkpoint{Case: "case-2", Revision: 1, Hash: late.Hash})), ErrInvalidInput)
}

// For thousands of random event sequences, every way of changing the
// record (dropping, truncating, swapping, duplicating, editing an entry,
// or rewriting one with its hash recomputed) fails Verify naming the entry,
// and a keyed record rewritten without the key fails as unauthenticated.
func TestEveryChangeToARecordIsNamed(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	keyed := loadKeyed(t, "casework.yaml")
	sequences := 2000
	if testing.Short() {
		sequences = 200
	}
	for seed := 0; seed < sequences; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		pol := p
		if seed%2 == 1 {
			pol = keyed
		}
		w := &walker{t: t, p: pol, rng: rng}
		c := w.walk(3 + seed%25)
		n := len(c.Entries)
		require.NoError(t, pol.Verify(ctx, c.Head, c.record()))
		rebuilt, err := pol.Replay(ctx, c.record())
		require.NoError(t, err)
		require.Empty(t, headDiff(&c.Head, &rebuilt), "replaying the entries rebuilds the head")
		require.Equal(t, c.Hash, rebuilt.Hash)

		expect := func(what string, h Head, es []*Entry, entry int, how Tampering) {
			t.Helper()
			err := pol.Verify(ctx, h, Entries(es))
			re := recordError(t, err)
			require.Equal(t, entry, re.Entry, "seed %d, %s: %v", seed, what, err)
			require.Equal(t, how, re.How, "seed %d, %s: %v", seed, what, err)
		}
		i := rng.IntN(n) // an entry, from 0
		expect("dropped", c.Head, slices.Delete(copyEntries(c.Entries), i, i+1), i+1, EntryMissing)
		expect("truncated", c.Head, copyEntries(c.Entries)[:i], i+1, EntryMissing)
		edited := copyEntries(c.Entries)
		switch rng.IntN(3) {
		case 0:
			edited[i].Actor += "!"
		case 1:
			edited[i].At = edited[i].At.Add(time.Second)
		case 2:
			edited[i].Facts = map[string]any{"meetings": int64(99)}
		}
		expect("edited", c.Head, edited, i+1, EntryEdited)
		if i < n-1 {
			swapped := copyEntries(c.Entries)
			swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
			expect("swapped", c.Head, swapped, i+1, EntryOutOfOrder)
			expect("duplicated", c.Head, slices.Insert(copyEntries(c.Entries), i+1, c.Entries[i]), i+1, EntryOutOfOrder)
			rewritten := copyEntries(c.Entries)
			rewritten[i].Note += "!"
			reseal(rewritten[:i+1], i)
			if pol == keyed {
				expect("rewritten, hash recomputed", c.Head, rewritten, i+1, EntryUnauthenticated)
			} else {
				expect("rewritten, hash recomputed", c.Head, rewritten, i+1, EntryEdited)
			}
		}
		if pol == keyed {
			// Rewritten from entry i on, hashes and head recomputed, MACs kept.
			forged := copyEntries(c.Entries)
			forged[i].Note += "!"
			reseal(forged, i)
			h := c.Head
			h.Hash = forged[n-1].Hash
			require.NoError(t, p.Verify(ctx, h, Entries(forged)), "seed %d: without the key nothing shows", seed)
			expect("forged without the key", h, forged, i+1, EntryUnauthenticated)
		}
	}
}

func TestEntriesStopsWhenTheReaderDoes(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := benchCase(t, p)
	var seen []int
	for en := range Entries(c.Entries) {
		seen = append(seen, en.Seq)
		if len(seen) == 2 {
			break
		}
	}
	assert.Equal(t, []int{1, 2}, seen)

	// A database error while reading is the error Verify returns.
	failing := func(yield func(*Entry, error) bool) {
		if yield(c.Entries[0], nil) {
			yield(nil, fmt.Errorf("the database went away"))
		}
	}
	assert.EqualError(t, p.Verify(ctx, c.Head, failing), "the database went away")
	_, err := c.Visits(failing)
	assert.EqualError(t, err, "the database went away")
}

func TestRecordErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  RecordError
		want string
	}{
		{RecordError{Entry: 3, How: EntryMissing}, "entry 3 is missing"},
		{RecordError{Case: "c", Entry: 3, How: EntryUnauthenticated, Detail: "why"}, "case c: entry 3 is unauthenticated: why"},
		{RecordError{Case: "c", How: HeadDiffers}, "case c: the head differs from its record"},
		{RecordError{How: RolledBack, Detail: "why"}, "the case was rolled back: why"},
	} {
		assert.Equal(t, tt.want, tt.err.Error())
		assert.True(t, strings.HasPrefix(tt.want, "case c") == (tt.err.Case != ""))
	}
}

// Acts recorded before a check was added still replay: a record is what
// happened, and an engine of schema 2 accepted a form's data at any stage.
func TestAnActRecordedBeforeTheFormRuleStillReplays(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	early := copyEntries(c.Entries)
	early[0].Forms = map[string]map[string]any{"escalation_form": {"child_initials": "AB"}}
	reseal(early, 0)
	h := c.Head
	h.Hash, h.Forms = early[0].Hash, early[0].Forms
	require.NoError(t, p.Verify(ctx, h, Entries(early)))
	_, _, err := p.Fire(ctx, h, Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 11:00"), Forms: early[0].Forms})
	assert.ErrorIs(t, err, ErrInvalidInput, "a new act is held to it")
}
