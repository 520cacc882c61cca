package calendar

import (
	"fmt"
	"strings"
	"time"
)

// Yearly is a day off that recurs every year: a fixed date ("9 May"), which
// moves to a substitute weekday when it falls at a weekend, or the nth
// weekday of a month ("first Monday of June"), which never needs to. The
// zero Yearly means "none".
type Yearly struct {
	Month   time.Month
	Day     int          // a fixed date's day of the month; 0 for an nth weekday
	Nth     int          // an nth weekday: 1 to 4, or Last; 0 for a fixed date
	Weekday time.Weekday // an nth weekday's day of the week
}

// Last is Yearly.Nth for the last of a weekday in its month.
const Last = -1

// The nth weekdays a yearly day may name, in words and in figures.
var (
	ordinals       = []string{"first", "second", "third", "fourth"}
	ordinalFigures = []string{"1st", "2nd", "3rd", "4th"}
)

const yearlyForms = `a date such as "9 May", or a weekday such as "first Monday of June" or "last Monday of August"`

// ParseYearly reads a yearly day off as a policy writes it: a day and a
// month ("9 May", "May 9"), or an ordinal, a weekday, "of" or "in", and a
// month ("first Monday of June", "2nd Tuesday in March", "last Friday of
// August"). Months and weekdays are written in full or as their first three
// letters, in any case.
func ParseYearly(s string) (Yearly, error) {
	f := strings.Fields(strings.ToLower(s))
	var y Yearly
	ok := false
	switch len(f) {
	case 2:
		if d, isNum := digits(f[0]); isNum && len(f[0]) <= 2 {
			y.Day = d
			y.Month, ok = month(f[1])
		} else if d, isNum := digits(f[1]); isNum && len(f[1]) <= 2 {
			y.Day = d
			y.Month, ok = month(f[0])
		}
	case 4:
		var okN, okW, okM bool
		y.Nth, okN = ordinal(f[0])
		y.Weekday, okW = weekday(f[1])
		y.Month, okM = month(f[3])
		ok = okN && okW && okM && (f[2] == "of" || f[2] == "in")
	}
	if !ok {
		return Yearly{}, fmt.Errorf("calendar: cannot read yearly day %q: write %s", s, yearlyForms)
	}
	if len(f) == 2 && y.Day == 0 {
		return Yearly{}, fmt.Errorf("calendar: yearly day %q: %s has no day 0", s, y.Month)
	}
	if err := y.check(); err != nil {
		return Yearly{}, fmt.Errorf("calendar: yearly day %q: %w", s, err)
	}
	return y, nil
}

func month(s string) (time.Month, bool) { return byName(s, time.January, time.December) }

func weekday(s string) (time.Weekday, bool) { return byName(s, time.Sunday, time.Saturday) }

// byName returns the value from first to last whose name s is, in full or
// its first three letters; s is in lower case.
func byName[T interface {
	~int
	String() string
}](s string, first, last T) (T, bool) {
	for v := first; v <= last; v++ {
		name := strings.ToLower(v.String())
		if s == name || s == name[:3] {
			return v, true
		}
	}
	return 0, false
}

func ordinal(s string) (int, bool) {
	if s == "last" {
		return Last, true
	}
	for i, o := range ordinals {
		if s == o || s == ordinalFigures[i] {
			return i + 1, true
		}
	}
	return 0, false
}

// check reports why y cannot be a yearly day off, if it cannot.
func (y Yearly) check() error {
	switch {
	case y.IsZero():
		return fmt.Errorf("no yearly day given: write %s", yearlyForms)
	case y.Month < time.January || y.Month > time.December:
		return fmt.Errorf("month %d is not 1 to 12", int(y.Month))
	case y.Day != 0 && y.Nth != 0:
		return fmt.Errorf("give a day of the month or an nth weekday, not both")
	case y.Day == 0 && y.Nth == 0:
		return fmt.Errorf("give a day of the month or an nth weekday")
	case y.Day != 0 && (y.Day < 1 || y.Day > daysIn(2001, y.Month)):
		if y.Month == time.February && y.Day == 29 {
			return fmt.Errorf("29 February is not in every year: declare the day for each year it is off instead")
		}
		return fmt.Errorf("%s has no day %d", y.Month, y.Day)
	case y.Day != 0:
		return nil
	case y.Nth != Last && (y.Nth < 1 || y.Nth > len(ordinals)):
		return fmt.Errorf("%d is not an nth weekday: use first to fourth, or last", y.Nth)
	case y.Weekday < time.Sunday || y.Weekday > time.Saturday:
		return fmt.Errorf("weekday %d is not Sunday (0) to Saturday (6)", int(y.Weekday))
	case y.Weekday == time.Saturday || y.Weekday == time.Sunday:
		return fmt.Errorf("a %s is never a working day, so it needs no day off: name a weekday", y.Weekday)
	}
	return nil
}

// IsZero reports whether y is the zero Yearly ("none").
func (y Yearly) IsZero() bool { return y == Yearly{} }

// String returns the form ParseYearly reads back: "9 May", "first Monday of
// June", "last Monday of August"; "" for the zero Yearly.
func (y Yearly) String() string {
	switch {
	case y.IsZero():
		return ""
	case y.Day != 0:
		return fmt.Sprintf("%d %s", y.Day, y.Month)
	case y.Nth == Last:
		return fmt.Sprintf("last %s of %s", y.Weekday, y.Month)
	case y.Nth >= 1 && y.Nth <= len(ordinals):
		return fmt.Sprintf("%s %s of %s", ordinals[y.Nth-1], y.Weekday, y.Month)
	}
	return fmt.Sprintf("%dth %s of %s", y.Nth, y.Weekday, y.Month)
}

// in returns y's nominal date in a year; y must pass check.
func (y Yearly) in(year int) Date {
	if y.Day != 0 {
		return Date{year, y.Month, y.Day}
	}
	if y.Nth == Last {
		last := Date{year, y.Month, daysIn(year, y.Month)}
		return last.AddDays(-((int(last.Weekday()) - int(y.Weekday) + 7) % 7))
	}
	first := Date{year, y.Month, 1}
	return first.AddDays((int(y.Weekday)-int(first.Weekday())+7)%7 + 7*(y.Nth-1))
}
