package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Option configures New.
type Option func(*config) error

type config struct {
	feed     Feed
	days     []DayOff
	closures []Holiday
}

func (cfg *config) apply(opts []Option) error {
	for _, opt := range opts {
		if err := opt(cfg); err != nil {
			return err
		}
	}
	return nil
}

// clone copies the lists, so that options applied to the copy leave cfg as
// it was.
func (cfg config) clone() config {
	cfg.days = append([]DayOff(nil), cfg.days...)
	cfg.closures = append([]Holiday(nil), cfg.closures...)
	return cfg
}

// WithClosures adds days on which the host does not work although they are
// not bank holidays: a council's Christmas closure, or a day proclaimed
// after this release (the Isle of Man's next TT Bank Holiday). Each needs a
// valid weekday date and a name; the name is shown in explanations as
// "closure: <name>". A closure on a bank holiday changes nothing.
func WithClosures(days ...Holiday) Option {
	days = append([]Holiday(nil), days...) // the caller may reuse its slice
	return func(cfg *config) error {
		cfg.closures = append(cfg.closures, days...)
		return nil
	}
}

// checkClosure reports what is wrong with a closure day, if anything.
func checkClosure(h Holiday) error {
	switch {
	case h.Date.IsZero():
		return fmt.Errorf("calendar: closure %q has no date: give it a date as YYYY-MM-DD", h.Name)
	case !h.Date.valid():
		return fmt.Errorf("calendar: closure %q: %04d-%02d-%02d is not a valid date", h.Name, h.Date.Year, int(h.Date.Month), h.Date.Day)
	case strings.TrimSpace(h.Name) == "":
		return fmt.Errorf("calendar: closure %s has no name: name it, for explanations", h.Date)
	}
	if wd := h.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return fmt.Errorf("calendar: closure %q on %s is a %s, which is never a working day: check the date", h.Name, h.Date, wd)
	}
	return nil
}

// ParseClosures reads closure days from YAML: a list of mappings with the
// keys date (YYYY-MM-DD, required), name (required) and source (optional).
// It is strict: unknown keys, missing keys, repeated keys and repeated dates
// are errors. Every problem is reported, each a *PosError that reads
// "file:line:column: what is wrong" (joined with errors.Join). Empty input
// is an empty list.
//
//	# closures.yaml
//	- date: 2026-12-29
//	  name: Council Christmas closure
//	  source: Cabinet decision 2025/114
func ParseClosures(file string, data []byte) ([]Holiday, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(file, err)
	default:
		return nil, &PosError{File: file, Line: extra.Line, Column: extra.Column, Msg: "a second YAML document: put every closure in one list"}
	}
	return ParseClosuresNode(file, &doc)
}

// ParseClosuresNode reads closure days, in ParseClosures' format, from a
// node of a larger YAML file: a scenario's closures list. file names that
// file in the errors, which are at its lines and columns.
func ParseClosuresNode(file string, n *yaml.Node) ([]Holiday, error) {
	p := closureParser{file: file}
	days := p.list(n)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return days, nil
}

// PosError is a mistake at a place in a file. Column is 0 when the YAML
// library gives only the line, as it does for syntax errors.
type PosError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *PosError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// syntaxError puts the file name in front of a YAML syntax error, in the
// "file:line: message" form editors and CI annotations read. The YAML
// library reports a line but no column for these.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		_, rest, _ := strings.Cut(msg, ": ")
		return &PosError{File: file, Line: line, Msg: rest}
	}
	return &PosError{File: file, Msg: msg}
}

type closureParser struct {
	file string
	errs []error
}

func (p *closureParser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &PosError{File: p.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func (p *closureParser) list(doc *yaml.Node) []Holiday {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // a document holding only a comment or "~"
	}
	if root.Kind != yaml.SequenceNode {
		p.errorf(root, "expected a list of closures (lines starting \"- date: YYYY-MM-DD\")")
		return nil
	}
	var days []Holiday
	where := make(map[Date]*yaml.Node)
	for _, item := range root.Content {
		h, ok := p.closure(item)
		if !ok {
			continue
		}
		if first, dup := where[h.Date]; dup {
			p.errorf(item, "closure %s is already listed at line %d: list each day once", h.Date, first.Line)
			continue
		}
		where[h.Date] = item
		days = append(days, h)
	}
	return days
}

// closure reads one list item; problems are recorded and reported as !ok.
func (p *closureParser) closure(n *yaml.Node) (Holiday, bool) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "expected a closure with date, name and optional source")
		return Holiday{}, false
	}
	before := len(p.errs)
	var h Holiday
	var dateNode *yaml.Node
	got := make(map[string]bool)
	for k := 0; k+1 < len(n.Content); k += 2 {
		key, val := n.Content[k], n.Content[k+1]
		if got[key.Value] {
			p.errorf(key, "%q is given twice in this closure", key.Value)
			continue
		}
		got[key.Value] = true
		switch key.Value {
		case "date", "name", "source":
		default:
			p.errorf(key, "unknown key %q: a closure has date, name and source", key.Value)
			continue
		}
		if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
			p.errorf(val, "%s must be a single value", key.Value)
			continue
		}
		switch key.Value {
		case "date":
			d, err := ParseDate(val.Value)
			if err != nil {
				p.errorf(val, "%v", err)
				continue
			}
			h.Date, dateNode = d, val
		case "name":
			h.Name = val.Value
		case "source":
			h.Source = val.Value
		}
	}
	if !got["date"] {
		p.errorf(n, "closure has no date: add \"date: YYYY-MM-DD\"")
	}
	if !got["name"] {
		p.errorf(n, "closure has no name: add \"name: ...\" (it is shown in explanations)")
	}
	if len(p.errs) > before {
		return Holiday{}, false
	}
	if err := checkClosure(h); err != nil {
		p.errorf(dateNode, "%v", err)
		return Holiday{}, false
	}
	return h, true
}
