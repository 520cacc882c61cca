// Package timeline computes a policy's worst-case schedule: when each stage
// is entered and each obligation falls due if a case raised at a given time
// is never resolved and is escalated at every stage on the last day allowed.
//
// # Model
//
// The case walks the ladder in the policy's stage order (Policy.Stages),
// from the first stage to the last; any_stage shortcuts and expedited
// timescales are ignored, because both only ever shorten the wait.
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
// A per-visit milestone is cleared at each stage and set again where that
// stage sets it (SetBy is the first stage along the ladder for the others).
//
// Each duty is scheduled by its own timescale: that is the latest it can be
// due, since a whichever_sooner deadline, expedite or urgency only bring it
// forward, and a conditional duty is scheduled as if its condition held. A
// duty without a timescale (an urgent one without a backstop among them) is
// listed as untimed, and one whose own timescale counts from a date the case
// gives (from: fact.NAME) cannot be dated, and is listed apart (ByCase). The
// duties an outcome owes are scheduled as if the outcome were reached when
// the ladder ends.
//
// Every deadline keeps the calendar's explanation (calendar.Deadline): the
// rule applied and, for working days, which dates counted and why the others
// (weekends, bank holidays) did not.
package timeline
