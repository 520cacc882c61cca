package temporal

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// The names a worker registers and a client calls.
const (
	WorkflowName   = "escalation.Case"
	UpdateFire     = "escalation.fire"
	UpdateRaised   = "escalation.raised"
	QueryHead      = "escalation.head"
	QueryDue       = "escalation.due"
	QueryAvailable = "escalation.available"
	ActivityAppend = "escalation.append"
	ActivityNotify = "escalation.notify"
)

// DefaultMaxHistory is the history length (in events) past which a case
// continues as new, unless Options.MaxHistory says otherwise. Temporal warns
// at 10,240 events and stops a run at 51,200; a case event costs about ten.
const DefaultMaxHistory = 2000

// Options are a case's settings, fixed when it is raised and carried into
// every continued run, so that every run and every replay of it decides alike.
type Options struct {
	// Remind: notify each duty's owner one working day before it falls due.
	Remind bool `json:"remind,omitempty"`
	// MaxHistory is the history length past which the case continues as
	// new (DefaultMaxHistory when 0).
	MaxHistory int `json:"max_history,omitempty"`
}

// Input starts a case workflow: a new case (Policy and Raise), or a case
// continued from an earlier run (Head and Sent).
type Input struct {
	Policy string        `json:"policy,omitempty"`
	Raise  *engine.Raise `json:"raise,omitempty"`
	Head   *engine.Head  `json:"head,omitempty"`
	// Handled are the notices the earlier runs sent (or found needless) for
	// what the case owes now, so that a continued run does not send them
	// again.
	Handled []string `json:"handled,omitempty"`
	Options Options  `json:"options"`
}

// Applied is an accepted act: the head it led to and the entry recording it.
type Applied struct {
	Head  engine.Head   `json:"head"`
	Entry *engine.Entry `json:"entry"`
}

// Register registers the case workflow, on eng's policies, and its
// activities, on the host's store and notifier, with a worker.
func Register(w worker.Registry, eng *engine.Engine, store Store, notifier Notifier) {
	w.RegisterWorkflowWithOptions((&Workflow{eng: eng}).Run, workflow.RegisterOptions{Name: WorkflowName})
	a := &Activities{Store: store, Notifier: notifier}
	w.RegisterActivityWithOptions(a.Append, activity.RegisterOptions{Name: ActivityAppend})
	w.RegisterActivityWithOptions(a.Notify, activity.RegisterOptions{Name: ActivityNotify})
}

// Workflow runs cases on the policies its worker loaded. The policies are
// the worker's, never the workflow history's: a case's history names its
// policy's id and version, and every worker that may run the case must hold
// that version.
type Workflow struct {
	eng *engine.Engine
}

// NewWorkflow returns the workflow on eng's policies, for a worker (Register
// does this) or a replayer.
func NewWorkflow(eng *engine.Engine) *Workflow { return &Workflow{eng: eng} }

// Activities retry until they succeed: an entry must reach the record, and a
// notice its people. The backoff keeps a host that is down from being
// hammered.
var activityRetry = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    10 * time.Minute,
}

// retryAfter is how long the workflow waits before trying again an activity
// that failed for good (a non-retryable error from the host).
const retryAfter = time.Hour

// raiseAnswerWait is how long a case whose raise failed waits for the
// raised update (sent with the start) to take its error, before failing.
const raiseAnswerWait = time.Minute

// Run is the case workflow. It raises the case, or takes it over from an
// earlier run, then applies events (the fire update), hands each entry to the
// store in order, notifies people of duties falling due, and completes with
// the case's last head once the case has reached an outcome and owes nothing.
func (w *Workflow) Run(ctx workflow.Context, in Input) (engine.Head, error) {
	r := &run{eng: w.eng, opts: in.Options, handled: map[string]bool{}}
	if r.opts.MaxHistory <= 0 {
		r.opts.MaxHistory = DefaultMaxHistory
	}
	for _, k := range in.Handled {
		r.handled[k] = true
	}
	var raised *pending
	switch {
	case in.Head != nil:
		r.head = *in.Head
		r.pol = r.policyFor(in.Head.Policy)
	case in.Raise != nil:
		raised = r.raise(ctx, in.Policy, *in.Raise)
	default:
		return engine.Head{}, temporal.NewNonRetryableApplicationError("a case workflow starts with a raise or a head", ErrorType, nil, Problem{Code: codeOf(engine.ErrEmptyCase), Message: "no raise and no head"})
	}
	if err := r.register(ctx, raised); err != nil {
		return engine.Head{}, err
	}
	if r.raiseErr != nil {
		// Let the raised update sent with the start take the engine's
		// reasons, then fail: there is no case to run.
		if _, err := workflow.AwaitWithTimeout(ctx, raiseAnswerWait, func() bool { return r.raiseAnswered }); err != nil {
			return engine.Head{}, err
		}
		return engine.Head{}, r.raiseErr
	}
	workflow.Go(ctx, r.appender)
	return r.loop(ctx)
}

