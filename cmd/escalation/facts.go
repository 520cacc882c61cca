package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

// factsFlag is a repeatable --fact NAME=VALUE flag.
type factsFlag struct{ given []string }

func factFlag(fs *flag.FlagSet) *factsFlag {
	f := &factsFlag{}
	fs.Var(f, "fact", "a fact of the case, `NAME=VALUE`: text as written, other values as in a scenario file (repeatable)")
	return f
}

func (f *factsFlag) String() string { return strings.Join(f.given, " ") }

func (f *factsFlag) Set(s string) error {
	name, _, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want NAME=VALUE, such as immediate_risk=true")
	}
	f.given = append(f.given, s)
	return nil
}

// values reads the given facts as policy p's facts: each name must be one
// of them, and each value is read as its type is written (readValue). The
// engine checks each value against its fact's type when it uses it.
func (f *factsFlag) values(p *engine.Policy) (map[string]any, error) {
	names := make([]string, len(p.Facts))
	for i, fact := range p.Facts {
		names[i] = fact.ID
	}
	sort.Strings(names)
	out := make(map[string]any, len(f.given))
	for _, g := range f.given {
		name, raw, _ := strings.Cut(g, "=")
		name = strings.TrimSpace(name)
		fact, ok := p.Fact(name)
		if !ok {
			if len(names) == 0 {
				return nil, fmt.Errorf("--fact %s: policy %s has no facts", name, p.ID)
			}
			return nil, fmt.Errorf("--fact %s: not a fact of policy %s: %s", name, p.ID, suggest.Hint(name, names))
		}
		v, err := readValue(raw, textFact(fact.Type))
		if err != nil {
			return nil, fmt.Errorf("--fact %s: %s", name, notAValue(raw, fact.Personal))
		}
		out[name] = v
	}
	return out, nil
}

// formsFlag is a repeatable --form FORM.FIELD=VALUE flag: one field of a
// form's data.
type formsFlag struct{ given []string }

func formFlag(fs *flag.FlagSet) *formsFlag {
	f := &formsFlag{}
	fs.Var(f, "form", "a field of a form's data, `FORM.FIELD=VALUE`, text as written (repeatable)")
	return f
}

func (f *formsFlag) String() string { return strings.Join(f.given, " ") }

func (f *formsFlag) Set(s string) error {
	if _, _, _, ok := splitFormField(s); !ok {
		return fmt.Errorf("want FORM.FIELD=VALUE, such as report.child_initials=AB")
	}
	f.given = append(f.given, s)
	return nil
}

// splitFormField splits FORM.FIELD=VALUE at the first "=" and the name at its
// first ".". Ids hold no "." or "=", so the value may hold either.
func splitFormField(s string) (form, field, raw string, ok bool) {
	name, raw, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", "", false
	}
	form, field, ok = strings.Cut(name, ".")
	form, field = strings.TrimSpace(form), strings.TrimSpace(field)
	return form, field, raw, ok && form != "" && field != ""
}

// values reads the given fields as data for policy p's forms: each form
// and field must be one of them. The engine checks each value against its
// field's type, and that the form belongs to the stage.
func (f *formsFlag) values(p *engine.Policy) (map[string]map[string]any, error) {
	if len(f.given) == 0 {
		return nil, nil
	}
	out := make(map[string]map[string]any, len(f.given))
	for _, g := range f.given {
		formID, fieldID, raw, _ := splitFormField(g)
		form, ok := p.Form(formID)
		if !ok {
			ids := make([]string, len(p.Forms))
			for i, fm := range p.Forms {
				ids[i] = fm.ID
			}
			if len(ids) == 0 {
				return nil, fmt.Errorf("--form %s.%s: policy %s has no forms", formID, fieldID, p.ID)
			}
			return nil, fmt.Errorf("--form %s.%s: not a form of policy %s: %s", formID, fieldID, p.ID, suggest.Hint(formID, ids))
		}
		fields := formFields(form)
		i := slices.IndexFunc(fields, func(fd *engine.Field) bool { return fd.ID == fieldID })
		if i < 0 {
			ids := make([]string, len(fields))
			for j, fd := range fields {
				ids[j] = fd.ID
			}
			return nil, fmt.Errorf("--form %s.%s: not a field of form %s: %s", formID, fieldID, formID, suggest.Hint(fieldID, ids))
		}
		field := fields[i]
		v, err := readValue(raw, textField(field.Type))
		if err != nil {
			return nil, fmt.Errorf("--form %s.%s: %s", formID, fieldID, notAValue(raw, field.Personal))
		}
		if out[formID] == nil {
			out[formID] = map[string]any{}
		}
		out[formID][fieldID] = v
	}
	return out, nil
}

// formFields lists a form's fields, its sections' too.
func formFields(f *engine.Form) []*engine.Field {
	fields := slices.Clone(f.Fields)
	for _, s := range f.Sections {
		fields = append(fields, s.Fields...)
	}
	return fields
}

// readValue reads a value given on the command line. Text (text is true)
// is taken as written, so that free text needs no quoting beyond the
// shell's; any other value is read as YAML, as a scenario file writes it:
// true, 3, [a, b]. An empty value, or YAML that says nothing, is no value.
func readValue(raw string, text bool) (any, error) {
	if text {
		return raw, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(raw), &v); err != nil || v == nil {
		return nil, errNoValue
	}
	return v, nil
}

var errNoValue = errors.New("not a value")

// notAValue says a value did not read, quoting it unless it is personal
// data, which stays out of messages as it does out of the engine's.
func notAValue(raw string, personal bool) string {
	what := fmt.Sprintf("the value %q", raw)
	if personal {
		what = "the value (personal data, not shown)"
	}
	return what + " is not a value: write it as in a scenario file, such as true, 3 or [a, b]"
}

// textFact and textField say which types take text as written: those
// whose values are strings (a date as YYYY-MM-DD). A type added later is
// read as YAML, which covers every type a scenario file can write.
func textFact(t engine.FactType) bool {
	return t == engine.FactString || t == engine.FactEnum || t == engine.FactDate
}

func textField(t engine.FieldType) bool {
	switch t {
	case engine.FieldString, engine.FieldText, engine.FieldEmail, engine.FieldEnum, engine.FieldDate:
		return true
	}
	return false
}
