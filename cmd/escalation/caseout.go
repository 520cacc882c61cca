package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
)

// caseOutput writes what a case subcommand found, as text or JSON, and
// returns its exit code.
type caseOutput struct {
	e    *env
	c    *command
	json bool
	p    *engine.Policy
	cf   caseFolder
}

func (o caseOutput) write(v any) int {
	if err := writeJSON(o.e.stdout, v); err != nil {
		return o.e.fail(o.c, "%v", err)
	}
	return exitOK
}

func londonInstant(t time.Time) string { return t.In(calendar.London()).Format(longInstant) }

// jsonReason is one reason an act was refused, named as scenario files name
// refusals.
type jsonReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	To      string `json:"to,omitempty"`
}

// reasonCode names the refusal an error is: a scenario file's name for it,
// or, for what a scenario cannot meet, the engine error's in the same style.
func reasonCode(err error) string {
	for _, r := range scenario.Reasons {
		if errors.Is(err, r.Err) {
			return r.Name
		}
	}
	for _, r := range []struct {
		name string
		err  error
	}{
		{"stale_revision", engine.ErrStaleRevision},
		{"policy_mismatch", engine.ErrPolicyMismatch},
		{"case_schema", engine.ErrCaseSchema},
		{"record_tampered", engine.ErrHistoryTampered},
	} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "error"
}

// reasons lists why an act was refused: one reason per transition of the
// event's name that was considered, or the one error.
func reasons(err error) []jsonReason {
	var refused *engine.RefusedError
	if !errors.As(err, &refused) || len(refused.Reasons) == 0 {
		return []jsonReason{{Code: reasonCode(err), Message: err.Error()}}
	}
	out := make([]jsonReason, len(refused.Reasons))
	for i, r := range refused.Reasons {
		out[i] = jsonReason{Code: reasonCode(r.Err), Message: r.String(), To: r.Transition.Destination()}
	}
	return out
}

// jsonAct is what raise and fire answer.
type jsonAct struct {
	Schema     int                `json:"schema"`
	Accepted   bool               `json:"accepted"`
	Case       string             `json:"case"`
	Event      string             `json:"event"`
	Stage      string             `json:"stage"`
	Head       *engine.Head       `json:"head,omitempty"`
	Entry      *engine.Entry      `json:"entry,omitempty"`
	Checkpoint *engine.Checkpoint `json:"checkpoint,omitempty"`
	Written    bool               `json:"written"`
	Reasons    []jsonReason       `json:"reasons,omitempty"`
}

// refused reports an act the engine refused; nothing was written.
func (o caseOutput) refused(event, caseID, stage string, err error) int {
	rs := reasons(err)
	if o.json {
		if code := o.write(jsonAct{Schema: jsonSchema, Case: caseID, Event: event, Stage: stage, Reasons: rs}); code != exitOK {
			return code
		}
		return exitFail
	}
	w := o.e.stdout
	termPrintf(w, "Refused: %s on case %s at %s.\n", event, caseID, stage)
	for _, r := range rs {
		termPrintf(w, "  %s: %s\n", r.Code, r.Message)
	}
	fmt.Fprintln(w, "Nothing was written.")
	return exitFail
}

