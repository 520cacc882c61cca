// Command record runs the case workflow's scenarios against a real Temporal
// server, checks what a caller sees at every step, and writes each run's
// workflow history as JSON, for the replayer test (replay_test.go) to replay
// on every change. It also measures what a case costs in history.
//
// The test environment of the SDK keeps no history, so the histories come
// from a server: a development server is enough.
//
//	temporal server start-dev --headless --port 7233 &
//	cd temporal && go run ./internal/record -address 127.0.0.1:7233 -out testdata/histories
//	cd temporal && go run ./internal/record -address 127.0.0.1:7233 -measure 1000
//
// The worker runs in this process, on the policies under testdata/policies,
// the versions the recorded cases run on, which the replayer loads too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/temporal"
	"github.com/safeguarding-partnerships/escalation/temporal/internal/host"
	"github.com/safeguarding-partnerships/escalation/temporal/internal/recorded"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	address := fs.String("address", "127.0.0.1:7233", "the Temporal server's host:port")
	namespace := fs.String("namespace", "default", "the namespace to run in")
	dir := fs.String("out", "testdata/histories", "where to write the histories")
	policies := fs.String("policies", "testdata/policies", "the policy files the worker loads")
	measure := fs.Int("measure", 0, "instead of recording, fire this many events on one case and report its history")
	if err := fs.Parse(args); err != nil {
		return err
	}
	eng, err := recorded.Engine(*policies)
	if err != nil {
		return err
	}
	c, err := client.Dial(client.Options{
		HostPort: *address, Namespace: *namespace,
		Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	})
	if err != nil {
		return err
	}
	defer c.Close()
	store, err := host.NewJournal(filepath.Join(os.TempDir(), fmt.Sprintf("escalation-record-%d", time.Now().UnixNano())))
	if err != nil {
		return err
	}
	notices := &noticeBox{}
	const queue = "escalation-record"
	w := worker.New(c, queue, worker.Options{})
	temporal.Register(w, eng, store, notices)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	r := &recorder{c: c, cases: temporal.NewClient(c, queue, eng), eng: eng, store: store, notices: notices, dir: *dir, out: out, queue: queue}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if *measure > 0 {
		return r.measure(ctx, *measure)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	for _, s := range []func(context.Context) error{r.events, r.migrated, r.continued, r.refusedRaise} {
		if err := s(ctx); err != nil {
			return err
		}
	}
	return recorded.WriteManifest(*dir, r.executions)
}

type recorder struct {
	c       client.Client
	cases   *temporal.Client
	eng     *engine.Engine
	store   *host.Journal
	notices *noticeBox
	dir     string
	out     io.Writer
	queue   string
	// executions are the runs whose histories were saved.
	executions []recorded.Execution
}

// noticeBox keeps the notices the worker sends.
type noticeBox struct {
	mu sync.Mutex
	ns []temporal.Notice
}

func (b *noticeBox) Notify(_ context.Context, n temporal.Notice) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ns = append(b.ns, n)
	return nil
}

// of lists the notices sent for a case.
func (b *noticeBox) of(id string) []temporal.Notice {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []temporal.Notice
	for _, n := range b.ns {
		if n.Case == id {
			out = append(out, n)
		}
	}
	return out
}

// unique names a case so that recording again against the same server
// starts afresh; the name is not in what the replayer checks.
func unique(name string) string { return fmt.Sprintf("%s-%d", name, time.Now().UnixNano()) }

