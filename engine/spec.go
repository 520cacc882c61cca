package engine

import (
	"slices"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// The policy language's keys, declared once. The loader checks every mapping
// against these tables (unknown, missing and duplicate keys, value types,
// allowed values, "did you mean") and JSONSchema is generated from them, so
// the two cannot drift apart. The descriptions are LANGUAGE.md's.

// kind is what a key's value must be.
type kind uint8

const (
	kindText     kind = iota + 1 // a string, not blank
	kindScalar                   // any single value, read as text (a document's date)
	kindBool                     // true or false
	kindDate                     // YYYY-MM-DD
	kindWithin                   // a timescale: "2 working days", "24 hours", "immediately"
	kindGuard                    // a CEL expression
	kindEnum                     // one of typ.values
	kindRef                      // the id of another element; typ.ref names what
	kindPolicyID                 // the policy's own id
	kindFrom                     // stage, raised, milestone.NAME or fact.NAME
	kindFactRef                  // fact.NAME
	kindAny                      // anything; the reader checks it (a fact's default)
	kindList                     // a list of typ.elem, each one once
	kindObject                   // a mapping with typ.shape's keys
	kindIDMap                    // a mapping from ids to typ.shape
	kindSources                  // a source, or a list of them
	kindYearly                   // a yearly day off: "9 May", "first Monday of June"
)

// typ is a value's type.
type typ struct {
	kind   kind
	values []string // kindEnum
	ref    string   // kindRef: what the id names, as messages say it ("role")
	elem   *typ     // kindList
	shape  *shape   // kindObject, kindIDMap
	min    int      // kindList, kindIDMap: the fewest entries
}

// field is one key of a mapping.
type field struct {
	name     string
	typ      typ
	required bool
	onlyIf   *cond // required when the condition holds and not allowed otherwise
	since    langVersion
	desc     string
}

// cond holds when the sibling key has the value.
type cond struct{ key, value string }

// shape is the keys of one kind of mapping.
type shape struct {
	name      string // how messages name the element, and its name in the schema
	desc      string
	fields    []field
	exclusive [][2]string // pairs of keys that may not both appear
	// notHere are keys of other shapes that a policy lead may well write in
	// this one, with why they cannot be here.
	notHere map[string]string
	// forms, when set, are the ways of writing the element: exactly one
	// group of keys must be given, each key of it (a day off is a date, a
	// range from and to, or a yearly rule).
	forms [][]string
}

// index returns the position of the named key, or -1.
func (s *shape) index(name string) int {
	for i := range s.fields {
		if s.fields[i].name == name {
			return i
		}
	}
	return -1
}

// keys returns the names of the keys, in table order.
func (s *shape) keys() []string {
	ks := make([]string, len(s.fields))
	for i, f := range s.fields {
		ks[i] = f.name
	}
	return ks
}

const (
	identPattern    = `^[a-z][a-z0-9_]*$`
	policyIDPattern = `^[a-z][a-z0-9_-]*$`
)

// langVersion is a version of the policy language. A minor version only adds
// keys and values: every file valid in an earlier version means the same in
// a later one, and a file names the version it needs. A key added in a
// version is an error in a file that names an earlier one, so that a policy
// lead who copies a new construct into an old file is told to change its
// first line, and an old engine refuses a new file instead of misreading it.
type langVersion uint8

// The language's versions, in order.
const (
	v1   langVersion = iota // escalation/v1
	v1_1                    // escalation/v1.1: dates in force, date anchors, whichever is sooner, outcome duties, conditional and urgent duties, milestones per visit
)

// languages names each version, in order.
var languages = [...]string{v1: "escalation/v1", v1_1: "escalation/v1.1"}

// latest is the newest version of the language.
const latest = v1_1

func (v langVersion) String() string { return languages[v] }

var (
	tText     = typ{kind: kindText}
	tBool     = typ{kind: kindBool}
	tTextList = typ{kind: kindList, elem: &tText}
	tGuard    = typ{kind: kindGuard}
	tWithin   = typ{kind: kindWithin}
)

func tRef(what string) typ { return typ{kind: kindRef, ref: what} }

func tRefs(what string, min int) typ {
	r := tRef(what)
	return typ{kind: kindList, elem: &r, min: min}
}

func tEnum(values ...string) typ { return typ{kind: kindEnum, values: values} }

func tObject(s *shape) typ { return typ{kind: kindObject, shape: s} }

func tIDMap(s *shape, min int) typ { return typ{kind: kindIDMap, shape: s, min: min} }

func tList(s *shape, min int) typ {
	o := tObject(s)
	return typ{kind: kindList, elem: &o, min: min}
}

// withMeta adds the keys every element may carry.
func withMeta(fields ...field) []field {
	return append(fields,
		field{name: "source", typ: typ{kind: kindSources}, desc: "Where this comes from: {file, quote}, or a list of them. file is one of the policy's documents; quote is the document's own words, short enough to find."},
		field{name: "assumption", typ: tText, desc: "What the procedure does not say and what was chosen instead. The validator lists every assumption as a warning so that a reviewer confirms it."},
	)
}

func jurisdictions() []string {
	var js []string
	for _, j := range calendar.Jurisdictions() {
		js = append(js, string(j))
	}
	return js
}

var sourceShape = &shape{name: "source", desc: "A citation of the published procedure.", fields: []field{
	{name: "file", typ: tRef("document"), required: true, desc: "One of the policy's documents."},
	{name: "quote", typ: tText, desc: "The document's own words, short enough to find."},
}}

var documentShape = &shape{name: "document", desc: "A source document the policy encodes.", fields: []field{
	{name: "file", typ: tText, required: true, desc: "The document's file name; every source names one of these."},
	{name: "title", typ: tText, desc: "The document's title."},
	{name: "url", typ: tText, desc: "Where the document is published."},
	{name: "date", typ: typ{kind: kindScalar}, desc: "The document's date."},
}}

var noteShape = &shape{name: "note", desc: "Guidance a host shows to users.", fields: withMeta(
	field{name: "text", typ: tText, required: true, desc: "The guidance."},
	field{name: "level", typ: tEnum(string(NoteInfo), string(NoteWarning)), desc: "How prominently to show it: info (the default) or warning."},
)}

var roleShape = &shape{name: "role", desc: "Someone who takes part in the procedure. Only a person acting in a role a transition names may fire it.", fields: withMeta(
	field{name: "title", typ: tText, required: true, desc: "How the role is shown."},
	field{name: "description", typ: tText, desc: "Optional prose."},
)}

var factShape = &shape{name: "fact", desc: "Case data that guards read.", fields: withMeta(
	field{name: "type", typ: tEnum(string(FactBool), string(FactInt), string(FactString), string(FactEnum), string(FactDate), string(FactList)), required: true,
		desc: "bool (CEL bool, default false), int (int, default 0), string (string, default \"\"), enum (string, one of values, default the first), date (google.protobuf.Timestamp, no default) or list (list(string), default empty)."},
	field{name: "description", typ: tText, required: true, desc: "What the fact means."},
	field{name: "default", typ: typ{kind: kindAny}, desc: "The value before a case sets it. A date fact has no default."},
	field{name: "personal", typ: tBool, desc: "The fact identifies a person: its value never appears in error messages or logs."},
	field{name: "values", typ: typ{kind: kindList, elem: &tText, min: 1}, onlyIf: &cond{"type", string(FactEnum)}, desc: "The allowed values of an enum fact."},
)}

var milestoneShape = &shape{name: "milestone", desc: "A named moment in a case that deadlines can count from.", fields: withMeta(
	field{name: "title", typ: tText, required: true, desc: "How the milestone is shown."},
	field{name: "per_visit", typ: tBool, since: v1_1, desc: "The milestone belongs to a stage visit (escalation/v1.1): entering a stage or an outcome clears it, so that it can be set again at each stage, as a meeting held at every stage."},
)}

var fieldShape = &shape{name: "field", desc: "One entry on a form.", fields: withMeta(
	field{name: "type", typ: tEnum(string(FieldString), string(FieldText), string(FieldDate), string(FieldBool), string(FieldInt), string(FieldEmail), string(FieldEnum)), required: true, desc: "The field's type."},
	field{name: "title", typ: tText, desc: "How the field is labelled."},
	field{name: "required", typ: tBool, desc: "The form is not complete without it."},
	field{name: "personal", typ: tBool, desc: "Personal data (a field is personal when the form or the field says so)."},
	field{name: "values", typ: typ{kind: kindList, elem: &tText, min: 1}, onlyIf: &cond{"type", string(FieldEnum)}, desc: "The allowed values of an enum field."},
)}

var sectionShape = &shape{name: "section", desc: "A part of a form that is required at some stages only.", fields: withMeta(
	field{name: "title", typ: tText, desc: "How the section is shown."},
	field{name: "stages", typ: tRefs("stage", 1), desc: "The section is required when completing the form at these stages."},
	field{name: "fields", typ: tIDMap(fieldShape, 0), desc: "The section's fields, by id."},
)}

var formShape = &shape{name: "form", desc: "A document the procedure asks people to complete.", fields: withMeta(
	field{name: "title", typ: tText, required: true, desc: "The form's title."},
	field{name: "personal", typ: tBool, desc: "The whole form names a person: every field is personal data."},
	field{name: "guidance", typ: tTextList, desc: "Guidance on completing the form."},
	field{name: "fields", typ: tIDMap(fieldShape, 0), desc: "The form's own fields, by id."},
	field{name: "sections", typ: tIDMap(sectionShape, 0), desc: "Parts of the form required at some stages only, by id."},
)}

var recordShape = &shape{name: "record", desc: "Something that must be written down.", fields: withMeta(
	field{name: "text", typ: tText, required: true, desc: "What must be recorded."},
	field{name: "form", typ: tRef("form"), desc: "The form it is recorded on."},
)}

var expediteShape = &shape{name: "expedite", desc: "A shorter timescale when the guard holds at the moment the deadline is fixed.", fields: withMeta(
	field{name: "when", typ: tGuard, required: true, desc: "A CEL guard (see Guards)."},
	field{name: "within", typ: tWithin, required: true, desc: "The shorter timescale."},
)}

var breachShape = &shape{name: "breach", desc: "What an overdue obligation means.", fields: withMeta(
	field{name: "message", typ: tText, desc: "What to tell people."},
	field{name: "notify", typ: tRefs("role", 0), desc: "Roles to tell."},
)}

// fromDesc says what from: takes, for obligations and their other deadlines.
const fromDesc = "What the deadline counts from: stage (the default: when the stage, or the outcome, was entered), raised (when the case was raised), milestone.NAME, or fact.NAME (escalation/v1.1: a date fact, counted as an event on that day)."

var alternativeShape = &shape{name: "sooner deadline", desc: "Another deadline for the duty; it is due at the earliest of its deadlines that are known.", fields: withMeta(
	field{name: "within", typ: tWithin, desc: "A timescale, counted from from."},
	field{name: "from", typ: typ{kind: kindFrom}, desc: fromDesc},
	field{name: "by", typ: typ{kind: kindFactRef}, desc: "fact.NAME, a date fact: due by the end of that date, once the case gives it."},
), exclusive: [][2]string{{"by", "within"}, {"by", "from"}}}

var obligationShape = &shape{name: "obligation", desc: "What must happen in a stage, or after an outcome, with its own deadline.", fields: withMeta(
	field{name: "title", typ: tText, required: true, desc: "The duty, in the procedure's words."},
	field{name: "owner", typ: tRef("role"), desc: "The role that owes it."},
	field{name: "within", typ: tWithin, desc: "The timescale: N working day(s) (0 working days: by the end of the working day), N hour(s), immediately or without delay. Omit it when the procedure states none; the obligation then has no deadline."},
	field{name: "from", typ: typ{kind: kindFrom}, desc: fromDesc},
	field{name: "whichever_sooner", typ: tList(alternativeShape, 1), since: v1_1, desc: "Other deadlines (escalation/v1.1): each {within, from} or {by: fact.NAME}. The duty is due at the earliest deadline known; one known later may bring it forward, never back."},
	field{name: "urgent", typ: tBool, since: v1_1, desc: "As soon as possible (escalation/v1.1): listed before timed duties and marked urgent; never overdue by itself. A within: is its backstop."},
	field{name: "when", typ: tGuard, since: v1_1, desc: "A CEL condition on the case's facts and milestones (escalation/v1.1): the duty is owed only while it holds, decided when the stage is entered and again whenever facts or milestones change. A duty already met stays."},
	field{name: "expedite", typ: tObject(expediteShape), desc: "{when: CEL, tWithin: …}: a shorter timescale when the guard holds at the moment the deadline is fixed."},
	field{name: "breach", typ: tObject(breachShape), desc: "What an overdue obligation means: message, and notify (roles to tell)."},
)}

// transitionFields are the keys of a stage's transitions; any_stage ones add
// only and except.
func transitionFields() []field {
	return []field{
		{name: "event", typ: tText, required: true, desc: "The event's name, as the host fires it."},
		{name: "to", typ: tRef("stage or outcome"), desc: "A stage or outcome id; omit it for an event that records something without moving the case."},
		{name: "roles", typ: tRefs("role", 1), required: true, desc: "Who may fire it."},
		{name: "when", typ: tGuard, desc: "A CEL guard over the case; omitted means always."},
		{name: "requires", typ: tRefs("obligation", 0), desc: "Obligations of the current stage that must be met first."},
		{name: "forms", typ: tRefs("form", 0), desc: "Forms that must be complete first."},
		{name: "completes", typ: tRefs("obligation", 0), desc: "Obligations of the current stage this event meets."},
		{name: "sets", typ: tRefs("milestone", 0), desc: "Milestones this event records."},
		{name: "note", typ: tText, desc: "Guidance shown with the event."},
	}
}

var transitionShape = &shape{name: "transition", desc: "A way out of a stage on a named event.", fields: withMeta(transitionFields()...)}

// outcomeTransitionShape is a stage transition without to: an outcome is
// final, and its transitions only record what is done after it.
var outcomeTransitionShape = &shape{name: "outcome transition", desc: "An event after an outcome (escalation/v1.1): it meets the outcome's duties and records what was done; the case stays closed.",
	fields:  withMeta(slices.DeleteFunc(transitionFields(), func(f field) bool { return f.name == "to" })...),
	notHere: map[string]string{"to": "an outcome is final, so no transition leaves it: remove to:"},
}

var anyStageShape = &shape{name: "any_stage transition", desc: "A transition that applies in every stage, or in those named by only or except.",
	fields: withMeta(append(transitionFields(),
		field{name: "only", typ: tRefs("stage", 1), desc: "The stages it applies in."},
		field{name: "except", typ: tRefs("stage", 1), desc: "The stages it does not apply in."},
	)...),
	exclusive: [][2]string{{"only", "except"}},
}

var stageShape = &shape{name: "stage", desc: "One rung of the escalation ladder.", fields: withMeta(
	field{name: "title", typ: tText, required: true, desc: "How the stage is shown."},
	field{name: "description", typ: tText, desc: "Optional prose."},
	field{name: "involves", typ: tRefs("role", 0), desc: "Roles taking part in the stage."},
	field{name: "obligations", typ: tIDMap(obligationShape, 0), desc: "What must happen, by id, each with a deadline."},
	field{name: "records", typ: tList(recordShape, 0), desc: "What must be written down: {tText, form, source, assumption}."},
	field{name: "forms", typ: tRefs("form", 0), desc: "Forms the stage needs."},
	field{name: "transitions", typ: tList(transitionShape, 0), desc: "The ways out. Every stage needs at least one that leaves it."},
)}

var outcomeShape = &shape{name: "outcome", desc: "A terminal state: a case that reaches one is closed.", fields: withMeta(
	field{name: "kind", typ: tEnum(string(OutcomeResolved), string(OutcomeFinalDecision), string(OutcomeReferred), string(OutcomeWithdrawn)), required: true, desc: "resolved, final_decision, referred or withdrawn."},
	field{name: "title", typ: tText, required: true, desc: "How the outcome is shown."},
	field{name: "route", typ: tEnum(string(RouteComplaint), string(RouteWhistleblowing), string(RouteChildProtectionConference), string(RouteIndependentAdviser), string(RouteChildrenSocialCare), string(RouteOther)),
		onlyIf: &cond{"kind", string(OutcomeReferred)}, desc: "Where a referred case goes."},
	field{name: "records", typ: tList(recordShape, 0), desc: "What must be written down."},
	field{name: "obligations", typ: tIDMap(obligationShape, 0), since: v1_1, desc: "What is owed after the outcome, by id, each with a deadline (escalation/v1.1): from: stage counts from the outcome being reached."},
	field{name: "transitions", typ: tList(outcomeTransitionShape, 0), since: v1_1, desc: "Events after the outcome that meet its duties (escalation/v1.1); they have no to: the case stays closed."},
)}

var dayOffShape = &shape{name: "day off", desc: "A day that is not a working day although the jurisdiction works it: give date, from and to, or yearly.",
	fields: withMeta(
		field{name: "name", typ: tText, required: true, desc: "The day's name, as explanations and timelines show it."},
		field{name: "date", typ: typ{kind: kindDate}, desc: "One weekday off, YYYY-MM-DD."},
		field{name: "from", typ: typ{kind: kindDate}, desc: "The first day of a range of days off, YYYY-MM-DD; with to. Weekends and bank holidays in the range stay as they are."},
		field{name: "to", typ: typ{kind: kindDate}, desc: "The last day of the range, YYYY-MM-DD, at most 31 days after from."},
		field{name: "yearly", typ: typ{kind: kindYearly}, desc: "Every year: a date (\"9 May\"), moved to the next weekday not already off when it falls at a weekend, or a weekday (\"first Monday of June\", \"last Monday of August\")."},
	),
	forms: [][]string{{"date"}, {"from", "to"}, {"yearly"}},
}

var calendarShape = &shape{name: "calendar", desc: "The policy's own days off, on top of its jurisdiction's bank holidays.", fields: withMeta(
	field{name: "days_off", typ: tList(dayOffShape, 1), required: true, desc: "The days off: each a name, a source, and date, from and to, or yearly."},
)}

var policyShape = &shape{name: "policy", desc: "One partnership's procedure for resolving professional disagreements (policies/LANGUAGE.md).", fields: withMeta(
	field{name: "language", typ: tEnum(languages[:]...), required: true, desc: "The language version: escalation/v1, or escalation/v1.1 for the keys it adds."},
	field{name: "id", typ: typ{kind: kindPolicyID}, required: true, desc: "Short identifier: a lower-case letter, then lower-case letters, digits, - and _. Cases record it."},
	field{name: "title", typ: tText, required: true, desc: "The procedure's title as published."},
	field{name: "partnership", typ: tText, required: true, desc: "Who publishes the procedure."},
	field{name: "version", typ: tText, required: true, desc: "The procedure's version, as a string. A case stays on the version it was raised under."},
	field{name: "approved", typ: typ{kind: kindDate}, desc: "Approval date, YYYY-MM-DD, in quotes (\"2025-03-01\"): unquoted, YAML 1.1 tools read a timestamp."},
	field{name: "review_due", typ: typ{kind: kindDate}, desc: "Review date, YYYY-MM-DD, in quotes. The validator warns once it has passed."},
	field{name: "in_force_from", typ: typ{kind: kindDate}, since: v1_1, desc: "The date from which this version applies, YYYY-MM-DD, in quotes (escalation/v1.1). A new case is raised under the version in force on the day it is raised; without it, the version is in force from the start."},
	field{name: "jurisdiction", typ: tEnum(jurisdictions()...), required: true, desc: "Whose bank holidays count: the base of the policy's calendar."},
	field{name: "calendar", typ: tObject(calendarShape), desc: "Days off the policy declares on top of the jurisdiction's bank holidays: an area's own holidays, a newly proclaimed day, days the partnership does not work."},
	field{name: "scope", typ: typ{kind: kindList, elem: &typ{kind: kindEnum, values: []string{"children", "adults"}}, min: 1}, required: true, desc: "Who the procedure protects: children and/or adults."},
	field{name: "documents", typ: tList(documentShape, 1), required: true, desc: "The source documents. Every source names one of these files."},
	field{name: "notes", typ: tList(noteShape, 0), desc: "Guidance a host shows to users."},
	field{name: "roles", typ: tIDMap(roleShape, 1), required: true, desc: "The roles, by id."},
	field{name: "facts", typ: tIDMap(factShape, 0), desc: "The case data guards may read, by id."},
	field{name: "milestones", typ: tIDMap(milestoneShape, 0), desc: "Named moments in a case that deadlines can count from, by id."},
	field{name: "forms", typ: tIDMap(formShape, 0), desc: "The forms, by id."},
	field{name: "start", typ: tRef("stage"), required: true, desc: "The id of the stage a new case enters."},
	field{name: "stages", typ: tIDMap(stageShape, 1), required: true, desc: "The stages, by id, in ladder order."},
	field{name: "any_stage", typ: tList(anyStageShape, 0), desc: "Transitions that apply in every stage."},
	field{name: "outcomes", typ: tIDMap(outcomeShape, 1), required: true, desc: "The terminal states, by id."},
)}
