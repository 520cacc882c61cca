package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
)

// jurisdictionFlag is a --jurisdiction flag.
type jurisdictionFlag struct{ j calendar.Jurisdiction }

func (f *jurisdictionFlag) String() string { return string(f.j) }

func (f *jurisdictionFlag) Set(s string) error {
	j, err := calendar.ParseJurisdiction(s)
	if err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "calendar: "))
	}
	f.j = j
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

func holidaysCommand() *command {
	c := &command{
		name:    "holidays",
		args:    "[--jurisdiction J] [--from YEAR] [--to YEAR] [--format text|json]",
		nargs:   [2]int{0, 0},
		summary: "list the bank holidays that are not working days",
		about: `Lists the weekdays that are not working days in a jurisdiction: its bank
holidays, with substitute days when a holiday falls at a weekend, and the
one-off days proclaimed for national events. --from and --to are years; both
default to the current year, and --to defaults to --from.

JSON: [{"schema", "date": "YYYY-MM-DD", "name"}], in date order.`,
		example: "escalation holidays --jurisdiction isle-of-man --from 2026 --to 2027",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		j := jurisdiction(fs)
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
			cal, err := calendar.For(j.j)
			if err != nil {
				return e.fail(c, "%v", err)
			}
			hs, err := cal.Holidays(calendar.Date{Year: *from, Month: time.January, Day: 1}, calendar.Date{Year: *to, Month: time.December, Day: 31})
			if err != nil {
				return e.fail(c, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			}
			if format.value == "json" {
				type holiday struct {
					Schema int    `json:"schema"` // in each item: the output is a list
					Date   string `json:"date"`
					Name   string `json:"name"`
				}
				out := make([]holiday, len(hs))
				for i, h := range hs {
					out[i] = holiday{Schema: jsonSchema, Date: h.Date.String(), Name: h.Name}
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
			fmt.Fprintf(e.stdout, "Bank holidays in %s, %s:\n", j.j, years)
			for _, h := range hs {
				name := h.Name
				if h.Substitute {
					name += " (substitute day)"
				}
				fmt.Fprintf(e.stdout, "  %s  %-15s %s\n", h.Date, longDateOf(h.Date), name)
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
		args:    `[--jurisdiction J] --from TIME --within "N working days" [--format text|json]`,
		nargs:   [2]int{0, 0},
		summary: "compute a deadline and explain it day by day",
		about: `Computes when an act is due if the procedure allows WITHIN after an event at
TIME, and explains it: day 1 is the first working day after the event's
date, and the act is due by the end of day N. WITHIN is "N working days",
"N hours" (clock time), "immediately" or "without delay" (by the end of the
current working day).

TIME is RFC 3339, or YYYY-MM-DDTHH:MM in Europe/London, or YYYY-MM-DD, which
means 09:00 that day in Europe/London.

JSON: {"schema", "due": RFC 3339 instant (the first moment it is late), "due_date":
the last day on time, "explanation": [{"date", "counted", "day", "reason"}]}
with one entry per date from the event's date to the due date (none for
hours); "day" is the working day's number when counted, and "reason" says
why a date was not counted.`,
		example: `escalation due --from 2026-12-22T10:00 --within "2 working days"`,
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		j := jurisdiction(fs)
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
			cal, err := calendar.For(j.j)
			if err != nil {
				return e.fail(c, "%v", err)
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
			fmt.Fprint(e.stdout, dl.String())
			return exitOK
		}
	}
	return c
}

type jsonStep struct {
	Date    string `json:"date"`
	Counted bool   `json:"counted"`
	Day     int    `json:"day"`
	Reason  string `json:"reason"`
}

func dueJSON(dl calendar.Deadline) any {
	steps := make([]jsonStep, len(dl.Steps))
	for i, s := range dl.Steps {
		steps[i] = jsonStep{Date: s.Date.String(), Counted: s.Counted, Day: s.Day, Reason: s.Reason}
	}
	return struct {
		Schema      int        `json:"schema"`
		Due         string     `json:"due"`
		DueDate     string     `json:"due_date"`
		Explanation []jsonStep `json:"explanation"`
	}{Schema: jsonSchema, Due: instant(dl.Due), DueDate: dl.DueDate.String(), Explanation: steps}
}
