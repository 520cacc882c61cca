package scenario

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

// MaxSize is the largest scenario file Parse reads. A long story is a few
// hundred lines; this leaves room for far more while keeping hostile input
// cheap.
const MaxSize = 1 << 20

// The keys of each mapping, in the order SCENARIOS.md documents them.
var (
	fileKeys      = []string{"scenario", "policy", "closures", "raised", "expect", "steps"}
	raisedKeys    = []string{"at", "by", "role", "agency", "facts", "forms", "note"}
	stepKeys      = []string{"event", "at", "by", "role", "agency", "facts", "forms", "note", "expect"}
	expectKeys    = []string{"stage", "outcome", "due", "status", "overdue", "available", "refused"}
	overdueKeys   = []string{"at", "obligations"}
	availableKeys = []string{"role", "by", "events"}
	refusedKeys   = []string{"reason", "message"}
)

// Parse reads a scenario file. It reports every problem it finds, each
// with the file, line and column, and returns a nil File if there is any.
// It never panics, whatever the bytes.
func Parse(name string, src []byte) (*File, engine.Diagnostics) {
	// The loader's front end: the same bounds on size, depth and aliases as a
	// policy file, and syntax errors reported alike.
	p := &parser{f: yamlfront.NewFile(name, src), sug: suggest.New()}
	root := p.f.Read(readOptions)
	if root == nil {
		return nil, p.f.Diagnostics()
	}
	f := p.story(root)
	if p.f.HasErrors() {
		return nil, p.f.Diagnostics()
	}
	return f, nil
}

// readOptions are how the front end reads a scenario file.
var readOptions = yamlfront.Options{MaxBytes: MaxSize, Noun: "scenario", Start: "scenario: <the story's title>"}

type parser struct {
	f   *yamlfront.File
	sug suggest.Suggester
}

func (p *parser) pos(n *yaml.Node) engine.Pos { return p.f.Pos(n) }

func (p *parser) report(at engine.Pos, code, hint, format string, args ...any) {
	p.f.Report(engine.SeverityError, at, engine.Pos{}, code, fmt.Sprintf(format, args...), hint)
}

// errorAt reports a problem at node n, underlining a value on one line.
func (p *parser) errorAt(n *yaml.Node, code, hint, format string, args ...any) {
	p.f.ErrorAt(n, code, hint, format, args...)
}

// pair is one key and its value in a mapping.
type pair struct{ k, v *yaml.Node }

