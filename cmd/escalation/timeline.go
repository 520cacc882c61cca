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
		args:    "POLICY --raised TIME [--closures FILE] [--format text|json]",
		operand: "POLICY",
		nargs:   [2]int{1, 1},
		summary: "show the worst-case schedule of a case raised at a time",
		about: `Shows when each stage is entered and each duty falls due if a case raised at
TIME is never resolved and is escalated at every stage on the last day
allowed: each stage is entered at 23:59 on the previous stage's last due date
(one minute before its last deadline). Working days leave out weekends, the
policy's bank holidays and the days off it declares, and the closure days
of --closures FILE; the days left out are named, with the sources of those
that are not bank holidays.

TIME is RFC 3339 (2026-12-22T10:00:00Z), or YYYY-MM-DDTHH:MM in
Europe/London, or YYYY-MM-DD, which means 09:00 that day in Europe/London.

Each duty is scheduled by its own timescale, the latest it can fall due: a
sooner deadline ("or sooner") or urgency only bring it forward, and a duty
owed only under a condition ("only when") is shown as if it held. A duty
counted from a date the case gives cannot be dated. The duties an outcome
owes are shown as if it were reached when the ladder ends.

JSON: {"policy", "version", "raised", "stages": [{"id", "title", "entered",
"deadlines": [{"obligation", "within", "from", "due", "due_date", "urgent",
"when", "sooner"}], "untimed", "by_case", "note"}], "outcomes": [{"id",
"title", "reached", "deadlines", "untimed", "by_case"}]}. A stage whose
duties state no timescale has no deadlines and "note": "no timescale
stated"; "untimed" lists such duties, "by_case" those counted from a date
the case gives.`,
		example: "escalation timeline sefton --raised 2026-12-22",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fs, "text", "json")
		raised := fs.String("raised", "", "when the case is raised: YYYY-MM-DD[THH:MM] in Europe/London, or RFC 3339")
		closuresFile := closuresFlag(fs)
		return func(e *env, args []string) int {
			if *raised == "" {
				return c.usageError(e, "missing --raised TIME")
			}
			at, err := scenario.ParseTime(*raised)
			if err != nil {
				return c.usageError(e, "--raised: "+err.Error())
			}
			closures, err := readClosures(*closuresFile)
			if err != nil {
				return e.fail(c, "%v", err)
			}
			p, code := e.loadPolicy(c, args[0])
			if p == nil {
				return code
			}
			if p, err = p.WithClosures(closures...); err != nil {
				return e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			}
			s, err := timeline.WorstCase(p, at)
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
	Urgent     bool     `json:"urgent,omitempty"`
	When       string   `json:"when,omitempty"`
	Sooner     []string `json:"sooner,omitempty"`
}

type jsonTimelineStage struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Entered   string         `json:"entered"`
	Deadlines []jsonDeadline `json:"deadlines"`
	Untimed   []string       `json:"untimed,omitempty"`
	ByCase    []string       `json:"by_case,omitempty"`
	Note      string         `json:"note,omitempty"`
}

type jsonTimelineOutcome struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Reached   string         `json:"reached"`
	Deadlines []jsonDeadline `json:"deadlines"`
	Untimed   []string       `json:"untimed,omitempty"`
	ByCase    []string       `json:"by_case,omitempty"`
}

type jsonTimeline struct {
	Policy   string                `json:"policy"`
	Version  string                `json:"version"`
	Raised   string                `json:"raised"`
	Stages   []jsonTimelineStage   `json:"stages"`
	Outcomes []jsonTimelineOutcome `json:"outcomes,omitempty"`
}

func instant(t time.Time) string { return t.In(calendar.London()).Format(time.RFC3339) }