// acted reports an act the engine took: raise (before is nil) or fire.
func (o caseOutput) acted(before *engine.Head, h engine.Head, en *engine.Entry, at time.Time, written bool) int {
	cp := h.Checkpoint()
	from := ""
	if before != nil {
		from = before.Stage
	}
	if o.json {
		return o.write(jsonAct{
			Schema: jsonSchema, Accepted: true, Case: h.ID, Event: en.Event, Stage: from,
			Head: &h, Entry: en, Checkpoint: &cp, Written: written,
		})
	}
	w := o.e.stdout
	stdin := o.cf.dir == stdinCase
	raised, fired := "Raised", "Fired"
	if !written && !stdin {
		raised, fired = "Would raise", "Would fire"
	}
	if before == nil {
		termPrintf(w, "%s case %s under %s version %s, at %s.\n", raised, h.ID, h.Policy.ID, h.Policy.Version, o.placeWords(h))
	} else {
		termPrintf(w, "%s %s on case %s: %s.\n", fired, en.Event, h.ID, o.moveWords(en, h))
	}
	termPrintf(w, "  by %s at %s\n", who(en.Actor, en.Role, en.Agency), londonInstant(en.At))
	if written {
		termPrintf(w, "Recorded entry %d in %s; %s is at revision %d.\n", en.Seq, o.cf.record, o.cf.head, h.Revision)
		cpJSON, err := json.Marshal(cp)
		if err != nil {
			return o.e.fail(o.c, "%v", err)
		}
		termPrintf(w, "Checkpoint, to keep elsewhere: %s\n", string(cpJSON))
	} else if stdin {
		termPrintf(w, "Entry %d and the next head (revision %d) are yours to store (--format json prints them); nothing was written.\n", en.Seq, h.Revision)
	} else {
		termPrintf(w, "Would record entry %d in %s (--dry-run: nothing was written).\n", en.Seq, o.cf.record)
	}
	duties, err := o.p.Due(h, at)
	if err != nil {
		return o.e.fail(o.c, "%v", err)
	}
	fmt.Fprintln(w)
	if err := o.writeDuties(h, at, duties, false); err != nil {
		return o.e.fail(o.c, "%v", err)
	}
	return exitOK
}

func who(actor, role, agency string) string {
	if agency != "" {
		return fmt.Sprintf("%s (%s, %s)", actor, role, agency)
	}
	return fmt.Sprintf("%s (%s)", actor, role)
}

// placeWords says where a case is: a stage or an outcome, with its title.
func (o caseOutput) placeWords(h engine.Head) string {
	if h.Closed() {
		if oc, ok := o.p.Outcome(h.Outcome); ok {
			return fmt.Sprintf("outcome %s (%s)", h.Outcome, oc.Title)
		}
		return "outcome " + h.Outcome
	}
	if s, ok := o.p.Stage(h.Stage); ok {
		return fmt.Sprintf("%s (%s)", h.Stage, s.Title)
	}
	return h.Stage
}

func (o caseOutput) moveWords(en *engine.Entry, h engine.Head) string {
	if en.To == "" {
		return "stays at " + en.From
	}
	s := en.From + " -> " + o.placeWords(h)
	if h.Closed() {
		s += "; the case is closed"
	}
	return s
}

// jsonDuty is one obligation as it stands.
type jsonDuty struct {
	Obligation  string     `json:"obligation"`
	Title       string     `json:"title"`
	Owner       string     `json:"owner,omitempty"`
	Status      string     `json:"status"`
	Within      string     `json:"within,omitempty"`
	Expedited   bool       `json:"expedited,omitempty"`
	Anchor      string     `json:"anchor,omitempty"`
	Due         string     `json:"due,omitempty"`
	DueDate     string     `json:"due_date,omitempty"`
	Met         string     `json:"met,omitempty"`
	Late        bool       `json:"late,omitempty"`
	Breach      string     `json:"breach,omitempty"`
	Explanation []jsonStep `json:"explanation,omitempty"`
}

type jsonCaseDue struct {
	Schema  int        `json:"schema"`
	Case    string     `json:"case"`
	Stage   string     `json:"stage,omitempty"`
	Outcome string     `json:"outcome,omitempty"`
	At      string     `json:"at"`
	Duties  []jsonDuty `json:"duties"`
}

func instantOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return instant(t)
}

