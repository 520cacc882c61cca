package document

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/diagram"
	"github.com/safeguarding-partnerships/escalation/engine/prose"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
	"github.com/safeguarding-partnerships/escalation/engine/trace"
)

// Option configures Write. Options that are given wrong values fail when
// Write applies them.
type Option func(*config) error

type config struct {
	file      []byte
	generated calendar.Date
	tool      string
	trace     *trace.Matrix
	problems  engine.Diagnostics
}

// WithFile gives the bytes of the policy file the policy was loaded from:
// the document control block then gives their SHA-256, so that a signed
// document can be matched to the exact file it describes.
func WithFile(src []byte) Option {
	return func(c *config) error {
		if len(src) == 0 {
			return errors.New("document: WithFile needs the policy file's bytes")
		}
		c.file = src
		return nil
	}
}

// WithGenerated gives the date the document is generated on (the caller
// reads the clock, or takes a date it is given): the document control block
// shows it, and a review date before it is flagged as passed.
func WithGenerated(d calendar.Date) Option {
	return func(c *config) error {
		if d.IsZero() {
			return errors.New("document: WithGenerated needs a date")
		}
		c.generated = d
		return nil
	}
}

// WithTool names the tool and version that generated the document, for the
// document control block.
func WithTool(version string) Option {
	return func(c *config) error {
		if strings.TrimSpace(version) == "" {
			return errors.New("document: WithTool needs a version")
		}
		c.tool = version
		return nil
	}
}

// WithTrace gives the policy's traceability matrix and the problems checking
// it found (trace.Matrix.Check): the document shows its coverage, lists the
// problems, and reproduces the matrix for the reviewer.
func WithTrace(m *trace.Matrix, problems engine.Diagnostics) Option {
	return func(c *config) error {
		if m == nil {
			return errors.New("document: WithTrace needs a matrix")
		}
		c.trace, c.problems = m, problems
		return nil
	}
}

// Write writes policy p as a Markdown document.
func Write(w io.Writer, p *engine.Policy, opts ...Option) error {
	d := &doc{p: p}
	for _, opt := range opts {
		if err := opt(&d.cfg); err != nil {
			return err
		}
	}
	d.header()
	d.control()
	d.signOff()
	if err := d.glance(); err != nil {
		return err
	}
	d.coverage()
	d.documents()
	d.daysOff()
	d.notes()
	d.roles()
	d.facts()
	d.milestones()
	d.ladder()
	d.anyStage()
	d.timescales()
	d.forms()
	d.outcomes()
	d.matrix()
	d.assumptionList()
	_, err := io.WriteString(w, d.b.String())
	return err
}

// doc accumulates the document. Sections cite their elements as they write
// them, so the sources beside each section and the numbered assumptions at
// the end come from one walk, in the document's order.
type doc struct {
	p           *engine.Policy
	cfg         config
	b           strings.Builder
	cites       []cite // the current section's, not yet written
	assumptions []cite
}

type cite struct {
	label string
	meta  *engine.Meta
	n     int // the assumption's number, or 0
}

func (d *doc) line(s string) { d.b.WriteString(s + "\n") }

// cite records an element's sources and assumption for the current section.
func (d *doc) cite(label string, m *engine.Meta) {
	c := cite{label: label, meta: m}
	if m.Assumption != "" {
		c.n = len(d.assumptions) + 1
		d.assumptions = append(d.assumptions, c)
	}
	d.cites = append(d.cites, c)
}

// flushCites writes the current section's sources and assumptions.
func (d *doc) flushCites() {
	var items []string
	for _, c := range d.cites {
		var parts []string
		if q := quotes(c.meta.Sources); q != "" {
			parts = append(parts, q)
		}
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("*Assumption A%d:* %s", c.n, text(c.meta.Assumption)))
		}
		if len(parts) > 0 {
			items = append(items, "- "+c.label+": "+strings.Join(parts, " "))
		}
	}
	d.cites = d.cites[:0]
	if len(items) == 0 {
		return
	}
	d.line("Sources and assumptions:")
	d.line("")
	for _, it := range items {
		d.line(it)
	}
	d.line("")
}

