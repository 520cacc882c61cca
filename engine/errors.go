package engine

import (
	"errors"
	"fmt"
	"strings"
)

// Errors a host tests with errors.Is. Each refusal of an event wraps one of
// these, with the detail a person needs to act on it.
var (
	ErrUnknownEvent           = errors.New("the event is not part of this stage")
	ErrRoleNotPermitted       = errors.New("the role may not fire this event")
	ErrGuardFalse             = errors.New("the event's condition does not hold")
	ErrObligationsOutstanding = errors.New("obligations are outstanding")
	ErrFormsIncomplete        = errors.New("a required form is incomplete")
	ErrAlreadyMet             = errors.New("the event would record nothing new")
	ErrCaseClosed             = errors.New("the case is closed")
	ErrTimeBeforeLastEvent    = errors.New("the event's time is earlier than the case's last event")
	ErrStaleRevision          = errors.New("the case has changed since it was read")
	ErrPolicyMismatch         = errors.New("the case was raised under another policy")
	ErrCaseSchema             = errors.New("the case is stored in another schema")
	ErrEmptyCase              = errors.New("the case is empty")
	ErrUnknownPolicy          = errors.New("no such policy")
	ErrVersionConflict        = errors.New("two versions of a policy are in force from the same date")
	ErrNoVersionInForce       = errors.New("no version of the policy is in force on that day")
	ErrInvalidInput           = errors.New("invalid event data")
	// ErrHistoryTampered: the record or its head was changed outside the
	// engine. The error is a *RecordError saying which entry and how.
	ErrHistoryTampered = errors.New("the case's record does not verify")
	// ErrReplayMismatch: the record is intact, but the policy now decides an
	// event differently from what the record says it did.
	ErrReplayMismatch = errors.New("replaying the record does not rebuild the case")
)

// RefusedError says why an event was refused. When several transitions share
// the event's name, Reasons holds one entry per transition considered, in
// policy order; errors.Is matches the sentinel of any of them.
type RefusedError struct {
	Event   string
	Stage   string
	Reasons []Refusal
}

// Refusal is why one transition could not be taken.
type Refusal struct {
	Err        error       // one of the Err* sentinels
	Transition *Transition // nil when no transition matched at all
	Detail     string      // the guard's text, the outstanding obligations, the missing fields
}

func (r Refusal) String() string {
	if r.Detail == "" {
		return r.Err.Error()
	}
	return r.Err.Error() + ": " + r.Detail
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "event %q refused at %s", e.Event, e.Stage)
	for i, r := range e.Reasons {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// Is reports whether any reason is target, so errors.Is(err, ErrGuardFalse) works.
func (e *RefusedError) Is(target error) bool {
	for _, r := range e.Reasons {
		if r.Err == target {
			return true
		}
	}
	return false
}

func refuse(event, stage string, err error, t *Transition, detail string) *RefusedError {
	return &RefusedError{Event: event, Stage: stage, Reasons: []Refusal{{Err: err, Transition: t, Detail: detail}}}
}

// InputError is bad data supplied with an event: an unknown fact or form field,
// or a value of the wrong type. Its message never contains the value of a
// personal-data fact or field.
type InputError struct {
	Path    string // "facts.immediate_risk", "forms.escalation_form.child_name"
	Message string
}

func (e *InputError) Error() string { return e.Path + ": " + e.Message }

// Is makes every InputError match ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// emptyHead refuses a zero Head, which names no schema, policy or record: a
// case that was never raised, or a stored head not read back.
func emptyHead(h *Head) error {
	if h.Schema == 0 && h.Policy == (PolicyRef{}) && h.Revision == 0 && h.Hash.IsZero() {
		return fmt.Errorf("%w (a zero Head): raise a case with Raise, or read a stored head back whole", ErrEmptyCase)
	}
	return nil
}