func (o caseOutput) due(h engine.Head, at time.Time, duties []engine.Duty, explain bool) int {
	if !o.json {
		if err := o.writeDuties(h, at, duties, explain); err != nil {
			return o.e.fail(o.c, "%v", err)
		}
		return exitOK
	}
	out := jsonCaseDue{Schema: jsonSchema, Case: h.ID, Stage: h.Stage, Outcome: h.Outcome, At: instant(at), Duties: []jsonDuty{}}
	for _, d := range duties {
		jd := jsonDuty{
			Obligation: d.Obligation.ID, Title: d.Obligation.Title, Status: string(d.Status),
			Expedited: d.Expedited, Anchor: instantOrEmpty(d.Anchor), Due: instantOrEmpty(d.Due),
			Met: instantOrEmpty(d.Met), Late: d.Late,
		}
		if d.Obligation.Owner != nil {
			jd.Owner = d.Obligation.Owner.ID
		}
		if !d.Within.IsZero() {
			jd.Within = d.Within.String()
		}
		if !d.DueDate.IsZero() {
			jd.DueDate = d.DueDate.String()
		}
		if d.Breach != nil {
			jd.Breach = d.Breach.Message
		}
		if explain && !d.Due.IsZero() {
			dl, err := d.Explain()
			if err != nil {
				return o.e.fail(o.c, "%v", err)
			}
			jd.Explanation = jsonSteps(dl)
		}
		out.Duties = append(out.Duties, jd)
	}
	return o.write(out)
}

