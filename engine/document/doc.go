// Package document writes a policy as a Markdown document that a
// partnership can read, check against its published procedure, and sign off.
//
// # Model
//
// The document is generated from the loaded policy alone, in the policy
// file's order, so it never says anything the engine does not do:
//
//   - the title block: partnership, version, approval and review dates,
//     jurisdiction (whose bank holidays count), scope and source documents;
//   - notes for users, roles, case data (facts) and milestones;
//   - the ladder: each stage with who is involved, its obligations (owner,
//     timescale, what it counts from, any sooner deadline, expedite and
//     breach, urgency, and the condition under which it is owed), records,
//     forms and transitions (event, destination, roles, condition);
//   - transitions that apply in every stage;
//   - a timescales table with a running total of working days along the
//     ladder (see below);
//   - forms and their fields, with personal data marked; outcomes and
//     referral routes, with the duties each still owes and the events after
//     it;
//   - every assumption, numbered with its place in the file, as a checklist.
//
// Every source quote is reproduced beside the element it supports.
//
// # Running totals
//
// The running total is the number of working days from the case being
// raised by which each obligation is due if every earlier stage takes its
// full time: the same climb as the timeline package's worst case
// (timeline.Ladder). Timescales counted from the case being raised are shown
// as "from raised: N"; those counted from the stage add to the stage's
// starting total; those counted from a milestone add to the total at which
// the climb sets it (on entering a stage, or by an act in the last day the
// duty it meets allows). Duties owed only after a milestone the climb never
// sets, such as an agreement, get no total and add nothing. A stage that
// states no timescale adds nothing and the later totals say they leave it
// out; a timescale in hours cannot be added to working days, so totals after
// it are not given, nor is one counted from a date the case gives. A duty
// with a sooner deadline is totalled by its own timescale, "or sooner"; an
// urgent duty by its backstop, if it has one. A milestone set again at each
// stage visit counts only in the stage that sets it.
package document
