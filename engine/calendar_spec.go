package engine

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// dayOffSite is a declared day off and where it is written, to report what
// the calendar finds wrong with it.
type dayOffSite struct {
	day *DayOff
	obj *obj
	at  *yaml.Node
}

// calendarSpec reads the calendar key. A day off whose keys do not read is
// reported here and left out of the calendar, so that it is not reported
// again as a day with no date.
func (b *builder) calendarSpec(key, n *yaml.Node) {
	o := b.object(key, n, calendarShape)
	spec := &CalendarSpec{}
	for _, dn := range o.list("days_off") {
		do := b.object(dn, dn, dayOffShape)
		d := &DayOff{Name: do.str("name"), Date: do.date("date"), From: do.date("from"), To: do.date("to"), Yearly: do.yearly("yearly")}
		b.meta(do, &d.Meta, dn)
		spec.DaysOff = append(spec.DaysOff, d)
		if readWhole(do, d) {
			b.daysOff = append(b.daysOff, dayOffSite{day: d, obj: do, at: dn})
		}
	}
	b.meta(o, &spec.Meta, key)
	b.p.CalendarSpec = spec
}

// readWhole reports whether a day off read without a mistake object has
// reported: it has a name, and exactly one of its forms, every key of which
// was read.
func readWhole(o *obj, d *DayOff) bool {
	if o.node("name") == nil {
		return false
	}
	forms := 0
	for _, form := range dayOffShape.forms {
		given := 0
		for _, k := range form {
			if o.key(k) != nil {
				given++
			}
		}
		switch {
		case given == 0:
			continue
		case given < len(form):
			return false
		}
		forms++
	}
	read := func(k string, zero bool) bool { return o.key(k) == nil || !zero }
	return forms == 1 && read("date", d.Date.IsZero()) && read("from", d.From.IsZero()) &&
		read("to", d.To.IsZero()) && read("yearly", d.Yearly.IsZero())
}

// calendarDay is a declared day off as the calendar package takes it, its
// sources cited in one line.
func calendarDay(d *DayOff) calendar.DayOff {
	return calendar.DayOff{Name: d.Name, Source: citation(d.Sources), Date: d.Date, From: d.From, To: d.To, Yearly: d.Yearly}
}

// citation writes sources as explanations cite them: file: "quote"; ...
func citation(srcs []Source) string {
	parts := make([]string, len(srcs))
	for i, s := range srcs {
		parts[i] = s.File
		if s.Quote != "" {
			parts[i] += `: "` + strings.Join(strings.Fields(s.Quote), " ") + `"`
		}
	}
	return strings.Join(parts, "; ")
}

// setCalendar gives the policy its calendar: the one given with
// WithCalendar, which must be for the policy's jurisdiction, or the
// jurisdiction's own, with the days off the policy declares on top.
func (b *builder) setCalendar() {
	p, n := b.p, b.jurisdictionNode
	if n == nil {
		return // the jurisdiction is missing or invalid, and reported
	}
	base := b.cfg.calendar
	if base != nil && base.Jurisdiction() != p.Jurisdiction {
		b.errorAt(n, "calendar-mismatch", "load the policy with a calendar for "+string(p.Jurisdiction),
			"the calendar given to Load is for %s, but the policy's jurisdiction is %s", base.Jurisdiction(), p.Jurisdiction)
		p.calendar = base
		return
	}
	var (
		c   *calendar.Calendar
		err error
	)
	switch days := b.declaredDays(); {
	case len(days) == 0 && base != nil:
		c = base
	case len(days) == 0:
		c, err = calendar.For(p.Jurisdiction)
	case base != nil:
		c, err = base.With(calendar.WithDaysOff(days...))
	default:
		c, err = calendar.New(p.Jurisdiction, calendar.WithDaysOff(days...))
	}
	if err != nil {
		b.calendarErrors(err)
		return
	}
	for _, d := range c.Duplicates() {
		site := b.daysOff[d.Index]
		if d.Date.IsZero() {
			b.warnAt(site.obj.node("yearly"), "duplicate-holiday", "remove it: "+string(p.Jurisdiction)+" already has the day off",
				"day off %q repeats %s, a bank holiday in %s every year", site.day.Name, d.Name, p.Jurisdiction)
			continue
		}
		b.warnAt(site.obj.node("date"), "duplicate-holiday", "remove it: the day is already off",
			"day off %q on %s repeats %s, already a day off in this calendar", site.day.Name, d.Date, d.Name)
	}
	p.calendar = c
}

func (b *builder) declaredDays() []calendar.DayOff {
	days := make([]calendar.DayOff, len(b.daysOff))
	for i, site := range b.daysOff {
		days[i] = calendarDay(site.day)
	}
	return days
}

// calendarErrors reports what the calendar found wrong with the declared
// days, each at the key at fault.
func (b *builder) calendarErrors(err error) {
	var list []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		list = joined.Unwrap()
	} else {
		list = []error{err}
	}
	for _, e := range list {
		var de *calendar.DayOffError
		if !errors.As(e, &de) || de.Index < 0 || de.Index >= len(b.daysOff) {
			b.errorAt(b.jurisdictionNode, "calendar", "", "cannot build the calendar: %s", strings.TrimPrefix(e.Error(), "calendar: "))
			continue
		}
		site := b.daysOff[de.Index]
		at := site.at
		if de.Field != "" {
			if v := site.obj.node(de.Field); v != nil {
				at = v
			}
		}
		code, hint := "day-off", ""
		if de.First >= 0 && de.First < len(b.daysOff) {
			code, hint = "duplicate-day-off", fmt.Sprintf("it is already declared at line %d; remove one", b.daysOff[de.First].at.Line)
		}
		b.errorAt(at, code, hint, "day off %q: %s", site.day.Name, de.Err)
	}
}

// warnUnproclaimed warns when the policy's calendar has no date for a day
// proclaimed anew each year (the Isle of Man's TT Bank Holiday) in the
// coming twelve months from today.
func (b *builder) warnUnproclaimed() {
	p, today := b.p, b.cfg.today
	if today.IsZero() || p.calendar == nil || b.jurisdictionNode == nil {
		return
	}
	for y := today.Year; y <= today.AddDays(365).Year; y++ {
		for _, name := range p.calendar.Unproclaimed(y) {
			b.warnAt(b.jurisdictionNode, "unproclaimed-day",
				fmt.Sprintf("once it is proclaimed, declare it under calendar: days_off, with its date and source (- {name: %s %d, date: %d-MM-DD, source: …}), or use a release whose table has it", name, y, y),
				"no %s is known for %d in %s (this release's table of proclaimed days ends in %d): deadlines in %d count it as a working day",
				name, y, p.Jurisdiction, calendar.ProclaimedThrough(p.Jurisdiction), y)
		}
	}
}

// WithClosures returns a copy of the policy whose deadlines also skip the
// given closure days, for closures known only when the policy is used (a
// scenario's, or the command line's --closures). The copy's calendar is the
// policy's own (its jurisdiction's or WithCalendar's, with the days it
// declares) with the closures on top; p is unchanged. Cases are the same
// policy's either way: a case records the policy's id and version.
func (p *Policy) WithClosures(days ...calendar.Holiday) (*Policy, error) {
	if len(days) == 0 {
		return p, nil
	}
	c, err := p.calendar.With(calendar.WithClosures(days...))
	if err != nil {
		return nil, err
	}
	cp := *p
	cp.calendar = c
	return &cp, nil
}
