package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DayOff is a day off declared on top of a jurisdiction's bank holidays: an
// area's own holiday (Guernsey's Liberation Day), a day proclaimed after
// this release (the Isle of Man's next TT Bank Holiday), or days a
// partnership does not work (its Christmas closure). Give a Name and exactly
// one of Date, From and To, or Yearly.
type DayOff struct {
	Name   string
	Source string // the authority, shown with the day
	Date   Date   // one weekday
	From   Date   // the first day of a range; the range may span weekends and holidays
	To     Date   // the last day of the range, at most maxRange days after From
	Yearly Yearly // every year, with the substitute rule for a fixed date
}

// maxRange is the longest range of days off a DayOff may give: a month
// covers any closure a partnership announces; longer is a typo.
const maxRange = 31

// WithDaysOff declares days off on top of the jurisdiction's bank holidays.
// They are part of the calendar's tables like the bank holidays, so they
// cost nothing per query.
//
// A yearly fixed date that falls at a weekend moves to the next weekday that
// is not already a day off, the substitute rule of every jurisdiction here
// (Banking and Financial Dealings Act 1971; Bank Holidays Act 1989 for the
// Isle of Man). A yearly day that falls on a bank holiday adds nothing that
// year. A single date must be a weekday. A range may span weekends and bank
// holidays, which keep their names.
//
// New reports every mistake as a *DayOffError (joined with errors.Join). A
// day that repeats one of the jurisdiction's own holidays is not an error, so
// a calendar keeps building when a later release adds that holiday to its
// table: it adds nothing, and Duplicates lists it.
func WithDaysOff(days ...DayOff) Option {
	days = append([]DayOff(nil), days...) // the caller may reuse its slice
	return func(cfg *config) error {
		cfg.days = append(cfg.days, days...)
		return nil
	}
}

// DayOffError is a mistake in one of the days given to WithDaysOff.
type DayOffError struct {
	Index int    // the day's position in the days given to WithDaysOff
	Name  string // the day's name
	Field string // the part at fault: "name", "date", "from", "to", "yearly", or "" for the day as a whole
	First int    // for a day declared twice, the position of the first declaration; otherwise -1
	Err   error
}

func (e *DayOffError) Error() string {
	return fmt.Sprintf("calendar: day off %q (%d of the days declared): %v", e.Name, e.Index+1, e.Err)
}

func (e *DayOffError) Unwrap() error { return e.Err }

// Duplicate is a declared day off that repeats one of the jurisdiction's own
// holidays, and so adds nothing.
type Duplicate struct {
	Index int    // the day's position in the days given to WithDaysOff
	Name  string // the name of the holiday it repeats
	Date  Date   // for a single date, that date; zero for a yearly day
}

// Duplicates lists the declared days off that repeat one of the
// jurisdiction's own holidays, in the order they were given.
func (c *Calendar) Duplicates() []Duplicate { return append([]Duplicate(nil), c.dups...) }

// dayOffs adds the declared days off: the yearly ones first, as the bank
// holidays are, then the single dates and ranges.
type dayOffs struct {
	c    *Calendar
	days []DayOff
	errs []error
	bad  []bool // the day has a mistake, reported
}

func (c *Calendar) addDaysOff(days []DayOff) error {
	if len(days) == 0 {
		return nil
	}
	a := &dayOffs{c: c, days: days, bad: make([]bool, len(days))}
	for i := range days {
		a.check(i)
	}
	a.yearly()
	a.dates()
	return errors.Join(a.errs...)
}

func (a *dayOffs) fail(i int, field string, first int, format string, args ...any) {
	a.bad[i] = true
	a.errs = append(a.errs, &DayOffError{Index: i, Name: a.days[i].Name, Field: field, First: first, Err: fmt.Errorf(format, args...)})
}

// failErr reports err, which may wrap ErrOutOfRange.
func (a *dayOffs) failErr(i int, field string, err error) {
	a.bad[i] = true
	a.errs = append(a.errs, &DayOffError{Index: i, Name: a.days[i].Name, Field: field, First: -1, Err: err})
}

// check reports what is wrong with day i on its own.
func (a *dayOffs) check(i int) {
	d := a.days[i]
	if strings.TrimSpace(d.Name) == "" {
		a.fail(i, "name", -1, "the day off has no name: name it, for explanations")
	}
	forms := []string{}
	if !d.Date.IsZero() {
		forms = append(forms, "date")
	}
	if !d.From.IsZero() || !d.To.IsZero() {
		forms = append(forms, "from")
	}
	if !d.Yearly.IsZero() {
		forms = append(forms, "yearly")
	}
	switch {
	case len(forms) == 0:
		a.fail(i, "", -1, "give the day off a date, a range (from and to), or a yearly rule")
		return
	case len(forms) > 1:
		field := forms[1]
		if field == "from" && d.From.IsZero() {
			field = "to"
		}
		a.fail(i, field, -1, "give one of date, from and to, or yearly, not %s", strings.Join(forms, " and "))
		return
	}
	switch forms[0] {
	case "date":
		if a.checkDate(i, "date", d.Date) {
			if wd := d.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				a.fail(i, "date", -1, "%s is a %s, which is never a working day, and a single date has no substitute day: give the weekday off, or a yearly rule for a day that moves", d.Date, wd)
			}
		}
	case "from":
		a.checkRange(i, d)
	case "yearly":
		if err := d.Yearly.check(); err != nil {
			a.fail(i, "yearly", -1, "%v", err)
		}
	}
}