func quotes(ss []engine.Source) string {
	qs := make([]string, len(ss))
	for i, s := range ss {
		qs[i] = fmt.Sprintf("“%s” (%s)", text(s.Quote), code(s.File))
	}
	return strings.Join(qs, "; ")
}

func (d *doc) header() {
	d.line("# " + text(d.p.Title))
	d.line("")
	d.line("**" + text(d.p.Partnership) + "**")
	d.line("")
	d.line("This document is generated from the policy file by `escalation doc`. Change the policy file, not this document.")
	d.line("")
}

// control is the document control block: what exactly the document
// describes, when and by what it was made, and the policy's own dates.
func (d *doc) control() {
	p, c := d.p, d.cfg
	d.line("## Document control")
	d.line("")
	file := code(p.File)
	if c.file != nil {
		file += ", SHA-256 " + code(fmt.Sprintf("%x", sha256.Sum256(c.file)))
	}
	generated := "not stated"
	if !c.generated.IsZero() {
		generated = c.generated.String()
	}
	if c.tool != "" {
		generated += ", by " + text(c.tool)
	}
	review := date(p.ReviewDue.String())
	if !p.ReviewDue.IsZero() && !c.generated.IsZero() && p.ReviewDue.Before(c.generated) {
		review += " (**passed**: review the procedure before signing)"
	}
	d.table([]string{"Item", "Value"}, [][]string{
		{"Policy", code(p.ID) + ", version " + text(p.Version)},
		{"Policy file", file},
		{"Generated", generated},
		{"Approved", date(p.Approved.String())},
		{"Review due", review},
		{"Jurisdiction", code(string(p.Jurisdiction)) + ": a working day is Monday to Friday except its bank holidays"},
		{"Scope", text(strings.Join(p.Scope, ", "))},
	})
	d.cite("Policy", &p.Meta)
	d.flushCites()
}

// signOff is the table the partnership signs.
func (d *doc) signOff() {
	d.line("## Sign-off")
	d.line("")
	d.line("Each reviewer checks this document against the published procedure, the traceability matrix and the assumptions listed at the end, and records a decision: approved, approved with changes (say which), or not approved.")
	d.line("")
	blank := []string{" ", " ", " ", " "}
	d.table([]string{"Name", "Role", "Date", "Decision"}, [][]string{blank, blank, blank})
}

// glance draws the ladder as a Mermaid flowchart, which code-hosting pages
// render and other tools show as text.
func (d *doc) glance() error {
	d.line("## The ladder at a glance")
	d.line("")
	var b strings.Builder
	if err := diagram.Write(&b, d.p, diagram.Mermaid); err != nil {
		return err
	}
	d.line("```mermaid")
	d.b.WriteString(b.String())
	d.line("```")
	d.line("")
	return nil
}

// coverage summarises the traceability matrix.
func (d *doc) coverage() {
	d.line("## Traceability")
	d.line("")
	m := d.cfg.trace
	if m == nil {
		d.line("This policy has no traceability matrix, so nothing here shows that every rule of the published procedure is encoded.")
		d.line("")
		return
	}
	cov := m.Coverage()
	d.line(fmt.Sprintf("Every sentence of %s that states, or may state, a timescale, a duty, a role, a form, a record or a route is listed in the traceability matrix (%s) with what accounts for it; the matrix is reproduced at the end.", code(m.Document), code(m.File)))
	d.line("")
	d.table([]string{"Sentences", "Encoded", "By assumption", "Not encoded"}, [][]string{{
		strconv.Itoa(cov.Sentences), strconv.Itoa(cov.Encoded), strconv.Itoa(cov.Assumed), strconv.Itoa(cov.NotEncoded),
	}})
	if len(d.cfg.problems) == 0 {
		return
	}
	d.line(fmt.Sprintf("**The matrix is out of date** (%s): fix it before signing.", plural(len(d.cfg.problems), "problem", "problems")))
	d.line("")
	for _, pr := range d.cfg.problems {
		d.line("- " + code(pr.Pos.String()) + ": " + text(pr.Message))
	}
	d.line("")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// matrix reproduces the traceability matrix, sentence by sentence.
func (d *doc) matrix() {
	m := d.cfg.trace
	if m == nil {
		return
	}
	d.line("## Traceability matrix")
	d.line("")
	d.line("What accounts for each rule-bearing sentence of " + code(m.Document) + ": the policy elements that encode it (by their place in the policy file), those whose assumption says how it is read, or why it is not encoded.")
	d.line("")
	rows := make([][]string, len(m.Entries))
	for i, e := range m.Entries {
		var how string
		switch e.Kind {
		case trace.Encoded:
			how = "Encoded: " + refs(e.Refs)
		case trace.Assumed:
			how = "By assumption: " + refs(e.Refs)
		default:
			how = "Not encoded: " + text(e.Reason)
		}
		rows[i] = []string{strconv.Itoa(i + 1), "“" + text(e.Said) + "”", how}
	}
	d.table([]string{"#", "The procedure says", "Accounted for"}, rows)
}

func refs(rs []trace.Ref) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = code(r.Path)
	}
	return strings.Join(out, ", ")
}

