package trace

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

// Resolve finds the elements a path names in policy p (several for a
// transition event that more than one transition shares), or says why it
// names nothing, with the names it could have meant.
func Resolve(p *engine.Policy, path string) ([]*engine.Meta, error) {
	parts := strings.Split(path, ".")
	head, rest := parts[0], parts[1:]
	switch head {
	case "title", "partnership", "version", "approved", "review_due", "jurisdiction", "scope", "documents", "start":
		if len(rest) > 0 {
			return nil, fmt.Errorf("%s has no parts: name it alone", head)
		}
		return []*engine.Meta{&p.Meta}, nil
	case "notes":
		n, err := index(rest, len(p.Notes), "notes")
		if err != nil {
			return nil, err
		}
		return one(&p.Notes[n].Meta, rest[1:], "notes."+rest[0])
	case "roles":
		return byID(rest, "roles", p.Roles, func(r *engine.Role) string { return r.ID }, func(r *engine.Role, more []string) ([]*engine.Meta, error) {
			return one(&r.Meta, more, "roles."+r.ID)
		})
	case "facts":
		return byID(rest, "facts", p.Facts, func(f *engine.Fact) string { return f.ID }, func(f *engine.Fact, more []string) ([]*engine.Meta, error) {
			return one(&f.Meta, more, "facts."+f.ID)
		})
	case "milestones":
		return byID(rest, "milestones", p.Milestones, func(m *engine.Milestone) string { return m.ID }, func(m *engine.Milestone, more []string) ([]*engine.Meta, error) {
			return one(&m.Meta, more, "milestones."+m.ID)
		})
	case "forms":
		return byID(rest, "forms", p.Forms, func(f *engine.Form) string { return f.ID }, form)
	case "stages":
		return byID(rest, "stages", p.Stages, func(s *engine.Stage) string { return s.ID }, stage)
	case "any_stage":
		return transitions(rest, "any_stage", p.AnyStage)
	case "outcomes":
		return byID(rest, "outcomes", p.Outcomes, func(o *engine.Outcome) string { return o.ID }, func(o *engine.Outcome, more []string) ([]*engine.Meta, error) {
			path := "outcomes." + o.ID
			if len(more) == 0 {
				return []*engine.Meta{&o.Meta}, nil
			}
			switch more[0] {
			case "records":
				return records(more[1:], path+".records", o.Records)
			case "obligations":
				return obligations(more[1:], path+".obligations", o.Obligations)
			case "transitions":
				return transitions(more[1:], path+".transitions", o.Transitions)
			}
			return nil, fmt.Errorf("%s has no part %q: %s", path, more[0], suggest.Hint(more[0], []string{"obligations", "records", "transitions"}))
		})
	}
	return nil, fmt.Errorf("%q is not a part of a policy: %s", head, suggest.Hint(head, []string{
		"any_stage", "approved", "documents", "facts", "forms", "jurisdiction", "milestones", "notes",
		"outcomes", "partnership", "review_due", "roles", "scope", "stages", "start", "title", "version",
	}))
}

// one is an element with no parts below it.
func one(m *engine.Meta, more []string, path string) ([]*engine.Meta, error) {
	if len(more) > 0 {
		return nil, fmt.Errorf("%s has no part %q", path, more[0])
	}
	return []*engine.Meta{m}, nil
}

func byID[T any](rest []string, what string, xs []T, id func(T) string, below func(T, []string) ([]*engine.Meta, error)) ([]*engine.Meta, error) {
	if len(rest) == 0 {
		return nil, fmt.Errorf("%s needs an id: %s.ID", what, what)
	}
	ids := make([]string, len(xs))
	for i, x := range xs {
		if id(x) == rest[0] {
			return below(x, rest[1:])
		}
		ids[i] = id(x)
	}
	return nil, fmt.Errorf("no %s.%s in this policy: %s", what, rest[0], suggest.Hint(rest[0], ids))
}

