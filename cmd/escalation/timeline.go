package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

func timelineCommand() *command {
	c := &command{
		name:    "timeline",
		args:    "POLICY --raised TIME [--fact NAME=VALUE]... [--closures FILE] [--format text|json]",
		operand: "POLICY",
		nargs:   [2]int{1, 1},
		summary: "show the worst-case schedule of a case raised at a time",
		about: `Shows when each stage is entered and each duty falls due if a case raised at
TIME is never resolved: it climbs the ladder, does each duty in the last
minute the duty allows, and is escalated at every stage on the last day
allowed (each stage is entered at 23:59 on the previous stage's last due
date, one minute before its last deadline). Duties that follow a milestone a
case which stays unresolved never reaches, such as an agreement, are listed
as owed only if it happens: they do not lengthen the wait. A stage that only
a route from any stage reaches is shown as a branch, not as the next rung.
Working days leave out weekends, the policy's bank holidays and the days off
it declares, and the closure days of --closures FILE; the days left out are
named, with the sources of those that are not bank holidays.

TIME is RFC 3339 (2026-12-22T10:00:00Z), or YYYY-MM-DDTHH:MM in
Europe/London, or YYYY-MM-DD, which means 09:00 that day in Europe/London.
--fact NAME=VALUE (repeatable) gives the case a fact, written as in a
scenario file (true, 3, threshold, 2026-01-05, [a, b]): a duty whose
expedite condition then holds gets its shorter timescale, a duty owed only
under a condition is owed if the facts meet it, and a deadline that counts
from a date fact (or a sooner one by it) is dated from the date given.

A duty is scheduled by the deadline it gets: a sooner deadline ("or
sooner") takes over when it is earlier. An urgent duty ("as soon as
possible") is due by its backstop if it has one, and otherwise has no
deadline. A duty counted only from a date the case has not given cannot be
dated. The duties an outcome owes after the case ends there are shown as if
it were reached when the ladder ends.

JSON: {"schema", "policy", "version", "raised", "facts", "stages": [{"id", "title",
"entered", "deadlines": [{"obligation", "within", "from", "due",
"due_date", "expedited", "urgent", "when", "sooner"}], "untimed", "only_if":
[{"obligation", "within", "milestone"}], "by_case", "not_owed", "note"}],
"branches": [{"id", "title", "via": [event]}], "outcomes": [{"id", "title",
"reached", "deadlines", "untimed", "by_case", "not_owed"}]}. A stage whose
duties state no timescale has no deadlines and "note": "no timescale
stated"; "untimed" lists such duties, "by_case" those counted from a date
the case has not given, "not_owed" those whose condition does not hold.
"from" is the deadline's own anchor (a sooner deadline's when it applies).`,
		example: "escalation timeline sefton --raised 2026-12-22",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fs, "text", "json")
		raised := fs.String("raised", "", "when the case is raised: YYYY-MM-DD[THH:MM] in Europe/London, or RFC 3339")
		facts := factFlag(fs)
		closuresFile := closuresFlag(fs)
		return func(e *env, args []string) int {
			if *raised == "" {
				return c.usageError(e, "missing --raised TIME")
			}
			at, err := scenario.ParseTime(*raised)
			if err != nil {
				return c.usageError(e, "--raised: "+err.Error())
			}
			closures, code := e.closures(c, *closuresFile)
			if code != exitOK {
				return code
			}
			p, code := e.loadPolicy(c, args[0])
			if p == nil {
				return code
			}
			if p, err = p.WithClosures(closures...); err != nil {
				return e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			}
			var opts []timeline.Option
			if len(facts.given) > 0 {
				values, err := facts.values(p)
				if err != nil {
					return c.usageError(e, err.Error())
				}
				opts = append(opts, timeline.WithFacts(values))
			}
			s, err := timeline.WorstCase(p, at, opts...)
			if err != nil {
				return e.fail(c, "%v", err)
			}
			if format.value == "json" {
				err = writeJSON(e.stdout, timelineJSON(s))
			} else {
				err = writeTimeline(e.stdout, s, len(closures) > 0)
			}
			if err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}

type jsonDeadline struct {
	Obligation string   `json:"obligation"`
	Within     string   `json:"within"`
	From       string   `json:"from"`
	Due        string   `json:"due"`
	DueDate    string   `json:"due_date"`
	Expedited  bool     `json:"expedited,omitempty"`
	Urgent     bool     `json:"urgent,omitempty"`
	When       string   `json:"when,omitempty"`
	Sooner     []string `json:"sooner,omitempty"`
}

type jsonOnlyIf struct {
	Obligation string `json:"obligation"`
	Within     string `json:"within"`
	Milestone  string `json:"milestone"`
}

type jsonTimelineStage struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Entered   string         `json:"entered"`
	Deadlines []jsonDeadline `json:"deadlines"`
	Untimed   []string       `json:"untimed,omitempty"`
	OnlyIf    []jsonOnlyIf   `json:"only_if,omitempty"`
	ByCase    []string       `json:"by_case,omitempty"`
	NotOwed   []string       `json:"not_owed,omitempty"`
	Note      string         `json:"note,omitempty"`
}

