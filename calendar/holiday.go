package calendar

// Holiday is a weekday off: a bank holiday (or its substitute day) or a
// host's closure day.
type Holiday struct {
	Date       Date
	Name       string // as gov.uk titles it, e.g. "Boxing Day"; a closure's own name
	Substitute bool   // the day off replaces the holiday's nominal date at a weekend
	Source     string // the authority for the date
}

// dayOff is a weekday on which no one works, and why.
type dayOff struct {
	Holiday
	closure bool // supplied by the host, not a bank holiday
}

// reason is how a step of an explanation names the day off.
func (o dayOff) reason() string {
	switch {
	case o.closure:
		return "closure: " + o.Name
	case o.Substitute:
		return o.Name + " (substitute day)"
	}
	return o.Name
}