// writeDuties lists what the case's stage owes at a time, for people.
func (o caseOutput) writeDuties(h engine.Head, at time.Time, duties []engine.Duty, explain bool) error {
	w := o.e.stdout
	if h.Closed() {
		_, err := termPrintf(w, "Case %s is closed, at %s: it owes nothing.\n", h.ID, o.placeWords(h))
		return err
	}
	termPrintf(w, "Owed at %s on %s:\n", o.placeWords(h), londonInstant(at))
	if len(duties) == 0 {
		_, err := fmt.Fprintln(w, "  nothing: the stage states no obligations")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range duties {
		termPrintf(tw, "  %s\t%s\t%s\t%s\n", d.Obligation.ID, d.Status, dutyWithin(d), dutyWhen(d))
		if d.Breach != nil {
			termPrintf(tw, "  \t\t\tbreach: %s\n", d.Breach.Message)
		}
		if !explain || d.Due.IsZero() {
			continue
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		dl, err := d.Explain()
		if err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimRight(dl.String(), "\n"), "\n") {
			termPrintf(w, "      %s\n", line)
		}
	}
	return tw.Flush()
}

func dutyWithin(d engine.Duty) string {
	switch {
	case d.Status == engine.StatusWaiting:
		return withinWords(d.Obligation)
	case d.Within.IsZero():
		return timeline.NoTimescale
	case d.Expedited:
		return d.Within.String() + " (expedited)"
	}
	return d.Within.String()
}

func dutyWhen(d engine.Duty) string {
	switch {
	case d.Status == engine.StatusMet:
		s := "met " + londonInstant(d.Met)
		if d.Late {
			s += ", late"
		}
		return s
	case d.Status == engine.StatusWaiting:
		return "counts from milestone " + d.Obligation.From.Milestone.ID + ", not yet reached"
	case d.Due.IsZero():
		return ""
	case d.Within.Unit == calendar.Hours:
		return "due by " + londonInstant(d.Due)
	}
	return "due by the end of " + longDateOf(d.DueDate)
}

type jsonAction struct {
	Event   string       `json:"event"`
	Allowed bool         `json:"allowed"`
	To      string       `json:"to"`
	Reasons []jsonReason `json:"reasons,omitempty"`
}

type jsonAvailable struct {
	Schema  int          `json:"schema"`
	Case    string       `json:"case"`
	Stage   string       `json:"stage"`
	Actor   string       `json:"actor"`
	Role    string       `json:"role"`
	At      string       `json:"at"`
	Actions []jsonAction `json:"actions"`
}

func (o caseOutput) available(h engine.Head, actor, role string, at time.Time, actions []engine.Action) int {
	out := jsonAvailable{Schema: jsonSchema, Case: h.ID, Stage: where(h), Actor: actor, Role: role, At: instant(at), Actions: []jsonAction{}}
	for _, a := range actions {
		ja := jsonAction{Event: a.Event, Allowed: a.Allowed, To: a.Transition.Destination()}
		if a.Refused != nil {
			ja.Reasons = reasons(a.Refused)
			if ja.To == "" {
				ja.To = ja.Reasons[0].To
			}
		}
		out.Actions = append(out.Actions, ja)
	}
	if o.json {
		return o.write(out)
	}
	w := o.e.stdout
	if h.Closed() {
		termPrintf(w, "Case %s is closed, at %s: no event can be fired.\n", h.ID, o.placeWords(h))
		return exitOK
	}
	as := role
	if actor != "" {
		as = who(actor, role, "")
	}
	termPrintf(w, "What %s may do on case %s at %s, on %s:\n", as, h.ID, o.placeWords(h), londonInstant(at))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range out.Actions {
		to := "stays"
		if a.To != "" {
			to = "to " + a.To
		}
		if a.Allowed {
			termPrintf(tw, "  %s\tyes\t%s\n", a.Event, to)
			continue
		}
		ws := make([]string, len(a.Reasons))
		for i, r := range a.Reasons {
			ws[i] = r.Code + ": " + r.Message
		}
		termPrintf(tw, "  %s\tno\t%s\t%s\n", a.Event, to, strings.Join(ws, "; "))
	}
	if err := tw.Flush(); err != nil {
		return o.e.fail(o.c, "%v", err)
	}
	return exitOK
}

// jsonProblem is why a record does not verify.
type jsonProblem struct {
	How     string `json:"how"`
	Entry   int    `json:"entry,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// problem says where a verification failed (a file, and a line when it is
// known) and how.
func (o caseOutput) problem(h engine.Head, rr *recordReader, err error) (where string, p jsonProblem) {
	var (
		rec  *engine.RecordError
		line *lineError
	)
	p.Message = strings.TrimPrefix(err.Error(), "case "+h.ID+": ")
	where = o.cf.record
	switch {
	case errors.As(err, &line):
		p.How, p.Line, p.Message = "unreadable", line.line, line.msg
	case errors.As(err, &rec):
		p.How, p.Entry = string(rec.How), rec.Entry
		switch rec.How {
		case engine.HeadDiffers:
			where = o.cf.head
		case engine.RolledBack:
			where = o.cf.dir
		case engine.EntryEdited, engine.EntryOutOfOrder, engine.EntryUnauthenticated:
			p.Line = rr.lines[rec.Entry]
		}
	case errors.Is(err, engine.ErrReplayMismatch):
		p.How = "replay"
	default:
		p.How = "error"
	}
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, p.Line)
	}
	return where, p
}

type jsonVerify struct {
	Schema     int                `json:"schema"`
	Case       string             `json:"case"`
	Verified   bool               `json:"verified"`
	Entries    int                `json:"entries,omitempty"`
	Checkpoint *engine.Checkpoint `json:"checkpoint,omitempty"`
	// Authenticated: every entry's MAC was checked with the host's key.
	Authenticated bool         `json:"authenticated"`
	Problem       *jsonProblem `json:"problem,omitempty"`
}

func (o caseOutput) verified(h engine.Head, rr *recordReader, cp *engine.Checkpoint, keyed bool, err error) int {
	out := jsonVerify{Schema: jsonSchema, Case: h.ID, Verified: err == nil, Checkpoint: cp, Authenticated: err == nil && keyed}
	var where string
	if err == nil {
		out.Entries = rr.n
	} else {
		var p jsonProblem
		where, p = o.problem(h, rr, err)
		out.Problem = &p
	}
	if o.json {
		if code := o.write(out); code != exitOK || err == nil {
			return code
		}
		return exitFail
	}
	w := o.e.stdout
	if err != nil {
		termPrintf(w, "%s: %s\nCase %s does not verify.\n", where, out.Problem.Message, h.ID)
		return exitFail
	}
	termPrintf(w, "Case %s verifies: %s holds %s, intact and in order, and replaying them under %s version %s rebuilds %s (revision %d).\n",
		h.ID, o.cf.record, plural(rr.n, "entry", "entries"), h.Policy.ID, h.Policy.Version, o.cf.head, h.Revision)
	switch {
	case keyed:
		fmt.Fprintln(w, "Its entries are authenticated with the key: no one without it wrote them.")
	case rr.macs > 0:
		termPrintf(w, "%s carry a MAC, not checked: give the host's key with --key-file to check them.\n", plural(rr.macs, "entry", "entries"))
	}
	if cp != nil {
		termPrintf(w, "The record holds the checkpoint at revision %d: the case was not rolled back.\n", cp.Revision)
	}
	return exitOK
}

type jsonMigrate struct {
	Schema   int          `json:"schema"`
	Case     string       `json:"case"`
	Entries  int          `json:"entries"`
	Verified bool         `json:"verified"`
	Problem  *jsonProblem `json:"problem,omitempty"`
}

func (o caseOutput) migrated(h engine.Head, rr *recordReader, file string, entries int, err error) int {
	out := jsonMigrate{Schema: jsonSchema, Case: h.ID, Entries: entries, Verified: err == nil}
	var where string
	if err != nil {
		var p jsonProblem
		where, p = o.problem(h, rr, err)
		out.Problem = &p
	}
	code := exitOK
	if err != nil {
		code = exitFail
	}
	if o.json {
		if c := o.write(out); c != exitOK {
			return c
		}
		return code
	}
	w := o.e.stdout
	termPrintf(w, "Migrated case %s from %s (case schema 2) to %s: %s in %s, %s at revision %d.\n",
		h.ID, file, o.cf.dir, plural(entries, "entry", "entries"), recordFile, headFile, h.Revision)
	if err != nil {
		termPrintf(w, "%s: %s\nIt does not verify under %s version %s; the files are kept for you to look at.\n", where, out.Problem.Message, h.Policy.ID, h.Policy.Version)
		return code
	}
	termPrintf(w, "It verifies under %s version %s.\n", h.Policy.ID, h.Policy.Version)
	return code
}

func (o caseOutput) rebuilt(h engine.Head, was int64, written bool) int {
	if o.json {
		return o.write(struct {
			Schema   int    `json:"schema"`
			Case     string `json:"case"`
			Revision int64  `json:"revision"`
			Was      int64  `json:"was"`
			Written  bool   `json:"written"`
		}{jsonSchema, h.ID, h.Revision, was, written})
	}
	w := o.e.stdout
	switch {
	case !written:
		termPrintf(w, "%s already is what its record rebuilds (revision %d): nothing was written.\n", o.cf.head, h.Revision)
	case was == 0:
		termPrintf(w, "Rebuilt %s from %s: case %s at revision %d.\n", o.cf.head, o.cf.record, h.ID, h.Revision)
	default:
		termPrintf(w, "Rebuilt %s from %s: case %s at revision %d (it was at revision %d).\n", o.cf.head, o.cf.record, h.ID, h.Revision, was)
	}
	return exitOK
}

// show writes the head and the record. JSON streams the record, an entry at
// a time, as text does.
func (o caseOutput) show(h engine.Head, entries iter.Seq2[*engine.Entry, error]) int {
	if o.json {
		return o.showJSON(h, entries)
	}
	w := o.e.stdout
	termPrintf(w, "Case %s, under %s version %s, revision %d\n", h.ID, h.Policy.ID, h.Policy.Version, h.Revision)
	termPrintf(w, "Raised %s; at %s since %s\n", londonInstant(h.Raised), o.placeWords(h), londonInstant(h.Entered))
	o.showValues("Facts", factRows(o.p, h.Facts))
	o.showValues("Form data", formRows(o.p, h.Forms))
	var ms []string
	for id, t := range h.Milestones {
		ms = append(ms, id+"  "+londonInstant(t))
	}
	sort.Strings(ms)
	o.showValues("Milestones", ms)
	termPrintf(w, "Record, %s (not proved here: 'escalation case verify' proves it):\n", o.cf.record)
	for en, err := range entries {
		if err != nil {
			return o.e.fail(o.c, "%v", err)
		}
		termPrintf(w, "  %d  %s  %s\n", en.Seq, londonInstant(en.At), entryWords(en))
	}
	return exitOK
}

func (o caseOutput) showJSON(h engine.Head, entries iter.Seq2[*engine.Entry, error]) int {
	w := o.e.stdout
	hb, err := json.Marshal(h)
	if err != nil {
		return o.e.fail(o.c, "%v", err)
	}
	termPrintf(w, "{\n  \"schema\": %d,\n  \"head\": %s,\n  \"record\": [", jsonSchema, hb)
	n := 0
	for en, err := range entries {
		if err != nil {
			fmt.Fprintln(w)
			return o.e.fail(o.c, "%v", err)
		}
		b, err := json.Marshal(en)
		if err != nil {
			return o.e.fail(o.c, "%v", err)
		}
		if n > 0 {
			fmt.Fprint(w, ",")
		}
		termPrintf(w, "\n    %s", b)
		n++
	}
	if n > 0 {
		fmt.Fprint(w, "\n  ")
	}
	fmt.Fprint(w, "]\n}\n")
	return exitOK
}

func (o caseOutput) showValues(title string, rows []string) {
	w := o.e.stdout
	if len(rows) == 0 {
		termPrintf(w, "%s: none\n", title)
		return
	}
	termPrintf(w, "%s:\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		name, value, _ := strings.Cut(r, "  ")
		termPrintf(tw, "  %s\t%s\n", name, value)
	}
	tw.Flush()
}

const withheld = "(personal data, not shown)"

// factRows are the facts, NAME  VALUE, in the policy's order, personal
// ones withheld.
func factRows(p *engine.Policy, facts map[string]any) []string {
	var rows []string
	for _, f := range p.Facts {
		v, ok := facts[f.ID]
		if !ok {
			continue
		}
		text := valueText(v)
		if f.Personal {
			text = withheld
		}
		rows = append(rows, f.ID+"  "+text)
	}
	return rows
}

// formRows are the form data, FORM.FIELD  VALUE, in the policy's order,
// personal fields withheld.
func formRows(p *engine.Policy, forms map[string]map[string]any) []string {
	var rows []string
	for _, form := range p.Forms {
		data := forms[form.ID]
		for _, f := range formFields(form) {
			v, ok := data[f.ID]
			if !ok {
				continue
			}
			text := valueText(v)
			if f.Personal {
				text = withheld
			}
			rows = append(rows, form.ID+"."+f.ID+"  "+text)
		}
	}
	return rows
}

// valueText writes a fact's or field's value as a person would: a list as
// [a, b], text as it is.
func valueText(v any) string {
	switch x := v.(type) {
	case []any:
		items := make([]string, len(x))
		for i, item := range x {
			items[i] = fmt.Sprint(item)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// entryWords is an entry for people: who did what, the move, and which
// facts, forms and note came with it, by name only.
func entryWords(en *engine.Entry) string {
	move := en.From + " -> " + en.To
	switch {
	case en.Event == engine.RaiseEvent:
		move = "raised at " + en.To
	case en.To == "":
		move = "stays at " + en.From
	}
	s := fmt.Sprintf("%s by %s: %s", en.Event, who(en.Actor, en.Role, en.Agency), move)
	var with []string
	if len(en.Facts) > 0 {
		with = append(with, "facts "+strings.Join(sortedKeys(en.Facts), ", "))
	}
	if len(en.Forms) > 0 {
		with = append(with, "form data for "+strings.Join(sortedKeys(en.Forms), ", "))
	}
	if en.Note != "" {
		with = append(with, "a note")
	}
	if len(with) > 0 {
		s += "; with " + strings.Join(with, "; ")
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// readCheckpoint reads the last checkpoint of case id from a file of
// checkpoints: one JSON object, or several, one a line.
func (e *env) readCheckpoint(c *command, file, id string) (*engine.Checkpoint, int) {
	b, err := safefile.Read(file, maxHeadBytes)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, e.noSuchPath(c, file)
	case err != nil:
		return nil, e.fail(c, "cannot read %s: %s", file, safefile.Reason(err))
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var last *engine.Checkpoint
	for n := 1; ; n++ {
		var cp engine.Checkpoint
		if err := dec.Decode(&cp); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, e.fail(c, "%s: checkpoint %d is not {\"case\", \"revision\", \"hash\"}: %v", file, n, err)
		}
		if cp.Case == id {
			last = &cp
		}
	}
	if last == nil {
		return nil, e.fail(c, "%s holds no checkpoint of case %s", file, id)
	}
	return last, exitOK
}
