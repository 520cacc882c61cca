package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// loadEngine loads the bundled policies once for the whole test binary.
var loadEngine = sync.OnceValues(func() (*engine.Engine, error) { return policies.Engine() })

func testEngine(t testing.TB) *engine.Engine {
	t.Helper()
	e, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// serverNow is the server's clock in tests, for requests that give no time.
var serverNow = time.Date(2026, 12, 22, 9, 30, 0, 0, time.UTC)

// harness is the real server on a loopback port over a database file.
type harness struct {
	t     *testing.T
	url   string
	store *Store
	logs  *lockedBuffer
	// stop shuts the server and closes the database; it runs at most once.
	stop func()
}

func startServer(t *testing.T, dbPath string) *harness {
	t.Helper()
	eng := testEngine(t)
	store, err := OpenStore(t.Context(), dbPath, eng, dbPath+".checkpoints")
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(NewServer(eng, store, func() time.Time { return serverNow }, log).Handler())
	h := &harness{t: t, url: srv.URL, store: store, logs: logs}
	h.stop = sync.OnceFunc(func() {
		srv.Close()
		if err := store.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(h.stop)
	return h
}

// send makes one request; a string body is sent as it is, anything else as JSON.
// It returns errors rather than failing the test, for use from goroutines.
func send(method, url string, body any) (int, []byte, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		return 0, nil, fmt.Errorf("%s %s: Content-Type %q, want application/json", method, url, ct)
	}
	return resp.StatusCode, raw, nil
}

// do sends a request and fails the test unless the status is want.
func (h *harness) do(want int, method, path string, body any) []byte {
	h.t.Helper()
	status, raw, err := send(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if status != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, raw)
	}
	return raw
}

// raise raises a case and returns its head, checking the one entry it
// recorded.
func (h *harness) raise(body map[string]any) engine.Head {
	h.t.Helper()
	a := decodeJSON[act](h.t, h.do(http.StatusCreated, "POST", "/cases", body))
	if a.Entry == nil || a.Entry.Seq != 1 || a.Entry.Hash != a.Head.Hash {
		h.t.Fatalf("raised %v with entry %v", a.Head, a.Entry)
	}
	return a.Head
}

// fire fires an event and returns the new head, checking the entry that
// records it.
func (h *harness) fire(id string, body map[string]any) engine.Head {
	h.t.Helper()
	a := decodeJSON[act](h.t, h.do(http.StatusOK, "POST", "/cases/"+id+"/events", body))
	if a.Entry == nil || int64(a.Entry.Seq) != a.Head.Revision || a.Entry.Hash != a.Head.Hash {
		h.t.Fatalf("fired on %v with entry %v", a.Head, a.Entry)
	}
	return a.Head
}

func (h *harness) getCase(id string) engine.Head {
	h.t.Helper()
	return decodeJSON[engine.Head](h.t, h.do(http.StatusOK, "GET", "/cases/"+id, nil))
}

func (h *harness) record(id string) []*engine.Entry {
	h.t.Helper()
	return decodeJSON[[]*engine.Entry](h.t, h.do(http.StatusOK, "GET", "/cases/"+id+"/record", nil))
}

// verify checks a case as a client can, from its head and record over HTTP.
func (h *harness) verify(id string) error {
	h.t.Helper()
	return testEngine(h.t).Verify(h.t.Context(), h.getCase(id), engine.Entries(h.record(id)))
}

func decodeJSON[T any](t testing.TB, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

// errorBody is the API's error shape.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details struct {
			Path    string   `json:"path"`
			Reasons []reason `json:"reasons"`
		} `json:"details"`
	} `json:"error"`
}

// lockedBuffer collects log output written from many handlers at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