func date(s string) string {
	if s == "" {
		return "not stated"
	}
	return s
}

func (d *doc) documents() {
	d.line("## Source documents")
	d.line("")
	rows := make([][]string, len(d.p.Documents))
	for i, doc := range d.p.Documents {
		rows[i] = []string{code(doc.File), text(doc.Title), text(doc.Date), text(doc.URL)}
	}
	d.table([]string{"File", "Title", "Date", "Address"}, rows)
}

// daysOff lists the days off the policy declares on top of its
// jurisdiction's bank holidays.
func (d *doc) daysOff() {
	spec := d.p.CalendarSpec
	if spec == nil {
		return
	}
	d.line("## Days off")
	d.line("")
	d.line("Besides the " + code(string(d.p.Jurisdiction)) + " bank holidays, these days are not working days:")
	d.line("")
	rows := make([][]string, len(spec.DaysOff))
	for i, day := range spec.DaysOff {
		rows[i] = []string{text(day.Name), when(day)}
		d.cite("Day off "+text(day.Name), &day.Meta)
	}
	d.table([]string{"Day off", "When"}, rows)
	d.cite("Days off", &spec.Meta)
	d.flushCites()
}

// when says when a declared day off falls.
func when(day *engine.DayOff) string {
	switch {
	case !day.Yearly.IsZero() && day.Yearly.Day != 0:
		return "every year on " + day.Yearly.String() + "; at a weekend, the next weekday that is not already a day off"
	case !day.Yearly.IsZero():
		return "every year on the " + day.Yearly.String()
	case !day.Date.IsZero():
		return day.Date.String()
	}
	return day.From.String() + " to " + day.To.String()
}

func (d *doc) notes() {
	if len(d.p.Notes) == 0 {
		return
	}
	d.line("## Notes for users")
	d.line("")
	for i, n := range d.p.Notes {
		prefix := ""
		if n.Level == engine.NoteWarning {
			prefix = "**Warning:** "
		}
		d.line(fmt.Sprintf("%d. %s%s", i+1, prefix, text(n.Text)))
		d.cite(fmt.Sprintf("Note %d", i+1), &n.Meta)
	}
	d.line("")
	d.flushCites()
}

func (d *doc) roles() {
	d.line("## Roles")
	d.line("")
	rows := make([][]string, len(d.p.Roles))
	for i, r := range d.p.Roles {
		rows[i] = []string{text(r.Title), text(r.Description)}
		d.cite("Role "+quoted(r.Title), &r.Meta)
	}
	d.table([]string{"Role", "Description"}, rows)
	d.flushCites()
}

