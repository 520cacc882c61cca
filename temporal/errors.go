package temporal

import (
	"errors"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
)

// The types of the application errors an engine error travels as. A caller
// gets the engine's error back from them with FromError.
const (
	// RefusedType: an event the engine refused, with its reasons (Refused in
	// the details).
	RefusedType = "escalation.Refused"
	// ErrorType: any other error of the engine's, with its code (Problem in
	// the details).
	ErrorType = "escalation.Error"
)

// codes names each of the engine's sentinel errors for programs, as they
// cross the Temporal boundary: the refusal reasons scenario files use, then
// the errors a host meets beyond them. A code is a promise: it never changes.
var codes = append(slices.Clone(scenario.Reasons), []struct {
	Name string
	Err  error
}{
	{"stale_revision", engine.ErrStaleRevision},
	{"policy_mismatch", engine.ErrPolicyMismatch},
	{"case_schema", engine.ErrCaseSchema},
	{"empty_case", engine.ErrEmptyCase},
	{"unknown_policy", engine.ErrUnknownPolicy},
	{"history_tampered", engine.ErrHistoryTampered},
	{"replay_mismatch", engine.ErrReplayMismatch},
	{"not_raised", ErrNotRaised},
}...)

// ErrNotRaised: the workflow holds no case, because raising it failed, or
// (for the raised update) because it was raised in an earlier run.
var ErrNotRaised = errors.New("the workflow holds no raised case")

// codeOf returns the code of the first sentinel err matches, or "".
func codeOf(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.Err) {
			return c.Name
		}
	}
	return ""
}

func sentinel(code string) error {
	for _, c := range codes {
		if c.Name == code {
			return c.Err
		}
	}
	return nil
}

// Refused is an engine.RefusedError as it crosses the Temporal boundary.
type Refused struct {
	Event   string           `json:"event"`
	Stage   string           `json:"stage"`
	Policy  engine.PolicyRef `json:"policy"`
	Reasons []Reason         `json:"reasons"`
}

// Reason is one engine.Refusal: its code, the transition it is about (by
// place in the policy, so a caller holding the policy finds it again), where
// that transition leads, and the engine's detail (a guard's text, the duties
// outstanding, the fields missing). Details never hold personal data.
type Reason struct {
	Code string `json:"code"`
	// Error is the sentinel's own text, for a caller whose version of this
	// package does not know Code yet.
	Error string `json:"error"`
	// From is the stage the transition belongs to ("" for an any_stage one);
	// Index its place among that stage's (or the any_stage) transitions. Both
	// are unset (Index -1) when no transition matched at all.
	From   string `json:"from,omitempty"`
	Index  int    `json:"index"`
	To     string `json:"to,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Problem is any other engine error as it crosses the boundary: its code,
// and for bad input the path of the offending fact or field.
type Problem struct {
	Code    string `json:"code"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func refusedOf(ref engine.PolicyRef, p *engine.Policy, e *engine.RefusedError) Refused {
	out := Refused{Event: e.Event, Stage: e.Stage, Policy: ref, Reasons: make([]Reason, len(e.Reasons))}
	for i, r := range e.Reasons {
		out.Reasons[i] = reasonOf(p, r)
	}
	return out
}

func reasonOf(p *engine.Policy, r engine.Refusal) Reason {
	out := Reason{Code: codeOf(r.Err), Error: r.Err.Error(), Index: -1, Detail: r.Detail}
	t := r.Transition
	if t == nil {
		return out
	}
	out.To = t.Destination()
	list := p.AnyStage
	if t.From != nil {
		out.From, list = t.From.ID, t.From.Transitions
	}
	for i, c := range list {
		if c == t {
			out.Index = i
		}
	}
	return out
}

// applicationError turns an error of the engine's into the application error
// it crosses the Temporal boundary as: non-retryable (the engine would decide
// the same again), with the engine's message intact and its reasons in the
// details. p may be nil when the case has no policy yet.
func applicationError(ref engine.PolicyRef, p *engine.Policy, err error) error {
	var (
		refused *engine.RefusedError
		input   *engine.InputError
	)
	opts := temporal.ApplicationErrorOptions{NonRetryable: true}
	switch {
	case errors.As(err, &refused) && p != nil:
		opts.Details = []any{refusedOf(ref, p, refused)}
		return temporal.NewApplicationErrorWithOptions(err.Error(), RefusedType, opts)
	case errors.As(err, &input):
		opts.Details = []any{Problem{Code: codeOf(err), Path: input.Path, Message: input.Message}}
	default:
		opts.Details = []any{Problem{Code: codeOf(err), Message: err.Error()}}
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), ErrorType, opts)
}

// FromError gives back the engine's error that an update, a query or a
// workflow's failure carried across the Temporal boundary: a
// *engine.RefusedError for a refused event, with every reason's sentinel, so
// errors.Is(err, engine.ErrGuardFalse) and errors.As work as they do on the
// engine's own; an *engine.InputError for bad facts or form data; and an
// error matching the engine's sentinel (errors.Is) with the engine's message
// for the rest. Any other error is returned as it is.
//
// With the engine the workers run (eng may be nil), each reason's Transition
// is the policy's own again; without it, it is nil and Reason.To says where
// the transition led.
func FromError(err error, eng *engine.Engine) error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return err
	}
	switch app.Type() {
	case RefusedType:
		var r Refused
		if !details(app, &r) {
			return err
		}
		return r.engineError(eng)
	case ErrorType:
		var p Problem
		if !details(app, &p) {
			return err
		}
		if p.Path != "" && p.Code == codeOf(engine.ErrInvalidInput) {
			return &engine.InputError{Path: p.Path, Message: p.Message}
		}
		return &problemError{msg: app.Message(), sentinel: sentinel(p.Code)}
	}
	return err
}

// details reads an application error's details into out, and says whether
// it could. Details decoded from the wire fail with an error when their shape
// is not out's, but details still in the process (the SDK's test environment
// hands errors over as they are) panic instead: either way, they are not ours.
func details(app *temporal.ApplicationError, out any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return app.Details(out) == nil
}

// engineError is the engine's RefusedError again.
func (r Refused) engineError(eng *engine.Engine) *engine.RefusedError {
	var p *engine.Policy
	if eng != nil {
		p, _ = eng.PolicyVersion(r.Policy)
	}
	out := &engine.RefusedError{Event: r.Event, Stage: r.Stage, Reasons: make([]engine.Refusal, len(r.Reasons))}
	for i, reason := range r.Reasons {
		err := sentinel(reason.Code)
		if err == nil {
			err = errors.New(reason.Error)
		}
		out.Reasons[i] = engine.Refusal{Err: err, Transition: reason.transition(p), Detail: reason.Detail}
	}
	return out
}

func (r Reason) transition(p *engine.Policy) *engine.Transition {
	if p == nil || r.Index < 0 {
		return nil
	}
	list := p.AnyStage
	if r.From != "" {
		s, ok := p.Stage(r.From)
		if !ok {
			return nil
		}
		list = s.Transitions
	}
	if r.Index >= len(list) {
		return nil
	}
	return list[r.Index]
}

// problemError is an engine error other than a refusal, back from across the
// boundary: the engine's message, matching its sentinel.
type problemError struct {
	msg      string
	sentinel error
}

func (e *problemError) Error() string { return e.msg }
func (e *problemError) Unwrap() error { return e.sentinel }
