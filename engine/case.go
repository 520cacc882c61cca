package engine

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// CaseSchema is the version of a case's stored form. It changes only when a
// stored case would no longer read the same; the engine refuses a head of
// another schema (ErrCaseSchema) rather than misread it.
//
// Schema 3: a case is a Head and a record of Entries, stored apart; the head
// names the record's last entry (Head.Hash). Schema 2 kept the record inside
// the case: MigrateCase reads it. Entries read the same in both.
const CaseSchema = 3

// Head is what the engine needs to act on a case: the policy version it runs
// under, its revision, where it is, its facts, forms and milestones, what the
// current visit to its stage owes, and the link to its record (the time and
// hash of the record's last entry). A case is its head and its record: the
// host stores the head (as JSON, small and quick to read) and appends each
// Entry the engine returns to the case's record, which is never rewritten.
//
// A head is a value: every accepted event returns a new Head without changing
// the old one. Heads made from one another share their maps, so treat a
// head's maps and slices as read-only: change a case only by firing events.
//
// Facts and form data may hold personal data: String and LogValue leave them
// out, and no error the engine returns contains their values.
type Head struct {
	Schema   int
	ID       string
	Policy   PolicyRef
	Revision int64 // the number of entries in the record
	Raised   time.Time
	// Stage is the current stage's id, or "" once the case has reached an outcome.
	Stage string
	// Outcome is the outcome's id once the case is closed.
	Outcome string
	// Entered is when the case entered its current stage or outcome.
	Entered    time.Time
	Facts      map[string]any
	Forms      map[string]map[string]any
	Milestones map[string]time.Time
	// Obligations are what the current visit to the stage owes, met or not,
	// in the policy's order; once the case is closed, what its outcome owes
	// (usually nothing). When the case moves on, the entry that records the
	// move keeps them as they stood (Entry.Left).
	Obligations []ObligationState
	// Last is when the record's last entry happened, and Hash is that
	// entry's hash: the head's link to its record.
	Last time.Time
	Hash Digest
}

// PolicyRef names the policy version a case runs under.
type PolicyRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Closed reports whether the case has reached an outcome.
func (h Head) Closed() bool { return h.Outcome != "" }

// String describes the case without any fact or form values.
func (h Head) String() string {
	at := h.Stage
	if h.Closed() {
		at = "outcome " + h.Outcome
	}
	return fmt.Sprintf("case %s (%s %s, revision %d) at %s", h.ID, h.Policy.ID, h.Policy.Version, h.Revision, at)
}

// LogValue gives log/slog the case without its facts, forms or notes.
func (h Head) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", h.ID),
		slog.String("policy", h.Policy.ID),
		slog.String("version", h.Policy.Version),
		slog.Int64("revision", h.Revision),
		slog.String("stage", h.Stage),
		slog.String("outcome", h.Outcome),
	)
}

// Visit is one stay of a case at a stage, and what it owed there; or, for
// a closed case whose outcome owes duties, its stay at the outcome.
type Visit struct {
	Stage   string
	Outcome string // set instead of Stage for the stay at an outcome
	Entered time.Time
	// Left is when the case moved on; zero for the visit it is on now.
	Left time.Time
	// Obligations are as they stood when the case moved on (an obligation
	// with no Met time was left unmet), or as they stand now.
	Obligations []ObligationState
}

// ObligationState is one obligation owed in one visit to a stage: the
// case's current stage (Head.Obligations), or the stage an entry records
// leaving (Entry.Left).
type ObligationState struct {
	ID string
	// Anchor is the instant the deadline counts from; zero while it waits for
	// a milestone. Due is fixed from it once and never moves.
	Anchor time.Time
	Due    time.Time // zero when the obligation has no timescale or waits
	// Within is the timescale applied (after any expedite); zero while the
	// obligation waits or when the procedure states none.
	Within    calendar.Within
	Expedited bool
	// ByDate: Due is the end of a date the case gave (whichever_sooner's
	// by:), not a timescale counted from Anchor; Anchor is that date's start.
	ByDate bool
	Met    time.Time // when an event completed it; zero while it is owed
}

