package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// longCase stores a Sefton case raised with a significant-harm concern and
// then referred n-1 times by the line manager, an event that stays at Step
// 1, so its record has n entries. It is written in one transaction, as an
// import would, not through the API.
func longCase(tb testing.TB, store *Store, id string, n int) engine.Head {
	tb.Helper()
	ctx, eng := context.Background(), testEngine(tb)
	at := time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)
	h, en, err := eng.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", Agency: "school", At: at,
		Facts: map[string]any{"significant_harm_concern": true}})
	if err != nil {
		tb.Fatal(err)
	}
	c := Written{Head: h, Entries: []*engine.Entry{en}}
	for range n - 1 {
		if c.Head, en, err = eng.Fire(ctx, c.Head, engine.Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager", Agency: "school", At: at}); err != nil {
			tb.Fatal(err)
		}
		c.Entries = append(c.Entries, en)
	}
	if err := store.Create(ctx, c); err != nil {
		tb.Fatal(err)
	}
	return c.Head
}

// latencies collects request times from many goroutines and reports their
// median and 99th percentile.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, elapsed time.Duration) {
	slices.Sort(l.d)
	q := func(p float64) float64 { return float64(l.d[int(p*float64(len(l.d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(l.d))/elapsed.Seconds(), "req/s")
}

// timedSend sends one request and fails the benchmark unless it answers want.
func timedSend(b *testing.B, l *latencies, want int, actor, method, url string, body any) []byte {
	start := time.Now()
	status, raw, err := sendAs(actor, method, url, body)
	l.add(time.Since(start))
	if err != nil || status != want {
		b.Errorf("%s %s: %d %s %v", method, url, status, raw, err)
	}
	return raw
}

// BenchmarkFireByRecordLength fires one event per iteration, over HTTP on
// loopback, on a case whose record already holds 10 or 4,000 entries: the
// whole act, from the request to the answer, with the head read, the engine's
// act, the entry appended, the head replaced under its revision, the
// obligations index rewritten, SQLite's commit synced and the audit line
// synced. Each iteration adds an entry, so the record grows by b.N on the
// way. An act reads no entry of the record, so the two should cost the same,
// and answer as many bytes (resp-bytes: the last answer's size).
func BenchmarkFireByRecordLength(b *testing.B) {
	for _, n := range []int{10, 4000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			h := startServer(b, filepath.Join(b.TempDir(), "cases.db"))
			c := longCase(b, h.store, "long", n)
			// The setup's own write is checkpointed into the database file
			// before timing, so no act pays for it.
			if _, err := h.store.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				b.Fatal(err)
			}
			var (
				l    latencies
				last []byte
			)
			revision := c.Revision
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				last = timedSend(b, &l, http.StatusOK, "lee", "POST", h.url+"/cases/long/events", map[string]any{
					"event": "refer_to_childrens_social_care", "role": "line_manager", "at": "2027-01-04T10:00:00Z", "revision": revision,
				})
				revision++
			}
			l.report(b, time.Since(start))
			b.ReportMetric(float64(len(last)), "resp-bytes")
		})
	}
}

// BenchmarkLoad measures throughput and latency under load: 8 clients at
// once over loopback, each raising cases (raise) or each firing events on
// a case of its own (fire), as fast as the server answers.
func BenchmarkLoad(b *testing.B) {
	const clients = 8
	b.Run("raise", func(b *testing.B) {
		h := startServer(b, filepath.Join(b.TempDir(), "cases.db"))
		var l latencies
		b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				timedSend(b, &l, http.StatusCreated, "asha", "POST", h.url+"/cases", map[string]any{
					"policy": "sefton", "role": "practitioner", "at": "2027-01-04T10:00:00Z",
				})
			}
		})
		l.report(b, time.Since(start))
	})
	b.Run("fire", func(b *testing.B) {
		h := startServer(b, filepath.Join(b.TempDir(), "cases.db"))
		var (
			l    latencies
			next atomic.Int64
		)
		b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			id := fmt.Sprintf("load-%d", next.Add(1))
			c := longCase(b, h.store, id, 1)
			revision := c.Revision
			for pb.Next() {
				timedSend(b, &l, http.StatusOK, "lee", "POST", h.url+"/cases/"+id+"/events", map[string]any{
					"event": "refer_to_childrens_social_care", "role": "line_manager", "at": "2027-01-04T10:00:00Z", "revision": revision,
				})
				revision++
			}
		})
		l.report(b, time.Since(start))
	})
}
