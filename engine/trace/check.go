package trace

import (
	"fmt"
	"strings"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Check checks the matrix against policy p and the text of its document, and
// returns every problem (see the package documentation). The document's
// unaccounted sentences are reported at their line in the document. With no
// text (nil), only the entries' elements are checked.
func (m *Matrix) Check(p *engine.Policy, text []byte) engine.Diagnostics {
	var ds engine.Diagnostics
	bad := func(pos engine.Pos, code, hint, format string, args ...any) {
		ds = append(ds, &engine.Diagnostic{Severity: engine.SeverityError, Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint, Code: code})
	}
	top := engine.Pos{File: m.File, Line: 1, Column: 1}
	if m.Policy != p.ID {
		bad(top, "wrong-policy", "a matrix belongs to one policy", "the matrix is for policy %q, not %q", m.Policy, p.ID)
	}
	known := false
	for _, d := range p.Documents {
		known = known || d.File == m.Document
	}
	if !known {
		bad(top, "unknown-document", "name one of the policy's documents", "%s is not one of policy %s's documents", m.Document, p.ID)
	}
	sentences := Sentences(text)
	inText := make(map[string]bool, len(sentences))
	for _, s := range sentences {
		inText[s.Text] = true
	}
	traced := make(map[string]bool, len(m.Entries))
	for _, e := range m.Entries {
		switch {
		case traced[e.Said]:
			bad(e.Pos, "duplicate-sentence", "keep one entry per sentence", "this sentence is traced twice")
		case text != nil && !inText[e.Said]:
			bad(e.Pos, "sentence-not-in-text", "copy the sentence as the document reads now, whole, from its capital letter to its full stop", "%s does not say this (any more): %q", m.Document, e.Said)
		}
		traced[e.Said] = true
		var named []*engine.Meta
		resolved := true
		for _, r := range e.Refs {
			metas, err := Resolve(p, r.Path)
			if err != nil {
				msg := err.Error()
				if !strings.Contains(msg, r.Path) {
					msg = r.Path + ": " + msg
				}
				bad(r.Pos, "unknown-element", "name an element by its path in the policy file, such as stages.step2.obligations.agree_plan", "%s", msg)
				resolved = false
				continue
			}
			named = append(named, metas...)
		}
		if e.Kind == Assumed && resolved && !anyAssumption(named) {
			bad(e.Pos, "no-assumption", "name the element whose assumption says how the sentence is read, or use encoded", "none of the elements named states an assumption")
		}
	}
	for _, s := range sentences {
		if cue, ok := RuleBearing(s.Text); ok && !traced[s.Text] {
			bad(engine.Pos{File: m.Document, Line: s.Line}, "untraced-sentence",
				fmt.Sprintf("add it to %s with encoded:, assumption: or not_encoded:", m.File),
				"rule-bearing sentence (%q) not in the traceability matrix: %q", cue, s.Text)
		}
	}
	return ds
}

func anyAssumption(ms []*engine.Meta) bool {
	for _, m := range ms {
		if m.Assumption != "" {
			return true
		}
	}
	return false
}

// Coverage counts a matrix's sentences by how they are accounted for.
type Coverage struct {
	Sentences, Encoded, Assumed, NotEncoded int
}

// Coverage counts the matrix's entries by kind.
func (m *Matrix) Coverage() Coverage {
	c := Coverage{Sentences: len(m.Entries)}
	for _, e := range m.Entries {
		switch e.Kind {
		case Encoded:
			c.Encoded++
		case Assumed:
			c.Assumed++
		case NotEncoded:
			c.NotEncoded++
		}
	}
	return c
}
