package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
)

func openStore(tb testing.TB) *Store {
	tb.Helper()
	store, err := OpenStore(context.Background(), filepath.Join(tb.TempDir(), "cases.db"), testEngine(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// storeCase raises a Sefton case by asha at raised, fires the events (as
// "event/role@RFC3339"), and stores it.
func storeCase(tb testing.TB, store *Store, id string, raised string, events ...string) engine.Case {
	tb.Helper()
	ctx, eng := context.Background(), testEngine(tb)
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
	c, err := eng.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", At: at(raised)})
	if err != nil {
		tb.Fatal(err)
	}
	for _, ev := range events {
		name, rest, _ := strings.Cut(ev, "/")
		role, when, _ := strings.Cut(rest, "@")
		if c, err = eng.Fire(ctx, c, engine.Event{Name: name, Actor: "asha", Role: role, At: at(when)}); err != nil {
			tb.Fatal(err)
		}
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
	if c, err := store.Get(context.Background(), "kept"); err != nil || len(c.History) != 1 {
		t.Errorf("after the refused changes: %d entries, %v", len(c.History), err)
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

var sweepCases = flag.Int("sweep.cases", 100_000, "how many cases BenchmarkSweep generates")

// generate stores n Sefton cases raised three minutes apart from 5 January
// 2026, in batches of one transaction each: every tenth resolved the next
// day, every third of the others escalated to Step 2 the next day.
func generate(tb testing.TB, store *Store, n int) {
	tb.Helper()
	ctx, eng := context.Background(), testEngine(tb)
	const batch = 5000
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	cases := make([]engine.Case, 0, batch)
	for i := range n {
		at := base.Add(time.Duration(i) * 3 * time.Minute)
		c, err := eng.Raise(ctx, "sefton", engine.Raise{CaseID: fmt.Sprintf("gen-%06d", i), Actor: "asha", Role: "practitioner", At: at})
		if err != nil {
			tb.Fatal(err)
		}
		switch next := at.Add(24 * time.Hour); {
		case i%10 == 0:
			c, err = eng.Fire(ctx, c, engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner", At: next})
		case i%3 == 0:
			c, err = eng.Fire(ctx, c, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: next})
		}
		if err != nil {
			tb.Fatal(err)
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
	start := time.Now()
	generate(b, store, *sweepCases)
	b.Logf("generated and stored %d cases in %v", *sweepCases, time.Since(start).Round(time.Millisecond))
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
