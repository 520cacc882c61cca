package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/termsafe"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// bundledScenarios is where the bundled scenario files live in the module,
// so that failures name a file a reader can open.
const bundledScenarios = "policies/scenarios/"

func testCommand() *command {
	c := &command{
		name:    "test",
		args:    "[--format text|json|github] [--closures FILE] [PATH...]",
		operand: "PATH",
		nargs:   [2]int{0, -1},
		summary: "run the scenarios (acceptance tests) of files, folders or policies",
		about: `Runs scenario files (policies/SCENARIOS.md): each tells the story of one case
and says what the procedure must show after each step. A PATH is a scenario
file; a folder, meaning the scenario files in it and below it (files with a
folder named "scenarios" in their path or a top-level scenario: key; policy
files beside them are left out); a policy file, meaning the scenario files
in its folder and below that name it; or a bundled policy id, meaning its
bundled scenarios. With no PATH, every bundled scenario runs. A scenario's
policy is a bundled policy id, or a path relative to the scenario file.
--closures FILE adds its closure days to every scenario's policy, as a
host's closures; a scenario's own closures key adds more.

Each failure is printed as "file:line: expected X, got Y", then the totals
("N scenarios, M expectations: P passed, F failed") and, last, a line
"N passed, N failed" counting scenarios, for CI to read. Exits 1 if any
scenario fails.

JSON: {"schema", "passed", "scenarios": [{"file", "scenario", "policy", "passed",
"expectations", "expectations_passed", "expectations_failed", "not_run",
"failures": [{"file", "line", "column", "kind", "expected", "actual"}],
"diagnostics", "error"}], "summary": {"scenarios", "scenarios_passed",
"scenarios_failed", "expectations", "passed", "failed", "not_run"}}.

GitHub: each failure, and each problem that stopped a scenario, as a
workflow-command annotation on the scenario file's line (titled with the
kind of expectation), then the two totals lines.`,
		example: "escalation test policies/scenarios/sefton",
	}
	c.setup = func(fset *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fset, "text", "json", "github")
		closuresFile := closuresFlag(fset)
		return func(e *env, args []string) int {
			if code := e.checkPaths(c, args); code != exitOK {
				return code
			}
			closures, code := e.closures(c, *closuresFile)
			if code != exitOK {
				return code
			}
			files, problems := scenarioFiles(args)
			r := &resolver{policies: map[string]*engine.Policy{}, errs: map[string]error{}, closures: closures}
			var runs []scenarioRun
			for _, sf := range files {
				runs = append(runs, r.run(sf))
			}
			for _, p := range problems {
				runs = append(runs, scenarioRun{file: scenarioFile{name: p.Pos.File}, diags: engine.Diagnostics{p}})
			}
			if len(runs) == 0 {
				where := strings.Join(args, ", ")
				if where == "" {
					where = "the bundled policies"
				}
				return e.fail(c, "no scenario files found in %s", where)
			}
			t := tally(runs)
			var err error
			switch format.value {
			case "json":
				err = writeTestJSON(e.stdout, runs, t)
			case "github":
				err = writeTestGitHub(e.stdout, runs, t)
			default:
				err = writeTestText(e.stdout, runs, t)
			}
			if err != nil {
				return e.fail(c, "%v", err)
			}
			if t.scenariosFailed > 0 {
				return exitFail
			}
			return exitOK
		}
	}
	return c
}

type scenarioFile struct {
	name    string
	src     []byte
	bundled bool
}

// scenarioFiles reads the scenario files the arguments name, in a stable
// order; with no arguments, every bundled one. A folder means the scenario
// files in it and below it (isScenarioFile), a bundled id its bundled
// scenarios, and a policy file the scenario files in its folder and below
// that name it. What cannot be read is reported as a diagnostic.
func scenarioFiles(args []string) ([]scenarioFile, engine.Diagnostics) {
	var s search
	if len(args) == 0 {
		s.bundled(".")
	}
	for _, arg := range args {
		if isPolicyID(arg) && isBundled(arg) {
			s.bundled(arg)
		} else {
			s.path(arg)
		}
	}
	return s.files, s.problems
}

// search collects scenario files.
type search struct {
	files    []scenarioFile
	problems engine.Diagnostics
}

// bundled adds the bundled scenario files under dir: one policy's folder, or
// "." for all of them.
func (s *search) bundled(dir string) {
	all := policies.Scenarios()
	_ = fs.WalkDir(all, dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isYAML(p) {
			src, rerr := fs.ReadFile(all, p)
			if rerr != nil {
				s.problems = append(s.problems, unreadable(bundledScenarios+p, rerr))
				return nil
			}
			s.files = append(s.files, scenarioFile{name: bundledScenarios + p, src: src, bundled: true})
		}
		return nil
	})
}

