package calendar

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"time"
)

// ErrOutOfRange is wrapped by every error about a date outside a calendar's
// supported range (see Calendar.Range); test for it with errors.Is.
var ErrOutOfRange = errors.New("calendar: date outside the supported range")

// The supported range. The UK divisions start in 2000: every rule and
// proclaimed day since then is in this package, and 2015–2028 are checked
// against the published gov.uk data. The Isle of Man starts in 2018, the
// first year of its published data: its TT Bank Holiday has no rule, so
// earlier years cannot be answered correctly. The end is far enough for any
// case; years after the last proclaimed day assume none (doc.go).
const (
	firstYearUK  = 2000
	firstYearIoM = 2018
	lastYear     = 2199
)

// Calendar answers working-day questions for one jurisdiction. It is
// immutable after New and safe for concurrent use: every answer comes from
// tables built once, read without locks.
type Calendar struct {
	j           Jurisdiction
	first, last Date
	firstDay    int       // day number of first
	days        int       // dates in the range
	working     []uint64  // bit i%64 of word i/64: day firstDay+i is a working day
	before      []int     // before[w]: working days in working[:w]; before[len(working)] is the total
	off         []Holiday // the days off on weekdays, in date order
	dups        []Duplicate
	clock       *londonClock
	cfg         config // what the options gave, for With
}

// New builds the calendar of jurisdiction j. It costs a few milliseconds;
// a host that needs no options should share For(j) instead.
func New(j Jurisdiction, opts ...Option) (*Calendar, error) {
	if _, err := ParseJurisdiction(string(j)); err != nil {
		return nil, err
	}
	var cfg config
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	return build(j, cfg)
}

// With returns a new calendar with c's days off and those the options add:
// a policy's own days on top of a host's closures, for example. c is
// unchanged.
func (c *Calendar) With(opts ...Option) (*Calendar, error) {
	cfg := c.cfg.clone()
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	return build(c.j, cfg)
}

// build is the one way a calendar is made: the weekdays, less the
// jurisdiction's bank holidays (or a feed's, for the years it lists), the
// declared days off and the host's closures, in that order.
func build(j Jurisdiction, cfg config) (*Calendar, error) {
	firstYear := firstYearUK
	if j == IsleOfMan {
		firstYear = firstYearIoM
	}
	c := &Calendar{j: j, first: Date{firstYear, 1, 1}, last: Date{lastYear, 12, 31}, clock: theClock(), cfg: cfg}
	c.firstDay = c.first.dayNumber()
	c.days = c.last.dayNumber() - c.firstDay + 1
	c.setWeekdays()
	rules, err := rulesFor(j)
	if err != nil {
		return nil, err
	}
	if err := c.addBankHolidays(rules); err != nil {
		return nil, err
	}
	if err := c.applyFeed(cfg.feed); err != nil {
		return nil, err
	}
	if err := c.addDaysOff(cfg.days); err != nil {
		return nil, err
	}
	if err := c.addClosures(cfg.closures); err != nil {
		return nil, err
	}
	c.sortOff()
	c.buildCounts()
	return c, nil
}

type shared struct {
	once sync.Once
	c    *Calendar
	err  error
}

var defaults = map[Jurisdiction]*shared{
	EnglandAndWales: {}, Scotland: {}, NorthernIreland: {}, IsleOfMan: {},
}

// For returns the shared calendar of jurisdiction j, without options. It is
// built on first use and reused by every caller.
func For(j Jurisdiction) (*Calendar, error) {
	s, ok := defaults[j]
	if !ok {
		_, err := ParseJurisdiction(string(j))
		return nil, err
	}
	s.once.Do(func() { s.c, s.err = New(j) })
	return s.c, s.err
}

// setWeekdays marks every Monday to Friday of the range a working day; the
// days off are then taken out one by one.
func (c *Calendar) setWeekdays() {
	c.working = make([]uint64, (c.days+63)/64)
	wd := c.first.Weekday()
	for i := 0; i < c.days; i, wd = i+1, (wd+1)%7 {
		if wd != time.Saturday && wd != time.Sunday {
			c.working[i/64] |= 1 << (i % 64)
		}
	}
}

// takeOff makes weekday k, a working day, a day off.
func (c *Calendar) takeOff(k int, h Holiday) {
	c.working[k/64] &^= 1 << (k % 64)
	c.off = append(c.off, h)
}

