// Package temporal runs escalation cases as durable Temporal workflows: the
// engine decides, Temporal keeps each case's head, serialises its events,
// and wakes the host when a duty falls due, across restarts, deploys and any
// number of servers.
//
// # A case is a workflow
//
// A case's workflow (WorkflowName) has the case's id as its workflow id, and
// raising the case starts it (Client.Raise starts it and asks for the first
// entry in one call). Its state is the case's head, never its record: each
// accepted act's entry goes to the host's Store by an activity, one entry at a
// time and in order, and the record lives in the host's database, appended
// to, as with the engine alone.
//
// Each event is a Temporal update (UpdateFire). Its validator runs the
// engine's Fire on the current head: an event the engine refuses is rejected
// there, synchronously, and leaves nothing in the workflow's history. The
// refusal crosses the Temporal boundary as an application error of type
// RefusedType whose details hold the engine's reasons (Refused: each reason's
// code, transition and detail); FromError turns it back into the engine's
// *engine.RefusedError, so a caller tests errors.Is(err,
// engine.ErrGuardFalse) and errors.As as on the engine's own errors. Other
// engine errors travel as ErrorType (Problem), and come back as an
// *engine.InputError or an error matching the engine's sentinel. An accepted
// event is applied by the handler, which answers once the store has its
// entry. Nothing yields between the validator and the handler's change of the
// head, so two events sent at once are applied one after the other, each
// decided on the head the other left.
//
// The time of every act is the workflow's (workflow.Now): the time Temporal
// accepted it. An event or raise that names its own time is refused.
//
// Queries answer from the head: QueryHead, QueryDue (what the case owes at a
// time, as Duty values) and QueryAvailable (what an actor may fire, as Action
// values, and why not).
//
// # Deadlines are durable timers
//
// For every duty the case owes that has a deadline, the workflow keeps a
// timer to it. The deadline is the engine's (engine.Duty.Due, fixed when the
// duty's anchor occurred); the workflow never counts days itself, except to
// step back from a due date to the working day before it, on the policy's
// calendar, for a reminder (Options.Remind). When the timer fires and the
// duty is still owed, the workflow calls the host's Notifier (an activity)
// with a Notice. A duty met cancels its timers; entering a stage arms the new
// stage's, and a deadline brought forward replaces its timer. An urgent duty
// with no deadline has no timer.
//
// The workflow completes, with the case's last head as its result, when the
// case has reached an outcome and the engine's Due lists nothing unmet there.
// Duties an outcome owes (escalation/v1.1: "advise the agency of the outcome
// within 1 working day") keep it open: their timers are armed like a
// stage's, and the events that meet them are fired on the closed case.
//
// # Long-lived cases stay small
//
// Past Options.MaxHistory events (DefaultMaxHistory), or when the server
// suggests it, the workflow finishes what is under way (entries stored,
// notices sent, updates answered) and continues as new with the head, its
// options, and the notices already sent for what the case owes now. The next
// run arms its timers again from the head: the deadlines, being the head's,
// are the same.
//
// # Determinism
//
// Workflow code must decide the same on every replay. The policies are the
// worker's (Register takes an engine), never the history's: a new case's
// policy version is recorded once, as a side effect, so a replay on a worker
// that has loaded a newer version since raises it on the same one; a case runs
// on that version for life, and a worker without it fails the workflow task
// (Temporal retries it until a worker that has it takes it) rather than the
// case. The workflow reads no clock but workflow.Now, ranges over no map, and
// starts its timers in the order the engine lists the duties.
//
// A change to what the workflow does (which timers, activities and markers
// it starts, in which order) goes behind workflow.GetVersion, so that runs
// started before it replay as they ran. The replayer test replays histories
// recorded from a real server (testdata/histories; internal/record records
// them again) against the code and engine of today, and fails on any change
// that would break a running case.
package temporal
