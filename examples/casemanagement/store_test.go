package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
)

func openStore(tb testing.TB) *Store {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "cases.db")
	store, err := OpenStore(context.Background(), db, testEngine(tb), db+".checkpoints")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// storeCase raises a Sefton case by asha at raised, fires the events (as
// "event/role@RFC3339"), and stores it.
func storeCase(tb testing.TB, store *Store, id string, raised string, events ...string) Written {
	tb.Helper()
	ctx, eng := context.Background(), testEngine(tb)
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
	h, en, err := eng.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", At: at(raised)})
	if err != nil {
		tb.Fatal(err)
	}
	c := Written{Head: h, Entries: []*engine.Entry{en}}
	for _, ev := range events {
		name, rest, _ := strings.Cut(ev, "/")
		role, when, _ := strings.Cut(rest, "@")
		if c.Head, en, err = eng.Fire(ctx, c.Head, engine.Event{Name: name, Actor: "asha", Role: role, At: at(when)}); err != nil {
			tb.Fatal(err)
		}
		c.Entries = append(c.Entries, en)
	}
	if err := store.Create(ctx, c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// The history table refuses any change to a recorded act, whatever code or
// hand-written SQL attempts it.
func TestHistoryIsAppendOnly(t *testing.T) {
	store := openStore(t)
	storeCase(t, store, "kept", "2026-12-22T10:00:00Z")
	for _, stmt := range []string{
		`UPDATE history SET entry = '{}' WHERE case_id = 'kept'`,
		`DELETE FROM history WHERE case_id = 'kept'`,
	} {
		_, err := store.write.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "history is append-only") {
			t.Errorf("%s: %v, want the append-only refusal", stmt, err)
		}
	}
	if err := store.Verify(context.Background(), "kept"); err != nil {
		t.Errorf("after the refused changes: %v", err)
	}
}

// The sweep is one range scan of the obligations index's primary key: no
// case is read, no table is scanned and nothing is sorted, however many
// cases there are.
func TestSweepReadsOnlyTheIndex(t *testing.T) {
	store := openStore(t)
	rows, err := store.read.Query("EXPLAIN QUERY PLAN "+overdueQuery, time.Now().Unix())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var (
			id, parent, unused int
			detail             string
		)
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := "SEARCH obligations USING PRIMARY KEY (due<?)"; len(plan) != 1 || plan[0] != want {
		t.Errorf("query plan %q, want only %q", plan, want)
	}
}

var sweepCases = flag.Int("sweep.cases", 100_000, "how many cases BenchmarkSweep generates (with -short and no -sweep.cases: 2,000)")

// sweepSize is how many cases BenchmarkSweep generates: a run with -short
// (the CI gate's, which only checks that it still runs) takes 2,000 unless
// -sweep.cases says otherwise.
func sweepSize() int {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "sweep.cases" })
	if testing.Short() && !set {
		return 2_000
	}
	return *sweepCases
}

// generate stores n Sefton cases raised three minutes apart from 5 January
// 2026, in batches of one transaction each: every tenth resolved the next
// day, every third of the others escalated to Step 2 the next day.
func generate(tb testing.TB, store *Store, n int) {
	tb.Helper()
	ctx, eng := context.Background(), testEngine(tb)
	const batch = 5000
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	cases := make([]Written, 0, batch)
	for i := range n {
		at := base.Add(time.Duration(i) * 3 * time.Minute)
		h, en, err := eng.Raise(ctx, "sefton", engine.Raise{CaseID: fmt.Sprintf("gen-%06d", i), Actor: "asha", Role: "practitioner", At: at})
		if err != nil {
			tb.Fatal(err)
		}
		c := Written{Head: h, Entries: []*engine.Entry{en}}
		var event string
		switch {
		case i%10 == 0:
			event = "resolve"
		case i%3 == 0:
			event = "escalate"
		}
		if event != "" {
			if c.Head, en, err = eng.Fire(ctx, h, engine.Event{Name: event, Actor: "asha", Role: "practitioner", At: at.Add(24 * time.Hour)}); err != nil {
				tb.Fatal(err)
			}
			c.Entries = append(c.Entries, en)
		}
		if cases = append(cases, c); len(cases) == batch || i == n-1 {
			if err := store.Create(ctx, cases...); err != nil {
				tb.Fatal(err)
			}
			cases = cases[:0]
		}
	}
}

// BenchmarkSweep measures the nightly sweep over -sweep.cases generated
// cases: once when every open obligation is overdue, once half-way through
// the year.
func BenchmarkSweep(b *testing.B) {
	store := openStore(b)
	start, n := time.Now(), sweepSize()
	generate(b, store, n)
	b.Logf("generated and stored %d cases in %v", n, time.Since(start).Round(time.Millisecond))
	for _, bc := range []struct {
		name string
		at   time.Time
	}{
		{"all-overdue", time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)},
		{"mid-year", time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var (
				n   int
				err error
			)
			for b.Loop() {
				if n, err = sweep(context.Background(), store, testEngine(b), bc.at, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "overdue")
		})
	}
}