func (d *doc) facts() {
	if len(d.p.Facts) == 0 {
		return
	}
	d.line("## Case data")
	d.line("")
	d.line("The facts about a case that the conditions below read (the name in brackets is how a condition written as an expression reads it).")
	d.line("")
	rows := make([][]string, len(d.p.Facts))
	for i, f := range d.p.Facts {
		values := ""
		if len(f.Values) > 0 {
			vs := make([]string, len(f.Values))
			for j, v := range f.Values {
				vs[j] = text(prose.Spaced(v))
			}
			values = strings.Join(vs, ", ")
		}
		def := ""
		if f.Default != nil {
			def = text(prose.Spaced(fmt.Sprint(f.Default)))
		}
		rows[i] = []string{text(prose.Spaced(f.ID)) + " (" + code(f.ID) + ")", string(f.Type), values, def, yesNo(f.Personal), text(f.Description)}
		d.cite("Fact "+code(f.ID), &f.Meta)
	}
	d.table([]string{"Fact", "Type", "Values", "Default", "Personal data", "Description"}, rows)
	d.flushCites()
}

func (d *doc) milestones() {
	if len(d.p.Milestones) == 0 {
		return
	}
	d.line("## Milestones")
	d.line("")
	d.line("Named moments in a case that deadlines can count from.")
	d.line("")
	rows := make([][]string, len(d.p.Milestones))
	for i, m := range d.p.Milestones {
		title := text(m.Title)
		if m.PerVisit {
			title += " (set again at each stage visit)"
		}
		rows[i] = []string{title, strings.Join(d.settersOf(m), "; ")}
		d.cite("Milestone "+quoted(m.Title), &m.Meta)
	}
	d.table([]string{"Milestone", "Set by"}, rows)
	d.flushCites()
}

// settersOf lists the transitions that set milestone m.
func (d *doc) settersOf(m *engine.Milestone) []string {
	var out []string
	add := func(t *engine.Transition, where string) {
		for _, s := range t.Sets {
			if s.ID == m.ID {
				out = append(out, event(t)+" "+where)
			}
		}
	}
	for _, s := range d.p.Stages {
		for _, t := range s.Transitions {
			add(t, "at "+text(s.Title))
		}
	}
	for _, t := range d.p.AnyStage {
		add(t, "at any stage")
	}
	for _, o := range d.p.Outcomes {
		for _, t := range o.Transitions {
			add(t, "after "+quoted(o.Title))
		}
	}
	return out
}

func (d *doc) ladder() {
	d.line("## The ladder")
	d.line("")
	if d.p.Start != nil {
		d.line("A case starts at " + text(d.p.Start.Title) + ".")
		d.line("")
	}
	for i, s := range d.p.Stages {
		d.stage(i+1, s)
	}
}

func (d *doc) stage(n int, s *engine.Stage) {
	d.line(fmt.Sprintf("### %d. %s", n, text(s.Title)))
	d.line("")
	d.line(fmt.Sprintf("Stage %d of %d (%s in the policy file).", n, len(d.p.Stages), code(s.ID)))
	d.line("")
	d.cite("Stage "+quoted(s.Title), &s.Meta)
	if s.Description != "" {
		d.line(text(s.Description))
		d.line("")
	}
	if len(s.Involves) > 0 {
		d.line("Who is involved: " + roleTitles(s.Involves) + ".")
		d.line("")
	}
	if len(s.Forms) > 0 {
		d.line("Forms: " + formTitles(s.Forms) + ".")
		d.line("")
	}
	if len(s.Obligations) > 0 {
		d.line("What must happen:")
		d.line("")
		d.obligations(s.Obligations)
	} else {
		d.line("No obligations: " + timeline.NoTimescale + ".")
		d.line("")
	}
	d.records("What must be recorded:", text(s.Title), s.Records)
	if len(s.Transitions) > 0 {
		d.line("Ways out:")
		d.line("")
		rows := make([][]string, len(s.Transitions))
		for i, t := range s.Transitions {
			rows[i] = []string{event(t), destination(t), roleTitles(t.Roles), d.condition(t), conditions(t), text(t.Note)}
			d.cite(fmt.Sprintf("Way out %d (%s) of %s", i+1, event(t), quoted(s.Title)), &t.Meta)
		}
		d.table([]string{"Event", "Goes to", "Who may do it", "Only when", "Also", "Note"}, rows)
	}
	d.flushCites()
}