// path adds what a PATH argument names. A file named on its own is run as a
// scenario unless it is a policy file, whose scenarios are then found.
func (s *search) path(arg string) {
	if info, err := os.Stat(arg); err != nil || info.IsDir() {
		s.walk(arg, nil)
		return
	}
	name := filepath.ToSlash(arg)
	src, err := safefile.Read(arg, scenario.MaxSize)
	if err != nil {
		s.problems = append(s.problems, unreadable(name, err))
		return
	}
	if isScenarioFile(name, src) || !isPolicyFile(src) {
		s.files = append(s.files, scenarioFile{name: name, src: src})
		return
	}
	s.walk(filepath.Dir(arg), func(f scenarioFile) bool { return names(f, arg) })
}

// walk adds the scenario files in root and below it that keep (if not nil)
// accepts, skipping folders whose names start with ".".
func (s *search) walk(root string, keep func(scenarioFile) bool) {
	problem := func(p string, err error) { s.problems = append(s.problems, unreadable(filepath.ToSlash(p), err)) }
	walkYAML(root, func(p string) {
		src, err := safefile.Read(p, scenario.MaxSize)
		if err != nil {
			problem(p, err)
			return
		}
		name := filepath.ToSlash(p)
		if f := (scenarioFile{name: name, src: src}); isScenarioFile(name, src) && (keep == nil || keep(f)) {
			s.files = append(s.files, f)
		}
	}, problem)
}

// names reports whether scenario file f names the policy file at path. A
// file that does not parse is kept, so that its errors are shown.
func names(f scenarioFile, path string) bool {
	parsed, _ := scenario.Parse(f.name, f.src)
	if parsed == nil {
		return true
	}
	if isPolicyID(parsed.Policy) {
		return false
	}
	ref := filepath.FromSlash(parsed.Policy)
	if !filepath.IsAbs(ref) {
		ref = filepath.Join(filepath.Dir(filepath.FromSlash(f.name)), ref)
	}
	a, errA := os.Stat(ref)
	b, errB := os.Stat(path)
	return errA == nil && errB == nil && os.SameFile(a, b)
}

// resolver finds scenarios' policies, loading each once.
type resolver struct {
	policies map[string]*engine.Policy
	errs     map[string]error
	closures []calendar.Holiday // --closures, for every scenario
}

func (r *resolver) resolve(bundled bool) scenario.Resolver {
	return func(ref, file string) (*engine.Policy, error) {
		key := "id:" + ref
		load := func() (*engine.Policy, error) {
			p, diags := policies.Load(ref)
			return p, diags.Err()
		}
		switch {
		case !isPolicyID(ref) && bundled:
			return nil, fmt.Errorf("a bundled scenario must name a bundled policy by id (%s), not a file", strings.Join(policies.IDs(), ", "))
		case !isPolicyID(ref):
			key = "file:" + path.Join(path.Dir(file), filepath.ToSlash(ref))
			load = func() (*engine.Policy, error) { return scenario.PolicyFile(ref, file) }
		case !isBundled(ref):
			return nil, fmt.Errorf("no bundled policy %q: %s", ref, suggest.Hint(ref, policies.IDs()))
		}
		if p, ok := r.policies[key]; ok {
			return p, nil
		}
		if err, ok := r.errs[key]; ok {
			return nil, err
		}
		p, err := load()
		if err != nil {
			r.errs[key] = err
			return nil, err
		}
		r.policies[key] = p
		return p, nil
	}
}

// scenarioRun is one scenario file's parse and run.
type scenarioRun struct {
	file   scenarioFile
	title  string
	policy string             // the policy it names, as written
	at     engine.Pos         // where it names it
	diags  engine.Diagnostics // it does not parse
	result scenario.Result
}

func (r scenarioRun) ok() bool { return len(r.diags) == 0 && r.result.OK() }

func (r *resolver) run(sf scenarioFile) scenarioRun {
	f, diags := scenario.Parse(sf.name, sf.src)
	if f == nil {
		return scenarioRun{file: sf, diags: diags}
	}
	return scenarioRun{file: sf, title: f.Title, policy: f.Policy, at: f.PolicyPos,
		result: scenario.Run(context.Background(), f, scenario.WithResolver(r.resolve(sf.bundled)), scenario.WithClosures(r.closures...))}
}

type totals struct {
	scenarios, scenariosPassed, scenariosFailed int
	expectations, passed, failed, notRun        int
}

func tally(runs []scenarioRun) totals {
	var t totals
	for _, r := range runs {
		t.scenarios++
		if r.ok() {
			t.scenariosPassed++
		} else {
			t.scenariosFailed++
		}
		t.passed += r.result.Passed
		t.failed += r.result.Failed
		t.notRun += r.result.NotRun
	}
	t.expectations = t.passed + t.failed + t.notRun
	return t
}

