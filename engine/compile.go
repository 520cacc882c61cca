package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

// DefaultGuardCostBudget is the load-time budget for one guard's estimated
// worst-case cost, in CEL's cost units (about one per operation, one per
// list item a macro visits). Real guards cost tens; a guard over a list fact
// such as agencies.exists(a, a == "police") costs about a thousand, and two
// nested loops over list facts cost far more and are refused.
const DefaultGuardCostBudget = 10_000

// A guard's actual cost can exceed its estimate only when the case's data is
// larger than the estimate assumes (list facts of up to assumedListItems
// items, text of up to assumedTextLen characters); at run time evaluation
// stops with an error past runtimeCostFactor times the budget.
const (
	assumedListItems  = 100
	assumedTextLen    = 1000
	runtimeCostFactor = 10
	maxGuardLen       = 4000 // characters in one guard
	maxGuards         = 1000 // guards in one policy: real ones have a few dozen
	interruptEvery    = 100  // comprehension iterations between checks of the context
)

// builtins are the names every guard sees (LANGUAGE.md, Guards).
var builtins = []struct {
	name string
	typ  *cel.Type
}{
	{"role", cel.StringType},
	{"actor", cel.StringType},
	{"stage", cel.StringType},
	{"now", cel.TimestampType},
	{"raised", cel.TimestampType},
	{"entered", cel.TimestampType},
	{"milestones", cel.MapType(cel.StringType, cel.TimestampType)},
	{"obligations", cel.MapType(cel.StringType, cel.StringType)},
	{"overdue", cel.ListType(cel.StringType)},
}

// celReserved are CEL's reserved words and built-in type names: a fact with
// one of these ids could not be read in a guard.
var celReserved = map[string]string{}

func init() {
	for _, w := range strings.Fields("as break const continue else false for function if import in let loop namespace null package return true var void while") {
		celReserved[w] = "a reserved word in guards"
	}
	for _, w := range strings.Fields("bool bytes double dyn int list map null_type string type uint") {
		celReserved[w] = "a built-in type in guards"
	}
	for _, b := range builtins {
		celReserved[b.name] = "a built-in guard variable"
	}
}

// reservedName says why an id cannot be a fact's.
func reservedName(id string) (string, bool) {
	why, ok := celReserved[id]
	return why, ok
}

// The base environment is built once per process: cel.NewEnv is expensive,
// and Extend shares what it built with every policy's environment.
var base struct {
	once sync.Once
	env  *cel.Env
	err  error
}

func baseEnv() (*cel.Env, error) {
	base.once.Do(func() {
		opts := []cel.EnvOption{
			cel.ParserExpressionSizeLimit(maxGuardLen),
			cel.ASTValidators(cel.ValidateDurationLiterals(), cel.ValidateTimestampLiterals(),
				cel.ValidateRegexLiterals(), cel.ValidateHomogeneousAggregateLiterals()),
		}
		for _, v := range builtins {
			opts = append(opts, cel.Variable(v.name, v.typ))
		}
		base.env, base.err = cel.NewEnv(opts...)
	})
	return base.env, base.err
}

// factType is the CEL type of a fact's value; dyn for a fact whose type is
// itself in error, so that its guards are not reported a second time.
func factType(t FactType) *cel.Type {
	switch t {
	case FactBool:
		return cel.BoolType
	case FactInt:
		return cel.IntType
	case FactString, FactEnum:
		return cel.StringType
	case FactDate:
		return cel.TimestampType
	case FactList:
		return cel.ListType(cel.StringType)
	}
	return cel.DynType
}

// guardSite is a guard waiting to be compiled, with what it may name.
type guardSite struct {
	g     *Guard
	node  *yaml.Node
	offs  []int         // the file offset of each character of the guard; nil if unknown
	scope func() *scope // the obligations "obligations" and "overdue" can hold
	duty  bool          // a duty's condition: it may read only facts and what a visit fixes
}

// dutyNames are the built-in names a duty's condition may read besides the
// facts: a duty is decided when its stage is entered and whenever facts or
// milestones change, so it cannot depend on who acts, when, or on other duties.
var dutyNames = map[string]bool{"stage": true, "raised": true, "entered": true, "milestones": true}

