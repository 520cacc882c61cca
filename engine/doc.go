// Package engine runs statutory procedures for resolving professional
// disagreements in safeguarding as executable policy.
//
// # Model
//
// A Policy is one partnership's procedure: a ladder of Stages, each naming
// who is involved (Roles), what must happen by when (Obligations, each with
// its own deadline), what must be written down (Records) and on which Forms,
// and the ways out (Transitions on named events, to the next stage or to an
// Outcome). Transitions are guarded by CEL expressions over the case's Facts
// and restricted to roles. An Outcome may still owe duties, met by its own
// transitions, which never reopen the case. The policy language
// (escalation/v1, and escalation/v1.1, which adds keys) is documented in
// policies/LANGUAGE.md; Load reads it.
//
// A case is one disagreement about one child or adult at risk: a Head, what
// the engine needs to act on it, and a record of Entries, one per act, that is
// only ever appended to. The host stores both (as JSON) in its own database:
// the engine computes, it does not own storage, and it never reads the clock —
// every time is a parameter. A case stays on the policy id and version it was
// raised under.
//
// # Loading
//
// Load parses, checks and compiles a policy file once. Every problem is
// reported together as Diagnostics (package diag: file:line:column,
// severity, message, hint), errors and warnings alike: unknown keys with "did you mean", wrong
// types, duplicate ids, dangling references, unreachable stages, timescales
// that do not parse, and CEL guards that do not type-check against the
// declared facts, pointing at the column inside the YAML line. Guards are
// compiled once, here, never per event. WriteDiagnostics renders them as
// text with the offending line and a caret.
//
// # Running cases
//
//	p, diags := engine.Load("sefton.yaml", src, engine.WithToday(today))
//	if err := diags.Err(); err != nil { ... }
//	h, first, err := p.Raise(ctx, engine.Raise{CaseID: "c-42", Actor: "asha", Role: "practitioner", At: now})
//	h, next, err := p.Fire(ctx, h, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: later})
//	duties, err := p.Due(h, later)          // what the stage owes, each deadline and status
//	actions, err := p.Available(ctx, h, "lee", "line_manager", later) // and why not
//
// Fire returns the case's next head and the one entry that records the act;
// the host appends the entry to the case's record and replaces the head,
// refusing the write if the stored head has moved on from h.Revision. Fire
// reads only the head, so an act costs the same on a case's first day as
// after ten thousand acts. Or it returns an error saying why not:
// ErrUnknownEvent, ErrRoleNotPermitted, ErrGuardFalse (with the guard's text),
// ErrObligationsOutstanding, ErrFormsIncomplete, ErrAlreadyMet (an event that
// stays at the stage and would only complete duties met already), ErrCaseClosed,
// ErrTimeBeforeLastEvent, ErrStaleRevision, ErrPolicyMismatch,
// ErrCaseSchema (a head stored in another schema than CaseSchema),
// ErrEmptyCase (a zero Head), or ErrInvalidInput for bad facts or form data
// (including data for a form that neither the stage the act happens at nor
// the stage it moves the case to uses); test them with errors.Is. A refused
// event returns a *RefusedError listing, for each transition of that name,
// why it could not be taken.
//
// # Versions
//
// A policy may say the date it applies from (in_force_from). An Engine holds
// any number of versions of a policy and raises each new case under the
// version in force on the day the case is raised, whatever order they were
// added in (New refuses two versions in force from the same date,
// ErrVersionConflict); RaiseVersion raises under a version the host names. A
// case runs under its version for life, so a host keeps loading every version
// its stored cases were raised under; one whose successor's date is not known
// is added with WithSuperseded, which runs its cases and raises none.
//
// # Deadlines
//
// An obligation's deadline is fixed when its anchor occurs (the stage or
// outcome being entered, the case being raised, a named milestone, or a date
// the case gives in a date fact), by the calendar package's rules for the
// policy's jurisdiction, and never moves later: a duty may have other
// deadlines (whichever is sooner), and one known later can only bring it
// forward. An urgent duty ("as soon as possible") has no deadline of its own
// but an optional backstop, and Due lists it first. A duty with a condition
// is owed only while the condition holds: it is decided on entering the
// stage and again whenever an event changes the facts or milestones, and a
// duty already met is never taken away.
// A policy may declare its own days off on top of its jurisdiction's bank
// holidays (its calendar key: CalendarSpec); Load builds its calendar once,
// with them and any host's calendar given with WithCalendar, and reports
// every mistake in them at its line and column. Policy.WithClosures gives a
// copy of a policy whose calendar also skips closures known only later. With
// WithToday, Load warns when the calendar has no date for a day proclaimed
// each year (the Isle of Man's TT Bank Holiday) in the coming twelve months.
// An overdue obligation never moves a case by itself: the policy says what a
// breach allows, through guards that read the obligations' status. Duty.Explain
// gives the calendar's day-by-day reasons for a date.
//
// # The record
//
// Every accepted act is one Entry: who, in which role, what, when, from which
// stage to which, the guard that allowed it, and the facts, form data and
// note that came with it. An entry that moves the case on also keeps what the
// stage visit owed, as it stood (Entry.Left), so the record shows which
// duties were met, when, and which were left unmet; Head.Obligations holds
// only what the current visit owes, and Head.Visits lists every visit.
//
// Each entry carries its number, the hash of the entry before it and its own
// hash (SHA-256 over a fixed binary encoding of what it says), and the head
// carries the hash of the last: the record is a chain that ends at the head.
// Replay rebuilds the head from the entries alone, and Verify checks a stored
// case against them. Both read the entries as an iter.Seq2[*Entry, error], so
// the host streams them from its database (Entries wraps a slice). A record
// that was changed outside the engine fails with a *RecordError naming the
// entry and how: missing, edited, out of order or unauthenticated; a head
// that is not what its record rebuilds, or whose revision does not count its
// entries, fails too. Entries never change once recorded; heads made from
// one another share their maps, so treat them as read-only.
//
// # Proving a record
//
// The chain shows any change that does not recompute the hashes. Two things
// a host can keep out of its database's reach make the proof complete:
//
//   - A secret key (WithRecordKey). Every entry then carries an HMAC-SHA256
//     of its hash (Entry.MAC), so someone who can write the database but has
//     no key cannot forge an entry, nor rewrite a record and recompute its
//     hashes: Verify names the first entry that is unauthenticated. The key
//     is never written to a record, an error or a log.
//   - A checkpoint of each head (Head.Checkpoint: its case, revision and
//     hash), written after each write commits to somewhere the database's
//     writers cannot reach: another system, an append-only log, a receipt.
//     A database put back to an earlier state holds a genuine record, only
//     an old one; its heads are behind their checkpoints. Checkpoint.Check
//     compares a head with its checkpoint at no cost per entry, on every
//     read (read the checkpoint before the head, so a write that commits
//     in between does not look like a rollback); Verify with WithCheckpoint
//     also proves that the record holds the checkpoint's entry.
//
// # Stored cases of schema 2
//
// Cases stored by engines of schema 2 hold their record inside, under
// "history". MigrateCase reads one into a head and its entries, dropping
// nothing (the entries are the stored ones, hashes and all); the host stores
// them apart and checks the result with Verify. A head of schema 2 is
// refused with ErrCaseSchema. Acts recorded before a check was added (form
// data for another stage's form) still replay.
//
// # Personal data
//
// Facts and form fields marked personal, and notes, never appear in error
// messages; Head and Entry implement fmt.Stringer and slog.LogValuer without
// them, so logging a case is safe.
//
// # Concurrency
//
// A loaded Policy and an Engine are immutable and safe for concurrent use by
// any number of goroutines. Heads are values: two goroutines may fire events
// on the same head and get two independent results; the host's store
// decides which one wins, using Head.Revision (optimistic concurrency) and
// Event.Revision to refuse an event on a case that has changed.
package engine
