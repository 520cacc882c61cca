// Package diagram draws a policy as a flowchart, in Mermaid (for Markdown
// pages that render it, such as GitHub's) or Graphviz DOT.
//
// # Model
//
// The chart has one node per stage, in ladder order, and one per outcome,
// drawn in a distinct shape; a "Case raised" node points at the start
// stage. A stage's node gives its title, then its obligations by title with
// their timescales (and the shorter one that applies when an expedite
// condition holds), grouped under what they count from when that is not the
// stage being entered, then the events that record something without moving
// the case ("Recorded here"): drawn as loops, their labels would cover the
// stage. An urgent duty reads "as soon as possible" (with its backstop, if
// it has one), a duty with sooner deadlines lists them after its own ("or
// sooner: …"), and a duty owed only under a condition says so ("only when
// …"). An outcome's node lists the duties still owed once the case ends
// there ("Still owed") and the events recorded after it. Each transition that moves the case is an edge labelled with its
// event in words, the titles of the roles that may fire it and its
// condition, in words where the policy describes its parts (engine/prose).
// Transitions that apply in more than one stage (any_stage) leave one "Any
// stage" node, in a box of its own, as dashed edges labelled with the stages
// they are limited to or exclude.
//
// For Graphviz the labels are wrapped to keep the drawing near a page's
// width, the outcomes share the bottom rank, and a legend explains the
// shapes and the dashed edges; every bundled policy draws no more than
// twice as wide as it is tall.
//
// Both formats come from the same graph and are deterministic: nodes and
// edges follow the policy file's order, and every label is escaped for its
// format (Mermaid entity codes; DOT string escapes), so guard text such as
// dispute_area == "threshold" || overdue draws as written.
package diagram