// obligationJSON is ObligationState's stored form: unset times are left out,
// and "immediate" repeats what Within says for readers of the stored JSON.
type obligationJSON struct {
	ID        string     `json:"id"`
	Anchor    *time.Time `json:"anchor,omitempty"`
	Due       *time.Time `json:"due,omitempty"`
	Within    string     `json:"within,omitempty"`
	Immediate bool       `json:"immediate,omitempty"`
	Expedited bool       `json:"expedited,omitempty"`
	ByDate    bool       `json:"by_date,omitempty"`
	Met       *time.Time `json:"met,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// MarshalJSON writes the obligation with unset times left out.
func (o ObligationState) MarshalJSON() ([]byte, error) {
	return json.Marshal(obligationJSON{
		ID: o.ID, Anchor: optTime(o.Anchor), Due: optTime(o.Due),
		Within: o.Within.String(), Immediate: o.Within.Immediate, Expedited: o.Expedited,
		ByDate: o.ByDate, Met: optTime(o.Met),
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *ObligationState) UnmarshalJSON(data []byte) error {
	var j obligationJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	var err error
	*o, err = j.state()
	return err
}

// state checks a stored obligation and returns it.
func (j *obligationJSON) state() (ObligationState, error) {
	w, err := readWithin(j.ID, []byte(j.Within), j.Immediate)
	if err != nil {
		return ObligationState{}, err
	}
	return ObligationState{
		ID: j.ID, Anchor: derefTime(j.Anchor), Due: derefTime(j.Due),
		Within: w, Expedited: j.Expedited, ByDate: j.ByDate,
		Met: derefTime(j.Met),
	}, nil
}

// open reports whether the obligation is still owed.
func (o *ObligationState) open() bool { return o.Met.IsZero() }

// Entry is one act in a case's record. The record is append-only: each
// entry carries the hash of the one before it, so any change to an earlier
// entry shows, and the head carries the hash of the last. Replaying the
// entries through the same policy rebuilds the head.
type Entry struct {
	Seq int `json:"seq"`
	// Case is the case's id, on the first entry only: it binds the whole
	// chain to one case, so a history cannot be moved to another.
	Case   string    `json:"case,omitempty"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Agency string    `json:"agency,omitempty"`
	Event  string    `json:"event"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	// Guard is the text of the condition that allowed the event, if it had one.
	Guard string                    `json:"guard,omitempty"`
	Facts map[string]any            `json:"facts,omitempty"`
	Forms map[string]map[string]any `json:"forms,omitempty"`
	Note  string                    `json:"note,omitempty"`
	// Left is what the stage visit this event ended owed, as it stood when
	// the case moved on: an obligation not met then was left unmet.
	Left []ObligationState `json:"left,omitempty"`
	Prev Digest            `json:"prev"`
	Hash Digest            `json:"hash"`
	// MAC authenticates Hash with the host's secret key (WithRecordKey);
	// zero when the entry was recorded without one.
	MAC Digest `json:"mac,omitzero"`
}

// RaiseEvent is the name the record gives the act of raising a case.
const RaiseEvent = "raise"

// String describes the entry without its facts, forms or note.
func (e Entry) String() string {
	move := e.From + " -> " + e.To
	switch {
	case e.Event == RaiseEvent:
		move = "raised at " + e.To
	case e.To == "":
		move = "stays at " + e.From
	}
	return fmt.Sprintf("#%d %s %s by %s (%s): %s", e.Seq, e.At.Format(time.RFC3339), e.Event, e.Actor, e.Role, move)
}

// LogValue gives log/slog the entry without its facts, forms or note.
func (e Entry) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("seq", e.Seq),
		slog.Time("at", e.At),
		slog.String("event", e.Event),
		slog.String("actor", e.Actor),
		slog.String("role", e.Role),
		slog.String("from", e.From),
		slog.String("to", e.To),
	)
}

// Raise is the act of raising a case: who raised it, in which role and
// agency, when, and what is known.
type Raise struct {
	CaseID string
	Actor  string
	Role   string
	Agency string
	At     time.Time
	Facts  map[string]any
	Forms  map[string]map[string]any
	Note   string
}

// Event is an act on a case: the event's name, who fired it and when, and any
// fact updates, form data and note that come with it.
//
// Facts and form fields take Go values of their type: bool; int, int32,
// int64, json.Number or a whole float64 (as JSON gives numbers); string;
// []string or []any of strings for a list. A date takes a "YYYY-MM-DD" string, a
// calendar.Date or a time.Time (its date in Europe/London), and the case
// keeps it as the "YYYY-MM-DD" string, so a case read back from JSON holds
// the same value. The same goes for Raise.
type Event struct {
	Name   string
	Actor  string
	Role   string
	Agency string
	At     time.Time
	Facts  map[string]any
	Forms  map[string]map[string]any
	Note   string
	// Revision, when not zero, must equal the head's revision: the host's
	// guard against firing on a case another user has changed meanwhile.
	Revision int64
}