func writeTestText(w io.Writer, runs []scenarioRun, t totals) error {
	for _, r := range runs {
		status := "ok  "
		if !r.ok() {
			status = "FAIL"
		}
		title := ""
		if r.title != "" {
			title = ": " + r.title
		}
		termPrintf(w, "%s %s%s\n", status, r.file.name, title)
		if len(r.diags) > 0 {
			src := r.file.src
			if err := engine.WriteDiagnostics(w, r.diags, func(string) []byte { return src }); err != nil {
				return err
			}
		}
		if r.result.Err != nil {
			fmt.Fprintln(w, termsafe.Lines(r.result.Err.Error()))
		}
		for _, f := range r.result.Failures {
			fmt.Fprintln(w, termsafe.Lines(f.String()))
		}
	}
	return writeTestTotals(w, t)
}

// writeTestGitHub writes what went wrong as annotations, then the totals.
func writeTestGitHub(w io.Writer, runs []scenarioRun, t totals) error {
	for _, r := range runs {
		for _, d := range r.diags {
			fmt.Fprintln(w, githubAnnotation(d))
		}
		if err := r.result.Err; err != nil {
			// The position goes in the annotation, not again in its text.
			if why := errors.Unwrap(err); why != nil {
				err = why
			}
			fmt.Fprintln(w, githubAnnotation(&engine.Diagnostic{Severity: engine.SeverityError, Pos: r.at, Code: "policy", Message: err.Error()}))
		}
		for _, f := range r.result.Failures {
			fmt.Fprintln(w, githubAnnotation(&engine.Diagnostic{Severity: engine.SeverityError, Pos: f.Pos, Code: string(f.Kind), Message: "expected " + f.Expected + ", got " + f.Actual}))
		}
	}
	return writeTestTotals(w, t)
}

func writeTestTotals(w io.Writer, t totals) error {
	counts := fmt.Sprintf("%s, %s: %d passed, %d failed", plural(t.scenarios, "scenario", "scenarios"), plural(t.expectations, "expectation", "expectations"), t.passed, t.failed)
	if t.notRun > 0 {
		counts += fmt.Sprintf(", %d not run", t.notRun)
	}
	fmt.Fprintln(w, counts)
	_, err := fmt.Fprintf(w, "%d passed, %d failed\n", t.scenariosPassed, t.scenariosFailed)
	return err
}

type jsonFailure struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Kind     string `json:"kind"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
}

type jsonScenario struct {
	File               string           `json:"file"`
	Scenario           string           `json:"scenario"`
	Policy             string           `json:"policy"`
	Passed             bool             `json:"passed"`
	Expectations       int              `json:"expectations"`
	ExpectationsPassed int              `json:"expectations_passed"`
	ExpectationsFailed int              `json:"expectations_failed"`
	NotRun             int              `json:"not_run"`
	Failures           []jsonFailure    `json:"failures"`
	Diagnostics        []jsonDiagnostic `json:"diagnostics"`
	Error              string           `json:"error,omitempty"`
}

type jsonSummary struct {
	Scenarios       int `json:"scenarios"`
	ScenariosPassed int `json:"scenarios_passed"`
	ScenariosFailed int `json:"scenarios_failed"`
	Expectations    int `json:"expectations"`
	Passed          int `json:"passed"`
	Failed          int `json:"failed"`
	NotRun          int `json:"not_run"`
}

func writeTestJSON(w io.Writer, runs []scenarioRun, t totals) error {
	out := make([]jsonScenario, len(runs))
	for i, r := range runs {
		res := r.result
		js := jsonScenario{
			File: r.file.name, Scenario: r.title, Policy: r.policy, Passed: r.ok(),
			Expectations: res.Passed + res.Failed + res.NotRun, ExpectationsPassed: res.Passed, ExpectationsFailed: res.Failed, NotRun: res.NotRun,
			Failures: []jsonFailure{}, Diagnostics: toJSON(r.diags),
		}
		if res.Err != nil {
			js.Error = res.Err.Error()
		}
		for _, f := range res.Failures {
			js.Failures = append(js.Failures, jsonFailure{File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Column, Kind: string(f.Kind), Expected: f.Expected, Actual: f.Actual})
		}
		out[i] = js
	}
	return writeJSON(w, struct {
		Schema    int            `json:"schema"`
		Passed    bool           `json:"passed"`
		Scenarios []jsonScenario `json:"scenarios"`
		Summary   jsonSummary    `json:"summary"`
	}{
		Schema:    jsonSchema,
		Passed:    t.scenariosFailed == 0,
		Scenarios: out,
		Summary: jsonSummary{
			Scenarios: t.scenarios, ScenariosPassed: t.scenariosPassed, ScenariosFailed: t.scenariosFailed,
			Expectations: t.expectations, Passed: t.passed, Failed: t.failed, NotRun: t.notRun,
		},
	})
}
