package engine

import (
	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types/ref"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// Policy is one procedure, loaded, checked and compiled. It is immutable once
// Load returns it and safe for concurrent use by any number of goroutines: its
// guards are compiled CEL programs, which are themselves immutable.
//
// Slices keep the file's order (stages in ladder order); look elements up by
// id with the Role, Fact, Stage, Outcome, Form and Milestone methods.
type Policy struct {
	Language    string
	ID          string
	Title       string
	Partnership string
	Version     string
	Approved    calendar.Date // zero when the file gives none
	ReviewDue   calendar.Date // zero when the file gives none
	// InForceFrom is the date from which this version applies: new cases
	// raised on or after it (and before a later version's) are raised
	// under it. Zero when the file gives none: in force from the start.
	InForceFrom  calendar.Date
	Jurisdiction calendar.Jurisdiction
	CalendarSpec *CalendarSpec // the days off the policy declares; nil when it declares none
	Scope        []string
	Documents    []*Document
	Notes        []*Note
	Roles        []*Role
	Facts        []*Fact
	Milestones   []*Milestone
	Forms        []*Form
	Start        *Stage
	Stages       []*Stage
	AnyStage     []*Transition
	Outcomes     []*Outcome
	Meta

	// File is the name the policy was loaded under, as diagnostics show it.
	File string

	calendar   *calendar.Calendar
	perVisit   bool // some milestone is per visit: moving on clears it
	env        *cel.Env
	interned   map[string]ref.Val // see intern
	roles      map[string]*Role
	facts      map[string]*Fact
	milestones map[string]*Milestone
	forms      map[string]*Form
	stages     map[string]*Stage
	outcomes   map[string]*Outcome
	key        *recordKey // the host's, from WithRecordKey; nil without one
}

// Meta is what every element of a policy may carry besides its own fields:
// where it comes from in the published procedure, what was assumed where the
// procedure is silent, and where it is in the policy file.
type Meta struct {
	Sources    []Source
	Assumption string
	Pos        Pos
}

// CalendarSpec is what a policy's calendar key declares: days off on top of
// its jurisdiction's bank holidays. Policy.Calendar counts in them.
type CalendarSpec struct {
	DaysOff []*DayOff
	Meta
}

// DayOff is one day off a policy declares: a single weekday (Date), a range
// (From to To), or a yearly rule (Yearly); exactly one is set.
type DayOff struct {
	Name     string
	Date     calendar.Date
	From, To calendar.Date
	Yearly   calendar.Yearly
	Meta
}

// Source cites the published procedure: a document's file and its own words.
type Source struct {
	File  string
	Quote string
	Pos   Pos
}

// Document is a source document the policy encodes.
type Document struct {
	File  string
	Title string
	URL   string
	Date  string
	Pos   Pos
}

// NoteLevel says how prominently a host should show a Note.
type NoteLevel string

// Note levels.
const (
	NoteInfo    NoteLevel = "info"
	NoteWarning NoteLevel = "warning"
)

// Note is guidance a host shows its users, such as Sefton's "Escalation via
// e-mail is not recommended".
type Note struct {
	Text  string
	Level NoteLevel
	Meta
}

// Role is someone who takes part in the procedure. Only an actor acting in a
// role a transition names may fire it.
type Role struct {
	ID          string
	Title       string
	Description string
	Meta
}

// FactType is the type of a fact's value.
type FactType string

// Fact types. Each maps to one CEL type (see the policy language reference).
const (
	FactBool   FactType = "bool"
	FactInt    FactType = "int"
	FactString FactType = "string"
	FactEnum   FactType = "enum"
	FactDate   FactType = "date"
	FactList   FactType = "list"
)

// Fact is a piece of case data that guards may read.
type Fact struct {
	ID          string
	Type        FactType
	Values      []string // the allowed values of an enum
	Default     any      // bool, int64, string, []string, or nil (date: unset)
	Description string
	Personal    bool
	Meta
}

// Milestone is a named moment in a case that deadlines may count from.
type Milestone struct {
	ID    string
	Title string
	// PerVisit: the milestone belongs to a stage visit. Entering a stage or
	// an outcome clears it, so it can be set again at each stage.
	PerVisit bool
	Meta
}

// FieldType is the type of a form field's value.
type FieldType string

// Form field types.
const (
	FieldString FieldType = "string"
	FieldText   FieldType = "text"
	FieldDate   FieldType = "date"
	FieldBool   FieldType = "bool"
	FieldInt    FieldType = "int"
	FieldEmail  FieldType = "email"
	FieldEnum   FieldType = "enum"
)

// Form is a document the procedure asks people to complete.
type Form struct {
	ID       string
	Title    string
	Personal bool // the whole form names a person: every field is personal data
	Guidance []string
	Fields   []*Field
	Sections []*Section
	Meta
}

// Section is a part of a form that is required at some stages only, such as
// Croydon's per-stage sections of its Escalation Notification Form.
type Section struct {
	ID     string
	Title  string
	Stages []*Stage
	Fields []*Field
	Meta
}

// Field is one entry on a form.
type Field struct {
	ID       string
	Title    string
	Type     FieldType
	Values   []string // the allowed values of an enum
	Required bool
	Personal bool // personal data: set when the field or its form says so
	Meta
}

// Record is something the procedure requires to be written down.
type Record struct {
	Text string
	Form *Form // nil unless the record is made on a form
	Meta
}

// Stage is one rung of the escalation ladder.
type Stage struct {
	ID          string
	Title       string
	Description string
	Index       int // position in Policy.Stages
	Involves    []*Role
	Obligations []*Obligation
	Records     []*Record
	Forms       []*Form
	Transitions []*Transition
	Meta

	reacts bool // some duty reacts to facts changing (Obligation.reacts)
}

// AnchorKind says what an obligation's deadline counts from.
type AnchorKind string

// Anchor kinds.
const (
	AnchorStage     AnchorKind = "stage"     // the stage (or the outcome) being entered (the default)
	AnchorRaised    AnchorKind = "raised"    // the case being raised
	AnchorMilestone AnchorKind = "milestone" // a named milestone being set
	AnchorFact      AnchorKind = "fact"      // a date the case gives, in a date fact: as an event on that day
)

// Anchor is what an obligation's deadline counts from.
type Anchor struct {
	Kind      AnchorKind
	Milestone *Milestone // set when Kind is AnchorMilestone
	Fact      *Fact      // set when Kind is AnchorFact: a date fact
}

// String is the anchor as the policy language writes it: stage, raised,
// milestone.NAME or fact.NAME.
func (a Anchor) String() string {
	switch {
	case a.Kind == AnchorMilestone && a.Milestone != nil:
		return milestonePrefix + a.Milestone.ID
	case a.Kind == AnchorFact && a.Fact != nil:
		return factPrefix + a.Fact.ID
	}
	return string(a.Kind)
}

// Obligation is a duty a stage places on a role, with its own deadline. An
// outcome may owe duties too (Outcome is set and Stage is nil), met by the
// outcome's transitions after the case has closed.
type Obligation struct {
	ID      string
	Title   string
	Stage   *Stage   // the stage that owes it; nil for an outcome's duty
	Outcome *Outcome // the outcome that owes it; nil for a stage's
	Owner   *Role    // nil when the procedure names no owner
	// Within is the timescale; HasDeadline is false when the procedure states
	// none, and then Within is the zero value and the obligation never falls due.
	Within      calendar.Within
	HasDeadline bool
	From        Anchor
	// Sooner are other deadlines: the duty is due at the earliest of its
	// deadlines whose anchors have occurred ("whichever is sooner"). A
	// deadline known later may bring the duty forward, never back.
	Sooner []*Alternative
	// Urgent: "as soon as possible". An urgent duty is listed before timed
	// ones and is never overdue by itself; Within, if any, is its backstop.
	Urgent bool
	// When, if set, is the condition under which the duty is owed: decided
	// when the stage is entered and again whenever the case's facts or
	// milestones change. A duty whose condition turns false is no longer
	// owed, unless it has been met.
	When     *Guard
	Expedite *Expedite // nil unless the policy shortens the timescale on a condition
	Breach   *Breach   // nil unless the policy says what a breach means
	Meta

	reacts bool // When or an anchor reads facts: facts changing can change the duty
}

// Alternative is another deadline for an obligation: a timescale counted
// from an anchor, or (By) the end of a date the case gives.
type Alternative struct {
	Within calendar.Within // zero with By
	From   Anchor
	By     *Fact // a date fact: due by the end of that date
	Meta
}

// String says the deadline in the policy language's words: "1 working day
// from fact.disagreement_date", "by fact.protect_by".
func (a *Alternative) String() string {
	if a.By != nil {
		return "by " + factPrefix + a.By.ID
	}
	return a.Within.String() + " from " + a.From.String()
}

// Expedite shortens an obligation's timescale when its guard holds at the
// moment the deadline is fixed.
type Expedite struct {
	When   *Guard
	Within calendar.Within
	Meta
}

// Breach says what an overdue obligation means.
type Breach struct {
	Message string
	Notify  []*Role
	Meta
}

// Transition is a way out of a stage (or, for Policy.AnyStage, out of every
// stage) on a named event; or an event after an outcome (At), which never
// moves the case.
type Transition struct {
	Event string
	// From is the stage the transition belongs to; nil for an any_stage one,
	// which applies in every stage allowed by Only and Except, and for an
	// outcome's.
	From *Stage
	// At is the outcome the transition belongs to, for an event after it.
	At     *Outcome
	Only   []*Stage
	Except []*Stage
	// At most one of ToStage and ToOutcome is set; neither for an event that
	// records something without moving the case.
	ToStage   *Stage
	ToOutcome *Outcome
	Roles     []*Role
	When      *Guard // nil means always
	Requires  []*Obligation
	Forms     []*Form
	Completes []*Obligation
	Sets      []*Milestone
	Note      string
	Meta
}

// Destination is the id of the stage or outcome the transition moves a case
// to, or "" for one that keeps the case where it is (and for a nil one).
func (t *Transition) Destination() string {
	switch {
	case t == nil:
		return ""
	case t.ToStage != nil:
		return t.ToStage.ID
	case t.ToOutcome != nil:
		return t.ToOutcome.ID
	}
	return ""
}

// OutcomeKind is the kind of a terminal state.
type OutcomeKind string

// Outcome kinds.
const (
	OutcomeResolved      OutcomeKind = "resolved"
	OutcomeFinalDecision OutcomeKind = "final_decision"
	OutcomeReferred      OutcomeKind = "referred"
	OutcomeWithdrawn     OutcomeKind = "withdrawn"
)

// Route is where a referred case goes.
type Route string

// Referral routes.
const (
	RouteComplaint                 Route = "complaint"
	RouteWhistleblowing            Route = "whistleblowing"
	RouteChildProtectionConference Route = "child_protection_conference"
	RouteIndependentAdviser        Route = "independent_adviser"
	RouteChildrenSocialCare        Route = "children_social_care"
	RouteOther                     Route = "other"
)

// Outcome is a terminal state: a case that reaches one is closed. It may
// still owe duties ("advise the outcome by letter within 2 working days"),
// which its transitions meet without reopening the case.
type Outcome struct {
	ID          string
	Title       string
	Kind        OutcomeKind
	Route       Route // set when Kind is OutcomeReferred
	Records     []*Record
	Obligations []*Obligation
	Transitions []*Transition // none moves the case
	Meta

	reacts bool // some duty reacts to facts changing (Obligation.reacts)
}

// Guard is a CEL condition, parsed and type-checked at load. Its program is
// immutable and safe for concurrent evaluation.
type Guard struct {
	Text string
	Pos  Pos    // where the expression starts in the policy file
	Cost uint64 // the load-time estimate of its worst-case cost
	// Facts are the facts the guard reads, in the policy's order.
	Facts []*Fact
	prg   cel.Program
	ident string // the name the guard is, when it is one name alone
}
