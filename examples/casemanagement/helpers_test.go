package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
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

// serverNow is the server's clock in tests: after every act the tests
// record, for requests that give no time and for the future-time check.
var serverNow = time.Date(2027, 2, 1, 9, 30, 0, 0, time.UTC)

// adminRole is the administrative role in tests.
const adminRole = "safeguarding_admin"

// testIdentities are the people the tests act as, each with the token
// tokenOf gives: the Sefton roles, a caller who holds them all, fifty
// practitioners, an administrator and a practitioner of another agency.
var testIdentities = func() map[string]Identity {
	ids := map[string]Identity{
		"asha":     {Actor: "asha", Agency: "school", Roles: []string{"practitioner"}},
		"lee":      {Actor: "lee", Agency: "school", Roles: []string{"line_manager"}},
		"sam":      {Actor: "sam", Agency: "school", Roles: []string{"head_of_service"}},
		"chris":    {Actor: "chris", Agency: "sscp", Roles: []string{"sscp_chair"}},
		"someone":  {Actor: "someone", Agency: "school", Roles: []string{"practitioner", "line_manager", "head_of_service", "sscp_chair"}},
		"admin":    {Actor: "admin", Agency: "council", Roles: []string{adminRole}},
		"outsider": {Actor: "outsider", Agency: "health", Roles: []string{"line_manager"}},
	}
	for i := range 50 {
		a := fmt.Sprintf("p%02d", i)
		ids[a] = Identity{Actor: a, Agency: "school", Roles: []string{"practitioner"}}
	}
	return ids
}()

func tokenOf(actor string) string { return "test-token-" + actor }

var testTokens = sync.OnceValue(func() *TokenFile {
	tokens := map[string]Identity{}
	for actor, id := range testIdentities {
		tokens[tokenOf(actor)] = id
	}
	tf, err := NewTokenFile(tokens)
	if err != nil {
		panic(err)
	}
	return tf
})

// harness is the real server, with its limits, on a loopback port over a
// database file.
type harness struct {
	t     testing.TB
	url   string
	store *Store
	logs  *lockedBuffer
	// stop shuts the server and closes the database; it runs at most once.
	stop func()
}

// serverOption changes the configuration a test server starts with.
type serverOption func(*Config, *Limits)

func startServer(t testing.TB, dbPath string, opts ...serverOption) *harness {
	t.Helper()
	return startServerOn(t, testEngine(t), dbPath, opts...)
}

func startServerOn(t testing.TB, eng *engine.Engine, dbPath string, opts ...serverOption) *harness {
	t.Helper()
	store, err := OpenStore(t.Context(), dbPath, eng, dbPath+".checkpoints")
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Auth: testTokens(), Hosts: LoopbackHosts(ln.Addr().String()), AdminRole: adminRole, MaxSkew: DefaultMaxSkew,
		Now: func() time.Time { return serverNow },
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	limits := DefaultLimits
	for _, opt := range opts {
		opt(&cfg, &limits)
	}
	srv := limits.HTTPServer(NewServer(eng, store, cfg).Handler())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	h := &harness{t: t, url: "http://" + ln.Addr().String(), store: store, logs: logs}
	h.stop = sync.OnceFunc(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		<-served
		if err := store.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(h.stop)
	return h
}

// send makes one request as an actor with the token tokenOf gives; a
// string body is sent as it is, anything else as JSON, and either as
// application/json. A map body's "actor" names the actor and is left out of
// the request, as the API takes who acts from the credential; a request
// without one is sent as admin. It returns errors rather than failing the
// test, for use from goroutines.
func send(method, url string, body any) (int, []byte, error) {
	actor := "admin"
	if m, ok := body.(map[string]any); ok {
		if a, ok := m["actor"].(string); ok {
			actor = a
			m = maps.Clone(m)
			delete(m, "actor")
			body = m
		}
	}
	return sendAs(actor, method, url, body)
}

// sendAs makes one request as actor.
func sendAs(actor, method, url string, body any) (int, []byte, error) {
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
	req.Header.Set("Authorization", "Bearer "+tokenOf(actor))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return roundTrip(req)
}

// roundTrip sends a request and reads the answer, which must be JSON.
func roundTrip(req *http.Request) (int, []byte, error) {
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
		return 0, nil, fmt.Errorf("%s %s: Content-Type %q, want application/json", req.Method, req.URL, ct)
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

// record reads a case's whole record, page by page.
func (h *harness) record(id string) []*engine.Entry {
	h.t.Helper()
	var all []*engine.Entry
	for next := "/cases/" + id + "/record"; next != ""; {
		page := decodeJSON[recordPage](h.t, h.do(http.StatusOK, "GET", next, nil))
		all, next = append(all, page.Entries...), page.Next
	}
	return all
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