// events: a Sefton case raised, fired on, refused, fired on twice at once,
// and resolved.
func (r *recorder) events(ctx context.Context) error {
	id := unique("events")
	raised, err := r.cases.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", Agency: "school"}, temporal.Options{Remind: true})
	if err != nil {
		return fmt.Errorf("raise: %w", err)
	}
	if _, err := r.cases.Fire(ctx, id, "discussed-1", engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner"}); err != nil {
		return fmt.Errorf("discussed: %w", err)
	}
	// Sent again with the same update id: applied once.
	again, err := r.cases.Fire(ctx, id, "discussed-1", engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner"})
	if err != nil || again.Head.Revision != 2 {
		return fmt.Errorf("discussed again: revision %d, %v; want 2 and no error", again.Head.Revision, err)
	}
	before, err := r.historyLength(ctx, id)
	if err != nil {
		return err
	}
	_, refusal := r.cases.Fire(ctx, id, "", engine.Event{Name: "escalate", Actor: "chair", Role: "sscp_chair"})
	var refused *engine.RefusedError
	if !errors.As(refusal, &refused) || !errors.Is(refusal, engine.ErrRoleNotPermitted) || refused.Reasons[0].Transition == nil {
		return fmt.Errorf("a chair escalating at Step 1: got %v, want the engine's RefusedError (role not permitted) with its transition", refusal)
	}
	after, err := r.historyLength(ctx, id)
	if err != nil {
		return err
	}
	if after != before {
		return fmt.Errorf("a refused event changed the history: %d events, then %d", before, after)
	}
	fmt.Fprintf(r.out, "refused: %v; history still %d events\n", refusal, after)

	// Two events at once: the second needs the case at Step 2.
	var (
		wg      sync.WaitGroup
		results [2]temporal.Applied
		errs    [2]error
	)
	fires := []engine.Event{
		{Name: "escalate", Actor: "asha", Role: "practitioner"},
		{Name: "plan_agreed", Actor: "lee", Role: "line_manager"},
	}
	for i, ev := range fires {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 1 {
				time.Sleep(20 * time.Millisecond) // after the first is sent
			}
			results[i], errs[i] = r.cases.Fire(ctx, id, "", ev)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return fmt.Errorf("two events at once: %w", err)
	}
	if results[1].Head.Revision != 4 || results[1].Head.Stage != "step2" {
		return fmt.Errorf("two events at once: revision %d at %s, want 4 at step2", results[1].Head.Revision, results[1].Head.Stage)
	}
	due, err := r.cases.Due(ctx, id, time.Now())
	if err != nil || len(due) != 1 || due[0].Status != engine.StatusMet {
		return fmt.Errorf("due at Step 2: %+v, %v; want the managers' plan, met", due, err)
	}
	actions, err := r.cases.Available(ctx, id, "lee", "line_manager", time.Now())
	if err != nil || len(actions) == 0 {
		return fmt.Errorf("available to the line manager: %+v, %v", actions, err)
	}
	resolved, err := r.cases.Fire(ctx, id, "", engine.Event{Name: "resolve", Actor: "lee", Role: "line_manager", Forms: map[string]map[string]any{
		"agency_escalation_summary_log": {
			"date_escalated": time.Now().Format(time.DateOnly), "manager": "lee", "agency": "school", "other_agency": "social care",
			"child_initials": "A.B.", "disagreement": "threshold",
		},
	}})
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	if err := r.verify(ctx, resolved.Head); err != nil {
		return err
	}
	var last engine.Head
	if err := r.c.GetWorkflow(ctx, id, "").Get(ctx, &last); err != nil || last.Outcome != "resolved" {
		return fmt.Errorf("the workflow's result: %v, %v; want the resolved head", last, err)
	}
	return r.save(ctx, "events", raised.Head.ID)
}

// migrated: a Gloucestershire case the host had already, taken over by a
// workflow from its head. One duty is overdue already (a notice at once),
// one falls due 20 seconds later (a timer that fires).
func (r *recorder) migrated(ctx context.Context) error {
	id := unique("migrated")
	now := time.Now()
	h, e, err := r.eng.Raise(ctx, "gloucestershire", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", At: now.Add(-48 * time.Hour)})
	if err != nil {
		return err
	}
	if err := r.store.Append(ctx, h, e); err != nil {
		return err
	}
	for _, ev := range []engine.Event{
		{Name: "escalate", Actor: "asha", Role: "practitioner", At: now.Add(-24*time.Hour + 20*time.Second)},
		{Name: "not_resolved", Actor: "lee", Role: "line_manager", At: now.Add(-24*time.Hour + 21*time.Second)},
	} {
		if h, e, err = r.eng.Fire(ctx, h, ev); err != nil {
			return err
		}
		if err := r.store.Append(ctx, h, e); err != nil {
			return err
		}
	}
	if _, err := r.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: r.queue}, temporal.WorkflowName, temporal.Input{Head: &h}); err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for len(r.notices.of(id)) < 2 {
		if time.Now().After(deadline) {
			return fmt.Errorf("migrated case: notices %+v, want two within two minutes", r.notices.of(id))
		}
		time.Sleep(500 * time.Millisecond)
	}
	ns := r.notices.of(id)
	fmt.Fprintf(r.out, "migrated: %s overdue, notified at %s (due %s); %s overdue, notified at %s (due %s)\n",
		ns[0].Obligation, ns[0].At.Format(time.RFC3339), ns[0].Due.Format(time.RFC3339), ns[1].Obligation, ns[1].At.Format(time.RFC3339), ns[1].Due.Format(time.RFC3339))
	if _, err := r.cases.Fire(ctx, id, "", engine.Event{Name: "contacted", Actor: "lee", Role: "line_manager"}); err != nil {
		return err
	}
	closed, err := r.cases.Fire(ctx, id, "", engine.Event{Name: "resolve", Actor: "lee", Role: "line_manager"})
	if err != nil {
		return err
	}
	if err := r.verify(ctx, closed.Head); err != nil {
		return err
	}
	return r.save(ctx, "migrated", id)
}

