package scenario

import (
	"fmt"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// File is one parsed scenario file: a story about one case.
type File struct {
	Name      string // the file name, as diagnostics and failures show it
	Title     string // the `scenario` key
	Policy    string // a bundled policy id or a path relative to the file
	PolicyPos engine.Pos
	// Closures are the story's own closure days (the closures key): the
	// policy's deadlines skip them as well as its own days off.
	Closures    []calendar.Holiday
	ClosuresPos engine.Pos
	Raised      Step // its Event is engine.RaiseEvent
	Steps       []Step
}

// Expectations counts the expectations the file lists.
func (f *File) Expectations() int {
	n := len(f.Raised.Expect)
	for _, s := range f.Steps {
		n += len(s.Expect)
	}
	return n
}

// Step is the case being raised or one event fired on it, and what must
// hold straight after.
type Step struct {
	Event  string
	At     time.Time
	By     string
	Role   string
	Agency string
	Facts  map[string]any
	Forms  map[string]map[string]any
	Note   string
	Expect []Expectation // in file order
	Pos    engine.Pos    // where the step starts
}

// Kind is the kind of an expectation: the key it is written under.
type Kind string

// The kinds of expectation (SCENARIOS.md).
const (
	KindStage     Kind = "stage"
	KindOutcome   Kind = "outcome"
	KindDue       Kind = "due"
	KindStatus    Kind = "status"
	KindOverdue   Kind = "overdue"
	KindAvailable Kind = "available"
	KindRefused   Kind = "refused"
	// KindStep is not an expectation: it is the kind of a Failure for a
	// step whose event was refused when no refusal was expected.
	KindStep Kind = "step"
)

// NotOwed is the status a `status` expectation gives a duty the case does
// not owe: one whose condition does not hold.
const NotOwed engine.Status = "not_owed"

// Expectation is one thing that must hold after a step. Each obligation
// named under `due` or `status` is an expectation of its own, so a failure
// points at its line.
type Expectation struct {
	Kind Kind
	Pos  engine.Pos

	// KindStage and KindOutcome: the stage or outcome id.
	ID string
	// KindDue and KindStatus: the obligation.
	Obligation string
	// KindDue: the due date; zero with NoDeadline, which `due: {x: none}`
	// sets for an obligation with no timescale, or with Urgent, which
	// `due: {x: urgent}` sets for an urgent one with no backstop.
	Date       calendar.Date
	NoDeadline bool
	Urgent     bool
	// KindStatus: the status, or NotOwed.
	Status engine.Status
	// KindOverdue: when to look (zero: the step's time), and exactly which
	// obligations must be overdue then.
	At          time.Time
	Obligations []string
	// KindAvailable: who asks (By empty: the step's actor), and exactly
	// which events they may fire.
	Role   string
	By     string
	Events []string
	// KindRefused: the reason's name and, optionally, a part of the message.
	Reason  string
	Message string
}

// Reasons maps the names a scenario gives refusal reasons to the engine's
// errors, in the order SCENARIOS.md lists them.
var Reasons = []struct {
	Name string
	Err  error
}{
	{"unknown_event", engine.ErrUnknownEvent},
	{"role_not_permitted", engine.ErrRoleNotPermitted},
	{"guard_false", engine.ErrGuardFalse},
	{"obligations_outstanding", engine.ErrObligationsOutstanding},
	{"forms_incomplete", engine.ErrFormsIncomplete},
	{"already_met", engine.ErrAlreadyMet},
	{"case_closed", engine.ErrCaseClosed},
	{"time_before_last_event", engine.ErrTimeBeforeLastEvent},
	{"invalid_input", engine.ErrInvalidInput},
}

func reasonNames() []string {
	names := make([]string, len(Reasons))
	for i, r := range Reasons {
		names[i] = r.Name
	}
	return names
}

// Times in scenario files: RFC 3339, or a local date and time in
// Europe/London, or a date alone, which means 09:00 local time, the start
// of a working day.
const (
	localMinute = "2006-01-02T15:04"
	// DefaultHour is the local hour a time written as a date alone means.
	DefaultHour = 9
)

// ParseTime reads a time as scenario files and the command line write it:
// RFC 3339 ("2026-12-22T10:00:00Z"), "YYYY-MM-DDTHH:MM" in Europe/London, or
// "YYYY-MM-DD", which means 09:00 in Europe/London. A local time that the
// clocks skip when they go forward is an error.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := calendar.ParseDate(s); err == nil {
		return time.Date(d.Year, d.Month, d.Day, DefaultHour, 0, 0, 0, calendar.London()), nil
	}
	t, err := time.ParseInLocation(localMinute, s, calendar.London())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time: write YYYY-MM-DD, YYYY-MM-DDTHH:MM (Europe/London) or RFC 3339, for example 2026-12-22T10:00", s)
	}
	if t.Format(localMinute) != s {
		return time.Time{}, fmt.Errorf("%q does not exist in Europe/London: the clocks go forward then; use the hour after", s)
	}
	return t, nil
}