type jsonTimelineOutcome struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Reached   string         `json:"reached"`
	Deadlines []jsonDeadline `json:"deadlines"`
	Untimed   []string       `json:"untimed,omitempty"`
	ByCase    []string       `json:"by_case,omitempty"`
	NotOwed   []string       `json:"not_owed,omitempty"`
}

type jsonBranch struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Via   []string `json:"via"`
}

type jsonTimeline struct {
	Schema   int                   `json:"schema"`
	Policy   string                `json:"policy"`
	Version  string                `json:"version"`
	Raised   string                `json:"raised"`
	Facts    map[string]any        `json:"facts,omitempty"`
	Stages   []jsonTimelineStage   `json:"stages"`
	Branches []jsonBranch          `json:"branches,omitempty"`
	Outcomes []jsonTimelineOutcome `json:"outcomes,omitempty"`
}

func instant(t time.Time) string { return t.In(calendar.London()).Format(time.RFC3339) }

// anchorName is what a deadline on the schedule counts from, as the policy
// language writes it.
func anchorName(f timeline.From) string {
	switch f.Kind {
	case engine.AnchorMilestone:
		return "milestone." + f.Milestone.ID
	case engine.AnchorFact:
		if f.EndOf {
			return "by fact." + f.Fact.ID
		}
		return "fact." + f.Fact.ID
	}
	return string(f.Kind)
}

func jsonDeadlines(ds []timeline.Deadline) []jsonDeadline {
	out := []jsonDeadline{}
	for _, d := range ds {
		ob := d.Obligation
		jd := jsonDeadline{
			Obligation: ob.ID, Within: d.Within.String(), From: anchorName(d.From),
			Due: instant(d.Due), DueDate: d.DueDate.String(), Expedited: d.Expedited, Urgent: ob.Urgent,
		}
		if ob.When != nil {
			jd.When = ob.When.Text
		}
		for _, alt := range ob.Sooner {
			jd.Sooner = append(jd.Sooner, alt.String())
		}
		out = append(out, jd)
	}
	return out
}

func obligationIDs(obs []*engine.Obligation) []string {
	var ids []string
	for _, ob := range obs {
		ids = append(ids, ob.ID)
	}
	return ids
}

func timelineJSON(s *timeline.Schedule) jsonTimeline {
	out := jsonTimeline{Schema: jsonSchema, Policy: s.Policy.ID, Version: s.Policy.Version, Raised: instant(s.Raised), Facts: s.Facts, Stages: []jsonTimelineStage{}}
	for _, st := range s.Stages {
		js := jsonTimelineStage{ID: st.Stage.ID, Title: st.Stage.Title, Entered: instant(st.Entered), Deadlines: jsonDeadlines(st.Deadlines),
			Untimed: obligationIDs(st.Untimed), ByCase: obligationIDs(st.ByCase), NotOwed: obligationIDs(st.NotOwed), Note: st.Note()}
		for _, ob := range st.OnlyIf {
			js.OnlyIf = append(js.OnlyIf, jsonOnlyIf{Obligation: ob.ID, Within: withinWords(ob), Milestone: ob.From.Milestone.ID})
		}
		out.Stages = append(out.Stages, js)
	}
	for _, b := range s.Branches {
		jb := jsonBranch{ID: b.Stage.ID, Title: b.Stage.Title, Via: []string{}}
		for _, t := range b.Via {
			jb.Via = append(jb.Via, t.Event)
		}
		out.Branches = append(out.Branches, jb)
	}
	for _, o := range s.Outcomes {
		out.Outcomes = append(out.Outcomes, jsonTimelineOutcome{ID: o.Outcome.ID, Title: o.Outcome.Title, Reached: instant(o.Reached),
			Deadlines: jsonDeadlines(o.Deadlines), Untimed: obligationIDs(o.Untimed), ByCase: obligationIDs(o.ByCase), NotOwed: obligationIDs(o.NotOwed)})
	}
	return out
}