// guard records a guard to compile once the policy's facts are known.
func (b *builder) guard(n *yaml.Node, sc func() *scope) *Guard {
	g := &Guard{Text: n.Value, Pos: b.f.Pos(n)}
	if len(b.guards) == maxGuards {
		b.errorAt(n, "too-many", "check the file", "a policy may have at most %d guards", maxGuards)
		return g
	}
	offs, _, ok := b.f.ValueOffsets(n)
	if ok && len(offs) > 0 {
		g.Pos = b.f.PosAt(offs[0])
	} else {
		offs = nil
	}
	b.guards = append(b.guards, &guardSite{g: g, node: n, offs: offs, scope: sc})
	return g
}

// compileGuards declares the policy's facts and compiles every guard.
func (b *builder) compileGuards() {
	env, err := baseEnv()
	if err != nil {
		b.report(SeverityError, Pos{File: b.f.Name()}, Pos{}, "internal", "cannot build the guard environment: "+err.Error(), "")
		return
	}
	var vars []cel.EnvOption
	for _, f := range b.p.Facts {
		if _, reserved := reservedName(f.ID); !reserved {
			vars = append(vars, cel.Variable(f.ID, factType(f.Type)))
		}
	}
	if env, err = env.Extend(vars...); err != nil {
		b.report(SeverityError, Pos{File: b.f.Name()}, Pos{}, "internal", "cannot declare the facts for guards: "+err.Error(), "")
		return
	}
	b.p.env = env
	b.p.interned = intern(b.p)
	est := b.estimator()
	for _, gs := range b.guards {
		b.compileGuard(env, est, gs)
	}
}

func (b *builder) compileGuard(env *cel.Env, est *estimator, gs *guardSite) {
	parsed, iss := env.Parse(gs.g.Text)
	if iss.Err() != nil {
		b.celErrors(gs, nil, iss)
		return
	}
	checked, iss := env.Check(parsed)
	if iss.Err() != nil {
		b.celErrors(gs, parsed, iss)
		return
	}
	if t := checked.OutputType(); !t.IsExactType(types.BoolType) {
		pos, end := b.f.Span(gs.node)
		b.report(SeverityError, pos, end, "cel-not-bool", fmt.Sprintf("the guard must be true or false, but it gives %s", cel.FormatCELType(t)),
			`make it a condition, e.g. dispute_area == "threshold"`)
		return
	}
	b.lint(gs, checked)
	c, err := env.EstimateCost(checked, est)
	if err != nil {
		b.guardError(gs, "cel-cost", "simplify the guard", "cannot estimate the guard's cost: %v", err)
		return
	}
	gs.g.Cost = c.Max
	if c.Max > b.cfg.budget {
		b.guardError(gs, "cel-cost", "simplify the guard: avoid loops within loops over lists",
			"the guard may cost up to %d, over the budget of %d", c.Max, b.cfg.budget)
		return
	}
	if b.f.HasErrors() {
		return // the policy will not load: spare building programs
	}
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if unbounded(gs.g, checked) {
		opts = append(opts, cel.CostLimit(b.cfg.budget*runtimeCostFactor), cel.InterruptCheckFrequency(interruptEvery))
	}
	prg, err := env.Program(checked, opts...)
	if err != nil {
		b.guardError(gs, "cel-type", "", "cannot compile the guard: %v", err)
		return
	}
	gs.g.prg = prg
	if e := checked.NativeRep().Expr(); e.Kind() == celast.IdentKind {
		gs.g.ident = e.AsIdent()
	}
}

// unbounded reports whether a guard reads a value whose size the host
// decides: a list or free-text fact, or the actor's name. Only such a guard
// can cost more at run time than its load-time estimate (which assumes sizes),
// so only such a guard pays for run-time cost tracking; every other guard's
// estimate, already checked against the budget, is a true upper bound.
func unbounded(g *Guard, a *cel.Ast) bool {
	for _, f := range g.Facts {
		if f.Type == FactList || f.Type == FactString {
			return true
		}
	}
	for _, r := range a.NativeRep().ReferenceMap() {
		if r.Name == "actor" {
			return true
		}
	}
	return false
}

