// Package diagram draws a policy as a flowchart, in Mermaid (for Markdown
// pages that render it, such as GitHub's) or Graphviz DOT.
//
// # Model
//
// The chart has one node per stage, in ladder order, and one per outcome,
// drawn in a distinct shape; a "Case raised" node points at the start
// stage. A stage's node lists its obligations' timescales ("agree_plan: 2
// working days from raised"), with the shorter timescale that applies when
// an expedite condition holds, any sooner deadline ("or sooner: by
// fact.protect_by"), urgency ("as soon as possible") and the condition under
// which the duty is owed ("only when …"). An outcome's node lists the duties
// it owes ("then letter: 2 working days"). Each transition is an edge
// labelled with its event, the roles that may fire it and its guard; an
// event that records something without moving the case is a loop on its
// stage, or on its outcome for an event after the outcome. Transitions
// that apply in every stage (any_stage) leave one "Any stage" node as dashed
// edges, labelled with the stages they are limited to or exclude.
//
// Both formats come from the same graph and are deterministic: nodes and
// edges follow the policy file's order, and every label is escaped for its
// format (Mermaid entity codes; DOT string escapes), so guard text such as
// dispute_area == "threshold" || overdue draws as written.
package diagram
