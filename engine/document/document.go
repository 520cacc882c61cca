package document

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

// Write writes policy p as a Markdown document.
func Write(w io.Writer, p *engine.Policy) error {
	d := &doc{p: p}
	d.header()
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
	d.assumptionList()
	_, err := io.WriteString(w, d.b.String())
	return err
}

// doc accumulates the document. Sections cite their elements as they write
// them, so the sources beside each section and the numbered assumptions at
// the end come from one walk, in the document's order.
type doc struct {
	p           *engine.Policy
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
	p := d.p
	d.line("# " + text(p.Title))
	d.line("")
	d.line("**" + text(p.Partnership) + "**")
	d.line("")
	d.line("- Policy: " + code(p.ID) + ", version " + text(p.Version))
	d.line("- Approved: " + date(p.Approved.String()))
	d.line("- Review due: " + date(p.ReviewDue.String()))
	if p.CalendarSpec != nil {
		d.line("- Jurisdiction: " + code(string(p.Jurisdiction)) + ": a working day is Monday to Friday except its bank holidays and the days off below")
	} else {
		d.line("- Jurisdiction: " + code(string(p.Jurisdiction)) + ": a working day is Monday to Friday except its bank holidays")
	}
	d.line("- Scope: " + text(strings.Join(p.Scope, ", ")))
	d.line("- Policy file: " + code(p.File))
	d.line("")
	d.line("This document is generated from the policy file by `escalation doc`. Change the policy file, not this document.")
	d.line("")
	d.cite("Policy", &p.Meta)
	d.flushCites()
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
		rows[i] = []string{code(r.ID), text(r.Title), text(r.Description)}
		d.cite("Role "+code(r.ID), &r.Meta)
	}
	d.table([]string{"Role", "Title", "Description"}, rows)
	d.flushCites()
}

func (d *doc) facts() {
	if len(d.p.Facts) == 0 {
		return
	}
	d.line("## Case data")
	d.line("")
	d.line("The facts about a case that the conditions below read.")
	d.line("")
	rows := make([][]string, len(d.p.Facts))
	for i, f := range d.p.Facts {
		values := ""
		if len(f.Values) > 0 {
			values = codes(f.Values)
		}
		def := ""
		if f.Default != nil {
			def = code(fmt.Sprint(f.Default))
		}
		rows[i] = []string{code(f.ID), string(f.Type), values, def, yesNo(f.Personal), text(f.Description)}
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
		rows[i] = []string{code(m.ID), title, strings.Join(d.settersOf(m), "; ")}
		d.cite("Milestone "+code(m.ID), &m.Meta)
	}
	d.table([]string{"Milestone", "Title", "Set by"}, rows)
	d.flushCites()
}

// settersOf lists the transitions that set milestone m.
func (d *doc) settersOf(m *engine.Milestone) []string {
	var out []string
	add := func(t *engine.Transition, where string) {
		for _, s := range t.Sets {
			if s.ID == m.ID {
				out = append(out, code(t.Event)+" "+where)
			}
		}
	}
	for _, s := range d.p.Stages {
		for _, t := range s.Transitions {
			add(t, "at "+code(s.ID))
		}
	}
	for _, t := range d.p.AnyStage {
		add(t, "at any stage")
	}
	for _, o := range d.p.Outcomes {
		for _, t := range o.Transitions {
			add(t, "after "+code(o.ID))
		}
	}
	return out
}

func (d *doc) ladder() {
	d.line("## The ladder")
	d.line("")
	if d.p.Start != nil {
		d.line("A case starts at " + stageRef(d.p.Start) + ".")
		d.line("")
	}
	for i, s := range d.p.Stages {
		d.stage(i+1, s)
	}
}

