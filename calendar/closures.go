package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
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

// MaxClosuresBytes is the largest closure file ParseClosures reads: a
// council's closures for a century fit in a few KiB.
const MaxClosuresBytes = 1 << 20

// ParseClosures reads closure days from YAML: a list of mappings with the
// keys date (YYYY-MM-DD, required), name (required) and source (optional).
// It is strict: unknown keys (with "did you mean"), missing keys, repeated
// keys and repeated dates are errors. It reads through the project's YAML
// front end, so a closure file has the limits and the syntax errors of a
// policy file. Empty input is an empty list.
//
// Every problem is reported: the error is a diag.Diagnostics (recover it with
// errors.As), sorted, each with the file, line and column and a hint;
// diag.Write shows each with its line and a caret.
//
//	# closures.yaml
//	- date: 2026-12-29
//	  name: Council Christmas closure
//	  source: Cabinet decision 2025/114
func ParseClosures(file string, data []byte) ([]Holiday, error) {
	f := yamlfront.NewFile(file, data)
	root := f.Read(yamlfront.Options{MaxBytes: MaxClosuresBytes, Noun: "list of closures",
		Start: "- date: YYYY-MM-DD", AllowEmpty: true})
	var days []Holiday
	if root != nil {
		reader := closureReader{f: f, sug: suggest.New()}
		days = reader.list(root)
	}
	if err := f.Diagnostics().Err(); err != nil {
		return nil, err
	}
	return days, nil
}

// ParseClosuresNode reads closure days, in ParseClosures' format, from a
// node of a larger YAML file: a scenario's closures list. file names that
// file in the diagnostics, which are at its lines and columns; the error is
// a diag.Diagnostics, as ParseClosures'.
func ParseClosuresNode(file string, n *yaml.Node) ([]Holiday, error) {
	f := yamlfront.NewFile(file, nil)
	reader := closureReader{f: f, sug: suggest.New()}
	days := reader.list(n)
	if err := f.Diagnostics().Err(); err != nil {
		return nil, err
	}
	return days, nil
}

// closureKeys are a closure's keys, in the order the documentation gives them.
var closureKeys = []string{"date", "name", "source"}

type closureReader struct {
	f   *yamlfront.File
	sug suggest.Suggester
}

func (r *closureReader) list(root *yaml.Node) []Holiday {
	root = yamlfront.Deref(root)
	if root.Kind != yaml.SequenceNode {
		r.f.ErrorAt(root, "wrong-type", "start each closure with \"- date: YYYY-MM-DD\"", "expected a list of closures")
		return nil
	}
	var days []Holiday
	where := make(map[Date]*yaml.Node)
	for _, item := range root.Content {
		h, ok := r.closure(yamlfront.Deref(item))
		if !ok {
			continue
		}
		if first, dup := where[h.Date]; dup {
			r.f.ErrorAt(item, "duplicate-item", "list each day once", "closure %s is already listed at line %d", h.Date, first.Line)
			continue
		}
		where[h.Date] = item
		days = append(days, h)
	}
	return days
}

// closure reads one list item; problems are reported and the item is !ok.
func (r *closureReader) closure(n *yaml.Node) (Holiday, bool) {
	if n.Kind != yaml.MappingNode {
		r.f.ErrorAt(n, "wrong-type", "write it as date: YYYY-MM-DD and name: …, on lines of their own", "expected a closure with date, name and optional source")
		return Holiday{}, false
	}
	bad := false
	var h Holiday
	var dateNode *yaml.Node
	got := make(map[string]*yaml.Node)
	for k := 0; k+1 < len(n.Content); k += 2 {
		key, val := yamlfront.Deref(n.Content[k]), yamlfront.Deref(n.Content[k+1])
		if first := got[key.Value]; first != nil {
			r.f.ErrorAt(key, "duplicate-key", fmt.Sprintf("it is already given at line %d; remove one", first.Line), "%q is given twice in this closure", key.Value)
			bad = true
			continue
		}
		got[key.Value] = key
		if !slices.Contains(closureKeys, key.Value) {
			r.f.ErrorAt(key, "unknown-key", r.sug.Hint(key.Value, closureKeys), "unknown key %q: a closure has date, name and source", key.Value)
			bad = true
			continue
		}
		if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
			r.f.ErrorAt(val, "wrong-type", "", "%s must be a single value", key.Value)
			bad = true
			continue
		}
		switch key.Value {
		case "date":
			d, err := ParseDate(val.Value)
			if err != nil {
				r.f.ErrorAt(val, "bad-date", "write the date as YYYY-MM-DD", "%s", strings.TrimPrefix(err.Error(), "calendar: "))
				bad = true
				continue
			}
			h.Date, dateNode = d, val
		case "name":
			h.Name = val.Value
		case "source":
			h.Source = val.Value
		}
	}
	if got["date"] == nil {
		r.f.ErrorAt(n, "missing-key", "add date: YYYY-MM-DD", "closure has no date")
		bad = true
	}
	if got["name"] == nil {
		r.f.ErrorAt(n, "missing-key", "add name: … (it is shown in explanations)", "closure has no name")
		bad = true
	}
	if bad {
		return Holiday{}, false
	}
	if err := checkClosure(h); err != nil {
		r.f.ErrorAt(dateNode, "not-a-working-day", "check the date", "%s", strings.TrimPrefix(err.Error(), "calendar: "))
		return Holiday{}, false
	}
	return h, true
}
