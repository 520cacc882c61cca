package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Pos is a position in a file. Line and Column count from 1; Column counts
// Unicode characters, as editors do. A zero Line or Column is unknown.
type Pos struct {
	File   string
	Line   int
	Column int
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

// Severity says whether a Diagnostic stops a file from being used.
type Severity uint8

// Severities. The zero value is an error, so a Diagnostic built by hand
// without one errs on the safe side.
const (
	SeverityError   Severity = iota // the file is not used
	SeverityWarning                 // the file is used; a reviewer should look
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
		return nil, fmt.Errorf("diag: unknown severity %d", uint8(s))
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
		return fmt.Errorf("diag: unknown severity %q", b)
	}
	return nil
}

// Diagnostic is one problem found in a file, in words the file's author can
// act on. Messages never contain the values of personal data.
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

// Diagnostics is a list of problems. The readers return it sorted by file,
// line, column and severity (errors first).
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

// Err returns the errors, sorted, as an error (a Diagnostics), or nil when
// there are none: warnings alone do not stop a file from being used.
func (ds Diagnostics) Err() error {
	if errs := ds.Errors(); len(errs) > 0 {
		errs.Sort()
		return errs
	}
	return nil
}

// Errors returns the entries that are errors, in a list of their own.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(SeverityError) }

// Warnings returns the entries that are warnings, in a list of their own.
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

// Sort orders the list by file, line, column and severity, then by code and
// message, so that the order never depends on how the checks ran.
func (ds Diagnostics) Sort() {
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