func timelineJSON(s *timeline.Schedule) jsonTimeline {
	out := jsonTimeline{Policy: s.Policy.ID, Version: s.Policy.Version, Raised: instant(s.Raised), Stages: []jsonTimelineStage{}}
	deadlines := func(ds []timeline.Deadline) []jsonDeadline {
		out := []jsonDeadline{}
		for _, d := range ds {
			ob := d.Obligation
			jd := jsonDeadline{
				Obligation: ob.ID, Within: ob.Within.String(), From: ob.From.String(),
				Due: instant(d.Due), DueDate: d.DueDate.String(), Urgent: ob.Urgent,
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
	for _, st := range s.Stages {
		out.Stages = append(out.Stages, jsonTimelineStage{ID: st.Stage.ID, Title: st.Stage.Title, Entered: instant(st.Entered),
			Deadlines: deadlines(st.Deadlines), Untimed: obligationIDs(st.Untimed), ByCase: obligationIDs(st.ByCase), Note: st.Note()})
	}
	for _, o := range s.Outcomes {
		out.Outcomes = append(out.Outcomes, jsonTimelineOutcome{ID: o.Outcome.ID, Title: o.Outcome.Title, Reached: instant(o.Reached),
			Deadlines: deadlines(o.Deadlines), Untimed: obligationIDs(o.Untimed), ByCase: obligationIDs(o.ByCase)})
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

// writeTimeline writes the schedule for a safeguarding manager to read.
func writeTimeline(w io.Writer, s *timeline.Schedule, closures bool) error {
	p := s.Policy
	london := calendar.London()
	var last *timeline.Deadline
	for i := range s.Stages {
		for j := range s.Stages[i].Deadlines {
			if d := &s.Stages[i].Deadlines[j]; last == nil || d.Due.After(last.Due) {
				last = d
			}
		}
	}
	fmt.Fprintf(w, "Worst-case timeline: %s\n%s, version %s\n\n", p.Title, p.Partnership, p.Version)
	fmt.Fprintf(w, "Raised %s. If the case is never resolved and each stage is escalated\n", s.Raised.In(london).Format(longInstant))
	fmt.Fprintf(w, "on the last day it allows, this is when each stage starts and what falls due.\n")
	if err := writeDaysOff(w, s, last, closures); err != nil {
		return err
	}
	for i, st := range s.Stages {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, st.Stage.Title)
		fmt.Fprintf(w, "   Starts %s, %s.\n", st.Entered.In(london).Format(longInstant), startWhy(s, i))
		if err := writeDuties(w, st.Deadlines, st.Untimed, st.ByCase); err != nil {
			return err
		}
		if st.Note() != "" {
			fmt.Fprintf(w, "   %s: the next stage can start at once.\n", strings.ToUpper(timeline.NoTimescale[:1])+timeline.NoTimescale[1:])
		}
	}
	if last == nil {
		fmt.Fprintf(w, "\nNo stage states a timescale.\n")
	} else {
		fmt.Fprintf(w, "\nThe last duty, %s at %s, is %s.\n", last.Obligation.ID, last.Obligation.Stage.ID, dueWords(*last))
	}
	for _, o := range s.Outcomes {
		fmt.Fprintf(w, "\nAfter the outcome %s (%s), if it is reached when the ladder ends, %s:\n", o.Outcome.ID, o.Outcome.Title, o.Reached.In(london).Format(longInstant))
		if err := writeDuties(w, o.Deadlines, o.Untimed, o.ByCase); err != nil {
			return err
		}
	}
	return nil
}

// writeDuties writes a stage's or outcome's duties, one a line: each
// deadline with what may bring it forward, then the duties with no
// timescale, then those counted from a date the case gives.
func writeDuties(w io.Writer, deadlines []timeline.Deadline, untimed, byCase []*engine.Obligation) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range deadlines {
		fmt.Fprintf(tw, "   %s\t%s, %s\t%s%s\n", d.Obligation.ID, d.Obligation.Within, d.From, dueWords(d), dutyNotes(d.Obligation))
	}
	for _, ob := range untimed {
		what := timeline.NoTimescale
		if ob.Urgent {
			what = "as soon as possible (urgent)"
		}
		fmt.Fprintf(tw, "   %s\t%s%s\n", ob.ID, what, dutyNotes(ob))
	}
	for _, ob := range byCase {
		fmt.Fprintf(tw, "   %s\t%s, from %s\tfrom a date the case gives%s\n", ob.ID, ob.Within, ob.From, dutyNotes(ob))
	}
	return tw.Flush()
}

// dutyNotes says what may bring a duty forward, and when it is owed at all.
func dutyNotes(ob *engine.Obligation) string {
	var notes []string
	if ob.Urgent && ob.HasDeadline {
		notes = append(notes, "as soon as possible (urgent)")
	}
	for _, alt := range ob.Sooner {
		notes = append(notes, "or sooner: "+alt.String())
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
	fmt.Fprintf(w, "Working days are Monday to Friday except %s", joinWords(what))
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
		fmt.Fprintf(tw, "  %s\t%s\n", longDateOf(h.Date), dayOffName(h))
		if h.Kind != calendar.BankHoliday && h.Source != "" {
			fmt.Fprintf(tw, "  \tsource: %s\n", h.Source)
		}
	}
	return tw.Flush()
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
