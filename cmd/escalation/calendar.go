package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/diag"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/internal/termsafe"
)

// jurisdictionFlag is a --jurisdiction flag.
type jurisdictionFlag struct {
	j   calendar.Jurisdiction
	set bool // given on the command line, not the default
}

func (f *jurisdictionFlag) String() string { return string(f.j) }

func (f *jurisdictionFlag) Set(s string) error {
	j, err := calendar.ParseJurisdiction(s)
	if err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "calendar: "))
	}
	f.j, f.set = j, true
	return nil
}

func jurisdictionNames() string {
	var names []string
	for _, j := range calendar.Jurisdictions() {
		names = append(names, string(j))
	}
	return strings.Join(names, ", ")
}

func jurisdiction(fs *flag.FlagSet) *jurisdictionFlag {
	f := &jurisdictionFlag{j: calendar.EnglandAndWales}
	fs.Var(f, "jurisdiction", "whose bank holidays count: "+jurisdictionNames())
	return f
}

// closuresFlag is a --closures flag: a YAML file of closure days in the
// format calendar.ParseClosures reads.
func closuresFlag(fs *flag.FlagSet) *string {
	return fs.String("closures", "", "a YAML `file` of closure days (- {date: YYYY-MM-DD, name, source}) that deadlines skip too")
}

// closures reads a --closures file (none when the flag is not given), as
// every command reads a file; a problem is written to stderr, and the code
// returned.
func (e *env) closures(c *command, path string) ([]calendar.Holiday, int) {
	if path == "" {
		return nil, exitOK
	}
	data, err := safefile.Read(path, engine.DefaultMaxBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, e.noSuchPath(c, path)
	case err != nil:
		return nil, e.fail(c, "--closures %s: %s", path, safefile.Reason(err))
	}
	days, err := calendar.ParseClosures(filepath.ToSlash(path), data)
	var ds diag.Diagnostics
	if errors.As(err, &ds) {
		// Every problem, each with its line and a caret, as validate shows a policy's.
		var b strings.Builder
		if werr := diag.Write(&b, ds, func(string) []byte { return data }); werr != nil {
			return nil, e.fail(c, "--closures %s: %v", path, werr)
		}
		return nil, e.fail(c, "--closures %s does not read:\n%s", path, strings.TrimSuffix(b.String(), "\n"))
	}
	if err != nil {
		return nil, e.fail(c, "--closures %s does not read:\n%v", path, err)
	}
	return days, exitOK
}

// calendarChoice is the flags of a command that counts in one calendar: a
// jurisdiction's, or a policy's (with the days it declares), with closures.
type calendarChoice struct {
	j        *jurisdictionFlag
	policy   *string
	closures *string
}

func calendarFlags(fs *flag.FlagSet) *calendarChoice {
	return &calendarChoice{
		j:        jurisdiction(fs),
		policy:   fs.String("policy", "", "count in this `POLICY`'s calendar: its jurisdiction and the days it declares (instead of --jurisdiction)"),
		closures: closuresFlag(fs),
	}
}

// calendar builds the chosen calendar, or says why not and returns the
// exit code.
func (cc *calendarChoice) calendar(e *env, c *command) (*calendar.Calendar, *engine.Policy, int) {
	if *cc.policy != "" && cc.j.set {
		return nil, nil, c.usageError(e, "give --jurisdiction or --policy, not both: a policy names its own jurisdiction")
	}
	closures, code := e.closures(c, *cc.closures)
	if code != exitOK {
		return nil, nil, code
	}
	var err error
	if *cc.policy == "" {
		cal, err := calendar.For(cc.j.j)
		if err == nil && len(closures) > 0 {
			cal, err = cal.With(calendar.WithClosures(closures...))
		}
		if err != nil {
			return nil, nil, e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
		}
		return cal, nil, exitOK
	}
	p, code := e.loadPolicy(c, *cc.policy)
	if p == nil {
		return nil, nil, code
	}
	if p, err = p.WithClosures(closures...); err != nil {
		return nil, nil, e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
	}
	return p.Calendar(), p, exitOK
}