// addBankHolidays computes every rule's day off in the supported range.
// It uses rickar/cal's Holiday.Calc, not Calendar.IsHoliday: IsHoliday stops
// at the first matching holiday, which loses a second holiday's substitute
// (26 December 2022), and reads the date in the time's own location.
func (c *Calendar) addBankHolidays(rules []rule) error {
	for y := c.first.Year; y <= c.last.Year; y++ {
		for _, r := range rules {
			actual, observed := r.h.Calc(y)
			if observed.IsZero() {
				continue
			}
			oy, om, od := observed.Date()
			ay, am, ad := actual.Date()
			d := Date{oy, om, od}
			// Internal consistency: a day off moved out of its year, on a
			// weekend, or sharing a day with another would silently lose a
			// day off.
			if oy != y {
				return fmt.Errorf("calendar: internal error: %s %d in %s moves to %s", r.h.Name, y, c.j, d)
			}
			if isWeekend(d) {
				return fmt.Errorf("calendar: internal error: %s in %s falls on a %s", r.h.Name, c.j, d.Weekday())
			}
			k := d.dayNumber() - c.firstDay
			if !c.isWorking(k) {
				return fmt.Errorf("calendar: internal error: %s in %s falls on %s, already a bank holiday", r.h.Name, c.j, d)
			}
			c.takeOff(k, Holiday{
				Date:       d,
				Name:       r.h.Name,
				Substitute: d != Date{ay, am, ad},
				Source:     r.source,
			})
		}
	}
	return nil
}

// addClosures adds the host's closure days. A closure on a day already off
// changes nothing, and that day keeps its name.
func (c *Calendar) addClosures(closures []Holiday) error {
	seen := make(map[Date]bool, len(closures))
	for _, h := range closures {
		if err := checkClosure(h); err != nil {
			return err
		}
		if seen[h.Date] {
			return fmt.Errorf("calendar: closure %s is listed twice: list each closure day once", h.Date)
		}
		seen[h.Date] = true
		k, err := c.index(h.Date)
		if err != nil {
			return fmt.Errorf("calendar: closure %q: %w", h.Name, err)
		}
		if c.isWorking(k) {
			h.Kind = Closure
			c.takeOff(k, h)
		}
	}
	return nil
}

// sortOff puts the days off in date order, once they are all added; no two
// share a date.
func (c *Calendar) sortOff() {
	slices.SortFunc(c.off, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
}

// buildCounts sets the running count of working days before each 64-day
// word, so that counting the working days up to any date is one lookup and
// one popcount.
func (c *Calendar) buildCounts() {
	c.before = make([]int, len(c.working)+1)
	for w, word := range c.working {
		c.before[w+1] = c.before[w] + bits.OnesCount64(word)
	}
}

// Jurisdiction returns the calendar's jurisdiction.
func (c *Calendar) Jurisdiction() Jurisdiction { return c.j }

// Range returns the first and last dates the calendar answers for. Queries
// outside it fail with an error wrapping ErrOutOfRange.
func (c *Calendar) Range() (first, last Date) { return c.first, c.last }

// index returns d's position in the tables.
func (c *Calendar) index(d Date) (int, error) {
	if !d.valid() {
		if d.IsZero() {
			return 0, errors.New("calendar: no date given (the zero Date)")
		}
		return 0, fmt.Errorf("calendar: %04d-%02d-%02d is not a valid date", d.Year, int(d.Month), d.Day)
	}
	// The range is whole years; checking the year first also keeps
	// dayNumber from overflowing on an absurd one.
	if d.Year < c.first.Year || d.Year > c.last.Year {
		return 0, fmt.Errorf("calendar: %s is outside %s to %s, the range supported for %s: %w", d, c.first, c.last, c.j, ErrOutOfRange)
	}
	return d.dayNumber() - c.firstDay, nil
}

func (c *Calendar) isWorking(i int) bool { return c.working[uint(i)/64]&(1<<(uint(i)%64)) != 0 }

// count returns the number of working days in the range's first i+1 days
// (0 for i = -1).
func (c *Calendar) count(i int) int {
	if i < 0 {
		return 0
	}
	w, b := uint(i)/64, uint(i)%64
	return c.before[w] + bits.OnesCount64(c.working[w]&(^uint64(0)>>(63-b)))
}

// add returns the index of the nth working day strictly after index i (for
// n = 0, the first working day at or after i), or false when it is beyond
// the range. n must not be negative.
func (c *Calendar) add(i, n int) (int, bool) {
	if n > c.days { // also keeps the sum below from overflowing
		return 0, false
	}
	k := c.count(i) + n
	if n == 0 {
		k = c.count(i-1) + 1
	}
	if k > c.before[len(c.working)] {
		return 0, false
	}
	// The kth working day is at or after i, and n working days span at most
	// a few 64-day words, so a forward scan beats a binary search.
	w := uint(i) / 64
	for c.before[w+1] < k {
		w++
	}
	return int(w)*64 + selectBit(c.working[w], k-c.before[w]), true
}

// selectBit returns the position of the kth (from 1) set bit of x: halve
// the search down to a byte, then look the position up.
func selectBit(x uint64, k int) int {
	pos := 0
	if n := bits.OnesCount32(uint32(x)); k > n {
		k, x, pos = k-n, x>>32, 32
	}
	if n := bits.OnesCount16(uint16(x)); k > n {
		k, x, pos = k-n, x>>16, pos+16
	}
	if n := bits.OnesCount8(uint8(x)); k > n {
		k, x, pos = k-n, x>>8, pos+8
	}
	return pos + int(selectInByte[uint8(x)][(k-1)&7])
}

// selectInByte[b][k] is the position of the (k+1)th set bit of b.
var selectInByte = func() (t [256][8]uint8) {
	for b := range t {
		k := 0
		for bit := 0; bit < 8; bit++ {
			if b&(1<<bit) != 0 {
				t[b][k] = uint8(bit)
				k++
			}
		}
	}
	return t
}()

// IsWorkingDay reports whether d is a working day: Monday to Friday, and not
// a bank holiday or closure day.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	i, err := c.index(d)
	if err != nil {
		return false, err
	}
	return c.isWorking(i), nil
}

