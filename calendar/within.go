package calendar

import (
	"fmt"
	"strconv"
	"strings"
)

// Unit is the unit of a timescale.
type Unit uint8

// The units the procedures use.
const (
	WorkingDays Unit = iota + 1 // working days of the calendar's jurisdiction
	Hours                       // elapsed clock hours
)

// Limits on N: far beyond any procedure (Sefton's longest ladder is weeks),
// low enough that a typo such as "2000 working days" is caught.
const (
	maxWorkingDays = 1000
	maxHours       = 100000
)

// Within is a timescale as the procedures state it: "within 2 working days",
// "within 24 hours", "immediately". The zero Within means "no timescale".
type Within struct {
	N         int
	Unit      Unit
	Immediate bool // "immediately" / "without delay": N is 0 and Unit is WorkingDays
}

const withinForms = `"N working days" (or "1 working day"), "N hours" (or "1 hour"), "immediately" or "without delay"`

// ParseWithin parses a timescale in the words the procedures use: "2 working
// days", "1 working day", "24 hours", "1 hour", "immediately" and "without
// delay", ignoring case and surrounding space. "immediately" and "without
// delay" mean {N: 0, Unit: WorkingDays, Immediate: true}; "0
// working days" is allowed and is not marked immediate. Singular and plural
// are both accepted whatever N is.
func ParseWithin(s string) (Within, error) {
	f := strings.Fields(strings.ToLower(s))
	switch strings.Join(f, " ") {
	case "immediately", "without delay":
		return Within{Unit: WorkingDays, Immediate: true}, nil
	}
	var unit Unit
	switch {
	case len(f) == 3 && f[1] == "working" && (f[2] == "days" || f[2] == "day"):
		unit = WorkingDays
	case len(f) == 2 && (f[1] == "hours" || f[1] == "hour"):
		unit = Hours
	default:
		return Within{}, fmt.Errorf("calendar: cannot read timescale %q: use %s", s, withinForms)
	}
	n, ok := digits(f[0])
	if !ok {
		return Within{}, fmt.Errorf("calendar: cannot read timescale %q: %q is not a whole number in digits; use %s", s, f[0], withinForms)
	}
	if len(strings.TrimLeft(f[0], "0")) > 6 { // over every limit, and might overflow
		n = maxHours + 1
	}
	w := Within{N: n, Unit: unit}
	if err := w.check(); err != nil {
		return Within{}, fmt.Errorf("calendar: cannot read timescale %q: %w", s, err)
	}
	return w, nil
}

// check reports why w cannot be used to compute a deadline, if it cannot.
func (w Within) check() error {
	switch {
	case w.IsZero():
		return fmt.Errorf("no timescale given; use %s", withinForms)
	case w.Immediate && (w.N != 0 || w.Unit != WorkingDays):
		return fmt.Errorf("an immediate timescale must be N 0 in working days, not %d %s", w.N, w.Unit)
	case w.Unit != WorkingDays && w.Unit != Hours:
		return fmt.Errorf("unknown unit %d; use WorkingDays or Hours", uint8(w.Unit))
	case w.N < 0:
		return fmt.Errorf("%d is negative: a timescale counts forward", w.N)
	case w.Unit == WorkingDays && w.N > maxWorkingDays:
		return fmt.Errorf("more than the limit of %d working days: check for a typo", maxWorkingDays)
	case w.Unit == Hours && w.N > maxHours:
		return fmt.Errorf("more than the limit of %d hours: check for a typo", maxHours)
	}
	return nil
}

// String returns the unit's name in the plural, as used in messages.
func (u Unit) String() string {
	switch u {
	case WorkingDays:
		return "working days"
	case Hours:
		return "hours"
	}
	return "unit(" + strconv.Itoa(int(u)) + ")"
}

// String returns the canonical form, which ParseWithin reads back: "2
// working days", "1 working day", "24 hours", "1 hour", "immediately". The
// zero Within gives "".
func (w Within) String() string {
	switch {
	case w.IsZero():
		return ""
	case w.Immediate:
		return "immediately"
	case w.N == 1 && w.Unit == WorkingDays:
		return "1 working day"
	case w.N == 1 && w.Unit == Hours:
		return "1 hour"
	}
	return strconv.Itoa(w.N) + " " + w.Unit.String()
}

// IsZero reports whether w is the zero Within ("no timescale").
func (w Within) IsZero() bool { return w == Within{} }

// MarshalText encodes w in its canonical form; the zero Within encodes as
// empty text.
func (w Within) MarshalText() ([]byte, error) {
	if w.IsZero() {
		return []byte{}, nil
	}
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("calendar: cannot encode timescale: %w", err)
	}
	return []byte(w.String()), nil
}

// UnmarshalText decodes any form ParseWithin accepts; empty text decodes to
// the zero Within.
func (w *Within) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*w = Within{}
		return nil
	}
	v, err := ParseWithin(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}
