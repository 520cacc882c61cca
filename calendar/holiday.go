package calendar

// Holiday is a weekday off: a bank holiday (or its substitute day), a day
// off declared on top of the jurisdiction's (WithDaysOff), or a host's
// closure day.
type Holiday struct {
	Date       Date
	Name       string // as gov.uk titles it, e.g. "Boxing Day"; a declared day's or closure's own name
	Substitute bool   // the day off replaces the holiday's nominal date at a weekend
	Source     string // the authority for the date
	Kind       Kind   // where the day off comes from; set by the calendar
}

// Kind says where a day off comes from.
type Kind uint8

// The kinds of day off. The zero Kind is a bank holiday.
const (
	BankHoliday Kind = iota // the jurisdiction's own, built in or from a published feed (WithFeed)
	Declared                // declared on top of the jurisdiction's (WithDaysOff): a policy's own calendar
	Closure                 // a host's closure day (WithClosures)
)

// String names the kind as the command line shows it: "bank holiday",
// "declared" or "closure".
func (k Kind) String() string {
	switch k {
	case Declared:
		return "declared"
	case Closure:
		return "closure"
	}
	return "bank holiday"
}

// MarshalText encodes the kind as String does, for JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// reason is how a step of an explanation names the day off.
func (h Holiday) reason() string {
	switch {
	case h.Kind == Closure:
		return "closure: " + h.Name
	case h.Substitute:
		return h.Name + " (substitute day)"
	}
	return h.Name
}