// guardError reports a problem with a whole guard.
func (b *builder) guardError(gs *guardSite, code, hint, format string, args ...any) {
	pos, end := b.f.Span(gs.node)
	b.report(SeverityError, pos, end, code, fmt.Sprintf(format, args...), hint)
}

var (
	celUndeclared = regexp.MustCompile(`^undeclared reference to '([^']*)'`)
	celOverload   = regexp.MustCompile(`^found no matching overload for '([^']*)' applied to '\((.*)\)'`)
)

// celErrors reports CEL's syntax or type errors at the characters they are
// about, in the policy lead's words where CEL's are obscure.
func (b *builder) celErrors(gs *guardSite, parsed *cel.Ast, iss *cel.Issues) {
	b.guardFailed = true
	code, errs := "cel-syntax", iss.Errors()
	var info *celast.SourceInfo
	if parsed != nil {
		code, info = "cel-type", parsed.NativeRep().SourceInfo()
	} else if len(errs) > 1 {
		errs = errs[:1] // the parser's later errors follow from its first
	}
	for _, e := range errs {
		pos, end := b.celRange(gs, info, e)
		msg, hint := "the guard does not type-check: "+e.Message, ""
		if code == "cel-syntax" {
			msg, hint = syntaxMessage(e.Message)
		}
		if m := celUndeclared.FindStringSubmatch(e.Message); m != nil {
			msg, hint = fmt.Sprintf("unknown name %q in the guard", m[1]), b.sug.Hint(m[1], b.ids("guard name"))
			if !strings.HasPrefix(hint, "did you mean") {
				hint = "declare it under facts, or use a built-in name: " + strings.Join(builtinNames(), ", ")
			}
			code = "cel-undeclared"
		} else if m := celOverload.FindStringSubmatch(e.Message); m != nil {
			msg = fmt.Sprintf("%s cannot be used with %s", operatorName(m[1]), strings.ReplaceAll(m[2], ", ", " and "))
			hint = "compare values of the same type: facts have the types declared under facts"
		}
		b.report(SeverityError, pos, end, code, msg, hint)
	}
}

var celUnexpected = regexp.MustCompile(`^(?:mismatched|extraneous) input '(.*)' expecting`)

// syntaxMessage rewords the CEL parser's messages, which name its grammar's
// tokens, for a policy lead.
func syntaxMessage(m string) (msg, hint string) {
	m = strings.TrimPrefix(m, "Syntax error: ")
	const prefix = "the guard is not a valid expression: "
	switch u := celUnexpected.FindStringSubmatch(m); {
	case strings.HasPrefix(m, "mismatched input '<EOF>'"):
		return prefix + "it ends before it is complete", "finish the condition, for example after && or ||"
	case strings.HasPrefix(m, "token recognition error at: '="):
		return prefix + "a single = does not compare", "use == to compare"
	case u != nil:
		return prefix + "unexpected " + strconv.Quote(u[1]), "see Guards in LANGUAGE.md"
	}
	return prefix + m, "see Guards in LANGUAGE.md"
}

// operatorName turns CEL's internal function names into what the guard says.
func operatorName(fn string) string {
	if op, ok := operators.FindReverse(fn); ok && op != "" {
		return strconv.Quote(op)
	}
	if fn == operators.Index {
		return `"[ ]"`
	}
	return fn + "()"
}

func builtinNames() []string {
	names := make([]string, len(builtins))
	for i, v := range builtins {
		names[i] = v.name
	}
	return names
}

// celRange maps a CEL error to the characters of the guard in the file.
func (b *builder) celRange(gs *guardSite, info *celast.SourceInfo, e *cel.Error) (Pos, Pos) {
	start, stop := -1, -1
	if info != nil && e.ExprID != 0 {
		if r, ok := info.GetOffsetRange(e.ExprID); ok {
			start, stop = int(r.Start), int(r.Stop)
		}
	}
	if start < 0 && e.Location != nil && e.Location.Line() > 0 {
		start = lineColOffset(gs.g.Text, e.Location.Line(), e.Location.Column())
		stop = start + 1
	}
	return b.exprRange(gs, start, stop)
}