// obligations writes a table of a stage's or an outcome's duties.
func (d *doc) obligations(obs []*engine.Obligation) {
	rows := make([][]string, len(obs))
	for i, ob := range obs {
		owner := ""
		if ob.Owner != nil {
			owner = text(ob.Owner.Title)
		}
		breach := ""
		if b := ob.Breach; b != nil {
			breach = text(b.Message)
			if len(b.Notify) > 0 {
				breach = strings.TrimSpace(breach + " Notify " + roleTitles(b.Notify) + ".")
			}
		}
		duty := text(ob.Title)
		if ob.When != nil {
			duty += ", owed only " + d.guard(ob.When)
		}
		rows[i] = []string{duty, owner, d.within(ob), anchor(ob), breach}
		d.cite("Obligation "+quoted(ob.Title), &ob.Meta)
		for j, alt := range ob.Sooner {
			d.cite(fmt.Sprintf("Sooner deadline %d of %s", j+1, quoted(ob.Title)), &alt.Meta)
		}
		if ob.Expedite != nil {
			d.cite("Expedite of "+quoted(ob.Title), &ob.Expedite.Meta)
		}
		if ob.Breach != nil {
			d.cite("Breach of "+quoted(ob.Title), &ob.Breach.Meta)
		}
	}
	d.table([]string{"Obligation", "Owed by", "Within", "Counts from", "If it is overdue"}, rows)
}

// records lists, under a heading, what must be recorded at a stage or an
// outcome, named owner.
func (d *doc) records(heading, owner string, rs []*engine.Record) {
	if len(rs) == 0 {
		return
	}
	d.line(heading)
	d.line("")
	for i, r := range rs {
		s := "- " + text(r.Text)
		if r.Form != nil {
			s += " (on the " + text(r.Form.Title) + ")"
		}
		d.line(s)
		d.cite(fmt.Sprintf("Record %d of %s", i+1, owner), &r.Meta)
	}
	d.line("")
}

func (d *doc) anyStage() {
	if len(d.p.AnyStage) == 0 {
		return
	}
	d.line("## At any stage")
	d.line("")
	rows := make([][]string, len(d.p.AnyStage))
	for i, t := range d.p.AnyStage {
		where := "every stage"
		switch {
		case len(t.Only) > 0:
			where = "only at " + stageTitles(t.Only)
		case len(t.Except) > 0:
			where = "every stage except " + stageTitles(t.Except)
		}
		rows[i] = []string{event(t), where, destination(t), roleTitles(t.Roles), d.condition(t), conditions(t), text(t.Note)}
		d.cite(fmt.Sprintf("Any-stage way %d (%s)", i+1, event(t)), &t.Meta)
	}
	d.table([]string{"Event", "Where", "Goes to", "Who may do it", "Only when", "Also", "Note"}, rows)
	d.flushCites()
}

func (d *doc) timescales() {
	d.line("## Timescales")
	d.line("")
	d.line("The running total is the number of working days after the case is raised by which each duty is due if every earlier stage takes its full time.")
	d.line("")
	var rows [][]string
	for _, r := range runningTotals(d.p) {
		ob, within, from := "", timeline.NoTimescale, ""
		if r.ob != nil {
			ob, within, from = text(r.ob.Title), withinPlain(r.ob), anchor(r.ob)
		}
		rows = append(rows, []string{text(r.stage.Title), ob, within, from, r.total})
	}
	d.table([]string{"Stage", "Obligation", "Within", "Counts from", "Running total (working days)"}, rows)
}

func (d *doc) forms() {
	if len(d.p.Forms) == 0 {
		return
	}
	d.line("## Forms")
	d.line("")
	for _, f := range d.p.Forms {
		d.line("### " + text(f.Title))
		d.line("")
		facts := []string{"Form " + code(f.ID) + " in the policy file"}
		if f.Personal {
			facts = append(facts, "personal data: the whole form")
		}
		if at := d.stagesNeeding(f); len(at) > 0 {
			facts = append(facts, "needed at "+stageTitles(at))
		}
		d.line(strings.Join(facts, "; ") + ".")
		d.line("")
		d.cite("Form "+quoted(f.Title), &f.Meta)
		for _, g := range f.Guidance {
			d.line("> " + text(g))
		}
		if len(f.Guidance) > 0 {
			d.line("")
		}
		d.fields(f.Title, f.Fields)
		for _, sec := range f.Sections {
			d.line("#### " + text(sec.Title))
			d.line("")
			d.line("Required when completing the form at " + stageTitles(sec.Stages) + ".")
			d.line("")
			d.cite("Section "+quoted(sec.Title)+" of "+quoted(f.Title), &sec.Meta)
			d.fields(f.Title, sec.Fields)
		}
		d.flushCites()
	}
}