// checkDate reports whether d is a date in the calendar's range, reporting
// it if not.
func (a *dayOffs) checkDate(i int, field string, d Date) bool {
	if _, err := a.c.index(d); err != nil {
		a.failErr(i, field, unprefixed(err))
		return false
	}
	return true
}

func (a *dayOffs) checkRange(i int, d DayOff) {
	switch {
	case d.From.IsZero():
		a.fail(i, "to", -1, "a range needs from as well as to")
		return
	case d.To.IsZero():
		a.fail(i, "from", -1, "a range needs to as well as from")
		return
	}
	if okFrom, okTo := a.checkDate(i, "from", d.From), a.checkDate(i, "to", d.To); !okFrom || !okTo {
		return
	}
	switch n := d.To.dayNumber() - d.From.dayNumber() + 1; {
	case n < 1:
		a.fail(i, "to", -1, "the range runs backwards: to (%s) is before from (%s)", d.To, d.From)
	case n > maxRange:
		a.fail(i, "to", -1, "the range is %d days long, over the limit of %d: check the dates, or declare each part separately", n, maxRange)
	case n <= 2 && isWeekend(d.From) && isWeekend(d.To):
		a.fail(i, "from", -1, "every day from %s to %s is at a weekend, which is never a working day: a range needs a weekday", d.From, d.To)
	}
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// unprefixed is an error about a date as a DayOffError shows it: without
// the package's "calendar: ", which the DayOffError says already, and
// without repeating ErrOutOfRange's text, while still wrapping it.
func unprefixed(err error) error {
	msg := strings.TrimSuffix(strings.TrimPrefix(err.Error(), "calendar: "), ": "+ErrOutOfRange.Error())
	return &restated{msg: msg, err: err}
}

// restated is an error in other words.
type restated struct {
	msg string
	err error
}

func (e *restated) Error() string { return e.msg }
func (e *restated) Unwrap() error { return e.err }

// yearly adds every year's day of each yearly rule, in the order given,
// after the bank holidays: a substitute skips the days already off.
func (a *dayOffs) yearly() {
	c := a.c
	var rules []int
	seen := map[Yearly]int{}
	for i, d := range a.days {
		if a.bad[i] || d.Yearly.IsZero() {
			continue
		}
		if first, dup := seen[d.Yearly]; dup {
			a.fail(i, "yearly", first, "%s is declared twice", d.Yearly)
			continue
		}
		seen[d.Yearly] = i
		if name, dup := c.repeatsRule(d.Yearly); dup {
			c.dups = append(c.dups, Duplicate{Index: i, Name: name})
			continue
		}
		rules = append(rules, i)
	}
	for y := c.first.Year; y <= c.last.Year; y++ {
		for _, i := range rules {
			d := a.days[i]
			day := d.Yearly.in(y)
			k := day.dayNumber() - c.firstDay
			substitute := isWeekend(day)
			if substitute { // to the next weekday not already off
				for k < c.days && !c.isWorking(k) {
					day, k = day.AddDays(1), k+1
				}
			}
			if k >= c.days || !c.isWorking(k) {
				continue // past the end of the range, or on a bank holiday
			}
			c.takeOff(k, Holiday{Date: day, Name: d.Name, Substitute: substitute, Source: d.Source, Kind: Declared})
		}
	}
}

// repeatsRule reports whether y falls on the nominal date of one of the
// jurisdiction's recurring holidays in every year that holiday occurs: "25
// December", or "first Monday of May" in England and Wales.
func (c *Calendar) repeatsRule(y Yearly) (string, bool) {
	for _, r := range regularRules(c.j) {
		occurs, same := false, true
		for year := c.first.Year; year <= c.last.Year && same; year++ {
			actual, _ := r.Calc(year)
			if actual.IsZero() {
				continue
			}
			ay, am, ad := actual.Date()
			occurs, same = true, Date{ay, am, ad} == y.in(year)
		}
		if occurs && same {
			return r.Name, true
		}
	}
	return "", false
}

// offName is the name of the day off on d while the calendar is built,
// before the days off are sorted.
func (c *Calendar) offName(d Date) string {
	for _, h := range c.off {
		if h.Date == d {
			return h.Name
		}
	}
	return ""
}

// dates adds the single dates and ranges. Each date is declared once; a
// single date that is already a day off is a duplicate, while a range keeps
// the days off it spans under their own names.
func (a *dayOffs) dates() {
	c := a.c
	declared := map[int]int{} // day index -> the day off that declared it
	for i, d := range a.days {
		if a.bad[i] || !d.Yearly.IsZero() {
			continue
		}
		from, to, field := d.Date, d.Date, "date"
		if d.Date.IsZero() {
			from, to, field = d.From, d.To, "from"
		}
		lo, hi := from.dayNumber()-c.firstDay, to.dayNumber()-c.firstDay
		repeated := false
		for k := lo; k <= hi && !repeated; k++ {
			if first, dup := declared[k]; dup {
				a.fail(i, field, first, "%s is already declared as a day off", fromDayNumber(c.firstDay+k))
				repeated = true
			}
		}
		if repeated {
			continue
		}
		for k := lo; k <= hi; k++ {
			declared[k] = i
		}
		if field == "date" && !c.isWorking(lo) {
			c.dups = append(c.dups, Duplicate{Index: i, Name: c.offName(d.Date), Date: d.Date})
			continue
		}
		for k, day := lo, from; k <= hi; k, day = k+1, day.AddDays(1) {
			if c.isWorking(k) {
				c.takeOff(k, Holiday{Date: day, Name: d.Name, Source: d.Source, Kind: Declared})
			}
		}
	}
}