// continued: a case whose history passes a small bound, so that it
// continues as new twice.
func (r *recorder) continued(ctx context.Context) error {
	id := unique("continued")
	if _, err := r.cases.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", Facts: map[string]any{"significant_harm_concern": true}}, temporal.Options{MaxHistory: 40}); err != nil {
		return err
	}
	for i := range 8 {
		if _, err := r.cases.Fire(ctx, id, "", engine.Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager", Note: fmt.Sprintf("referral %d", i+1)}); err != nil {
			return err
		}
	}
	closed, err := r.cases.Fire(ctx, id, "", engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner"})
	if err != nil {
		return err
	}
	if err := r.verify(ctx, closed.Head); err != nil {
		return err
	}
	return r.save(ctx, "continued", id)
}

// refusedRaise: a raise the engine refuses fails the workflow, and the
// caller gets the engine's error.
func (r *recorder) refusedRaise(ctx context.Context) error {
	id := unique("refused-raise")
	_, err := r.cases.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", Facts: map[string]any{"imediate_risk": true}}, temporal.Options{})
	var input *engine.InputError
	if !errors.As(err, &input) || input.Path != "facts.imediate_risk" {
		return fmt.Errorf("raise with a misspelt fact: got %v, want the engine's InputError at facts.imediate_risk", err)
	}
	fmt.Fprintf(r.out, "refused raise: %v\n", err)
	if err := r.c.GetWorkflow(ctx, id, "").Get(ctx, nil); err == nil {
		return errors.New("the workflow of a refused raise did not fail")
	}
	return r.save(ctx, "refused-raise", id)
}

// verify checks the host's record against the workflow's head.
func (r *recorder) verify(ctx context.Context, h engine.Head) error {
	rec, err := r.store.Record(h.ID)
	if err != nil {
		return err
	}
	if err := r.eng.Verify(ctx, h, engine.Entries(rec)); err != nil {
		return fmt.Errorf("case %s: the host's record: %w", h.ID, err)
	}
	return nil
}

