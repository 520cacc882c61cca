package engine

import (
	"strings"
	"sync"

	"github.com/safeguarding-partnerships/escalation/internal/yamlfmt"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

// canonicalOrder is the order Format puts each kind of element's keys in:
// what it is, then where it comes from (source, assumption), then what it
// holds. It is the order the bundled policies mostly use; the loader's
// tables keep LANGUAGE.md's order, in which the reference lists the keys.
var canonicalOrder = map[*shape][]string{
	policyShape: {"language", "id", "title", "partnership", "version", "approved", "review_due", "in_force_from", "jurisdiction", "calendar", "scope",
		"documents", "source", "assumption", "notes", "roles", "facts", "milestones", "forms", "start", "stages", "any_stage", "outcomes"},
	calendarShape:    {"source", "assumption", "days_off"},
	dayOffShape:      {"name", "date", "from", "to", "yearly", "source", "assumption"},
	documentShape:    {"file", "title", "url", "date"},
	noteShape:        {"text", "level", "source", "assumption"},
	roleShape:        {"title", "description", "source", "assumption"},
	factShape:        {"type", "values", "default", "personal", "description", "source", "assumption"},
	milestoneShape:   {"title", "per_visit", "source", "assumption"},
	formShape:        {"title", "personal", "source", "assumption", "guidance", "fields", "sections"},
	fieldShape:       {"type", "values", "required", "personal", "title", "source", "assumption"},
	sectionShape:     {"title", "stages", "source", "assumption", "fields"},
	recordShape:      {"text", "form", "source", "assumption"},
	expediteShape:    {"when", "within", "source", "assumption"},
	breachShape:      {"message", "notify", "source", "assumption"},
	obligationShape:  {"title", "owner", "when", "urgent", "within", "from", "whichever_sooner", "expedite", "breach", "source", "assumption"},
	alternativeShape: {"within", "from", "by", "source", "assumption"},
	transitionShape:  {"event", "to", "roles", "when", "requires", "forms", "completes", "sets", "note", "source", "assumption"},
	anyStageShape: {"event", "to", "roles", "only", "except", "when", "requires", "forms", "completes", "sets", "note",
		"source", "assumption"},
	stageShape:             {"title", "description", "source", "assumption", "involves", "forms", "obligations", "records", "transitions"},
	outcomeShape:           {"kind", "route", "title", "source", "assumption", "records", "obligations", "transitions"},
	outcomeTransitionShape: {"event", "roles", "when", "requires", "forms", "completes", "sets", "note", "source", "assumption"},
	sourceShape:            {"file", "quote"},
}

// formatRule is how Format orders a policy file, built once from the
// loader's tables.
var formatRule = sync.OnceValue(func() *yamlfmt.Rule {
	return shapeRule(policyShape, map[*shape]*yamlfmt.Rule{})
})

func shapeRule(sh *shape, made map[*shape]*yamlfmt.Rule) *yamlfmt.Rule {
	if r, ok := made[sh]; ok {
		return r
	}
	r := &yamlfmt.Rule{Keys: canonicalOrder[sh], Fields: map[string]*yamlfmt.Rule{}}
	made[sh] = r
	for i := range sh.fields {
		if fr := typeRule(&sh.fields[i].typ, made); fr != nil {
			r.Fields[sh.fields[i].name] = fr
		}
	}
	return r
}

func typeRule(t *typ, made map[*shape]*yamlfmt.Rule) *yamlfmt.Rule {
	switch t.kind {
	case kindObject:
		return shapeRule(t.shape, made)
	case kindIDMap:
		return &yamlfmt.Rule{Values: shapeRule(t.shape, made)}
	case kindList:
		if e := typeRule(t.elem, made); e != nil {
			return &yamlfmt.Rule{Items: e}
		}
	case kindSources: // a source, or a list of them
		s := shapeRule(sourceShape, made)
		return &yamlfmt.Rule{Keys: s.Keys, Fields: s.Fields, Items: s}
	}
	return nil
}

// Format returns a policy file laid out canonically, as escalation fmt writes
// it: each element's keys in one order (what it is, where it comes from, what
// it holds; ids keep the file's order), two spaces of indentation a level, at
// most one blank line between entries, no trailing spaces. Comments, and the
// text of every value (its quotes, its line breaks), are kept.
//
// Format never changes what a file says: it checks that what it wrote reads
// as the same YAML, reordered, with the same comments, and otherwise returns
// an error. The file need not load as a policy (its mistakes stay, for the
// validator to report), but it must be one YAML document within Load's
// limits; the diagnostics say where it is not.
func Format(file string, src []byte) ([]byte, Diagnostics) {
	f := yamlfront.NewFile(file, src)
	root := f.Read(yamlfront.Options{MaxBytes: DefaultMaxBytes, Noun: "policy", Start: "language: " + latest.String()})
	if ds := f.Diagnostics(); ds.HasErrors() {
		return nil, ds
	}
	out, err := yamlfmt.Format(src, formatRule())
	if err != nil {
		pos := Pos{File: file}
		if root != nil {
			pos.Line = root.Line
		}
		return nil, Diagnostics{{Severity: SeverityError, Pos: pos, Code: "cannot-format",
			Message: "cannot format the file: " + strings.TrimPrefix(err.Error(), "yaml: "), Hint: "the file is left as it is"}}
	}
	return out, nil
}