// describe says whose days off the calendar has, for a heading: "isle-of-man
// bank holidays", or more when a policy declares days or closures are given.
func (cc *calendarChoice) describe(cal *calendar.Calendar, p *engine.Policy) string {
	parts := []string{string(cal.Jurisdiction()) + " bank holidays"}
	if p != nil && p.CalendarSpec != nil {
		parts = append(parts, "the days policy "+p.ID+" declares")
	}
	if *cc.closures != "" {
		parts = append(parts, "the closures in "+filepath.ToSlash(*cc.closures))
	}
	return joinWords(parts)
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(ws []string) string {
	if len(ws) < 2 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// dayOffName is a day off's name as lists show it, marked when it is not a
// bank holiday.
func dayOffName(h calendar.Holiday) string {
	name := h.Name
	if h.Substitute {
		name += " (substitute day)"
	}
	if h.Kind != calendar.BankHoliday {
		name += " [" + h.Kind.String() + "]"
	}
	return name
}

func holidaysCommand() *command {
	c := &command{
		name:    "holidays",
		args:    "[--jurisdiction J | --policy POLICY] [--closures FILE] [--from YEAR] [--to YEAR] [--format text|json]",
		nargs:   [2]int{0, 0},
		summary: "list the bank holidays that are not working days",
		about: `Lists the weekdays that are not working days in a jurisdiction: its bank
holidays, with substitute days when a holiday falls at a weekend, and the
one-off days proclaimed for national events. --from and --to are years; both
default to the current year, and --to defaults to --from.

With --policy, the calendar is the policy's: its jurisdiction's bank
holidays and the days off it declares, marked [declared] with their source.
--closures adds the closure days of a file (policies/SCENARIOS.md shows the
format), marked [closure].

JSON: [{"schema", "date": "YYYY-MM-DD", "name", "substitute", "kind",
"source"}], in date order; "kind" is "bank holiday", "declared" or "closure".`,
		example: "escalation holidays --jurisdiction isle-of-man --from 2026 --to 2027",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		cc := calendarFlags(fs)
		from := fs.Int("from", 0, "the first `year` (default: this year)")
		to := fs.Int("to", 0, "the last `year` (default: --from)")
		format := formatFlag(fs, "text", "json")
		return func(e *env, _ []string) int {
			if *from == 0 {
				*from = calendar.DateOf(e.now()).Year
			}
			if *to == 0 {
				*to = *from
			}
			if *to < *from {
				return c.usageError(e, fmt.Sprintf("--to %d is before --from %d", *to, *from))
			}
			cal, p, code := cc.calendar(e, c)
			if cal == nil {
				return code
			}
			hs, err := cal.Holidays(calendar.Date{Year: *from, Month: time.January, Day: 1}, calendar.Date{Year: *to, Month: time.December, Day: 31})
			if err != nil {
				return e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			}
			if format.value == "json" {
				type holiday struct {
					Schema     int           `json:"schema"` // in each item: the output is a list
					Date       string        `json:"date"`
					Name       string        `json:"name"`
					Substitute bool          `json:"substitute"`
					Kind       calendar.Kind `json:"kind"`
					Source     string        `json:"source"`
				}
				out := make([]holiday, len(hs))
				for i, h := range hs {
					out[i] = holiday{Schema: jsonSchema, Date: h.Date.String(), Name: h.Name, Substitute: h.Substitute, Kind: h.Kind, Source: h.Source}
				}
				if err := writeJSON(e.stdout, out); err != nil {
					return e.fail(c, "%v", err)
				}
				return exitOK
			}
			years := fmt.Sprint(*from)
			if *to != *from {
				years = fmt.Sprintf("%d to %d", *from, *to)
			}
			if p == nil && *cc.closures == "" {
				termPrintf(e.stdout, "Bank holidays in %s, %s:\n", cal.Jurisdiction(), years)
			} else {
				termPrintf(e.stdout, "Days off in %s: %s:\n", years, cc.describe(cal, p))
			}
			for _, h := range hs {
				termPrintf(e.stdout, "  %s  %-15s %s\n", h.Date, longDateOf(h.Date), dayOffName(h))
				if h.Kind != calendar.BankHoliday && h.Source != "" {
					termPrintf(e.stdout, "  %10s  %-15s source: %s\n", "", "", h.Source)
				}
			}
			fmt.Fprintln(e.stdout, plural(len(hs), "day", "days"))
			return exitOK
		}
	}
	return c
}

func dueCommand() *command {
	c := &command{
		name:    "due",
		args:    `[--jurisdiction J | --policy POLICY] [--closures FILE] --from TIME --within "N working days" [--format text|json]`,
		nargs:   [2]int{0, 0},
		summary: "compute a deadline and explain it day by day",
		about: `Computes when an act is due if the procedure allows WITHIN after an event at
TIME, and explains it: day 1 is the first working day after the event's
date, and the act is due by the end of day N. WITHIN is "N working days",
"N hours" (clock time), "immediately" or "without delay" (by the end of the
current working day).

TIME is RFC 3339, or YYYY-MM-DDTHH:MM in Europe/London, or YYYY-MM-DD, which
means 09:00 that day in Europe/London.

With --policy, the days are counted in the policy's calendar: its
jurisdiction's bank holidays and the days off it declares. --closures adds
the closure days of a file. The days off that are not bank holidays are
listed at the end with their sources.

JSON: {"schema", "due": RFC 3339 instant (the first moment it is late),
"due_date": the last day on time, "explanation": [{"date", "counted", "day",
"reason", "source"}]} with one entry per date from the event's date to the
due date (none for hours); "day" is the working day's number when counted,
"reason" says why a date was not counted, and "source" cites a declared day
or closure.`,
		example: `escalation due --from 2026-12-22T10:00 --within "2 working days"`,
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		cc := calendarFlags(fs)
		from := fs.String("from", "", "the event's `time`")
		within := fs.String("within", "", `the timescale, such as "2 working days", "24 hours" or "immediately"`)
		format := formatFlag(fs, "text", "json")
		return func(e *env, _ []string) int {
			switch {
			case *from == "":
				return c.usageError(e, "missing --from TIME")
			case *within == "":
				return c.usageError(e, `missing --within, such as "2 working days"`)
			}
			at, err := scenario.ParseTime(*from)
			if err != nil {
				return c.usageError(e, "--from: "+err.Error())
			}
			w, err := calendar.ParseWithin(*within)
			if err != nil {
				return c.usageError(e, "--within: "+strings.TrimPrefix(err.Error(), "calendar: "))
			}
			cal, _, code := cc.calendar(e, c)
			if cal == nil {
				return code
			}
			dl, err := cal.Deadline(at, w)
			if err != nil {
				return e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			}
			if format.value == "json" {
				if err := writeJSON(e.stdout, dueJSON(dl)); err != nil {
					return e.fail(c, "%v", err)
				}
				return exitOK
			}
			fmt.Fprint(e.stdout, termsafe.Lines(dl.String()))
			writeStepSources(e.stdout, dl.Steps)
			return exitOK
		}
	}
	return c
}

// writeStepSources cites the declared days and closures an explanation
// passed over, once each.
func writeStepSources(w io.Writer, steps []calendar.Step) {
	seen := map[string]bool{}
	for _, s := range steps {
		if s.Source == "" || seen[s.Reason+s.Source] {
			continue
		}
		if len(seen) == 0 {
			fmt.Fprintln(w, "Sources of the days off that are not bank holidays:")
		}
		seen[s.Reason+s.Source] = true
		termPrintf(w, "  %s: %s\n", s.Reason, s.Source)
	}
}

type jsonStep struct {
	Date    string `json:"date"`
	Counted bool   `json:"counted"`
	Day     int    `json:"day"`
	Reason  string `json:"reason"`
	Source  string `json:"source,omitempty"`
}

// jsonSteps is a deadline's day-by-day explanation.
func jsonSteps(dl calendar.Deadline) []jsonStep {
	steps := make([]jsonStep, len(dl.Steps))
	for i, s := range dl.Steps {
		steps[i] = jsonStep{Date: s.Date.String(), Counted: s.Counted, Day: s.Day, Reason: s.Reason, Source: s.Source}
	}
	return steps
}

func dueJSON(dl calendar.Deadline) any {
	steps := jsonSteps(dl)
	return struct {
		Schema      int        `json:"schema"`
		Due         string     `json:"due"`
		DueDate     string     `json:"due_date"`
		Explanation []jsonStep `json:"explanation"`
	}{Schema: jsonSchema, Due: instant(dl.Due), DueDate: dl.DueDate.String(), Explanation: steps}
}