// run is one run of one case's workflow. Its state is the head (never the
// record), the alarms armed for what the head owes, the notices already dealt
// with, and the entries not yet in the host's store.
type run struct {
	eng  *engine.Engine
	pol  *engine.Policy
	opts Options
	head engine.Head

	raiseErr      error
	raiseAnswered bool

	// alarms are in the order they were armed: coroutines and timers start
	// in a deterministic order, never a map's.
	alarms    []*alarm
	handled   map[string]bool // alarm keys; looked up, never ranged over
	queue     []*pending
	notifying int
	dirty     bool
}

// pending is an entry on its way to the store; stored is settled once it is
// there.
type pending struct {
	applied Applied
	stored  workflow.Settable
	done    workflow.Future
}

// policyFor is the version of its policy a case runs on. A worker without it
// cannot run the case: the workflow task fails, and Temporal retries it until
// a worker that holds the version takes it (the case is never failed for a
// deployment's mistake).
func (r *run) policyFor(ref engine.PolicyRef) *engine.Policy {
	p, ok := r.eng.PolicyVersion(ref)
	if !ok {
		panic(fmt.Sprintf("this worker does not hold policy %s version %s, which the case runs on: deploy a worker that loads it", ref.ID, ref.Version))
	}
	return p
}

// raise raises the case on the policy's current version. The version is
// recorded in the history (a side effect), so that a replay on a worker that
// has since loaded a newer one still raises on the same.
func (r *run) raise(ctx workflow.Context, policy string, in engine.Raise) *pending {
	info := workflow.GetInfo(ctx)
	fail := func(err error) *pending {
		r.raiseErr = applicationError(engine.PolicyRef{ID: policy}, nil, err)
		return nil
	}
	switch {
	case in.CaseID != "" && in.CaseID != info.WorkflowExecution.ID:
		return fail(&engine.InputError{Path: "raise.CaseID", Message: fmt.Sprintf("the case id must be the workflow id %q, or left empty", info.WorkflowExecution.ID)})
	case !in.At.IsZero():
		return fail(&engine.InputError{Path: "raise.At", Message: "leave it unset: the workflow stamps the raise with its own time"})
	}
	var version string
	err := workflow.SideEffect(ctx, func(workflow.Context) any {
		if p, ok := r.eng.Policy(policy); ok {
			return p.Version
		}
		return ""
	}).Get(&version)
	if err != nil {
		return fail(err)
	}
	if version == "" {
		return fail(fmt.Errorf("%w: %q (this worker holds %v)", engine.ErrUnknownPolicy, policy, r.eng.Policies()))
	}
	r.pol = r.policyFor(engine.PolicyRef{ID: policy, Version: version})
	in.CaseID, in.At = info.WorkflowExecution.ID, workflow.Now(ctx)
	h, e, err := r.pol.Raise(context.Background(), in)
	if err != nil {
		return fail(err)
	}
	r.head = h
	return r.enqueue(ctx, Applied{Head: h, Entry: e})
}

func (r *run) register(ctx workflow.Context, raised *pending) error {
	if err := workflow.SetQueryHandler(ctx, QueryHead, func() (engine.Head, error) {
		if r.pol == nil || r.raiseErr != nil {
			return engine.Head{}, r.notRaised()
		}
		return r.head, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryDue, r.due); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryAvailable, r.available); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRaised, func(ctx workflow.Context) (Applied, error) {
		if r.raiseErr != nil {
			r.raiseAnswered = true
			return Applied{}, r.raiseErr
		}
		if raised == nil {
			return Applied{}, r.notRaised()
		}
		if err := raised.done.Get(ctx, nil); err != nil {
			return Applied{}, err
		}
		return raised.applied, nil
	}, workflow.UpdateHandlerOptions{Description: "the head and first entry of the case this run raised, once the store has the entry"}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateFire, r.fire, workflow.UpdateHandlerOptions{
		Validator:   r.validate,
		Description: "fire an event on the case: refused by the engine, it is rejected and leaves no trace",
	})
}

func (r *run) notRaised() error {
	if r.raiseErr != nil {
		return r.raiseErr
	}
	return applicationError(r.head.Policy, nil, fmt.Errorf("%w: case %s was raised in an earlier run: query its head", ErrNotRaised, r.head.ID))
}

// try fires ev on the head without keeping the result: the validator's
// question, asked again by the handler in the same workflow task, so with
// the same head and the same time.
func (r *run) try(ctx workflow.Context, ev engine.Event) (engine.Head, *engine.Entry, error) {
	if r.raiseErr != nil {
		return engine.Head{}, nil, r.raiseErr
	}
	if !ev.At.IsZero() {
		return engine.Head{}, nil, applicationError(r.head.Policy, r.pol, &engine.InputError{Path: "event.At", Message: "leave it unset: the workflow stamps each event with its own time"})
	}
	ev.At = workflow.Now(ctx)
	h, e, err := r.pol.Fire(context.Background(), r.head, ev)
	if err != nil {
		return engine.Head{}, nil, applicationError(r.head.Policy, r.pol, err)
	}
	return h, e, nil
}