func (d *doc) stagesNeeding(f *engine.Form) []*engine.Stage {
	var out []*engine.Stage
	for _, s := range d.p.Stages {
		for _, g := range s.Forms {
			if g.ID == f.ID {
				out = append(out, s)
			}
		}
	}
	return out
}

func (d *doc) fields(form string, fs []*engine.Field) {
	if len(fs) == 0 {
		return
	}
	rows := make([][]string, len(fs))
	for i, f := range fs {
		typ := string(f.Type)
		if len(f.Values) > 0 {
			typ += ": " + codes(f.Values)
		}
		title := f.Title
		if title == "" {
			title = prose.Spaced(f.ID)
		}
		rows[i] = []string{text(title), typ, yesNo(f.Required), yesNo(f.Personal)}
		d.cite("Field "+quoted(title)+" of "+quoted(form), &f.Meta)
	}
	d.table([]string{"Field", "Type", "Required", "Personal data"}, rows)
}

func (d *doc) outcomes() {
	d.line("## Outcomes")
	d.line("")
	rows := make([][]string, len(d.p.Outcomes))
	for i, o := range d.p.Outcomes {
		route := ""
		if o.Route != "" {
			route = prose.Spaced(string(o.Route))
		}
		rows[i] = []string{text(o.Title), prose.Spaced(string(o.Kind)), route}
		d.cite("Outcome "+quoted(o.Title), &o.Meta)
	}
	d.table([]string{"Outcome", "Kind", "Referral route"}, rows)
	for _, o := range d.p.Outcomes {
		d.records("When the case ends “"+text(o.Title)+"”, record:", "outcome "+quoted(o.Title), o.Records)
		if len(o.Obligations) > 0 {
			d.line("When the case ends “" + text(o.Title) + "”, what is still owed (the deadlines count from the case ending there):")
			d.line("")
			d.obligations(o.Obligations)
		}
		if len(o.Transitions) > 0 {
			d.line("Events after “" + text(o.Title) + "” (the case stays closed):")
			d.line("")
			rows := make([][]string, len(o.Transitions))
			for i, t := range o.Transitions {
				rows[i] = []string{event(t), roleTitles(t.Roles), d.condition(t), conditions(t), text(t.Note)}
				d.cite(fmt.Sprintf("Event %d (%s) after %s", i+1, event(t), quoted(o.Title)), &t.Meta)
			}
			d.table([]string{"Event", "Who may do it", "Only when", "Also", "Note"}, rows)
		}
	}
	d.flushCites()
}

func (d *doc) assumptionList() {
	d.line("## Assumptions to confirm")
	d.line("")
	if len(d.assumptions) == 0 {
		d.line("The policy states no assumptions.")
		return
	}
	d.line("Where the published procedure is silent or unclear, the policy file makes a choice and says so. Each one needs the partnership's confirmation.")
	d.line("")
	for _, a := range d.assumptions {
		d.line(fmt.Sprintf("- [ ] **A%d.** %s (%s): %s", a.n, a.label, code(posString(a.meta.Pos)), text(a.meta.Assumption)))
	}
}

func posString(p engine.Pos) string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
	}
	return s
}

// table writes a Markdown table; cells are already escaped.
func (d *doc) table(header []string, rows [][]string) {
	d.line("| " + strings.Join(header, " | ") + " |")
	d.line(strings.Repeat("|---", len(header)) + "|")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = cell(c)
		}
		d.line("| " + strings.Join(cells, " | ") + " |")
	}
	d.line("")
}

// cell makes text safe in a table cell: a | would end the cell, even inside
// a code span, so every one is escaped.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

func (d *doc) within(ob *engine.Obligation) string {
	s := withinPlain(ob)
	for _, alt := range ob.Sooner {
		s += "; or sooner, " + sooner(alt)
	}
	if e := ob.Expedite; e != nil {
		s += "; " + e.Within.String() + " " + d.guard(e.When)
	}
	return s
}

