package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Severity says whether a Diagnostic stops a policy from loading.
type Severity uint8

// Severities. The zero value is an error, so a Diagnostic built by hand
// without one errs on the safe side.
const (
	SeverityError   Severity = iota // the policy does not load
	SeverityWarning                 // the policy loads; a reviewer should look
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText encodes s as its String, for JSON output.
func (s Severity) MarshalText() ([]byte, error) {
	if s > SeverityWarning {
		return nil, fmt.Errorf("engine: unknown severity %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "error" or "warning".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	default:
		return fmt.Errorf("engine: unknown severity %q", b)
	}
	return nil
}

// Diagnostic is one problem found in a policy file, in words a policy lead
// can act on. Messages never contain the values of personal facts or fields.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`     // where the problem starts; Line or Column is 0 when unknown
	End      Pos      `json:"end"`     // where it ends (exclusive), when known; else zero
	Message  string   `json:"message"` // what is wrong
	Hint     string   `json:"hint,omitempty"`
	Code     string   `json:"code"` // stable and short, per kind of problem: "unknown-key", "cel-type", ...
}

// Error returns "file:line:col: severity: message".
func (d *Diagnostic) Error() string {
	return d.Pos.String() + ": " + d.Severity.String() + ": " + d.Message
}

// String formats p as "file:line:col", leaving out what is unknown.
func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line)
		if p.Column > 0 {
			s += ":" + strconv.Itoa(p.Column)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Diagnostics is a list of problems. Load returns it sorted by file, line,
// column and severity (errors first).
type Diagnostics []*Diagnostic

// Error summarises the list as its first entry and a count of the rest, as
// go/scanner.ErrorList does.
func (ds Diagnostics) Error() string {
	switch len(ds) {
	case 0:
		return "no problems"
	case 1:
		return ds[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", ds[0].Error(), len(ds)-1)
}

// HasErrors reports whether any entry is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d *Diagnostic) bool { return d.Severity == SeverityError })
}

// Err returns the errors as an error (a Diagnostics), or nil when there are
// none: warnings alone do not stop a policy from loading.
func (ds Diagnostics) Err() error {
	if errs := ds.Errors(); len(errs) > 0 {
		return errs
	}
	return nil
}

// Errors returns the entries that are errors.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(SeverityError) }

// Warnings returns the entries that are warnings.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SeverityWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// sort orders the list by file, line, column and severity, then by code and
// message so that the order never depends on how the checks ran.
func (ds Diagnostics) sort() {
	slices.SortStableFunc(ds, func(a, b *Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// maxReported is how many errors, and separately how many warnings, one load
// reports: enough for any real file, and a bound for a hostile one.
const maxReported = 1000

// diags collects one load's diagnostics. It drops exact repeats (a node
// reached through several aliases is checked once per alias) and stops past
// maxReported of a severity, saying so once.
type diags struct {
	list  Diagnostics
	seen  map[diagKey]bool
	count [2]int
}

type diagKey struct {
	pos           Pos
	sev           Severity
	code, message string
}

func (ds *diags) add(d *Diagnostic) {
	k := diagKey{d.Pos, d.Severity, d.Code, d.Message}
	if ds.seen[k] {
		return
	}
	if ds.seen == nil {
		ds.seen = map[diagKey]bool{}
	}
	ds.seen[k] = true
	sev := min(d.Severity, SeverityWarning)
	switch ds.count[sev]++; {
	case ds.count[sev] == maxReported+1:
		ds.list = append(ds.list, &Diagnostic{Severity: sev, Pos: Pos{File: d.Pos.File}, Code: "too-many",
			Message: "too many problems of this severity: only the first " + strconv.Itoa(maxReported) + " are reported"})
		return
	case ds.count[sev] > maxReported:
		return
	}
	ds.list = append(ds.list, d)
}

func (ds *diags) hasErrors() bool { return ds.count[SeverityError] > 0 }