// NextWorkingDay returns the first working day strictly after d.
func (c *Calendar) NextWorkingDay(d Date) (Date, error) { return c.AddWorkingDays(d, 1) }

// AddWorkingDays returns the nth working day strictly after d. For n = 0 it
// returns d if d is a working day, else the next one. n must not be
// negative.
func (c *Calendar) AddWorkingDays(d Date, n int) (Date, error) {
	i, err := c.index(d)
	if err != nil {
		return Date{}, err
	}
	if n < 0 {
		return Date{}, fmt.Errorf("calendar: cannot add %d working days: count forward, with n of 0 or more", n)
	}
	j, ok := c.add(i, n)
	if !ok {
		return Date{}, c.beyondRange(d, n)
	}
	return fromDayNumber(c.firstDay + j), nil
}

func (c *Calendar) beyondRange(d Date, n int) error {
	return fmt.Errorf("calendar: %d working days after %s is after %s, the end of the range supported for %s: %w", n, d, c.last, c.j, ErrOutOfRange)
}

// WorkingDaysBetween returns the number of working days in (from, to]: after
// from, up to and including to. So AddWorkingDays(d, n) = e implies
// WorkingDaysBetween(d, e) = n. It is negative when to is before from.
func (c *Calendar) WorkingDaysBetween(from, to Date) (int, error) {
	i, err := c.index(from)
	if err != nil {
		return 0, err
	}
	j, err := c.index(to)
	if err != nil {
		return 0, err
	}
	return c.count(j) - c.count(i), nil
}

// Holiday returns the day off on d, if d is a bank holiday (or its
// substitute), a declared day off or a closure day. A holiday's nominal date
// at a weekend is not reported: its substitute day is (the gov.uk
// convention).
func (c *Calendar) Holiday(d Date) (Holiday, bool) { return c.dayOff(d) }

func (c *Calendar) dayOff(d Date) (Holiday, bool) {
	k := sort.Search(len(c.off), func(k int) bool { return !c.off[k].Date.Before(d) })
	if k < len(c.off) && c.off[k].Date == d {
		return c.off[k], true
	}
	return Holiday{}, false
}

// Holidays returns the days off in [from, to], in date order, each reported
// on the day off (a substitute day, not the weekend date it replaces).
func (c *Calendar) Holidays(from, to Date) ([]Holiday, error) {
	if _, err := c.index(from); err != nil {
		return nil, err
	}
	if _, err := c.index(to); err != nil {
		return nil, err
	}
	lo := sort.Search(len(c.off), func(k int) bool { return !c.off[k].Date.Before(from) })
	hi := sort.Search(len(c.off), func(k int) bool { return to.Before(c.off[k].Date) })
	return append([]Holiday(nil), c.off[lo:max(lo, hi)]...), nil
}
