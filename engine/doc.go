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
// A Case is one disagreement about one child or adult at risk. It is a value
// the host stores (as JSON) in its own database: the engine computes, it does
// not own storage, and it never reads the clock — every time is a parameter.
// A case stays on the policy id and version it was raised under.
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
//	c, err := p.Raise(ctx, engine.Raise{CaseID: "c-42", Actor: "asha", Role: "practitioner", At: now})
//	c, err = p.Fire(ctx, c, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: later})
//	duties, err := p.Due(c, later)          // what the stage owes, each deadline and status
//	actions, err := p.Available(ctx, c, "lee", "line_manager", later) // and why not
//
// Fire returns the next case value, or an error saying why not:
// ErrUnknownEvent, ErrRoleNotPermitted, ErrGuardFalse (with the guard's text),
// ErrObligationsOutstanding, ErrFormsIncomplete, ErrAlreadyMet (an event that
// stays at the stage and would only complete duties met already), ErrCaseClosed,
// ErrTimeBeforeLastEvent, ErrStaleRevision, ErrPolicyMismatch,
// ErrCaseSchema (a case stored in another schema than CaseSchema),
// ErrEmptyCase (a zero Case), or ErrInvalidInput for bad facts or form data;
// test them with errors.Is. A refused event returns a *RefusedError listing,
// for each transition of that name, why it could not be taken.
//
// # Versions
//
// A policy may say the date it applies from (in_force_from). An Engine holds
// any number of versions of a policy and raises each new case under the
// version in force on the day the case is raised, whatever order they were
// added in (New refuses two versions in force from the same date,
// ErrVersionConflict); RaiseVersion raises under a version the host names. A
// case runs under its version for life, so a host keeps loading every version
// its stored cases were raised under.
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
// Every accepted event appends one Entry to the case's history: who, in which
// role, what, when, from which stage to which, the guard that allowed it, and
// the facts, form data and note that came with it. An entry that moves the case
// on also keeps what the stage visit owed, as it stood (Entry.Left), so the
// record shows which duties were met, when, and which were left unmet;
// Case.Obligations holds only what the current visit owes. Each entry carries
// the hash of the one before it, so VerifyHistory finds any change made outside
// the engine, and Replay rebuilds the case from its history alone; Verify
// checks a stored case against it. Entries never change once recorded, so a
// case and the cases fired from it share them: firing copies a slice of
// pointers, not the record.
//
// # Personal data
//
// Facts and form fields marked personal, and notes, never appear in error
// messages; Case and Entry implement fmt.Stringer and slog.LogValuer without
// them, so logging a case is safe.
//
// # Concurrency
//
// A loaded Policy and an Engine are immutable and safe for concurrent use by
// any number of goroutines. Cases are values: two goroutines may fire events
// on the same case value and get two independent results; the host's store
// decides which one wins, using Case.Revision (optimistic concurrency) and
// Event.Revision to refuse an event on a case that has changed.
package engine