// index reads a 1-based position among n.
func index(rest []string, n int, what string) (int, error) {
	if len(rest) == 0 {
		return 0, fmt.Errorf("%s needs a number: %s.N, counting from 1", what, what)
	}
	i, err := strconv.Atoi(rest[0])
	if err != nil || i < 1 || i > n {
		return 0, fmt.Errorf("%s.%s: there are %d %s, counted from 1", what, rest[0], n, what)
	}
	return i - 1, nil
}

func records(rest []string, path string, rs []*engine.Record) ([]*engine.Meta, error) {
	i, err := index(rest, len(rs), path)
	if err != nil {
		return nil, err
	}
	return one(&rs[i].Meta, rest[1:], path+"."+rest[0])
}

func form(f *engine.Form, more []string) ([]*engine.Meta, error) {
	path := "forms." + f.ID
	fields := func(fs []*engine.Field, more []string, path string) ([]*engine.Meta, error) {
		return byID(more, path+".fields", fs, func(fd *engine.Field) string { return fd.ID }, func(fd *engine.Field, more []string) ([]*engine.Meta, error) {
			return one(&fd.Meta, more, path+".fields."+fd.ID)
		})
	}
	switch {
	case len(more) == 0:
		return []*engine.Meta{&f.Meta}, nil
	case more[0] == "fields":
		return fields(f.Fields, more[1:], path)
	case more[0] == "sections":
		return byID(more[1:], path+".sections", f.Sections, func(s *engine.Section) string { return s.ID }, func(s *engine.Section, more []string) ([]*engine.Meta, error) {
			if len(more) > 0 && more[0] == "fields" {
				return fields(s.Fields, more[1:], path+".sections."+s.ID)
			}
			return one(&s.Meta, more, path+".sections."+s.ID)
		})
	}
	return nil, fmt.Errorf("%s has no part %q: %s", path, more[0], suggest.Hint(more[0], []string{"fields", "sections"}))
}

func stage(s *engine.Stage, more []string) ([]*engine.Meta, error) {
	path := "stages." + s.ID
	if len(more) == 0 {
		return []*engine.Meta{&s.Meta}, nil
	}
	switch more[0] {
	case "obligations":
		return obligations(more[1:], path+".obligations", s.Obligations)
	case "records":
		return records(more[1:], path+".records", s.Records)
	case "transitions":
		return transitions(more[1:], path+".transitions", s.Transitions)
	}
	return nil, fmt.Errorf("%s has no part %q: %s", path, more[0], suggest.Hint(more[0], []string{"obligations", "records", "transitions"}))
}

// obligations names one obligation of a stage or an outcome, or its
// expedite or breach.
func obligations(rest []string, path string, obs []*engine.Obligation) ([]*engine.Meta, error) {
	return byID(rest, path, obs, func(o *engine.Obligation) string { return o.ID }, func(o *engine.Obligation, more []string) ([]*engine.Meta, error) {
		opath := path + "." + o.ID
		switch {
		case len(more) == 0:
			return []*engine.Meta{&o.Meta}, nil
		case more[0] == "expedite" && o.Expedite != nil:
			return one(&o.Expedite.Meta, more[1:], opath+".expedite")
		case more[0] == "breach" && o.Breach != nil:
			return one(&o.Breach.Meta, more[1:], opath+".breach")
		}
		return nil, fmt.Errorf("%s has no %s", opath, more[0])
	})
}

// transitions names the transitions on an event: all of them, since several
// may share it.
func transitions(rest []string, path string, ts []*engine.Transition) ([]*engine.Meta, error) {
	if len(rest) != 1 {
		return nil, fmt.Errorf("%s needs one event name: %s.EVENT", path, path)
	}
	var out []*engine.Meta
	var events []string
	for _, t := range ts {
		if t.Event == rest[0] {
			out = append(out, &t.Meta)
		}
		events = append(events, t.Event)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s.%s in this policy: %s", path, rest[0], suggest.Hint(rest[0], events))
	}
	return out, nil
}
