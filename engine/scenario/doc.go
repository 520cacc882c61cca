// Package scenario reads and runs scenario files: acceptance tests, written
// in YAML by the people who own a procedure, that tell the story of one case
// and say after each step what the procedure must show. The format is
// documented in policies/SCENARIOS.md.
//
// # Model
//
// Parse reads a file strictly, walking the YAML tree so that every problem
// (an unknown key, with "did you mean"; a missing or duplicate key; a value
// of the wrong type; a time or date that does not read) is an
// engine.Diagnostic with the file, line and column, like the policy
// loader's. A File is the story: the policy it runs under, the case being
// raised, and the steps, each with its Expectations in file order.
//
// Run resolves the policy (WithResolver; by default PolicyFile, a path
// relative to the scenario file), adds the story's closure days (its
// closures key, in calendar.ParseClosures' format) and the host's
// (WithClosures) to the policy's calendar with engine.Policy.WithClosures,
// raises the case and fires each step's event through the engine, then
// checks each expectation against the case at the step's time:
//
//   - stage, outcome: where the case is;
//   - due and status also read the duties an outcome owes, once the case
//     has reached it;
//   - due: an obligation's due date (engine.Duty.DueDate), none, or urgent
//     (an urgent duty with no backstop);
//   - status: an obligation's status, or not_owed for a duty the case does
//     not owe (its condition does not hold);
//   - overdue: exactly which obligations are overdue at a time;
//   - available: exactly which events a role may fire;
//   - refused: the step's event is refused for a reason (Reasons maps the
//     names to the engine's errors) and, optionally, with a message. The
//     case stays as it was and the story goes on.
//
// Each entry under due and status is an expectation of its own, so each can
// fail at its own line. A step refused when no refusal was expected is a
// failure that ends the story: the expectations after it are counted as not
// run. A Result counts expectations passed, failed and not run, and lists
// each Failure as "file:line: expected X, got Y".
//
// # Times
//
// Times are RFC 3339, or a local date and time in Europe/London written
// YYYY-MM-DDTHH:MM, or a date alone, which means 09:00 local time, the start
// of a working day (ParseTime). Due dates are YYYY-MM-DD: the last day on
// which the obligation is on time.
//
// The package does not know the bundled policies: a host that wants
// scenarios to name them by id passes a Resolver that finds them.
package scenario