func (d *doc) stage(n int, s *engine.Stage) {
	d.line(fmt.Sprintf("### %d. %s", n, text(s.Title)))
	d.line("")
	d.line(fmt.Sprintf("Stage %s, %d of %d.", code(s.ID), n, len(d.p.Stages)))
	d.line("")
	d.cite("Stage "+code(s.ID), &s.Meta)
	if s.Description != "" {
		d.line(text(s.Description))
		d.line("")
	}
	if len(s.Involves) > 0 {
		d.line("Who is involved: " + roleRefs(s.Involves) + ".")
		d.line("")
	}
	if len(s.Forms) > 0 {
		d.line("Forms: " + formRefs(s.Forms) + ".")
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
	d.records("What must be recorded:", code(s.ID), s.Records)
	if len(s.Transitions) > 0 {
		d.line("Ways out:")
		d.line("")
		rows := make([][]string, len(s.Transitions))
		for i, t := range s.Transitions {
			rows[i] = []string{code(t.Event), destination(t), roleIDs(t.Roles), condition(t), conditions(t), text(t.Note)}
			d.cite(fmt.Sprintf("Transition %d (%s) of %s", i+1, code(t.Event), code(s.ID)), &t.Meta)
		}
		d.table([]string{"Event", "Goes to", "Who may fire it", "Condition", "Also", "Note"}, rows)
	}
	d.flushCites()
}

// obligations writes a table of a stage's or an outcome's duties.
func (d *doc) obligations(obs []*engine.Obligation) {
	rows := make([][]string, len(obs))
	for i, ob := range obs {
		owner := ""
		if ob.Owner != nil {
			owner = code(ob.Owner.ID)
		}
		breach := ""
		if b := ob.Breach; b != nil {
			breach = text(b.Message)
			if len(b.Notify) > 0 {
				breach = strings.TrimSpace(breach + " Notify " + roleIDs(b.Notify) + ".")
			}
		}
		duty := text(ob.Title) + " (" + code(ob.ID) + ")"
		if ob.When != nil {
			duty += ", only when " + code(ob.When.Text)
		}
		rows[i] = []string{duty, owner, within(ob), anchor(ob), breach}
		d.cite("Obligation "+code(ob.ID), &ob.Meta)
		for j, alt := range ob.Sooner {
			d.cite(fmt.Sprintf("Sooner deadline %d of %s", j+1, code(ob.ID)), &alt.Meta)
		}
		if ob.Expedite != nil {
			d.cite("Expedite of "+code(ob.ID), &ob.Expedite.Meta)
		}
		if ob.Breach != nil {
			d.cite("Breach of "+code(ob.ID), &ob.Breach.Meta)
		}
	}
	d.table([]string{"Obligation", "Owner", "Within", "Counts from", "If it is overdue"}, rows)
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
			s += " (on " + formRefs([]*engine.Form{r.Form}) + ")"
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
			where = "only " + stageIDs(t.Only)
		case len(t.Except) > 0:
			where = "every stage except " + stageIDs(t.Except)
		}
		if len(t.Only) > 0 && len(t.Except) > 0 {
			where += ", except " + stageIDs(t.Except)
		}
		rows[i] = []string{code(t.Event), where, destination(t), roleIDs(t.Roles), condition(t), conditions(t), text(t.Note)}
		d.cite(fmt.Sprintf("Any-stage transition %d (%s)", i+1, code(t.Event)), &t.Meta)
	}
	d.table([]string{"Event", "Where", "Goes to", "Who may fire it", "Condition", "Also", "Note"}, rows)
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
			ob, within, from = code(r.ob.ID), withinPlain(r.ob), anchor(r.ob)
		}
		rows = append(rows, []string{text(r.stage.Title) + " (" + code(r.stage.ID) + ")", ob, within, from, r.total})
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
		facts := []string{"Form " + code(f.ID)}
		if f.Personal {
			facts = append(facts, "personal data: the whole form")
		}
		if at := d.stagesNeeding(f); len(at) > 0 {
			facts = append(facts, "needed at "+stageIDs(at))
		}
		d.line(strings.Join(facts, "; ") + ".")
		d.line("")
		d.cite("Form "+code(f.ID), &f.Meta)
		for _, g := range f.Guidance {
			d.line("> " + text(g))
		}
		if len(f.Guidance) > 0 {
			d.line("")
		}
		d.fields(f.ID, f.Fields)
		for _, sec := range f.Sections {
			d.line("#### " + text(sec.Title))
			d.line("")
			d.line("Section " + code(sec.ID) + ", required when completing the form at " + stageIDs(sec.Stages) + ".")
			d.line("")
			d.cite("Section "+code(f.ID+"."+sec.ID), &sec.Meta)
			d.fields(f.ID, sec.Fields)
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

func (d *doc) fields(formID string, fs []*engine.Field) {
	if len(fs) == 0 {
		return
	}
	rows := make([][]string, len(fs))
	for i, f := range fs {
		typ := string(f.Type)
		if len(f.Values) > 0 {
			typ += ": " + codes(f.Values)
		}
		rows[i] = []string{code(f.ID), text(f.Title), typ, yesNo(f.Required), yesNo(f.Personal)}
		d.cite("Field "+code(formID+"."+f.ID), &f.Meta)
	}
	d.table([]string{"Field", "Title", "Type", "Required", "Personal data"}, rows)
}

func (d *doc) outcomes() {
	d.line("## Outcomes")
	d.line("")
	rows := make([][]string, len(d.p.Outcomes))
	for i, o := range d.p.Outcomes {
		route := ""
		if o.Route != "" {
			route = strings.ReplaceAll(string(o.Route), "_", " ")
		}
		rows[i] = []string{code(o.ID), text(o.Title), strings.ReplaceAll(string(o.Kind), "_", " "), route}
		d.cite("Outcome "+code(o.ID), &o.Meta)
	}
	d.table([]string{"Outcome", "Title", "Kind", "Referral route"}, rows)
	for _, o := range d.p.Outcomes {
		d.records("When the case ends "+code(o.ID)+", record:", "outcome "+code(o.ID), o.Records)
		if len(o.Obligations) > 0 {
			d.line("When the case ends " + code(o.ID) + ", what is still owed (the deadlines count from the case ending there):")
			d.line("")
			d.obligations(o.Obligations)
		}
		if len(o.Transitions) > 0 {
			d.line("Events after " + code(o.ID) + " (the case stays closed):")
			d.line("")
			rows := make([][]string, len(o.Transitions))
			for i, t := range o.Transitions {
				rows[i] = []string{code(t.Event), roleIDs(t.Roles), condition(t), conditions(t), text(t.Note)}
				d.cite(fmt.Sprintf("Transition %d (%s) of %s", i+1, code(t.Event), code(o.ID)), &t.Meta)
			}
			d.table([]string{"Event", "Who may fire it", "Condition", "Also", "Note"}, rows)
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

func within(ob *engine.Obligation) string {
	s := withinPlain(ob)
	for _, alt := range ob.Sooner {
		s += "; or sooner, " + sooner(alt)
	}
	if e := ob.Expedite; e != nil {
		s += "; " + e.Within.String() + " when " + code(e.When.Text)
	}
	return s
}

// sooner says a whichever_sooner deadline in words.
func sooner(alt *engine.Alternative) string {
	if alt.By != nil {
		return "by the end of the date in " + code(alt.By.ID)
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
		return "milestone " + code(a.Milestone.ID)
	case engine.AnchorFact:
		return "the date in " + code(a.Fact.ID)
	}
	return "entering the stage"
}

func destination(t *engine.Transition) string {
	switch {
	case t.ToStage != nil:
		return stageRef(t.ToStage)
	case t.ToOutcome != nil:
		return "outcome " + code(t.ToOutcome.ID)
	}
	return "stays at the stage"
}

func condition(t *engine.Transition) string {
	if t.When == nil {
		return ""
	}
	return code(t.When.Text)
}

// conditions lists what else a transition needs and does.
func conditions(t *engine.Transition) string {
	var parts []string
	if len(t.Requires) > 0 {
		parts = append(parts, "requires "+obligationIDs(t.Requires)+" met")
	}
	if len(t.Forms) > 0 {
		parts = append(parts, "requires "+formIDs(t.Forms)+" complete")
	}
	if len(t.Completes) > 0 {
		parts = append(parts, "meets "+obligationIDs(t.Completes))
	}
	if len(t.Sets) > 0 {
		ids := make([]string, len(t.Sets))
		for i, m := range t.Sets {
			ids[i] = m.ID
		}
		parts = append(parts, "sets "+codes(ids))
	}
	return strings.Join(parts, "; ")
}

func stageRef(s *engine.Stage) string { return text(s.Title) + " (" + code(s.ID) + ")" }

func roleRefs(rs []*engine.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = text(r.Title) + " (" + code(r.ID) + ")"
	}
	return strings.Join(out, ", ")
}

func formRefs(fs []*engine.Form) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = text(f.Title) + " (" + code(f.ID) + ")"
	}
	return strings.Join(out, ", ")
}

func roleIDs(rs []*engine.Role) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return codes(ids)
}

func stageIDs(ss []*engine.Stage) string {
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	return codes(ids)
}

func formIDs(fs []*engine.Form) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return codes(ids)
}

func obligationIDs(obs []*engine.Obligation) string {
	ids := make([]string, len(obs))
	for i, ob := range obs {
		ids[i] = ob.ID
	}
	return codes(ids)
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