// writeTimeline writes the schedule for a safeguarding manager to read.
func writeTimeline(w io.Writer, s *timeline.Schedule, closures bool) error {
	p := s.Policy
	london := calendar.London()
	var last, lastOwed *timeline.Deadline
	for i := range s.Stages {
		for j := range s.Stages[i].Deadlines {
			if d := &s.Stages[i].Deadlines[j]; last == nil || d.Due.After(last.Due) {
				last = d
			}
		}
	}
	lastOwed = last
	for i := range s.Outcomes {
		for j := range s.Outcomes[i].Deadlines {
			if d := &s.Outcomes[i].Deadlines[j]; lastOwed == nil || d.Due.After(lastOwed.Due) {
				lastOwed = d
			}
		}
	}
	termPrintf(w, "Worst-case timeline: %s\n%s, version %s\n\n", p.Title, p.Partnership, p.Version)
	termPrintf(w, "Raised %s. If the case is never resolved and each stage is escalated\n", s.Raised.In(london).Format(longInstant))
	termPrintf(w, "on the last day it allows, this is when each stage starts and what falls due.\n")
	if err := writeDaysOff(w, s, lastOwed, closures); err != nil {
		return err
	}
	for i, st := range s.Stages {
		termPrintf(w, "\n%d. %s\n", i+1, st.Stage.Title)
		termPrintf(w, "   Starts %s, %s.\n", st.Entered.In(london).Format(longInstant), startWhy(s, i))
		if err := writeDuties(w, st.Deadlines, st.Untimed, st.ByCase, st.NotOwed); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if len(st.OnlyIf) > 0 {
			termPrintf(w, "   Owed only if a case reaches what they count from, which one that stays unresolved does not:\n")
			for _, ob := range st.OnlyIf {
				termPrintf(tw, "   %s\t%s, from milestone %s\t(%s)\n", ob.ID, withinWords(ob), ob.From.Milestone.ID, ob.From.Milestone.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if st.Note() != "" {
			termPrintf(w, "   %s: the next stage can start at once.\n", strings.ToUpper(timeline.NoTimescale[:1])+timeline.NoTimescale[1:])
		}
	}
	if err := writeBranches(w, s); err != nil {
		return err
	}
	if last == nil {
		termPrintf(w, "\nNo stage states a timescale.\n")
	} else {
		termPrintf(w, "\nThe last duty, %s at %s, is %s.\n", last.Obligation.ID, last.Obligation.Stage.ID, dueWords(*last))
	}
	for _, o := range s.Outcomes {
		termPrintf(w, "\nAfter the outcome %s (%s), if it is reached when the ladder ends, %s:\n", o.Outcome.ID, o.Outcome.Title, o.Reached.In(london).Format(longInstant))
		if err := writeDuties(w, o.Deadlines, o.Untimed, o.ByCase, o.NotOwed); err != nil {
			return err
		}
	}
	return nil
}

// writeDuties writes a stage's or an outcome's duties, one a line: each
// deadline with what may bring it forward, then the duties with no
// timescale, those counted from a date the case has not given, and those
// its facts make not owed.
func writeDuties(w io.Writer, deadlines []timeline.Deadline, untimed, byCase, notOwed []*engine.Obligation) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range deadlines {
		within := d.Within.String() + ", "
		switch {
		case d.From.EndOf:
			within = "" // a date the case gives, not a timescale
		case d.Expedited:
			within = d.Within.String() + " (expedited), "
		}
		termPrintf(tw, "   %s\t%s%s\t%s%s\n", d.Obligation.ID, within, d.From, dueWords(d), dutyNotes(d.Obligation, d.Sooner))
	}
	for _, ob := range untimed {
		termPrintf(tw, "   %s\t%s%s\n", ob.ID, withinWords(ob), dutyNotes(ob, nil))
	}
	for _, ob := range byCase {
		termPrintf(tw, "   %s\t%s, from %s\tfrom a date the case has not given%s\n", ob.ID, ob.Within, ob.From, dutyNotes(ob, nil))
	}
	for _, ob := range notOwed {
		termPrintf(tw, "   %s\tnot owed: only when %s\n", ob.ID, ob.When.Text)
	}
	return tw.Flush()
}

// dutyNotes says what may bring a duty forward, and when it is owed at all.
// applied is the whichever_sooner deadline the schedule shows, if one does:
// the note then names the duty's own as the later one, not applied again.
func dutyNotes(ob *engine.Obligation, applied *engine.Alternative) string {
	var notes []string
	if ob.Urgent && ob.HasDeadline {
		notes = append(notes, "as soon as possible (urgent)")
	}
	if applied != nil && ob.HasDeadline {
		notes = append(notes, "sooner than "+ob.Within.String()+" from "+ob.From.String())
	}
	for _, alt := range ob.Sooner {
		if alt != applied {
			notes = append(notes, "or sooner: "+alt.String())
		}
	}
	if ob.When != nil {
		notes = append(notes, "only when "+ob.When.Text)
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, "; ")
}

// writeDaysOff lists the days off between the raise and the last deadline:
// the days the counts pass over.
func writeDaysOff(w io.Writer, s *timeline.Schedule, last *timeline.Deadline, closures bool) error {
	p := s.Policy
	what := []string{string(p.Jurisdiction) + " bank holidays"}
	if p.CalendarSpec != nil {
		what = append(what, "the days off the policy declares")
	}
	if closures {
		what = append(what, "the closures given")
	}
	termPrintf(w, "Working days are Monday to Friday except %s", joinWords(what))
	if last == nil {
		_, err := fmt.Fprintln(w, ".")
		return err
	}
	hs, err := p.Calendar().Holidays(calendar.DateOf(s.Raised), last.DueDate)
	if err != nil {
		return err
	}
	if len(hs) == 0 {
		_, err := fmt.Fprintln(w, "; none falls in this time.")
		return err
	}
	fmt.Fprintln(w, ", which here are:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, h := range hs {
		termPrintf(tw, "  %s\t%s\n", longDateOf(h.Date), dayOffName(h))
		if h.Kind != calendar.BankHoliday && h.Source != "" {
			termPrintf(tw, "  \tsource: %s\n", h.Source)
		}
	}
	return tw.Flush()
}

// writeBranches lists the stages the ladder does not climb to, with the
// routes that reach them and their timescales, which count from when a route
// is taken.
func writeBranches(w io.Writer, s *timeline.Schedule) error {
	for _, b := range s.Branches {
		var via []string
		for _, t := range b.Via {
			v := t.Event
			if t.From == nil {
				v += " (from any stage)"
			} else {
				v += " (from " + t.From.ID + ")"
			}
			if t.When != nil {
				v += " when " + t.When.Text
			}
			via = append(via, v)
		}
		termPrintf(w, "\nBranch: %s\n", b.Stage.Title)
		termPrintf(w, "   Not a rung of the ladder: reached only by %s.\n", strings.Join(via, ", or "))
		termPrintf(w, "   Its timescales count from when it is reached:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, ob := range b.Stage.Obligations {
			termPrintf(tw, "   %s\t%s\n", ob.ID, withinWords(ob))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// withinWords is an obligation's own timescale, or that it states none.
func withinWords(ob *engine.Obligation) string {
	switch {
	case ob.Urgent && ob.HasDeadline:
		return "as soon as possible (urgent), at the latest " + ob.Within.String()
	case ob.Urgent:
		return "as soon as possible (urgent)"
	case !ob.HasDeadline:
		return timeline.NoTimescale
	}
	return ob.Within.String()
}

// startWhy says why stage i starts when it does.
func startWhy(s *timeline.Schedule, i int) string {
	if i == 0 {
		return "when the case is raised"
	}
	latest := s.Stages[i-1].Latest()
	switch {
	case latest == nil:
		return "at once: the stage before states no timescale"
	case !s.Stages[i].Entered.Equal(latest.Due.Add(-time.Minute)):
		return "at once: the stage before's deadlines had passed when it started"
	case latest.Within.Unit == calendar.Hours:
		return "one minute before the stage before's last deadline"
	}
	return "at the end of the last day the stage before allows"
}

// dueWords says when a deadline falls: by the end of a day for working
// days, at an instant for hours.
func dueWords(d timeline.Deadline) string {
	if d.Within.Unit == calendar.Hours {
		return "due by " + d.Due.In(calendar.London()).Format(longInstant)
	}
	return "due by the end of " + longDateOf(d.DueDate)
}
