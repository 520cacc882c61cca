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
expedite condition then holds gets its shorter timescale.

JSON: {"schema", "policy", "version", "raised", "facts", "stages": [{"id", "title",
"entered", "deadlines": [{"obligation", "within", "from", "due",
"due_date", "expedited"}], "untimed", "only_if": [{"obligation", "within",
"milestone"}], "note"}], "branches": [{"id", "title", "via": [event]}]}. A
stage whose duties state no timescale has no deadlines and "note": "no
timescale stated"; "untimed" lists such duties.`,
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
	Obligation string `json:"obligation"`
	Within     string `json:"within"`
	From       string `json:"from"`
	Due        string `json:"due"`
	DueDate    string `json:"due_date"`
	Expedited  bool   `json:"expedited,omitempty"`
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
	Note      string         `json:"note,omitempty"`
}

type jsonBranch struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Via   []string `json:"via"`
}

type jsonTimeline struct {
	Schema   int                 `json:"schema"`
	Policy   string              `json:"policy"`
	Version  string              `json:"version"`
	Raised   string              `json:"raised"`
	Facts    map[string]any      `json:"facts,omitempty"`
	Stages   []jsonTimelineStage `json:"stages"`
	Branches []jsonBranch        `json:"branches,omitempty"`
}

func instant(t time.Time) string { return t.In(calendar.London()).Format(time.RFC3339) }

// anchorName is an obligation's `from`, as the policy language writes it.
func anchorName(a engine.Anchor) string {
	if a.Kind == engine.AnchorMilestone {
		return "milestone." + a.Milestone.ID
	}
	return string(a.Kind)
}

func timelineJSON(s *timeline.Schedule) jsonTimeline {
	out := jsonTimeline{Schema: jsonSchema, Policy: s.Policy.ID, Version: s.Policy.Version, Raised: instant(s.Raised), Facts: s.Facts, Stages: []jsonTimelineStage{}}
	for _, st := range s.Stages {
		js := jsonTimelineStage{ID: st.Stage.ID, Title: st.Stage.Title, Entered: instant(st.Entered), Deadlines: []jsonDeadline{}, Note: st.Note()}
		for _, d := range st.Deadlines {
			js.Deadlines = append(js.Deadlines, jsonDeadline{
				Obligation: d.Obligation.ID, Within: d.Within.String(), From: anchorName(d.Obligation.From),
				Due: instant(d.Due), DueDate: d.DueDate.String(), Expedited: d.Expedited,
			})
		}
		for _, ob := range st.Untimed {
			js.Untimed = append(js.Untimed, ob.ID)
		}
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
	return out
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
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, d := range st.Deadlines {
			within := d.Within.String()
			if d.Expedited {
				within += " (expedited)"
			}
			fmt.Fprintf(tw, "   %s\t%s, %s\t%s\n", d.Obligation.ID, within, d.From, dueWords(d))
		}
		for _, ob := range st.Untimed {
			fmt.Fprintf(tw, "   %s\t%s\n", ob.ID, timeline.NoTimescale)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(st.OnlyIf) > 0 {
			fmt.Fprintf(w, "   Owed only if a case reaches what they count from, which one that stays unresolved does not:\n")
			for _, ob := range st.OnlyIf {
				fmt.Fprintf(tw, "   %s\t%s, from milestone %s\t(%s)\n", ob.ID, withinWords(ob), ob.From.Milestone.ID, ob.From.Milestone.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if st.Note() != "" {
			fmt.Fprintf(w, "   %s: the next stage can start at once.\n", strings.ToUpper(timeline.NoTimescale[:1])+timeline.NoTimescale[1:])
		}
	}
	if err := writeBranches(w, s); err != nil {
		return err
	}
	if last == nil {
		_, err := fmt.Fprintf(w, "\nNo stage states a timescale.\n")
		return err
	}
	_, err := fmt.Fprintf(w, "\nThe last duty, %s at %s, is %s.\n", last.Obligation.ID, last.Obligation.Stage.ID, dueWords(*last))
	return err
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
		fmt.Fprintf(w, "\nBranch: %s\n", b.Stage.Title)
		fmt.Fprintf(w, "   Not a rung of the ladder: reached only by %s.\n", strings.Join(via, ", or "))
		fmt.Fprintf(w, "   Its timescales count from when it is reached:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, ob := range b.Stage.Obligations {
			fmt.Fprintf(tw, "   %s\t%s\n", ob.ID, withinWords(ob))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// withinWords is an obligation's own timescale, or that it states none.
func withinWords(ob *engine.Obligation) string {
	if !ob.HasDeadline {
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