// validate is the fire update's validator: an event the engine refuses is
// rejected here, before it reaches the history.
func (r *run) validate(ctx workflow.Context, ev engine.Event) error {
	_, _, err := r.try(ctx, ev)
	return err
}

// fire applies an accepted event and answers once the store has its entry.
// Nothing yields between the validator and the head's change, so events are
// applied one at a time, in the order they were accepted.
func (r *run) fire(ctx workflow.Context, ev engine.Event) (Applied, error) {
	h, e, err := r.try(ctx, ev)
	if err != nil {
		return Applied{}, err
	}
	r.head = h
	p := r.enqueue(ctx, Applied{Head: h, Entry: e})
	if err := p.done.Get(ctx, nil); err != nil {
		return Applied{}, err
	}
	return p.applied, nil
}

func (r *run) enqueue(ctx workflow.Context, a Applied) *pending {
	f, s := workflow.NewFuture(ctx)
	p := &pending{applied: a, stored: s, done: f}
	r.queue = append(r.queue, p)
	r.dirty = true
	return p
}

// appender hands the entries to the store one at a time, in order.
func (r *run) appender(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { return len(r.queue) > 0 }); err != nil {
			return
		}
		p := r.queue[0]
		r.call(ctx, ActivityAppend, p.applied)
		r.queue = r.queue[1:]
		p.stored.Set(nil, nil)
		r.dirty = true
	}
}

// call runs an activity until it succeeds: its retry policy retries it with
// backoff; an error the host marks non-retryable is logged and tried again
// after retryAfter.
func (r *run) call(ctx workflow.Context, activity string, arg any) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: activityRetry})
	for {
		err := workflow.ExecuteActivity(actx, activity, arg).Get(ctx, nil)
		if err == nil || ctx.Err() != nil {
			return
		}
		workflow.GetLogger(ctx).Error("activity failed for good; trying again later", "activity", activity, "case", r.head.ID, "error", err)
		if workflow.Sleep(ctx, retryAfter) != nil {
			return
		}
	}
}

// loop keeps the alarms in step with the head until the case is done or the
// run's history is long enough to continue as new.
func (r *run) loop(ctx workflow.Context) (engine.Head, error) {
	for {
		now := workflow.Now(ctx)
		duties, err := r.pol.Due(r.head, now)
		if err != nil {
			return engine.Head{}, applicationError(r.head.Policy, r.pol, err)
		}
		r.rearm(ctx, duties)
		if r.done(duties) || r.historyFull(ctx) {
			// Finish what is under way: every entry stored, every notice
			// sent, every update answered. An event applied meanwhile means
			// looking again.
			rev := r.head.Revision
			if err := workflow.Await(ctx, func() bool {
				return len(r.queue) == 0 && r.notifying == 0 && workflow.AllHandlersFinished(ctx)
			}); err != nil {
				return engine.Head{}, err
			}
			if r.head.Revision == rev {
				if r.done(duties) {
					return r.head, nil
				}
				return engine.Head{}, workflow.NewContinueAsNewError(ctx, WorkflowName, r.next(duties))
			}
			continue
		}
		r.dirty = false
		if err := workflow.Await(ctx, func() bool { return r.dirty }); err != nil {
			return engine.Head{}, err
		}
	}
}

// done: the case reached an outcome and owes nothing there.
func (r *run) done(duties []engine.Duty) bool {
	if !r.head.Closed() {
		return false
	}
	for _, d := range duties {
		if d.Status != engine.StatusMet {
			return false
		}
	}
	return true
}

func (r *run) historyFull(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return info.GetCurrentHistoryLength() >= r.opts.MaxHistory || info.GetContinueAsNewSuggested()
}

// next is the input of the run the case continues in: the head, the notices
// dealt with for what it owes now, and its options. The alarms themselves are
// armed again from the head.
func (r *run) next(duties []engine.Duty) Input {
	in := Input{Head: &r.head, Options: r.opts}
	for _, a := range r.wanted(duties) {
		if r.handled[a.key] {
			in.Handled = append(in.Handled, a.key)
		}
	}
	return in
}

func (r *run) due(at time.Time) ([]Duty, error) {
	if r.pol == nil || r.raiseErr != nil {
		return nil, r.notRaised()
	}
	duties, err := r.pol.Due(r.head, at)
	if err != nil {
		return nil, applicationError(r.head.Policy, r.pol, err)
	}
	out := make([]Duty, len(duties))
	for i, d := range duties {
		out[i] = dutyOf(d)
	}
	return out, nil
}

func (r *run) available(actor, role string, at time.Time) ([]Action, error) {
	if r.pol == nil || r.raiseErr != nil {
		return nil, r.notRaised()
	}
	actions, err := r.pol.Available(context.Background(), r.head, actor, role, at)
	if err != nil {
		return nil, applicationError(r.head.Policy, r.pol, err)
	}
	out := make([]Action, len(actions))
	for i, a := range actions {
		out[i] = actionOf(r.head.Policy, r.pol, a)
	}
	return out, nil
}
