package scenario

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
)

// CaseID is the id every scenario's case is raised with.
const CaseID = "scenario"

// Resolver finds the policy a scenario names: ref is the file's `policy`
// value, scenarioFile the scenario file's name.
type Resolver func(ref, scenarioFile string) (*engine.Policy, error)

// Option configures Run.
type Option func(*runner)

// WithResolver sets how the `policy` value is resolved. The default is
// PolicyFile.
func WithResolver(r Resolver) Option { return func(rn *runner) { rn.resolve = r } }

// WithClosures adds closure days to every story's policy, as a host's
// closures (the command line's --closures); a story's own closures key adds
// to them, and a day both give counts once.
func WithClosures(days ...calendar.Holiday) Option {
	days = append([]calendar.Holiday(nil), days...)
	return func(rn *runner) { rn.closures = append(rn.closures, days...) }
}

// PolicyFile resolves ref as a path to a policy file, relative to the
// scenario file's folder, and loads it. A policy with errors does not
// resolve; the error lists them.
func PolicyFile(ref, scenarioFile string) (*engine.Policy, error) {
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(scenarioFile), filepath.FromSlash(ref))
	}
	src, err := safefile.Read(path, engine.DefaultMaxBytes)
	if err != nil {
		return nil, fmt.Errorf("policy %q: %w", ref, err)
	}
	p, diags := engine.Load(path, src)
	if err := diags.Err(); err != nil {
		return nil, fmt.Errorf("policy %q does not load: %w", ref, err)
	}
	return p, nil
}

// mergeClosures puts a story's closures after the host's; a day both give
// counts once, as the host gives it.
func mergeClosures(host, story []calendar.Holiday) []calendar.Holiday {
	out := append([]calendar.Holiday(nil), host...)
	for _, h := range story {
		if !slices.ContainsFunc(host, func(x calendar.Holiday) bool { return x.Date == h.Date }) {
			out = append(out, h)
		}
	}
	return out
}

// Result is how one scenario went.
type Result struct {
	File     string
	Scenario string
	Policy   *engine.Policy // nil when it did not resolve
	Passed   int            // expectations that held
	Failed   int            // expectations that did not, and steps refused unexpectedly
	NotRun   int            // expectations after a step that could not be taken
	Failures []Failure      // in the order the story met them
	// Err is set when the story could not start: its policy did not resolve.
	Err error
}

// OK reports whether the scenario passed: it ran, and nothing failed.
func (r Result) OK() bool { return r.Err == nil && r.Failed == 0 }

// Failure is an expectation that did not hold, or a step that was refused
// when the story expected it to be taken.
type Failure struct {
	Pos      engine.Pos // the expectation's key, or the step
	Kind     Kind       // the expectation's kind, or KindStep
	Expected string
	Actual   string
}

// String returns "file:line: expected X, got Y".
func (f Failure) String() string {
	return fmt.Sprintf("%s:%d: expected %s, got %s", f.Pos.File, f.Pos.Line, f.Expected, f.Actual)
}

type runner struct {
	resolve  Resolver
	closures []calendar.Holiday
}