// exprRange returns where characters [start, stop) of a guard are in the
// file, or the whole guard when that is unknown.
func (b *builder) exprRange(gs *guardSite, start, stop int) (Pos, Pos) {
	if gs.offs != nil && start == len(gs.offs) { // the end of the guard
		p := b.f.PosAt(gs.offs[start-1])
		p.Column++
		return p, Pos{}
	}
	if gs.offs == nil || start < 0 || start >= len(gs.offs) {
		return b.f.Span(gs.node)
	}
	return b.f.RangeOf(gs.offs, start, stop)
}

// lineColOffset turns CEL's 1-based line and 0-based column (in characters)
// into a character offset.
func lineColOffset(s string, line, col int) int {
	off := 0
	for _, r := range s {
		if line == 1 {
			break
		}
		if r == '\n' {
			line--
		}
		off++
	}
	return off + col
}

// lint walks a checked guard: it records the facts it reads, and reports
// obligation and milestone names that do not exist and comparisons of an
// enum-like value with text it can never equal.
func (b *builder) lint(gs *guardSite, a *cel.Ast) {
	l := &linter{b: b, gs: gs, a: a.NativeRep(), shadowed: map[string]bool{}, text: []rune(gs.g.Text)}
	root := l.a.Expr()
	celast.PostOrderVisit(root, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.ComprehensionKind {
			c := e.AsComprehension()
			l.shadowed[c.IterVar()], l.shadowed[c.IterVar2()] = true, true
		}
	}))
	celast.PostOrderVisit(root, celast.NewExprVisitor(l.visit))
	for _, f := range b.p.Facts {
		if l.reads[f] {
			gs.g.Facts = append(gs.g.Facts, f)
			b.usedFacts[f] = true
		}
	}
}

type linter struct {
	b        *builder
	gs       *guardSite
	a        *celast.AST
	text     []rune
	shadowed map[string]bool // comprehension variables: not the built-ins or facts
	reads    map[*Fact]bool
}

// global returns the name of the built-in or fact an expression is, if it
// is one.
func (l *linter) global(e celast.Expr) (string, bool) {
	if e.Kind() != celast.IdentKind || l.shadowed[e.AsIdent()] {
		return "", false
	}
	return e.AsIdent(), true
}

func (l *linter) visit(e celast.Expr) {
	switch e.Kind() {
	case celast.IdentKind:
		if name, ok := l.global(e); ok {
			if _, builtin := celReserved[name]; builtin && l.gs.duty && !dutyNames[name] && l.b.p.facts[name] == nil {
				r, _ := l.a.SourceInfo().GetOffsetRange(e.ID())
				pos, end := l.b.exprRange(l.gs, int(r.Start), int(r.Stop))
				l.b.report(SeverityError, pos, end, "cel-duty", fmt.Sprintf("a duty's condition cannot read %q", name),
					"it is decided when the stage is entered and when facts or milestones change: read facts, milestones, stage, raised or entered")
			}
			if f := l.b.p.facts[name]; f != nil {
				if l.reads == nil {
					l.reads = map[*Fact]bool{}
				}
				l.reads[f] = true
			}
		}
	case celast.SelectKind:
		s := e.AsSelect()
		if name, ok := l.global(s.Operand()); ok {
			start := l.after(s.Operand(), s.FieldName())
			l.key(name, s.FieldName(), start, start+len([]rune(s.FieldName())))
		}
	case celast.CallKind:
		l.call(e.AsCall())
	}
}

// after finds where a selected field's name starts, after its operand.
func (l *linter) after(operand celast.Expr, field string) int {
	r, ok := l.a.SourceInfo().GetOffsetRange(operand.ID())
	if !ok {
		return -1
	}
	from := min(int(r.Stop), len(l.text))
	if i := strings.Index(string(l.text[from:]), field); i >= 0 {
		return from + len([]rune(string(l.text[from:])[:i]))
	}
	return -1
}

