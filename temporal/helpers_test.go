package temporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// bundled is every bundled policy, loaded once for the package's tests.
var bundled = sync.OnceValues(func() (*engine.Engine, error) { return policies.Engine() })

func bundledEngine(t testing.TB) *engine.Engine {
	t.Helper()
	eng, err := bundled()
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// london is a wall-clock time in Europe/London.
func london(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, calendar.London())
}

// host is the host's side in a test: a store that checks the record is
// appended to in order, and a notifier that keeps every notice.
type host struct {
	mu      sync.Mutex
	records map[string][]*engine.Entry
	heads   map[string]engine.Head
	notices []Notice
	appends int
}

func newHost() *host {
	return &host{records: map[string][]*engine.Entry{}, heads: map[string]engine.Head{}}
}

func (h *host) Append(_ context.Context, head engine.Head, e *engine.Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.appends++
	rec := h.records[head.ID]
	switch {
	case e.Seq <= len(rec):
		return nil // delivered again: the record has it
	case e.Seq != len(rec)+1:
		return fmt.Errorf("case %s: entry %d arrived after entry %d", head.ID, e.Seq, len(rec))
	}
	h.records[head.ID] = append(rec, e)
	h.heads[head.ID] = head
	return nil
}

func (h *host) Notify(_ context.Context, n Notice) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notices = append(h.notices, n)
	return nil
}

func (h *host) Notices() []Notice {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Notice(nil), h.notices...)
}

func (h *host) Record(id string) []*engine.Entry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*engine.Entry(nil), h.records[id]...)
}

// quiet logs the workflows' warnings and errors, not the test environment's
// account of every timer.
var quiet = log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

// caseEnv is a test workflow environment running one case workflow on the
// bundled policies, with time skipping, from start.
type caseEnv struct {
	*testsuite.TestWorkflowEnvironment
	t     *testing.T
	host  *host
	start time.Time
}

const testCase = "case-1"

func newCaseEnv(t *testing.T, eng *engine.Engine, start time.Time) *caseEnv {
	return newCaseEnvFor(t, eng, start, newHost())
}

// newCaseEnvFor is newCaseEnv for a host that has served an earlier run.
func newCaseEnvFor(t *testing.T, eng *engine.Engine, start time.Time, h *host) *caseEnv {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet)
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetStartWorkflowOptions(startOptions(testCase, "test"))
	Register(env, eng, h, h)
	return &caseEnv{TestWorkflowEnvironment: env, t: t, host: h, start: start}
}

// at runs f when the workflow's clock reaches the instant.
func (e *caseEnv) at(when time.Time, f func()) {
	e.t.Helper()
	d := when.Sub(e.start)
	if d < 0 {
		e.t.Fatalf("%v is before the case's start, %v", when, e.start)
	}
	e.RegisterDelayedCallback(f, d)
}

// outcome is what became of one update.
type outcome struct {
	accepted, rejected, completed bool
	err                           error
	applied                       Applied
}

// update sends an update and records its outcome.
func (e *caseEnv) update(name string, args ...any) *outcome {
	o := &outcome{}
	e.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept: func() { o.accepted = true },
		OnReject: func(err error) { o.rejected, o.err = true, err },
		OnComplete: func(v any, err error) {
			o.completed, o.err = true, err
			if a, ok := v.(Applied); ok {
				o.applied = a
			}
		},
	}, args...)
	return o
}

func (e *caseEnv) head() engine.Head {
	e.t.Helper()
	v, err := e.QueryWorkflow(QueryHead)
	if err != nil {
		e.t.Fatal(err)
	}
	var h engine.Head
	if err := v.Get(&h); err != nil {
		e.t.Fatal(err)
	}
	return h
}

// raiseSefton is the input that raises a Sefton case, as a practitioner.
func raiseSefton(o Options) Input {
	return Input{Policy: "sefton", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Agency: "school"}, Options: o}
}

// until cancels the workflow at the instant, so that a case left open ends
// the test there; everything the workflow did before stays to be checked.
func (e *caseEnv) until(when time.Time) {
	e.at(when, e.CancelWorkflow)
}

// overTheWire is err as a caller receives it from a Temporal server: turned
// into a failure by the worker and back into an error by the client, with
// the SDK's own converter. The test environment hands over the workflow's
// error as it is.
func overTheWire(err error) error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return err
	}
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(app))
}

func loadVersion(t *testing.T, file string) *engine.Policy {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := engine.Load(file, src)
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertSameHead compares heads as they are stored: times are the same
// instants whatever their location.
func assertSameHead(t *testing.T, want, got engine.Head) {
	t.Helper()
	w, err := want.MarshalJSON()
	require.NoError(t, err)
	g, err := got.MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, string(w), string(g))
}
