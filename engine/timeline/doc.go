// Package timeline computes a policy's worst-case schedule: when each stage
// is entered and each obligation falls due if a case raised at a given time
// is never resolved, does every duty in the last minute it allows, and is
// escalated at every stage on the last day allowed.
//
// # Model
//
// The case climbs the ladder (Ladder): from the start stage it leaves each
// stage by the stage's first transition to a later stage that has no
// condition (or, if all have one, the first), until a stage has none. A
// stage the climb never reaches, such as one that only an any_stage route
// on immediate risk leads to, is a branch: it is listed with the routes that
// reach it, and has no dates, since they depend on when a route is taken.
// Other any_stage shortcuts are ignored, because they only ever shorten the
// wait. So are expedited timescales, unless WithFacts gives the case's
// facts: then an obligation whose expedite condition holds for them, when
// its deadline is fixed, gets its expedited timescale, as the engine's case
// would (engine.Policy.Timescale).
//
// At each stage the case owes what a case that stays unresolved owes:
//
//   - the obligations that count from entering the stage or from the raise;
//   - those that count from a milestone set on the way: by the transition
//     that entered the stage (set then), or by an act during the stage;
//   - an act is the first transition that keeps the case at the stage and
//     meets an owed obligation with a timescale, fired in the last minute
//     that obligation allows. The way out also fires the transitions that
//     set the milestones its own obligations count from, and that meet the
//     obligations it requires, in the last minute the stage's other
//     deadlines allow.
//
// Obligations that count from a milestone nothing on the way sets are owed
// only if it is set (OnlyIf): the duties that follow an agreement ("advise
// the agency of the outcome within 1 working day") are never owed by a case
// that does not reach agreement, so they do not lengthen the wait.
//
// The first stage is entered when the case is raised; each later stage one
// minute before the previous stage's latest deadline (for working days, at
// 23:59 on its due date, the last minute on which it is on time), or at once
// when the stage before states no timescale (Stage.Note says so). Each
// deadline counts from its anchor as the engine counts it, so the engine,
// given the schedule's events at the schedule's times, shows the same
// deadlines: the package's tests replay every bundled policy's schedule
// through the engine and compare.
//
// The constructs of escalation/v1.1: a duty is due at the earliest of its own
// deadline and its whichever_sooner ones whose anchors are known; a date the
// case gives is known only from WithFacts's facts, so without them a duty
// counted only from one cannot be dated (ByCase). A duty whose condition
// (when:) does not hold for the facts (their defaults, without WithFacts)
// when the stage is entered is not owed (NotOwed), and the acts that would
// meet only such duties are not done. An urgent duty without a backstop has
// no deadline (Untimed). A per-visit milestone is cleared at each stage. The
// duties an outcome owes are scheduled as if the case reached it when the
// ladder ends (Schedule.Outcomes).
//
// Every deadline keeps the calendar's explanation (calendar.Deadline): the
// rule applied and, for working days, which dates counted and why the others
// (weekends, bank holidays) did not.
package timeline