func (l *linter) call(c celast.CallExpr) {
	args := c.Args()
	switch c.FunctionName() {
	case operators.Index:
		if name, ok := l.global(args[0]); ok {
			if k, ok := l.str(args[1]); ok {
				l.keyAt(name, k, args[1])
			}
		}
	case operators.In:
		if name, ok := l.global(args[1]); ok {
			if k, ok := l.str(args[0]); ok {
				l.keyAt(name, k, args[0])
			}
		}
		if args[1].Kind() == celast.ListKind {
			for _, item := range args[1].AsList().Elements() {
				l.compare(args[0], item)
			}
		}
	case operators.Equals, operators.NotEquals:
		l.compare(args[0], args[1])
		l.compare(args[1], args[0])
	}
}

// str returns a text literal's value.
func (l *linter) str(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().Value().(string)
	return s, ok
}

// keyAt checks a literal key of a built-in map or list.
func (l *linter) keyAt(name, key string, lit celast.Expr) {
	r, ok := l.a.SourceInfo().GetOffsetRange(lit.ID())
	start, stop := -1, -1
	if ok {
		start, stop = int(r.Start), int(r.Stop)
	}
	l.key(name, key, start, stop)
}

// key reports a key of obligations, overdue or milestones that cannot exist.
func (l *linter) key(name, key string, start, stop int) {
	b := l.b
	var msg, hint string
	switch name {
	case "obligations", "overdue":
		sc := l.gs.scope()
		if sc.obligations[key] != nil {
			return
		}
		msg, hint = fmt.Sprintf("%s no obligation %q", sc.has("guard"), key), b.sug.Hint(key, sc.ids)
	case "milestones":
		if b.p.milestones[key] != nil {
			return
		}
		msg, hint = fmt.Sprintf("there is no milestone %q", key), b.sug.Hint(key, b.ids("milestone"))
	default:
		return
	}
	pos, end := b.exprRange(l.gs, start, stop)
	b.report(SeverityError, pos, end, "unknown-ref", msg, hint)
}

// compare checks x == lit (or !=, or x in [lit, ...]) where x has a known
// set of values: an enum fact, stage, role, or an obligation's status.
func (l *linter) compare(x, lit celast.Expr) {
	s, ok := l.str(lit)
	if !ok {
		return
	}
	values, what, personal := l.values(x)
	if values == nil || slices.Contains(values, s) {
		if what == "role" {
			l.b.usedRoles[l.b.p.roles[s]] = true
		}
		return
	}
	b := l.b
	msg, hint := fmt.Sprintf("%q is not %s", s, what), b.sug.Hint(s, values)
	if personal {
		msg, hint = "this text is not "+what, suggest.Choices(values)
	}
	r, _ := l.a.SourceInfo().GetOffsetRange(lit.ID())
	pos, end := b.exprRange(l.gs, int(r.Start), int(r.Stop))
	code := "unknown-value"
	if what == "a stage" || what == "a role" {
		code = "unknown-ref"
	}
	b.report(SeverityError, pos, end, code, msg, hint)
}

// obligationStatuses are the values of the obligations map.
var obligationStatuses = []string{"pending", "met", "overdue"}

// values returns the values an expression can take, if it has a known set.
func (l *linter) values(x celast.Expr) (values []string, what string, personal bool) {
	p := l.b.p
	if name, ok := l.global(x); ok {
		switch name {
		case "stage":
			return l.b.ids("stage"), "a stage", false
		case "role":
			return l.b.ids("role"), "a role", false
		}
		if f := p.facts[name]; f != nil && f.Type == FactEnum {
			return f.Values, "a value of fact " + strconv.Quote(f.ID), f.Personal
		}
		return nil, "", false
	}
	var operand celast.Expr
	switch {
	case x.Kind() == celast.SelectKind:
		operand = x.AsSelect().Operand()
	case x.Kind() == celast.CallKind && x.AsCall().FunctionName() == operators.Index:
		operand = x.AsCall().Args()[0]
	default:
		return nil, "", false
	}
	if name, ok := l.global(operand); ok && name == "obligations" {
		return obligationStatuses, "an obligation status", false
	}
	return nil, "", false
}

