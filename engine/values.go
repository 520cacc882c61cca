package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// Values in a case are kept in their canonical Go form: bool, int64, string
// or []string; a date is its "YYYY-MM-DD" string, so a case read back from
// JSON (where numbers are float64 and lists []any) canonicalises to the same
// values. Messages here never quote the value itself, which may be personal.

func canonicalBool(v any) (bool, bool) {
	b, ok := v.(bool)
	return b, ok
}

func canonicalInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func canonicalString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

func canonicalDate(v any) (string, bool) {
	switch d := v.(type) {
	case string:
		if _, err := calendar.ParseDate(d); err == nil {
			return d, true
		}
	case calendar.Date:
		if !d.IsZero() {
			return d.String(), true
		}
	case time.Time:
		if !d.IsZero() {
			return calendar.DateOf(d).String(), true
		}
	}
	return "", false
}

func canonicalList(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		return l, true
	case []any:
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

func oneOf(s string, values []string) bool {
	for _, v := range values {
		if v == s {
			return true
		}
	}
	return false
}

// canonicalFact checks v against the fact's type and returns its canonical form.
func canonicalFact(f *Fact, v any) (any, error) {
	var (
		out any
		ok  bool
	)
	switch f.Type {
	case FactBool:
		out, ok = canonicalBool(v)
	case FactInt:
		out, ok = canonicalInt(v)
	case FactString:
		out, ok = canonicalString(v)
	case FactEnum:
		var s string
		if s, ok = canonicalString(v); ok && !oneOf(s, f.Values) {
			return nil, &InputError{Path: "facts." + f.ID, Message: "must be one of " + strings.Join(f.Values, ", ")}
		}
		out = s
	case FactDate:
		out, ok = canonicalDate(v)
	case FactList:
		out, ok = canonicalList(v)
	}
	if !ok {
		return nil, &InputError{Path: "facts." + f.ID, Message: "must be " + factTypeWords(f.Type)}
	}
	return out, nil
}

func factTypeWords(t FactType) string {
	switch t {
	case FactBool:
		return "true or false"
	case FactInt:
		return "a whole number"
	case FactDate:
		return "a date (YYYY-MM-DD)"
	case FactList:
		return "a list of text"
	case FactEnum:
		return "one of the listed values"
	}
	return "text"
}

// canonicalFacts checks a set of fact updates against the policy and returns
// them in canonical form, in a map of their own. With reuse set (Replay reads
// a recorded entry, which is never changed) a map that is canonical already is
// returned as it is.
func (p *Policy) canonicalFacts(in map[string]any, reuse bool) (map[string]any, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if reuse && p.canonicalAlready(in) {
		return in, nil
	}
	out := make(map[string]any, len(in))
	for id, v := range in {
		f, ok := p.facts[id]
		if !ok {
			return nil, &InputError{Path: "facts." + id, Message: "is not a fact of policy " + p.ID + didYouMean(id, p.factIDs())}
		}
		cv, err := canonicalFact(f, v)
		if err != nil {
			return nil, err
		}
		if l, ok := cv.([]string); ok {
			cv = slices.Clone(l) // the case keeps its own list, whatever the caller does with theirs
		}
		out[id] = cv
	}
	return out, nil
}

// canonicalAlready reports whether every update names a fact and holds a
// canonical value for it. Each canonical form (bool, int64, string, []string)
// canonicalises to itself, so accepting it is enough.
func (p *Policy) canonicalAlready(in map[string]any) bool {
	for id, v := range in {
		f, ok := p.facts[id]
		if !ok {
			return false
		}
		switch v.(type) {
		case bool, int64, string, []string:
			if _, err := canonicalFact(f, v); err != nil {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// canonicalForms checks form data against the policy's forms.
func (p *Policy) canonicalForms(in map[string]map[string]any) (map[string]map[string]any, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]map[string]any, len(in))
	for formID, fields := range in {
		form, ok := p.forms[formID]
		if !ok {
			return nil, &InputError{Path: "forms." + formID, Message: "is not a form of policy " + p.ID + didYouMean(formID, p.formIDs())}
		}
		cf := make(map[string]any, len(fields))
		for fieldID, v := range fields {
			field := form.field(fieldID)
			path := "forms." + formID + "." + fieldID
			if field == nil {
				return nil, &InputError{Path: path, Message: "is not a field of the form" + didYouMean(fieldID, form.fieldIDs())}
			}
			cv, err := canonicalField(field, v)
			if err != nil {
				return nil, &InputError{Path: path, Message: err.Error()}
			}
			cf[fieldID] = cv
		}
		out[formID] = cf
	}
	return out, nil
}

func canonicalField(f *Field, v any) (any, error) {
	switch f.Type {
	case FieldBool:
		if b, ok := canonicalBool(v); ok {
			return b, nil
		}
		return nil, fmt.Errorf("must be true or false")
	case FieldInt:
		if n, ok := canonicalInt(v); ok {
			return n, nil
		}
		return nil, fmt.Errorf("must be a whole number")
	case FieldDate:
		if d, ok := canonicalDate(v); ok {
			return d, nil
		}
		return nil, fmt.Errorf("must be a date (YYYY-MM-DD)")
	case FieldEnum:
		if s, ok := canonicalString(v); ok && oneOf(s, f.Values) {
			return s, nil
		}
		return nil, fmt.Errorf("must be one of %s", strings.Join(f.Values, ", "))
	case FieldEmail:
		if s, ok := canonicalString(v); ok {
			if _, err := mail.ParseAddress(s); err == nil {
				return s, nil
			}
		}
		return nil, fmt.Errorf("must be an email address")
	}
	if s, ok := canonicalString(v); ok {
		return s, nil
	}
	return nil, fmt.Errorf("must be text")
}

// filled reports whether a stored field value counts as an answer.
func filled(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(x) != ""
	case []string:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}

// missingFields lists the required fields of form f not yet answered for a
// case at stage s: the form's own fields and those of its sections for s.
func missingFields(f *Form, s *Stage, data map[string]any) []string {
	var missing []string
	check := func(fields []*Field) {
		for _, fd := range fields {
			if fd.Required && !filled(data[fd.ID]) {
				missing = append(missing, fd.ID)
			}
		}
	}
	check(f.Fields)
	for _, sec := range f.Sections {
		for _, st := range sec.Stages {
			if st == s {
				check(sec.Fields)
				break
			}
		}
	}
	return missing
}

func (f *Form) field(id string) *Field {
	for _, fd := range f.Fields {
		if fd.ID == id {
			return fd
		}
	}
	for _, sec := range f.Sections {
		for _, fd := range sec.Fields {
			if fd.ID == id {
				return fd
			}
		}
	}
	return nil
}

func (f *Form) fieldIDs() []string {
	var ids []string
	for _, fd := range f.Fields {
		ids = append(ids, fd.ID)
	}
	for _, sec := range f.Sections {
		for _, fd := range sec.Fields {
			ids = append(ids, fd.ID)
		}
	}
	return ids
}

func (p *Policy) factIDs() []string {
	ids := make([]string, len(p.Facts))
	for i, f := range p.Facts {
		ids[i] = f.ID
	}
	return ids
}

// formsBelong checks that each form given data is one the place the act
// happens at uses, or one the place it moves the case to uses (to, which may
// be empty): a form belongs to its stages (or outcomes), and data for another
// stage's form is a mistake to refuse, not to keep.
func (p *Policy) formsBelong(forms map[string]map[string]any, at, to place) error {
	for id := range forms {
		f := p.forms[id]
		if p.uses(at, f) || !to.none() && p.uses(to, f) {
			continue
		}
		msg := "is not a form of " + at.named() + " (" + p.formsAt(at) + ")"
		if !to.none() && to != at {
			msg = "is a form of neither " + at.named() + " (" + p.formsAt(at) + ") nor " + to.named() +
				", which the event moves the case to (" + p.formsAt(to) + ")"
		}
		return &InputError{Path: "forms." + id, Message: msg}
	}
	return nil
}

// uses reports whether the place uses form f: a stage lists it, one of its
// records is made on it, one of its transitions (or an any_stage one that
// applies there) needs it, or it has a section for the stage; an outcome
// makes a record on it, or one of its transitions needs it.
func (p *Policy) uses(pl place, f *Form) bool {
	if pl.outcome != nil {
		return slices.ContainsFunc(pl.outcome.Records, func(r *Record) bool { return r.Form == f }) ||
			slices.ContainsFunc(pl.outcome.Transitions, func(t *Transition) bool { return slices.Contains(t.Forms, f) })
	}
	s := pl.stage
	if slices.Contains(s.Forms, f) {
		return true
	}
	for _, r := range s.Records {
		if r.Form == f {
			return true
		}
	}
	for _, ts := range [2][]*Transition{s.Transitions, p.AnyStage} {
		for _, t := range ts {
			if t.AppliesIn(s) && slices.Contains(t.Forms, f) {
				return true
			}
		}
	}
	for _, sec := range f.Sections {
		if slices.Contains(sec.Stages, s) {
			return true
		}
	}
	return false
}

// formsAt says which forms the place uses, in the policy's order.
func (p *Policy) formsAt(pl place) string {
	var ids []string
	for _, f := range p.Forms {
		if p.uses(pl, f) {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) == 0 {
		return "it uses none"
	}
	return "it uses " + strings.Join(ids, ", ")
}

func (p *Policy) formIDs() []string {
	ids := make([]string, len(p.Forms))
	for i, f := range p.Forms {
		ids[i] = f.ID
	}
	return ids
}