// mapping checks that n is a mapping of known keys, each at most once, with
// the required ones present, and returns its pairs in file order. what
// names the mapping in messages ("a step").
func (p *parser) mapping(n *yaml.Node, what string, keys, required []string) []pair {
	if !p.check(n, yaml.MappingNode, what) {
		return nil
	}
	var out []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !p.check(k, yaml.ScalarNode, "a key") {
			continue
		}
		switch line, dup := seen[k.Value]; {
		case !contains(keys, k.Value):
			p.errorAt(k, "unknown-key", p.sug.Hint(k.Value, keys), "unknown key %q in %s", k.Value, what)
			continue
		case dup:
			p.errorAt(k, "duplicate-key", fmt.Sprintf("%q is already set at line %d; remove one", k.Value, line), "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, pair{k, v})
	}
	for _, r := range required {
		if _, ok := seen[r]; !ok {
			p.errorAt(n, "missing-key", "add "+r+": …", "missing required key %q in %s", r, what)
		}
	}
	return out
}

// check reports n if it is not of kind want; aliases are refused outright,
// so no scenario can expand into more than its own text.
func (p *parser) check(n *yaml.Node, want yaml.Kind, what string) bool {
	switch {
	case n.Kind == yaml.AliasNode:
		p.errorAt(n, "alias", "repeat the content instead", "aliases (*%s) are not allowed in scenario files", n.Value)
		return false
	case n.Kind != want:
		p.errorAt(n, "wrong-type", "", "%s must be %s, but this is %s", what, kindWords(want), describe(n))
		return false
	}
	return true
}

func kindWords(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping (key: value lines)"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.ShortTag() == "!!null" {
		return "empty"
	}
	return "a single value"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text returns a non-empty scalar's text.
func (p *parser) text(n *yaml.Node, what string) (string, bool) {
	if !p.check(n, yaml.ScalarNode, what) {
		return "", false
	}
	if strings.TrimSpace(n.Value) == "" || n.ShortTag() == "!!null" {
		p.errorAt(n, "empty-value", "write something, or remove the key", "%s is empty", what)
		return "", false
	}
	return n.Value, true
}

func (p *parser) time(n *yaml.Node, what string) (time.Time, bool) {
	s, ok := p.text(n, what)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseTime(s)
	if err != nil {
		p.errorAt(n, "bad-time", "for example 2026-12-22T10:00, or 2026-12-22 for 09:00 that day", "%s: %v", what, err)
		return time.Time{}, false
	}
	return t, true
}

// names reads a list of names (possibly empty).
func (p *parser) names(n *yaml.Node, what string) []string {
	if !p.check(n, yaml.SequenceNode, what) {
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if s, ok := p.text(item, "an entry of "+what); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) story(root *yaml.Node) *File {
	f := &File{Name: p.f.Name()}
	pairs := p.mapping(root, "a scenario file", fileKeys, []string{"scenario", "policy", "raised"})
	for _, kv := range pairs {
		switch kv.k.Value {
		case "scenario":
			f.Title, _ = p.text(kv.v, "scenario")
		case "policy":
			f.Policy, _ = p.text(kv.v, "policy")
			f.PolicyPos = p.pos(kv.v)
		case "closures":
			f.Closures = p.closures(kv.v)
			f.ClosuresPos = p.pos(kv.k)
		case "raised":
			f.Raised = p.step(kv.k, kv.v, "raised", raisedKeys, []string{"at", "by", "role"})
			f.Raised.Event = engine.RaiseEvent
		case "steps":
			if !p.check(kv.v, yaml.SequenceNode, "steps") {
				continue
			}
			for _, item := range kv.v.Content {
				f.Steps = append(f.Steps, p.step(item, item, "a step", stepKeys, []string{"event", "at", "by", "role"}))
			}
		}
	}
	// The expectations straight after raising are written at the top level.
	for _, kv := range pairs {
		if kv.k.Value != "expect" {
			continue
		}
		f.Raised.Expect = p.expect(kv.v)
		for _, e := range f.Raised.Expect {
			if e.Kind == KindRefused {
				p.report(e.Pos, "key-not-allowed", "put it under the expect of the step whose event is refused", "refused applies to a step's event, not to raising the case")
			}
		}
	}
	return f
}

// closures reads the story's closure days, in the closure file format
// (calendar.ParseClosures), reporting each problem where it is.
func (p *parser) closures(n *yaml.Node) []calendar.Holiday {
	if !p.check(n, yaml.SequenceNode, "closures") {
		return nil
	}
	days, err := calendar.ParseClosuresNode(p.f.Name(), n)
	var ds engine.Diagnostics
	if errors.As(err, &ds) {
		for _, d := range ds {
			p.f.Report(d.Severity, d.Pos, d.End, d.Code, d.Message, d.Hint)
		}
		return nil
	}
	return days
}

func (p *parser) step(at, n *yaml.Node, what string, keys, required []string) Step {
	s := Step{Pos: p.pos(at)}
	for _, kv := range p.mapping(n, what, keys, required) {
		key := kv.k.Value
		switch key {
		case "event":
			s.Event, _ = p.text(kv.v, key)
		case "at":
			s.At, _ = p.time(kv.v, key)
		case "by":
			s.By, _ = p.text(kv.v, key)
		case "role":
			s.Role, _ = p.text(kv.v, key)
		case "agency":
			s.Agency, _ = p.text(kv.v, key)
		case "note":
			s.Note, _ = p.text(kv.v, key)
		case "facts":
			s.Facts = p.facts(kv.v)
		case "forms":
			s.Forms = p.forms(kv.v)
		case "expect":
			s.Expect = p.expect(kv.v)
		}
	}
	return s
}

// facts reads fact values: single values or lists of them. Values are never
// quoted in messages: facts may be personal data.
func (p *parser) facts(n *yaml.Node) map[string]any {
	if !p.check(n, yaml.MappingNode, "facts") {
		return nil
	}
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !p.check(k, yaml.ScalarNode, "a fact's name") {
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.errorAt(k, "duplicate-key", "remove one", "fact %q is given twice", k.Value)
			continue
		}
		if v.Kind == yaml.SequenceNode {
			list := make([]any, 0, len(v.Content))
			for _, item := range v.Content {
				if x, ok := p.value(item, "an entry of fact "+k.Value); ok {
					list = append(list, x)
				}
			}
			out[k.Value] = list
			continue
		}
		if x, ok := p.value(v, "fact "+k.Value); ok {
			out[k.Value] = x
		}
	}
	return out
}

// forms reads form data: form id -> field id -> single value.
func (p *parser) forms(n *yaml.Node) map[string]map[string]any {
	if !p.check(n, yaml.MappingNode, "forms") {
		return nil
	}
	out := make(map[string]map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !p.check(k, yaml.ScalarNode, "a form's name") {
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.errorAt(k, "duplicate-key", "remove one", "form %q is given twice", k.Value)
			continue
		}
		if !p.check(v, yaml.MappingNode, "form "+k.Value) {
			continue
		}
		fields := make(map[string]any, len(v.Content)/2)
		for j := 0; j+1 < len(v.Content); j += 2 {
			fk, fv := v.Content[j], v.Content[j+1]
			if !p.check(fk, yaml.ScalarNode, "a field's name") {
				continue
			}
			if _, dup := fields[fk.Value]; dup {
				p.errorAt(fk, "duplicate-key", "remove one", "field %q is given twice", fk.Value)
				continue
			}
			if x, ok := p.value(fv, "field "+k.Value+"."+fk.Value); ok {
				fields[fk.Value] = x
			}
		}
		out[k.Value] = fields
	}
	return out
}

// value decodes a single value as YAML types it: true/false, a whole
// number, a decimal number, or text (a date stays text, "YYYY-MM-DD", as
// the engine stores it).
func (p *parser) value(n *yaml.Node, what string) (any, bool) {
	if !p.check(n, yaml.ScalarNode, what) {
		return nil, false
	}
	switch n.ShortTag() {
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err == nil {
			return v, true
		}
	case "!!null":
		p.errorAt(n, "empty-value", "give a value, or remove the key", "%s is empty", what)
		return nil, false
	}
	return n.Value, true
}

// expect reads one `expect` mapping.
func (p *parser) expect(n *yaml.Node) []Expectation {
	var out []Expectation
	for _, kv := range p.mapping(n, "expect", expectKeys, nil) {
		kind := Kind(kv.k.Value)
		at := p.pos(kv.k)
		switch kind {
		case KindStage, KindOutcome:
			if id, ok := p.text(kv.v, string(kind)); ok {
				out = append(out, Expectation{Kind: kind, Pos: at, ID: id})
			}
		case KindDue, KindStatus:
			out = append(out, p.perObligation(kind, kv.v)...)
		case KindOverdue:
			e := Expectation{Kind: kind, Pos: at, Obligations: []string{}}
			for _, o := range p.mapping(kv.v, "overdue", overdueKeys, []string{"obligations"}) {
				switch o.k.Value {
				case "at":
					e.At, _ = p.time(o.v, "overdue.at")
				case "obligations":
					e.Obligations = p.names(o.v, "overdue.obligations")
				}
			}
			out = append(out, e)
		case KindAvailable:
			e := Expectation{Kind: kind, Pos: at, Events: []string{}}
			for _, o := range p.mapping(kv.v, "available", availableKeys, []string{"role", "events"}) {
				switch o.k.Value {
				case "role":
					e.Role, _ = p.text(o.v, "available.role")
				case "by":
					e.By, _ = p.text(o.v, "available.by")
				case "events":
					e.Events = p.names(o.v, "available.events")
				}
			}
			out = append(out, e)
		case KindRefused:
			e := Expectation{Kind: kind, Pos: at}
			for _, o := range p.mapping(kv.v, "refused", refusedKeys, []string{"reason"}) {
				switch o.k.Value {
				case "reason":
					if r, ok := p.text(o.v, "refused.reason"); ok {
						if !contains(reasonNames(), r) {
							p.errorAt(o.v, "unknown-value", p.sug.Hint(r, reasonNames()), "%q is not a refusal reason", r)
						}
						e.Reason = r
					}
				case "message":
					e.Message, _ = p.text(o.v, "refused.message")
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// perObligation reads `due` or `status`: obligation id -> value, one
// expectation each.
func (p *parser) perObligation(kind Kind, n *yaml.Node) []Expectation {
	if !p.check(n, yaml.MappingNode, string(kind)) {
		return nil
	}
	var out []Expectation
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !p.check(k, yaml.ScalarNode, "an obligation's name") {
			continue
		}
		if seen[k.Value] {
			p.errorAt(k, "duplicate-key", "remove one", "obligation %q is listed twice", k.Value)
			continue
		}
		seen[k.Value] = true
		what := string(kind) + "." + k.Value
		s, ok := p.text(v, what)
		if !ok {
			continue
		}
		e := Expectation{Kind: kind, Pos: p.pos(k), Obligation: k.Value}
		switch kind {
		case KindDue:
			switch s {
			case "none":
				e.NoDeadline = true
			case "urgent":
				e.Urgent = true
			}
			if e.NoDeadline || e.Urgent {
				break
			}
			d, err := calendar.ParseDate(s)
			if err != nil {
				p.errorAt(v, "bad-date", "write the due date as YYYY-MM-DD, none for an obligation with no timescale, or urgent for an urgent one with no backstop", "%s: %s", what, strings.TrimPrefix(err.Error(), "calendar: "))
				continue
			}
			e.Date = d
		case KindStatus:
			statuses := []string{string(engine.StatusWaiting), string(engine.StatusPending), string(engine.StatusOverdue), string(engine.StatusMet), string(NotOwed)}
			if !contains(statuses, s) {
				p.errorAt(v, "unknown-value", p.sug.Hint(s, statuses), "%q is not a status", s)
				continue
			}
			e.Status = engine.Status(s)
		}
		out = append(out, e)
	}
	return out
}