// sooner says a whichever_sooner deadline in words.
func sooner(alt *engine.Alternative) string {
	if alt.By != nil {
		return "by the end of " + factDate(alt.By)
	}
	return alt.Within.String() + " from " + anchorWords(alt.From)
}

func withinPlain(ob *engine.Obligation) string {
	switch {
	case ob.Urgent && ob.HasDeadline:
		return "as soon as possible; at the latest " + ob.Within.String()
	case ob.Urgent:
		return "as soon as possible"
	case !ob.HasDeadline:
		return timeline.NoTimescale
	}
	return ob.Within.String()
}

func anchor(ob *engine.Obligation) string {
	switch {
	case !ob.HasDeadline:
		return ""
	case ob.Outcome != nil && ob.From.Kind == engine.AnchorStage:
		return "the case ending there"
	}
	return anchorWords(ob.From)
}

func anchorWords(a engine.Anchor) string {
	switch a.Kind {
	case engine.AnchorRaised:
		return "the case being raised"
	case engine.AnchorMilestone:
		return "“" + text(a.Milestone.Title) + "”"
	case engine.AnchorFact:
		return factDate(a.Fact)
	}
	return "entering the stage"
}

// factDate names the date a date fact gives.
func factDate(f *engine.Fact) string {
	return "the date in " + text(prose.Spaced(f.ID)) + " (" + code(f.ID) + ")"
}

func event(t *engine.Transition) string { return text(prose.Event(t)) }

func destination(t *engine.Transition) string {
	switch {
	case t.ToStage != nil:
		return text(t.ToStage.Title)
	case t.ToOutcome != nil:
		return "ends: " + text(t.ToOutcome.Title)
	}
	return "stays at the stage"
}

func (d *doc) condition(t *engine.Transition) string {
	if t.When == nil {
		return ""
	}
	return d.guard(t.When)
}

// guard writes a guard in words where it can (guardWords), with the
// expression after it so that it can be checked against the policy file.
func (d *doc) guard(g *engine.Guard) string {
	if w, ok := prose.Guard(d.p, g); ok {
		if !strings.HasPrefix(w, "once ") {
			w = "when " + w
		}
		return text(w) + " (" + code(g.Text) + ")"
	}
	return "when " + code(g.Text)
}

// conditions lists what else a transition needs and does.
func conditions(t *engine.Transition) string {
	var parts []string
	if len(t.Requires) > 0 {
		parts = append(parts, "needs "+obligationTitles(t.Requires)+" met")
	}
	if len(t.Forms) > 0 {
		parts = append(parts, "needs "+formTitles(t.Forms)+" complete")
	}
	if len(t.Completes) > 0 {
		parts = append(parts, "meets "+obligationTitles(t.Completes))
	}
	if len(t.Sets) > 0 {
		ms := make([]string, len(t.Sets))
		for i, m := range t.Sets {
			ms[i] = "“" + text(m.Title) + "”"
		}
		parts = append(parts, "sets "+strings.Join(ms, ", "))
	}
	return strings.Join(parts, "; ")
}

func quoted(title string) string { return "“" + text(title) + "”" }

func roleTitles(rs []*engine.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = text(r.Title)
	}
	return strings.Join(out, "; ")
}

func formTitles(fs []*engine.Form) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = text(f.Title)
	}
	return strings.Join(out, "; ")
}

func stageTitles(ss []*engine.Stage) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = text(s.Title)
	}
	return strings.Join(out, "; ")
}

func obligationTitles(obs []*engine.Obligation) string {
	out := make([]string, len(obs))
	for i, ob := range obs {
		out[i] = "“" + text(ob.Title) + "”"
	}
	return strings.Join(out, ", ")
}

func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// text escapes prose so that Markdown shows it as written, on one line. A |
// is escaped by cell, where it matters.
func text(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '~':
			b.WriteByte('\\')
		case '#', '+', '-':
			if i == 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// code writes s as a code span, fenced with more backticks than it contains
// in a row, on one line.
func code(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
