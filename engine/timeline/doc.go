// Package timeline computes a policy's worst-case schedule: when each stage
// is entered and each obligation falls due if a case raised at a given time
// is never resolved and is escalated at every stage on the last day allowed.
//
// # Model
//
// The case walks the ladder in the policy's stage order (Policy.Stages),
// from the first stage to the last; any_stage shortcuts are ignored, because
// they only ever shorten the wait. So are expedited timescales, unless
// WithFacts gives the case's facts: then an obligation whose expedite
// condition holds for them, when its deadline is fixed, gets its expedited
// timescale, as the engine's case would (engine.Policy.Timescale).
//
//   - The first stage is entered when the case is raised.
//   - Each later stage is entered one minute before the previous stage's
//     latest deadline: for working-day deadlines, at 23:59 on the previous
//     stage's due date, the last minute on which it is still on time.
//   - A stage none of whose obligations states a timescale has no deadline to
//     wait for: the next stage is entered at the same instant, and the stage
//     says "no timescale stated".
//
// Each obligation's deadline counts from its anchor, as the engine counts
// it: from the case being raised (from: raised), from the stage being
// entered (the default), or from a milestone (from: milestone.NAME). On the
// ladder a milestone is taken to be set when the case enters the first stage
// that a transition setting it leads to (see SetBy); if no transition into a
// stage sets it, the deadline counts from the obligation's own stage being
// entered, and From says so.
//
// Every deadline keeps the calendar's explanation (calendar.Deadline): the
// rule applied and, for working days, which dates counted and why the others
// (weekends, bank holidays) did not.
package timeline
