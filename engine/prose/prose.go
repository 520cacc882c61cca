// Package prose writes the parts of a policy that are written for the engine
// (guards, event and identifier names) in words a reader checks against the
// published procedure, for the document and the diagram alike.
package prose

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// parser parses guard text without checking it: the policy has already been
// checked at load, and a guard only needs its shape here.
var parser, parserErr = cel.NewEnv()

// Guard writes a guard in words where its parts have a description or a
// title: a yes/no fact as its description, an enum fact compared with a
// value, a milestone that has happened, an obligation's status, the current
// stage, and not, and, or of those. It returns false when any part has none;
// the expression itself is then what a reader sees.
func Guard(p *engine.Policy, g *engine.Guard) (string, bool) {
	if parserErr != nil {
		return "", false
	}
	a, iss := parser.Parse(g.Text)
	if iss.Err() != nil {
		return "", false
	}
	w := words{p: p}
	return w.expr(a.NativeRep().Expr())
}

type words struct{ p *engine.Policy }

func (w words) expr(e celast.Expr) (string, bool) {
	switch e.Kind() {
	case celast.IdentKind:
		if f, ok := w.p.Fact(e.AsIdent()); ok && f.Type == engine.FactBool && f.Description != "" {
			return Sentence(f.Description), true
		}
	case celast.CallKind:
		return w.call(e.AsCall())
	}
	return "", false
}

func (w words) call(c celast.CallExpr) (string, bool) {
	args := c.Args()
	switch c.FunctionName() {
	case operators.LogicalOr, operators.LogicalAnd:
		join := ", or "
		if c.FunctionName() == operators.LogicalAnd {
			join = ", and "
		}
		l, ok1 := w.expr(args[0])
		r, ok2 := w.expr(args[1])
		return l + join + r, ok1 && ok2
	case operators.LogicalNot:
		s, ok := w.expr(args[0])
		return "it is not so that " + s, ok
	case operators.Equals, operators.NotEquals:
		return w.compare(args[0], args[1], c.FunctionName() == operators.NotEquals)
	case operators.In:
		key, ok := literal(args[0])
		if !ok || args[1].Kind() != celast.IdentKind {
			return "", false
		}
		switch args[1].AsIdent() {
		case "milestones":
			if m, ok := w.p.Milestone(key); ok {
				return "once " + Sentence(m.Title), true
			}
		case "overdue":
			return w.obligation(key, "is overdue")
		}
	}
	return "", false
}

// compare writes x == lit (or !=) where x is an enum fact, the stage, or an
// obligation's status.
func (w words) compare(x, y celast.Expr, not bool) (string, bool) {
	v, ok := literal(y)
	if !ok {
		return "", false
	}
	is := " is "
	if not {
		is = " is not "
	}
	switch x.Kind() {
	case celast.IdentKind:
		name := x.AsIdent()
		if f, ok := w.p.Fact(name); ok && f.Type == engine.FactEnum {
			return Spaced(name) + is + "“" + Spaced(v) + "”", true
		}
		if name == "stage" {
			if s, ok := w.p.Stage(v); ok {
				return "the case" + is + "at “" + s.Title + "”", true
			}
		}
	case celast.SelectKind:
		s := x.AsSelect()
		if s.Operand().Kind() == celast.IdentKind && s.Operand().AsIdent() == "obligations" {
			return w.obligation(s.FieldName(), strings.TrimSpace(is)+" "+v)
		}
	}
	return "", false
}

// obligation names an obligation by its title, in whichever stage has it.
func (w words) obligation(id, state string) (string, bool) {
	for _, s := range w.p.Stages {
		if ob, ok := s.Obligation(id); ok {
			return "“" + ob.Title + "” " + state, true
		}
	}
	return "", false
}

func literal(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().Value().(string)
	return s, ok
}

// Sentence makes a description fit inside a sentence: no full stop, and a
// lower-case first letter unless the first word is an acronym.
func Sentence(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	first, size := utf8.DecodeRuneInString(s)
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(first)) + s[size:]
}

// Spaced writes an identifier as words: dispute_area is "dispute area".
func Spaced(id string) string { return strings.ReplaceAll(id, "_", " ") }

// Event writes a transition's event as words, capitalised: escalate_formally
// is "Escalate formally".
func Event(t *engine.Transition) string {
	s := Spaced(t.Event)
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}