// The history table takes each entry only after the one it follows: a gap,
// a duplicate or an entry that does not link to its predecessor is refused.
func TestHistoryIsAppendedInOrder(t *testing.T) {
	store := openStore(t)
	c := storeCase(t, store, "chained", "2026-12-22T10:00:00Z", "discussed/practitioner@2026-12-22T11:00:00Z")
	ctx, eng := context.Background(), testEngine(t)
	next, en, err := eng.Fire(ctx, c.Head, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	insert := func(seq int, prev engine.Digest) error {
		bad := *en
		bad.Seq, bad.Prev = seq, prev
		b, err := json.Marshal(&bad)
		if err != nil {
			t.Fatal(err)
		}
		_, err = store.write.Exec(`INSERT INTO history (case_id, seq, entry, hash) VALUES ('chained', ?, ?, ?)`, seq, string(b), bad.Hash.String())
		return err
	}
	for _, tc := range []struct {
		name string
		seq  int
		prev engine.Digest
	}{
		{"a gap", 4, en.Prev},
		{"not linked to the one before", 3, c.Entries[0].Hash},
		{"a first entry that links to another", 1, c.Entries[1].Hash},
	} {
		if err := insert(tc.seq, tc.prev); err == nil || !strings.Contains(err.Error(), "appended in order") {
			t.Errorf("%s: %v, want the in-order refusal", tc.name, err)
		}
	}
	if err := insert(2, c.Entries[0].Hash); err == nil || !strings.Contains(err.Error(), "UNIQUE constraint failed") {
		t.Errorf("a second entry 2: %v, want the primary key's refusal", err)
	}
	if err := store.Update(ctx, c.Head.Revision, next, en); err != nil {
		t.Fatalf("the entry in order: %v", err)
	}
	if err := store.Verify(ctx, "chained"); err != nil {
		t.Error(err)
	}
}

// A database put back to an earlier state is a genuine record, only an old
// one: the checkpoints kept outside it show it, on every read of a head and
// in the verify command.
func TestARolledBackDatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cases.db")
	h := startServer(t, db)
	c := h.raise(map[string]any{"policy": "sefton", "id": "rolled", "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z"})
	h.raise(map[string]any{"policy": "sefton", "id": "untouched", "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z"})
	h.stop()
	backup := copyFile(t, db, filepath.Join(dir, "backup.db"))

	h = startServer(t, db)
	h.fire("rolled", map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2026-12-23T10:00:00Z", "revision": c.Revision})
	h.raise(map[string]any{"policy": "sefton", "id": "new", "actor": "asha", "role": "practitioner", "at": "2026-12-23T10:00:00Z"})
	h.stop()

	copyFile(t, backup, db) // the database put back; the checkpoints are not
	h = startServer(t, db)
	status, raw, err := send("GET", h.url+"/cases/rolled", nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := decodeJSON[errorBody](t, raw).Error; status != 500 || e.Code != "case_integrity" ||
		e.Message != "case rolled: the case was rolled back: the head is at revision 1, but the checkpoint kept elsewhere is at revision 2" {
		t.Errorf("reading the rolled-back case: %d %s", status, raw)
	}
	status, raw, _ = send("GET", h.url+"/cases/new", nil)
	if e := decodeJSON[errorBody](t, raw).Error; status != 500 || e.Code != "case_integrity" {
		t.Errorf("reading the case raised after the backup: %d %s", status, raw)
	}
	h.getCase("untouched")
	h.stop()

	var out bytes.Buffer
	err = run(context.Background(), []string{"verify", "-db", db}, &out, io.Discard)
	const want = `case new: the case was rolled back: the database has no such case, but the checkpoint kept elsewhere has it at revision 1
case rolled: the case was rolled back: the head is at revision 1, but the checkpoint kept elsewhere is at revision 2
3 cases, 2 failed
`
	if out.String() != want || err == nil || err.Error() != "2 of 3 cases do not verify" {
		t.Errorf("verify printed\n%s(%v)\nwant\n%s", out.String(), err, want)
	}
}

func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// A database written by the service under schema 2 (heads without their
// record's link) opens: each head takes its last entry's time and hash,
// the entries stay as they were, and every case verifies.
func TestOpenMigratesSchema2Heads(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	store, err := OpenStore(context.Background(), db, testEngine(t), "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []Written{
		storeCase(t, store, "a", "2026-12-22T10:00:00Z"),
		storeCase(t, store, "b", "2026-12-22T10:00:00Z", "escalate/practitioner@2026-12-24T16:00:00Z", "plan_agreed/line_manager@2026-12-29T10:00:00Z"),
		storeCase(t, store, "c", "2026-12-22T10:00:00Z", "resolve/practitioner@2026-12-23T10:00:00Z"),
	}
	// Write each head back as schema 2 stored it: the case's JSON with its
	// history emptied (it was in its own table) and no link to it.
	for _, c := range cases {
		data, err := json.Marshal(c.Head)
		if err != nil {
			t.Fatal(err)
		}
		var old map[string]any
		if err := json.Unmarshal(data, &old); err != nil {
			t.Fatal(err)
		}
		old["schema"], old["history"] = 2, nil
		delete(old, "last")
		delete(old, "hash")
		if data, err = json.Marshal(old); err != nil {
			t.Fatal(err)
		}
		if _, err := store.write.Exec(`UPDATE cases SET state = ? WHERE id = ?`, string(data), c.Head.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Get(context.Background(), "b"); !errors.Is(err, engine.ErrCaseSchema) {
		t.Fatalf("reading a schema 2 head: %v, want ErrCaseSchema", err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	store, err = OpenStore(context.Background(), db, testEngine(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, c := range cases {
		h, err := store.Get(context.Background(), c.Head.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h.Schema != engine.CaseSchema || h.Hash != c.Head.Hash || !h.Last.Equal(c.Head.Last) {
			t.Errorf("case %s migrated to %v, hash %s", c.Head.ID, h, h.Hash)
		}
		if err := store.Verify(context.Background(), c.Head.ID); err != nil {
			t.Error(err)
		}
	}
}
