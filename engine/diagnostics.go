package engine

import (
	"io"

	"github.com/safeguarding-partnerships/escalation/diag"
)

// The loader's diagnostics are the project's one model of a problem in a
// file (package diag), shared with scenario and closure files. These names
// are kept so that code written against them keeps compiling.
type (
	// Pos is a position in a policy file: see diag.Pos.
	Pos = diag.Pos
	// Severity says whether a Diagnostic stops a policy from loading: see diag.Severity.
	Severity = diag.Severity
	// Diagnostic is one problem found in a policy file: see diag.Diagnostic.
	Diagnostic = diag.Diagnostic
	// Diagnostics is a list of problems; Load returns it sorted: see diag.Diagnostics.
	Diagnostics = diag.Diagnostics
)

// Severities: see diag.SeverityError and diag.SeverityWarning.
const (
	SeverityError   = diag.SeverityError   // the policy does not load
	SeverityWarning = diag.SeverityWarning // the policy loads; a reviewer should look
)

// WriteDiagnostics writes diagnostics as text, each with its source line and
// a caret under the column, and its hint: see diag.Write.
func WriteDiagnostics(w io.Writer, ds Diagnostics, src func(file string) []byte) error {
	return diag.Write(w, ds, src)
}
