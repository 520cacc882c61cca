package calendar

import (
	"sync"
	"time"
)

// londonClock replaces the time package's zone search, which would be most
// of the cost of a deadline, with a table: for each date from 2000 to 2200,
// whether London's midnight is in summer time (UTC+1). It is built once from
// the embedded zone data, so it follows tzdata rather than restating the
// rule, and it is read-only afterwards.
type londonClock struct {
	firstDay int      // day number of its first date
	days     int      // dates in the table
	summer   []uint64 // bit k: midnight of date firstDay+k is at UTC+1, not UTC
	usable   bool     // false if the zone data has an offset other than UTC or UTC+1 in the range
}

// The table's years: the calendars' range, and 1 January of the year after,
// since a deadline on its last date ends at midnight then.
const (
	clockFirstYear = firstYearUK
	clockLastYear  = lastYear + 1
)

var (
	clockOnce sync.Once
	clockData *londonClock
)

// theClock returns the shared table, building it on first use.
func theClock() *londonClock {
	clockOnce.Do(func() {
		lc := &londonClock{firstDay: Date{clockFirstYear, 1, 1}.dayNumber(), usable: true}
		lc.days = Date{clockLastYear, 1, 1}.dayNumber() - lc.firstDay + 1
		lc.summer = make([]uint64, (lc.days+63)/64)
		lc.fill()
		clockData = lc
	})
	return clockData
}

// fill asks the zone data once per year rather than once per date: where
// summer time starts and ends, from the zone in force at midsummer. (Walking
// every zone period with ZoneBounds would be shorter, but past the zone
// data's explicit transitions Go can report a period ending at the very
// instant asked about, as at 00:00 on 31 December 2040, and the walk stalls.)
// Anything unexpected, such as a winter offset other than UTC or a summer
// period crossing a new year, marks the table unusable and the time package
// answers instead. TestClockTableMatchesTimePackage checks every date.
func (lc *londonClock) fill() {
	for y := clockFirstYear; y <= clockLastYear; y++ {
		_, winter := time.Date(y, time.January, 15, 12, 0, 0, 0, time.UTC).In(london).Zone()
		midsummer := time.Date(y, time.July, 1, 12, 0, 0, 0, time.UTC).In(london)
		_, summer := midsummer.Zone()
		if winter != 0 || (summer != 0 && summer != 3600) {
			lc.usable = false
			return
		}
		if summer == 0 {
			continue
		}
		from, to := midsummer.ZoneBounds()
		if from.Year() != y || to.Year() != y {
			lc.usable = false
			return
		}
		// A date is in summer time if its midnight at UTC+1 is.
		for dn := (Date{y, time.January, 1}).dayNumber(); dn <= (Date{y, time.December, 31}).dayNumber(); dn++ {
			m := int64(dn)*86400 - 3600
			if k := dn - lc.firstDay; k < lc.days && m >= from.Unix() && m < to.Unix() {
				lc.summer[k/64] |= 1 << (k % 64)
			}
		}
	}
}

// midnight returns the Unix time of 00:00 London on day number dn, and false
// when the table does not cover it.
func (lc *londonClock) midnight(dn int) (int64, bool) {
	k := uint(dn - lc.firstDay) // unsigned: one comparison also rejects dates before the table
	if !lc.usable || k >= uint(lc.days) {
		return 0, false
	}
	off := int64(lc.summer[k/64]>>(k%64)&1) * 3600
	return int64(dn)*86400 - off, true
}

// localDay returns the day number of t's date in London. London is never
// behind UTC and at most an hour ahead, so the date is t's UTC date or the
// next one: whichever midnight t has passed.
func (lc *londonClock) localDay(t time.Time) int {
	u := t.Unix()
	utcDay := int(floorDiv(u, 86400))
	if lc.firstDay <= utcDay {
		if next, ok := lc.midnight(utcDay + 1); ok {
			if u >= next {
				return utcDay + 1
			}
			return utcDay
		}
	}
	y, m, d := t.In(london).Date()
	return Date{y, m, d}.dayNumber()
}

// startOfDay returns 00:00 London on day number dn.
func (lc *londonClock) startOfDay(dn int) time.Time {
	if u, ok := lc.midnight(dn); ok {
		return time.Unix(u, 0).In(london)
	}
	d := fromDayNumber(dn)
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, london)
}