// Run tells the story of scenario f and checks every expectation. Steps run
// in order; a step refused without a `refused` expectation fails and ends
// the story, and the expectations after it count as not run.
func Run(ctx context.Context, f *File, opts ...Option) Result {
	rn := runner{resolve: PolicyFile}
	for _, opt := range opts {
		opt(&rn)
	}
	res := Result{File: f.Name, Scenario: f.Title}
	p, err := rn.resolve(f.Policy, f.Name)
	if err != nil {
		res.Err = fmt.Errorf("%s:%d: %w", f.PolicyPos.File, f.PolicyPos.Line, err)
		res.NotRun = f.Expectations()
		return res
	}
	if closures := mergeClosures(rn.closures, f.Closures); len(closures) > 0 {
		at := f.ClosuresPos
		if len(f.Closures) == 0 {
			at = f.PolicyPos // the host's closures: the policy they apply to
		}
		if p, err = p.WithClosures(closures...); err != nil {
			res.Err = fmt.Errorf("%s:%d: closures: %w", at.File, at.Line, err)
			res.NotRun = f.Expectations()
			return res
		}
	}
	res.Policy = p
	s := story{ctx: ctx, p: p, res: &res}
	c, _, err := p.Raise(ctx, engine.Raise{
		CaseID: CaseID, Actor: f.Raised.By, Role: f.Raised.Role, Agency: f.Raised.Agency,
		At: f.Raised.At, Facts: f.Raised.Facts, Forms: f.Raised.Forms, Note: f.Raised.Note,
	})
	if err != nil {
		s.fail(Failure{Pos: f.Raised.Pos, Kind: KindStep, Expected: "the case to be raised", Actual: "refused: " + err.Error()})
		res.NotRun = f.Expectations()
		return res
	}
	s.check(c, c, f.Raised, fired{next: c})
	for i, st := range f.Steps {
		next, _, err := p.Fire(ctx, c, engine.Event{
			Name: st.Event, Actor: st.By, Role: st.Role, Agency: st.Agency,
			At: st.At, Facts: st.Facts, Forms: st.Forms, Note: st.Note,
		})
		expectRefusal := slices.ContainsFunc(st.Expect, func(e Expectation) bool { return e.Kind == KindRefused })
		if err != nil && !expectRefusal {
			s.fail(Failure{Pos: st.Pos, Kind: KindStep, Expected: fmt.Sprintf("event %q to be taken", st.Event), Actual: "refused: " + err.Error()})
			for _, later := range f.Steps[i:] {
				res.NotRun += len(later.Expect)
			}
			return res
		}
		// A step expected to be refused leaves the case as it was, even if
		// the event was wrongly taken, and the story goes on from there.
		after := next
		if expectRefusal {
			after = c
		}
		s.check(c, after, st, fired{err: err, next: next})
		c = after
	}
	return res
}

// fired is how a step's event went: refused with err, or taken, giving next.
type fired struct {
	err  error
	next engine.Head
}

type story struct {
	ctx context.Context
	p   *engine.Policy
	res *Result
}

func (s *story) fail(f Failure) {
	s.res.Failed++
	s.res.Failures = append(s.res.Failures, f)
}

// check evaluates a step's expectations at the step's time, on the case
// before the step and the case the story goes on with.
func (s *story) check(before, after engine.Head, st Step, ev fired) {
	for _, e := range st.Expect {
		want, got, ok := s.eval(before, after, st, e, ev)
		if ok {
			s.res.Passed++
			continue
		}
		s.fail(Failure{Pos: e.Pos, Kind: e.Kind, Expected: want, Actual: got})
	}
}

// eval returns what the expectation wanted, what happened, and whether they
// agree. A `refused` expectation looks at the step; the others at the case
// the story goes on with.
func (s *story) eval(before, c engine.Head, st Step, e Expectation, ev fired) (want, got string, ok bool) {
	switch e.Kind {
	case KindStage:
		want = "stage " + e.ID
		return want, where(c), !c.Closed() && c.Stage == e.ID
	case KindOutcome:
		want = "outcome " + e.ID
		return want, where(c), c.Closed() && c.Outcome == e.ID
	case KindDue:
		return s.due(c, st.At, e)
	case KindStatus:
		return s.status(c, st.At, e)
	case KindOverdue:
		return s.overdue(c, st.At, e)
	case KindAvailable:
		return s.available(c, st, e)
	}
	return refused(e, before, ev)
}

func where(c engine.Head) string {
	if c.Closed() {
		return "outcome " + c.Outcome
	}
	return "stage " + c.Stage
}

// duty finds an obligation of the current stage, or of the outcome the case
// reached, as it stands at time at.
func (s *story) duty(c engine.Head, at time.Time, id string) (engine.Duty, string) {
	duties, err := s.p.Due(c, at)
	if err != nil {
		return engine.Duty{}, err.Error()
	}
	ids := make([]string, len(duties))
	for i, d := range duties {
		if d.Obligation.ID == id {
			return d, ""
		}
		ids[i] = d.Obligation.ID
	}
	switch {
	case len(ids) == 0 && c.Closed():
		return engine.Duty{}, "the case closed (" + where(c) + "), which owes nothing"
	case len(ids) == 0:
		return engine.Duty{}, fmt.Sprintf("no obligation %s at %s, which has none", id, where(c))
	}
	return engine.Duty{}, fmt.Sprintf("no obligation %s at %s (it has %s)", id, where(c), strings.Join(ids, ", "))
}

