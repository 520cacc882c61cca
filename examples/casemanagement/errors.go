package main

import (
	"errors"
	"net/http"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// apiError is every error the API returns, as
// {"error": {"code": "...", "message": "...", "details": ...}}. Code is
// stable for programs to test; message is for people; details, when present,
// is structured (the refusal reasons, the offending input's path).
//
// The statuses follow one rule each:
//
//	400 the request cannot be read: malformed JSON, unknown fields, a key
//	    given twice, bytes that are not UTF-8, control or bidi characters
//	    where they do not belong, a bad time
//	401 no credential, or one that does not verify
//	403 the Host or Origin is not configured; a role the caller does not
//	    hold; a case the caller holds no role in
//	404 the URL names a case (or endpoint) that does not exist
//	409 the case's current state conflicts: stale revision, id taken, case closed
//	413 the body is over the size limit
//	415 the body is not sent as application/json
//	422 the request is understood but the procedure refuses it: unknown policy,
//	    invalid facts or form data, an event refused (wrong role, guard false,
//	    unknown event, obligations outstanding, form incomplete), an act dated
//	    before the case's last one or in the future, a date outside the
//	    calendar
//	500 the stored case does not verify (changed or rolled back outside the
//	    service), or anything else, logged and reported without detail
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// refusalCodes names each of the engine's refusal reasons for programs.
var refusalCodes = []struct {
	err  error
	code string
}{
	{engine.ErrUnknownEvent, "unknown_event"},
	{engine.ErrRoleNotPermitted, "role_not_permitted"},
	{engine.ErrGuardFalse, "guard_false"},
	{engine.ErrObligationsOutstanding, "obligations_outstanding"},
	{engine.ErrFormsIncomplete, "forms_incomplete"},
	{engine.ErrAlreadyMet, "already_met"},
}

type refusalDetails struct {
	Event   string   `json:"event"`
	Stage   string   `json:"stage"`
	Reasons []reason `json:"reasons"`
}

type reason struct {
	Code string `json:"code"`
	// To is where the refused transition leads, when it moves the case.
	To     string `json:"to,omitempty"`
	Detail string `json:"detail,omitempty"`
}

func reasonOf(r engine.Refusal) reason {
	out := reason{Code: "refused", To: r.Transition.Destination(), Detail: r.Detail}
	for _, rc := range refusalCodes {
		if errors.Is(r.Err, rc.err) {
			out.Code = rc.code
			break
		}
	}
	return out
}

func reasonsOf(refused *engine.RefusedError) []reason {
	reasons := make([]reason, len(refused.Reasons))
	for i, r := range refused.Reasons {
		reasons[i] = reasonOf(r)
	}
	return reasons
}

// classify turns any error a handler returns into the API's error. The
// engine's messages never contain fact or form values, so they can be shown
// to the client and logged as they are.
func classify(err error) *apiError {
	var (
		ae      *apiError
		refused *engine.RefusedError
		input   *engine.InputError
		bad     *inputError
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &bad):
		var details any
		if bad.Path != "" {
			details = map[string]string{"path": bad.Path}
		}
		return &apiError{http.StatusBadRequest, bad.Code, bad.Error(), details}
	case errors.Is(err, calendar.ErrOutOfRange):
		return &apiError{http.StatusUnprocessableEntity, "date_out_of_range", err.Error(), nil}
	case errors.As(err, &refused):
		return &apiError{http.StatusUnprocessableEntity, "event_refused", err.Error(),
			refusalDetails{Event: refused.Event, Stage: refused.Stage, Reasons: reasonsOf(refused)}}
	case errors.As(err, &input):
		return invalid(input.Path, input.Message)
	case errors.Is(err, errCaseNotFound):
		return &apiError{http.StatusNotFound, "case_not_found", err.Error(), nil}
	case errors.Is(err, errConflict), errors.Is(err, engine.ErrStaleRevision):
		return &apiError{http.StatusConflict, "stale_revision", err.Error(), nil}
	case errors.Is(err, errCaseExists):
		return &apiError{http.StatusConflict, "case_exists", err.Error(), nil}
	case errors.Is(err, engine.ErrCaseClosed):
		return &apiError{http.StatusConflict, "case_closed", err.Error(), nil}
	case errors.Is(err, engine.ErrTimeBeforeLastEvent):
		return &apiError{http.StatusUnprocessableEntity, "time_before_last_event", err.Error(), nil}
	case errors.Is(err, engine.ErrHistoryTampered):
		// The message names the entry and what is wrong, never a value.
		return &apiError{http.StatusInternalServerError, "case_integrity", err.Error(), nil}
	}
	return &apiError{http.StatusInternalServerError, "internal", "internal error; the server's log has the cause", nil}
}

func malformed(message string) *apiError {
	return &apiError{http.StatusBadRequest, "malformed_request", message, nil}
}

// invalid reports bad input at a path ("facts.immediate_risk", "revision").
func invalid(path, message string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, "invalid_input", path + ": " + message, map[string]string{"path": path}}
}