// runs returns every run of a workflow, first to last, with its history.
func (r *recorder) runs(ctx context.Context, id string) ([]workflowRun, error) {
	desc, err := r.c.DescribeWorkflow(ctx, id, "")
	if err != nil {
		return nil, err
	}
	var out []workflowRun
	for runID := desc.RawResponse.GetWorkflowExecutionInfo().GetFirstRunId(); runID != ""; {
		h := &historypb.History{}
		it := r.c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				return nil, err
			}
			h.Events = append(h.Events, e)
		}
		out = append(out, workflowRun{id: runID, history: h})
		runID = ""
		if n := len(h.Events); n > 0 {
			runID = h.Events[n-1].GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
		}
	}
	return out, nil
}

// workflowRun is one run of a workflow and its history.
type workflowRun struct {
	id      string
	history *historypb.History
}

func (r *recorder) historyLength(ctx context.Context, id string) (int, error) {
	runs, err := r.runs(ctx, id)
	if err != nil {
		return 0, err
	}
	return len(runs[len(runs)-1].history.Events), nil
}

// save writes every run's history as name.json (name-runN.json when the
// case continued as new), and notes which run each is of for the manifest.
func (r *recorder) save(ctx context.Context, name, id string) error {
	runs, err := r.runs(ctx, id)
	if err != nil {
		return err
	}
	for i, run := range runs {
		file := name + ".json"
		if len(runs) > 1 {
			file = fmt.Sprintf("%s-run%d.json", name, i+1)
		}
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(run.history)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(r.dir, file), append(b, '\n'), 0o644); err != nil {
			return err
		}
		r.executions = append(r.executions, recorded.Execution{File: file, WorkflowID: id, RunID: run.id})
		fmt.Fprintf(r.out, "%s: %d events, %d bytes\n", file, len(run.history.Events), proto.Size(run.history))
	}
	return nil
}

// measure fires n events on one case with the default history bound and
// reports what the history costs: events per case event, and the runs and
// size of the history once the n events are in.
func (r *recorder) measure(ctx context.Context, n int) error {
	id := unique("measure")
	if _, err := r.cases.Raise(ctx, "sefton", engine.Raise{CaseID: id, Actor: "asha", Role: "practitioner", Facts: map[string]any{"significant_harm_concern": true}}, temporal.Options{}); err != nil {
		return err
	}
	start, err := r.historyLength(ctx, id)
	if err != nil {
		return err
	}
	began := time.Now()
	var lengths []int
	for i := range n {
		if _, err := r.cases.Fire(ctx, id, "", engine.Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager"}); err != nil {
			return fmt.Errorf("event %d: %w", i+1, err)
		}
		if i < 10 {
			l, err := r.historyLength(ctx, id)
			if err != nil {
				return err
			}
			lengths = append(lengths, l)
		}
	}
	took := time.Since(began)
	runs, err := r.runs(ctx, id)
	if err != nil {
		return err
	}
	total := 0
	for _, run := range runs {
		total += len(run.history.Events)
	}
	lastRun := runs[len(runs)-1].history
	perEvent := float64(lengths[len(lengths)-1]-start) / float64(len(lengths))
	head, err := r.cases.Head(ctx, id)
	if err != nil {
		return err
	}
	headJSON, err := head.MarshalJSON()
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "events: %d in %v (%.1f ms each, one at a time)\n", n, took.Round(time.Millisecond), float64(took.Milliseconds())/float64(n))
	fmt.Fprintf(r.out, "history events per case event: %.1f (history lengths after each of the first 10: %v, from %d after the raise)\n", perEvent, lengths, start)
	fmt.Fprintf(r.out, "after %d events: revision %d, %d runs, %d history events in all; the current run: %d events, %d bytes; the head: %d bytes\n",
		n, head.Revision, len(runs), total, len(lastRun.Events), proto.Size(lastRun), len(headJSON))
	sizes := make([]int, len(runs))
	for i, run := range runs {
		sizes[i] = proto.Size(run.history)
	}
	fmt.Fprintf(r.out, "run sizes (bytes): %v; largest %d\n", sizes, slices.Max(sizes))
	return nil
}
