package temporal

import (
	"context"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// Store is the host's record of its cases: what the case workflows hand every
// entry to. The workflow holds the head; the store keeps the record, which is
// only ever appended to.
type Store interface {
	// Append adds the entry to the record of the case the head is of, and
	// may keep the head (the head the entry leads to) as the host's copy, to
	// list and search cases without asking Temporal. Entries arrive in
	// order, one at a time per case, but an activity runs at least once:
	// an entry whose Seq the record already holds must be accepted again
	// without a second copy. An error has the append tried again, with
	// backoff, until it succeeds: the record must not miss an entry.
	Append(ctx context.Context, head engine.Head, entry *engine.Entry) error
}

// Notifier tells people about duties falling due: by e-mail, in the host's
// task list. The workflow calls it once per notice (an activity runs at
// least once: a notice may arrive twice after a worker fails mid-call).
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// NoticeKind says why a notice was sent.
type NoticeKind string

// Notice kinds.
const (
	// Overdue: the duty's deadline passed and it is not met.
	Overdue NoticeKind = "overdue"
	// Reminder: one working day is left, by the policy's calendar (sent
	// only to cases raised with Options.Remind).
	Reminder NoticeKind = "reminder"
)

// Notice is one duty falling due on one case. It carries no fact or form
// value: nothing in it is personal data.
type Notice struct {
	Kind   NoticeKind       `json:"kind"`
	Case   string           `json:"case"`
	Policy engine.PolicyRef `json:"policy"`
	// Stage or Outcome is where the case is: the duty is one it owes there.
	Stage      string `json:"stage,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	Obligation string `json:"obligation"`
	Title      string `json:"title"`
	Owner      string `json:"owner,omitempty"`
	// Due is the instant the duty is late from; DueDate the last day it is
	// on time. At is when the workflow sent the notice.
	Due     time.Time     `json:"due"`
	DueDate calendar.Date `json:"due_date"`
	At      time.Time     `json:"at"`
	// Breach is what the policy says an overdue duty means, and Notify the
	// roles it says to tell (overdue notices only).
	Breach string   `json:"breach,omitempty"`
	Notify []string `json:"notify,omitempty"`
}

// Activities are the activities a case workflow calls, run by the worker on
// the host's Store and Notifier. Register registers them.
type Activities struct {
	Store    Store
	Notifier Notifier
}

// Append hands one entry to the host's store.
func (a *Activities) Append(ctx context.Context, r Applied) error {
	return a.Store.Append(ctx, r.Head, r.Entry)
}

// Notify hands one notice to the host's notifier.
func (a *Activities) Notify(ctx context.Context, n Notice) error {
	return a.Notifier.Notify(ctx, n)
}