func (s *story) due(c engine.Head, at time.Time, e Expectation) (want, got string, ok bool) {
	want = e.Obligation + " due " + e.Date.String()
	switch {
	case e.NoDeadline:
		want = e.Obligation + " with no timescale"
	case e.Urgent:
		want = e.Obligation + " urgent, with no timescale"
	}
	d, missing := s.duty(c, at, e.Obligation)
	switch {
	case missing != "":
		return want, missing, false
	case d.Status == engine.StatusWaiting:
		return want, e.Obligation + " not yet due: it counts from " + anchorWords(d.Obligation) + ", which has not happened", false
	case d.DueDate.IsZero() && d.Urgent:
		return want, e.Obligation + " urgent, with no timescale", e.NoDeadline || e.Urgent
	case d.DueDate.IsZero():
		return want, e.Obligation + " with no timescale", e.NoDeadline
	}
	return want, e.Obligation + " due " + d.DueDate.String(), !e.NoDeadline && !e.Urgent && d.DueDate == e.Date
}

func anchorWords(ob *engine.Obligation) string {
	switch {
	case ob.From.Kind == engine.AnchorMilestone && ob.From.Milestone != nil:
		return "milestone " + ob.From.Milestone.ID
	case ob.From.Kind == engine.AnchorFact && ob.From.Fact != nil:
		return "the date in fact " + ob.From.Fact.ID
	}
	return string(ob.From.Kind)
}

func (s *story) status(c engine.Head, at time.Time, e Expectation) (want, got string, ok bool) {
	want = e.Obligation + " " + string(e.Status)
	d, missing := s.duty(c, at, e.Obligation)
	switch {
	case e.Status == NotOwed && missing != "":
		return want, e.Obligation + " not owed", true
	case e.Status == NotOwed:
		return want, e.Obligation + " " + string(d.Status), false
	case missing != "":
		return want, missing, false
	}
	return want, e.Obligation + " " + string(d.Status), d.Status == e.Status
}

func (s *story) overdue(c engine.Head, stepAt time.Time, e Expectation) (want, got string, ok bool) {
	at := e.At
	if at.IsZero() {
		at = stepAt
	}
	when := "at " + at.In(calendar.London()).Format("2006-01-02 15:04 MST")
	want = "overdue " + when + ": " + list(e.Obligations)
	duties, err := s.p.Due(c, at)
	if err != nil {
		return want, err.Error(), false
	}
	var over []string
	for _, d := range duties {
		if d.Status == engine.StatusOverdue {
			over = append(over, d.Obligation.ID)
		}
	}
	return want, "overdue " + when + ": " + list(over), sameSet(over, e.Obligations)
}

func (s *story) available(c engine.Head, st Step, e Expectation) (want, got string, ok bool) {
	by := e.By
	if by == "" {
		by = st.By
	}
	want = e.Role + " may fire: " + list(e.Events)
	actions, err := s.p.Available(s.ctx, c, by, e.Role, st.At)
	if err != nil {
		return want, err.Error(), false
	}
	var allowed []string
	for _, a := range actions {
		if a.Allowed {
			allowed = append(allowed, a.Event)
		}
	}
	return want, e.Role + " may fire: " + list(allowed), sameSet(allowed, e.Events)
}

// refused checks a `refused` expectation; c is the case before the step.
func refused(e Expectation, c engine.Head, ev fired) (want, got string, ok bool) {
	want = "refused (" + e.Reason + ")"
	if e.Message != "" {
		want = fmt.Sprintf("refused (%s) with a message containing %q", e.Reason, e.Message)
	}
	if ev.err == nil {
		return want, "taken (" + where(c) + " -> " + where(ev.next) + ")", false
	}
	got = "refused (" + strings.Join(reasonsOf(ev.err), ", ") + "): " + ev.err.Error()
	return want, got, isReason(ev.err, e.Reason) && strings.Contains(ev.err.Error(), e.Message)
}

// reasonsOf names every reason the error matches.
func reasonsOf(err error) []string {
	var names []string
	for _, r := range Reasons {
		if errors.Is(err, r.Err) {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		names = []string{"other"}
	}
	return names
}

func isReason(err error, name string) bool {
	for _, r := range Reasons {
		if r.Name == name {
			return errors.Is(err, r.Err)
		}
	}
	return false
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	return strings.Join(sorted, ", ")
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
