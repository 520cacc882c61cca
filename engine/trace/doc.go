// Package trace keeps a policy honest to the text it encodes, in the reverse
// direction from its citations: a traceability matrix lists every
// rule-bearing sentence of a source document and says what in the policy
// encodes it, which assumption it rests on, or why it is not encoded.
//
// # Model
//
// A Matrix is one policy's table for one document, kept as YAML beside the
// policy (the bundled ones in policies/trace/) so that a business manager can
// read it, and its changes, in a diff:
//
//	policy: sefton
//	document: 000_11160ea6dbad09b5.txt
//	sentences:
//	  - said: "Respective Managers should record cases escalated using the Agency Escalation Summary Log (Appendix 1)"
//	    encoded: [forms.agency_escalation_summary_log, stages.step2.records.1]
//	  - said: "The discussion between managers must occur within a further 2 working days of step 1 (4 days total), with a mutually agreed plan of action including timescales."
//	    assumption: [stages.step2.obligations.managers_agree_plan]
//	  - said: "Professional disputes which obscure the focus on the child or young person must be avoided."
//	    not_encoded: A principle of conduct; it names no act, role, timescale or record.
//
// Each entry quotes one whole sentence of the document (said) and gives
// exactly one of: encoded, the policy elements that encode it; assumption,
// the elements that encode it, at least one of whose own assumption says how
// the sentence was read where it is silent or unclear; not_encoded, the reason it is not encoded. An element is
// named by its path in the policy file: roles.ID, facts.ID, milestones.ID,
// forms.ID (.fields.F, .sections.S, .sections.S.fields.F), stages.ID,
// stages.ID.obligations.O (.expedite, .breach), stages.ID.records.N,
// stages.ID.transitions.EVENT, any_stage.EVENT, outcomes.ID,
// outcomes.ID.records.N and notes.N (N counts from 1); and the policy's own
// keys (title, version, approved, review_due, jurisdiction, scope, start).
//
// # Sentences
//
// Sentences splits a document as a reader would: each line is a paragraph
// (a line that starts in lower case or with punctuation continues the one
// before, as extraction breaks them); extraction markup (bookmarks,
// footnote references and marks, underline and bold marks) and list bullets
// are dropped; a paragraph ends a sentence at ".", "?" or "!" (and any closing
// quote or bracket) followed by space and a capital letter, digit, quote or
// bracket. Spacing and typographic quotes and dashes are normalised, as for
// quotes (engine.WithDocuments). A sentence that occurs several times (a
// flowchart repeating the body) is one sentence.
//
// # Rule-bearing sentences
//
// RuleBearing flags a sentence that states, or may state, a timescale, a
// duty, a role, a form, a record or a route, by the first of these cues it
// contains (whole words, any case):
//
//   - timescales: "working day(s)", "day(s)", "hour(s)", "immediately",
//     "without delay", "as soon as possible", "urgent(ly)"/"urgency",
//     "within", "timescale(s)", "timely", "earliest opportunity";
//   - duties: "must", "should", "shall", "can request", "need(s) to",
//     "require(s/d)";
//   - routes: "escalate(d/s)", "escalating", "refer", "referral",
//     "referred", "complaint", "whistle", "grievance", "conference",
//     "adviser";
//   - records and forms: "record(s/ed)", "form", "log", "report",
//     "in writing", "letter", "email"/"e-mail";
//   - roles: "manager", "head of service", "director", "chair", "lead",
//     "supervisor", "representative", "executive", "scrutineer",
//     "designated".
//
// The cues are deliberately wide: a principle that says "should" has to be
// accounted for as not encoded, with its reason, rather than slip past.
//
// # Checks
//
// Check fails when a rule-bearing sentence of the document has no entry,
// when an entry's sentence is no longer in the document, when a path names
// nothing in the policy, when an assumption entry names no element that
// states an assumption, and when an entry gives none or more than one of encoded,
// assumption and not_encoded. Coverage counts the entries by kind, for the
// policy's document (escalation doc).
package trace