// estimator gives CEL's cost estimate the sizes of the guard variables: the
// policy bounds the built-in maps and lists; facts are assumed to hold up to
// assumedListItems items of up to assumedTextLen characters.
type estimator struct {
	p                  *Policy
	idLen, obligations uint64
}

func (b *builder) estimator() *estimator {
	e := &estimator{p: b.p}
	for _, s := range b.p.Stages {
		e.obligations = max(e.obligations, uint64(len(s.Obligations)))
		e.idLen = max(e.idLen, uint64(len(s.ID)))
		for _, ob := range s.Obligations {
			e.idLen = max(e.idLen, uint64(len(ob.ID)))
		}
	}
	for _, r := range b.p.Roles {
		e.idLen = max(e.idLen, uint64(len(r.ID)))
	}
	for _, m := range b.p.Milestones {
		e.idLen = max(e.idLen, uint64(len(m.ID)))
	}
	return e
}

func (e *estimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 || len(path) > 2 {
		return nil
	}
	size := func(n uint64) *cost.SizeEstimate {
		s := cost.RangedSizeEstimate(0, n)
		return &s
	}
	if len(path) == 2 {
		switch {
		case path[0] == "obligations" && path[1] == "@values":
			return size(uint64(len("overdue")))
		case path[0] == "milestones" || path[0] == "obligations" || path[0] == "overdue":
			return size(e.idLen)
		}
		return size(assumedTextLen) // the items of a list fact
	}
	switch path[0] {
	case "milestones":
		return size(uint64(len(e.p.Milestones)))
	case "obligations", "overdue":
		return size(e.obligations)
	case "role", "stage":
		return size(e.idLen)
	case "actor":
		return size(assumedTextLen)
	}
	if f := e.p.facts[path[0]]; f != nil {
		switch f.Type {
		case FactList:
			return size(assumedListItems)
		case FactEnum:
			longest := 0
			for _, v := range f.Values {
				longest = max(longest, len(v))
			}
			return size(uint64(longest))
		}
		return size(assumedTextLen)
	}
	return nil
}

func (e *estimator) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// Eval evaluates the guard against a case's variables (the facts and the
// built-in names), within its cost limit. A nil guard always holds. Any
// failure (a variable missing, such as an unset date fact, the cost limit,
// the context ending, a result that is not true or false) is an error
// naming the guard, never a panic. When the guard reads personal facts the
// underlying message, which could quote their values, is withheld.
func (g *Guard) Eval(ctx context.Context, vars interpreter.Activation) (bool, error) {
	if g == nil {
		return true, nil
	}
	if g.prg == nil {
		return false, fmt.Errorf("guard %q was not compiled by Load", g.Text)
	}
	if g.ident != "" {
		// A guard that is one name alone (immediate_risk) is what the name
		// resolves to, as CEL would find; anything else (an unset or
		// mistyped value) is left to CEL to report.
		if v, ok := vars.ResolveName(g.ident); ok {
			switch b := v.(type) {
			case types.Bool:
				return bool(b), nil
			case bool:
				return b, nil
			}
		}
	}
	var (
		out ref.Val
		err error
	)
	if ctx.Done() == nil {
		// A context that can never be cancelled needs no interrupt checks,
		// and skipping them saves the cancellable copy ContextEval makes.
		out, _, err = g.prg.Eval(vars)
	} else {
		out, _, err = g.prg.ContextEval(ctx, vars)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || !g.readsPersonal() {
			return false, fmt.Errorf("guard %q: %w", g.Text, err)
		}
		return false, fmt.Errorf("guard %q could not be evaluated (the reason is withheld: the guard reads personal data)", g.Text)
	}
	v, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("guard %q gave %s, not true or false", g.Text, out.Type())
	}
	return v, nil
}

func (g *Guard) readsPersonal() bool {
	return slices.ContainsFunc(g.Facts, func(f *Fact) bool { return f.Personal })
}
