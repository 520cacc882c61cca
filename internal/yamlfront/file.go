package yamlfront

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/diag"
	"github.com/safeguarding-partnerships/escalation/internal/source"
)

// MaxReported is how many errors, and separately how many warnings, one file
// reports: enough for any real file, and a bound for a hostile one.
const MaxReported = 1000

// File is one file being read: its text and the diagnostics found in it.
type File struct {
	name  string
	src   []byte
	text  *source.Text // src, once Read has found it within the size limit
	list  diag.Diagnostics
	seen  map[seenKey]bool
	count [2]int
}

type seenKey struct {
	pos           diag.Pos
	sev           diag.Severity
	code, message string
}

// noText is the text of a file not yet read.
var noText = source.New(nil)

// NewFile starts reading src under a name, which diagnostics give as their
// file. Read indexes its lines, once it has checked its size.
func NewFile(name string, src []byte) *File {
	return &File{name: name, src: src, text: noText}
}

// Name returns the file's name.
func (f *File) Name() string { return f.name }

// Report adds a diagnostic. Exact repeats are dropped, and past MaxReported
// of a severity only a note that there are more is kept.
func (f *File) Report(sev diag.Severity, pos, end diag.Pos, code, msg, hint string) {
	k := seenKey{pos, sev, code, msg}
	if f.seen[k] {
		return
	}
	if f.seen == nil {
		f.seen = map[seenKey]bool{}
	}
	f.seen[k] = true
	sev = min(sev, diag.SeverityWarning)
	switch f.count[sev]++; {
	case f.count[sev] == MaxReported+1:
		f.list = append(f.list, &diag.Diagnostic{Severity: sev, Pos: diag.Pos{File: f.name}, Code: "too-many",
			Message: "too many problems of this severity: only the first " + strconv.Itoa(MaxReported) + " are reported"})
		return
	case f.count[sev] > MaxReported:
		return
	}
	f.list = append(f.list, &diag.Diagnostic{Severity: sev, Pos: pos, End: end, Code: code, Message: msg, Hint: hint})
}

// ErrorAt reports an error at a node, underlining a value on one line.
func (f *File) ErrorAt(n *yaml.Node, code, hint, format string, args ...any) {
	pos, end := f.Span(n)
	f.Report(diag.SeverityError, pos, end, code, fmt.Sprintf(format, args...), hint)
}

// WarnAt reports a warning at a node, underlining a value on one line.
func (f *File) WarnAt(n *yaml.Node, code, hint, format string, args ...any) {
	pos, end := f.Span(n)
	f.Report(diag.SeverityWarning, pos, end, code, fmt.Sprintf(format, args...), hint)
}

// HasErrors reports whether an error has been reported.
func (f *File) HasErrors() bool { return f.count[diag.SeverityError] > 0 }

// Diagnostics returns what has been reported, sorted. The list is the
// File's own: report nothing more once it is handed on.
func (f *File) Diagnostics() diag.Diagnostics {
	f.list.Sort()
	return f.list
}

// Deref follows an alias to the node it names.
func Deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}
