package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Deadline is a deadline with its explanation.
type Deadline struct {
	Trigger   time.Time // the event the timescale counts from
	Within    Within
	Due       time.Time // the instant by which the act is due (Europe/London)
	DueDate   Date      // the last local date on which the act is on time
	Immediate bool      // the procedure said "immediately" or "without delay"
	Steps     []Step    // for working days: every date from the trigger's date to DueDate
}

// Step is one date of a working-day count.
type Step struct {
	Date    Date
	Counted bool   // a working day counted towards N
	Day     int    // its number, 1 to N, when Counted
	Reason  string // why it was not counted: "trigger date", "Sat", "Sun", a holiday's name, "closure: <name>", or "first working day" (the due date when N = 0)
	Source  string // for a declared day off or a closure, its source as given, so that an explanation cites it
}

// Reasons a step is not counted, other than a day off's name.
const (
	reasonTrigger      = "trigger date"
	reasonFirstWorking = "first working day"
)

// Due returns the instant by which an act is due when the procedure allows w
// after an event at t (the package documentation, "Deadlines"):
//
//   - N working days: day 1 is the first working day strictly after t's
//     local date; the act is due by the end of day N, so the instant is the
//     start (00:00, Europe/London) of the next calendar day.
//   - 0 working days, or immediately: by the end of t's date if it is a
//     working day, else of the next working day.
//   - N hours: t plus N hours of elapsed time, across clock changes.
//
// It does not allocate, so a host can recompute every open case each night.
func (c *Calendar) Due(t time.Time, w Within) (time.Time, error) {
	due, _, err := c.due(t, w)
	return due, err
}

// due returns the deadline instant and the due date's day number. It works
// on day numbers and the clock table, never through the time package's zone
// search, so it is cheap and does not allocate.
func (c *Calendar) due(t time.Time, w Within) (time.Time, int, error) {
	if t.IsZero() {
		return time.Time{}, 0, errors.New("calendar: no trigger time given (the zero time): give the instant of the event")
	}
	if err := w.check(); err != nil {
		return time.Time{}, 0, fmt.Errorf("calendar: timescale %v: %w", w, err)
	}
	i := c.clock.localDay(t) - c.firstDay
	if i < 0 || i >= c.days {
		_, err := c.index(DateOf(t))
		return time.Time{}, 0, err
	}
	if w.Unit == Hours {
		due := t.Add(time.Duration(w.N) * time.Hour).In(london)
		return due, c.clock.localDay(due.Add(-time.Nanosecond)), nil
	}
	j, ok := c.add(i, w.N)
	if !ok {
		return time.Time{}, 0, c.beyondRange(DateOf(t), w.N)
	}
	return c.clock.startOfDay(c.firstDay + j + 1), c.firstDay + j, nil
}

// Deadline returns the same deadline as Due, explained: for working days,
// one step per date from t's date to the due date, saying which days
// counted and why the others did not.
func (c *Calendar) Deadline(t time.Time, w Within) (Deadline, error) {
	due, dueDay, err := c.due(t, w)
	if err != nil {
		return Deadline{}, err
	}
	dl := Deadline{Trigger: t, Within: w, Due: due, DueDate: fromDayNumber(dueDay), Immediate: w.Immediate}
	if w.Unit == Hours {
		return dl, nil
	}
	first := c.clock.localDay(t) - c.firstDay // due has checked both ends
	n := 0
	for i := first; i <= dueDay-c.firstDay; i++ {
		s := Step{Date: fromDayNumber(c.firstDay + i)}
		switch working := c.isWorking(i); {
		case i == first:
			s.Reason = reasonTrigger
		case working && w.N == 0:
			s.Reason = reasonFirstWorking
		case working:
			n++
			s.Counted, s.Day = true, n
		default:
			s.Reason, s.Source = c.offReason(s.Date)
		}
		dl.Steps = append(dl.Steps, s)
	}
	return dl, nil
}

// offReason says why d, not a working day, is off and, for a declared day
// or a closure, on whose authority.
func (c *Calendar) offReason(d Date) (reason, source string) {
	h, ok := c.dayOff(d)
	switch {
	case !ok:
		return d.Weekday().String()[:3], "" // "Sat", "Sun"
	case h.Kind == BankHoliday:
		return h.reason(), ""
	}
	return h.reason(), h.Source
}

// String explains the deadline in a few lines: the trigger, the rule, when
// it is due, then one line per step.
func (dl Deadline) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Trigger: %s\n", dl.Trigger.In(london).Format(instantLayout))
	switch {
	case dl.Immediate:
		b.WriteString("Rule: immediately, taken as by the end of the current working day (the next working day if the trigger date is not one)\n")
	case dl.Within.Unit == Hours:
		fmt.Fprintf(&b, "Rule: within %s: %d hours of clock time\n", dl.Within, dl.Within.N)
	case dl.Within.N == 0:
		fmt.Fprintf(&b, "Rule: within %s: by the end of the current working day (the next working day if the trigger date is not one)\n", dl.Within)
	default:
		fmt.Fprintf(&b, "Rule: within %s: day 1 is the first working day after the trigger date; due by the end of day %d\n", dl.Within, dl.Within.N)
	}
	if dl.Within.Unit == Hours {
		// Clock time is due at an instant, not at the end of a day.
		fmt.Fprintf(&b, "Due: %s\n", dl.Due.Format(instantLayout))
	} else {
		fmt.Fprintf(&b, "Due: %s (by the end of %s)\n", dl.Due.Format(instantLayout), dl.DueDate.long())
	}
	for _, s := range dl.Steps {
		what := s.Reason
		if s.Counted {
			what = fmt.Sprintf("day %d", s.Day)
		}
		fmt.Fprintf(&b, "  %s  %s\n", s.Date.long(), what)
	}
	return b.String()
}

const instantLayout = "Mon 2 Jan 2006 15:04 MST"

// long formats d for people: "Tue 22 Dec 2026".
func (d Date) long() string {
	return fmt.Sprintf("%s %d %s %d", d.Weekday().String()[:3], d.Day, d.Month.String()[:3], d.Year)
}
