package calendar

import (
	"fmt"
	"time"

	_ "time/tzdata" // so Europe/London resolves on hosts without a zoneinfo database
)

// london is loaded once: time.LoadLocation reads and parses zone data, which
// is far too slow for the hot path.
var london = loadLondon()

func loadLondon() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// Unreachable: time/tzdata is embedded in the binary.
		panic("calendar: Europe/London is missing from the embedded time zone data: " + err.Error())
	}
	return loc
}

// London returns the Europe/London location, in which every Date is read.
// The Isle of Man keeps the same clock.
func London() *time.Location { return london }

// Date is a civil (local) date in Europe/London; the zero Date means "none".
//
// A Date is a plain value: compare it with ==, Before, After or Compare, and
// use it as a map key.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses an ISO 8601 calendar date, "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("calendar: %q is not a date: write dates as YYYY-MM-DD, for example 2026-12-22", s)
	}
	y, okY := digits(s[0:4])
	m, okM := digits(s[5:7])
	d, okD := digits(s[8:10])
	if !okY || !okM || !okD {
		return Date{}, fmt.Errorf("calendar: %q is not a date: write dates as YYYY-MM-DD with digits only, for example 2026-12-22", s)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("calendar: %q is not a date: month %d is not 01 to 12", s, m)
	}
	if n := daysIn(y, time.Month(m)); d < 1 || d > n {
		return Date{}, fmt.Errorf("calendar: %q is not a date: %s %d has %d days", s, time.Month(m), y, n)
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// digits parses a short run of ASCII digits; strconv would also accept signs.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// DateOf returns the local date of t in Europe/London, whatever t's own
// location. The zero time gives the zero Date.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return fromDayNumber(theClock().localDay(t))
}

// String returns the date as "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date ("none").
func (d Date) IsZero() bool { return d == Date{} }

// Start returns 00:00 of d in Europe/London. UK clocks change at 01:00 UTC,
// so local midnight always exists and is unique. The zero Date gives the
// zero time.
func (d Date) Start() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	if !d.valid() { // let the time package normalise it, as time.Date does
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, london)
	}
	return theClock().startOfDay(d.dayNumber())
}

// AddDays returns the date n calendar days after d (before, if n < 0). The
// zero Date stays zero: no date plus n days is still no date.
func (d Date) AddDays(n int) Date {
	if d.IsZero() {
		return d
	}
	return fromDayNumber(d.dayNumber() + n)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// Day 0 (1970-01-01) was a Thursday.
	w := (d.dayNumber() + int(time.Thursday)) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month) - int(o.Month))
	default:
		return sign(d.Day - o.Day)
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// MarshalText encodes d as "YYYY-MM-DD"; the zero Date encodes as empty
// text, so an absent date stays absent in JSON and YAML.
func (d Date) MarshalText() ([]byte, error) {
	if !d.IsZero() && !d.valid() {
		return nil, fmt.Errorf("calendar: cannot encode %d-%d-%d: not a valid date", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "YYYY-MM-DD"; empty text decodes to the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// valid reports whether d names a real day of the proleptic Gregorian calendar.
func (d Date) valid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.April, time.June, time.September, time.November:
		return 30
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// dayNumber counts days from 1970-01-01 by pure arithmetic (H. Hinnant's
// days_from_civil), so date arithmetic on the hot path never touches the
// time package or allocates. Within an era the arithmetic is unsigned, which
// the compiler turns into multiplications.
func (d Date) dayNumber() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := uint(y - era*400)
	mp := uint(m+9) % 12 // March is 0
	doy := (153*mp+2)/5 + uint(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + int(doe) - 719468
}

// fromDayNumber is the inverse of dayNumber (civil_from_days).
func fromDayNumber(n int) Date {
	z := n + 719468
	era := floorDiv(z, 146097)
	doe := uint(z - era*146097)
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if month > 12 {
		month -= 12
	}
	y := int(yoe) + era*400
	if month <= 2 {
		y++
	}
	return Date{Year: y, Month: time.Month(month), Day: int(day)}
}

// floorDiv divides by b > 0 rounding down, for dates before the epoch; the
// common non-negative case is a single unsigned division.
func floorDiv[T int | int64](a, b T) T {
	if a >= 0 {
		return T(uint64(a) / uint64(b))
	}
	return -T((uint64(-a) + uint64(b) - 1) / uint64(b))
}
