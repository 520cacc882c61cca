package studio

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/engine/trace"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// Limits on what the studio reads from DIR, so that a studio started on the
// wrong folder (a home directory) stays quick and small.
const (
	maxFiles = 500 // YAML files
	maxDepth = 6   // folders below DIR
)

// snapshot is everything the page shows about DIR at one moment: built by
// the watcher after each change, then read by any number of requests, and
// never changed.
type snapshot struct {
	state    State
	policies map[string]*engine.Policy // by file, relative to DIR with slashes; only those that load
	sources  map[string][]byte         // every file read, by the same name
	// hosted are the policies with the host's closures (WithClosures), for
	// the timeline and the player; the same as policies when there are none.
	// Scenarios run on policies, given the closures as escalation test
	// --closures gives them.
	hosted   map[string]*engine.Policy
	closures []calendar.Holiday
	// traces are the policies' traceability matrices, by policy file.
	traces map[string]*traced
}

// folder is what build reads: the folder (absolute, and as the author named
// it), today's date for review dates, and the host's closure days.
type folder struct {
	dir, name string
	today     calendar.Date
	closures  []calendar.Holiday
}

// State is what GET /api/state returns: the page's whole picture of DIR.
type State struct {
	Version   int64          `json:"version"`
	Dir       string         `json:"dir"`
	Policies  []PolicyView   `json:"policies"`
	Problems  []Problem      `json:"problems"`
	Scenarios []ScenarioView `json:"scenarios"`
	Errors    int            `json:"errors"`
	Warnings  int            `json:"warnings"`
}

// Problem is one diagnostic, with the text the command line would print for
// it (the line, a caret and the hint) and the lines around it.
type Problem struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Text     string `json:"text"`
	Context  []Line `json:"context,omitempty"`
}

// Line is one numbered line of a file.
type Line struct {
	N    int    `json:"n"`
	Text string `json:"text"`
}

// contextLines is how many lines either side of a problem the page shows.
const contextLines = 4

// found is one file the scan found.
type found struct {
	name     string // relative to DIR, with slashes
	src      []byte
	scenario bool
	matrix   bool // a traceability matrix: in a folder named "trace", as validate reads it
}

// traced is a policy's traceability matrix, checked against the policy and
// its document.
type traced struct {
	matrix   *trace.Matrix
	problems engine.Diagnostics
}

// scan reads DIR's policy and scenario files: *.yaml and *.yml, skipping
// folders whose names start with ".", as validate does. A file with a
// folder named "scenarios" in its path is a scenario file.
func scan(dir string) ([]found, []Problem) {
	var (
		files    []found
		problems []Problem
	)
	problem := func(name, msg string) {
		problems = append(problems, Problem{Severity: "error", Code: "unreadable", File: name, Message: msg})
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(rel)
		switch {
		case err != nil:
			problem(name, err.Error())
			return nil
		case d.IsDir() && p != dir && (strings.HasPrefix(d.Name(), ".") || strings.Count(name, "/") >= maxDepth):
			return filepath.SkipDir
		case d.IsDir() || !isYAML(name) || !d.Type().IsRegular():
			return nil
		case len(files) == maxFiles:
			problem(name, fmt.Sprintf("more than %d YAML files: the studio reads the first %d", maxFiles, maxFiles))
			return filepath.SkipAll
		}
		src, err := readBounded(p)
		if err != nil {
			problem(name, err.Error())
			return nil
		}
		sc := inScenarios(name)
		files = append(files, found{name: name, src: src, scenario: sc, matrix: !sc && path.Base(path.Dir(name)) == "trace"})
		return nil
	})
	if err != nil {
		problem(".", err.Error())
	}
	return files, problems
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// inScenarios reports whether a file is under a folder named "scenarios".
func inScenarios(name string) bool {
	return slices.Contains(strings.Split(path.Dir(name), "/"), "scenarios")
}

// readBounded reads a file of at most engine.DefaultMaxBytes, and refuses
// anything that is not a regular file, as every command reads what it is
// given.
func readBounded(name string) ([]byte, error) {
	return safefile.Read(name, engine.DefaultMaxBytes)
}

// build loads every policy in the folder, parses and runs every scenario,
// and gathers what the page shows.
func build(ctx context.Context, fo folder) *snapshot {
	dir := fo.dir
	files, problems := scan(dir)
	snap := &snapshot{policies: map[string]*engine.Policy{}, hosted: map[string]*engine.Policy{}, sources: map[string][]byte{},
		closures: fo.closures, traces: map[string]*traced{}}
	st := &snap.state
	st.Dir = fo.name
	var diags engine.Diagnostics
	for _, f := range files {
		snap.sources[f.name] = f.src
		if f.scenario || f.matrix {
			continue
		}
		folder := filepath.Join(dir, filepath.FromSlash(path.Dir(f.name)))
		p, ds := engine.Load(f.name, f.src, engine.WithToday(fo.today), engine.WithDocuments(os.DirFS(folder)))
		diags = append(diags, ds...)
		if p != nil {
			hosted, err := p.WithClosures(fo.closures...)
			if err != nil {
				problems = append(problems, Problem{Severity: "error", Code: "closures", File: f.name,
					Message: "the closure days given to the studio do not fit this policy: " + err.Error()})
				p = nil
			} else {
				snap.policies[f.name], snap.hosted[f.name] = p, hosted
			}
		}
		st.Policies = append(st.Policies, policyView(f.name, p))
	}
	for _, f := range files {
		if f.matrix {
			diags = append(diags, snap.checkMatrix(dir, f)...)
		}
	}
	if len(st.Policies) == 0 {
		// As validate does: a folder with nothing to check must not look fine.
		problems = append(problems, Problem{Severity: "error", Code: "no-policy", File: ".",
			Message: "no policy files (*.yaml, *.yml) in this folder",
			Hint:    "start the studio on the folder that holds your policy file, or copy examples/newarea into this one"})
	}
	for _, f := range files {
		if f.scenario {
			view, ds := runScenario(ctx, snap, f)
			diags = append(diags, ds...)
			st.Scenarios = append(st.Scenarios, view)
		}
	}
	for _, d := range diags {
		problems = append(problems, snap.problem(d))
	}
	// Errors first, then warnings; each in file and line order, as Load
	// sorted them.
	slices.SortStableFunc(problems, func(a, b Problem) int {
		if a.Severity != b.Severity {
			if a.Severity == "error" {
				return -1
			}
			return 1
		}
		return 0
	})
	st.Problems = problems
	for _, p := range problems {
		if p.Severity == "error" {
			st.Errors++
		} else {
			st.Warnings++
		}
	}
	return snap
}

// checkMatrix reads a traceability matrix and checks it against the policy
// of its id in the folder beside its trace folder, and that policy's
// document, as validate does; the document's own problems point at it.
func (s *snapshot) checkMatrix(dir string, f found) engine.Diagnostics {
	m, diags := trace.Parse(f.name, f.src)
	if m == nil {
		return diags
	}
	home := path.Dir(path.Dir(f.name))
	var file string
	for name, p := range s.policies {
		if path.Dir(name) == home && p.ID == m.Policy {
			file = name
		}
	}
	if file == "" {
		return engine.Diagnostics{{Severity: engine.SeverityError, Pos: engine.Pos{File: f.name, Line: 1, Column: 1}, Code: "no-policy",
			Message: "the matrix is for policy " + m.Policy + ", but no policy file of that id beside the trace folder loads",
			Hint:    "keep the matrix in a folder named trace beside its policy file, and fix the policy's errors first"}}
	}
	docName := path.Join(home, m.Document)
	text, err := readBounded(filepath.Join(dir, filepath.FromSlash(docName)))
	if err != nil {
		text = nil // not there to check: only the entries' elements are checked
	} else {
		s.sources[docName] = text
	}
	problems := m.Check(s.policies[file], text)
	for _, d := range problems {
		if d.Pos.File == m.Document {
			d.Pos.File = docName
		}
	}
	s.traces[file] = &traced{matrix: m, problems: problems}
	return problems
}

// problem renders a diagnostic as the command line does, with its context.
func (s *snapshot) problem(d *engine.Diagnostic) Problem {
	var text bytes.Buffer
	_ = engine.WriteDiagnostics(&text, engine.Diagnostics{d}, func(name string) []byte { return s.sources[name] })
	return Problem{
		Severity: d.Severity.String(), Code: d.Code, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Column,
		Message: d.Message, Hint: d.Hint, Text: text.String(), Context: s.around(d.Pos.File, d.Pos.Line),
	}
}

// around returns the lines of a file around line n.
func (s *snapshot) around(file string, n int) []Line {
	src, ok := s.sources[file]
	if !ok || n < 1 {
		return nil
	}
	lines := strings.Split(string(src), "\n")
	var out []Line
	for i := max(1, n-contextLines); i <= min(len(lines), n+contextLines); i++ {
		out = append(out, Line{N: i, Text: strings.TrimRight(lines[i-1], "\r")})
	}
	return out
}

// ScenarioView is one scenario file's result.
type ScenarioView struct {
	File     string        `json:"file"`
	Title    string        `json:"title"`
	Policy   string        `json:"policy"`
	OK       bool          `json:"ok"`
	Passed   int           `json:"passed"`
	Failed   int           `json:"failed"`
	NotRun   int           `json:"not_run"`
	Error    string        `json:"error,omitempty"` // the story could not start, or the file does not parse
	Failures []FailureView `json:"failures"`
}

// FailureView is a failed expectation, on its line.
type FailureView struct {
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Kind     string `json:"kind"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Context  []Line `json:"context"`
}

// runScenario parses and runs one scenario file against the policies in the
// snapshot (or a bundled one, named by id).
func runScenario(ctx context.Context, snap *snapshot, f found) (ScenarioView, engine.Diagnostics) {
	view := ScenarioView{File: f.name, Failures: []FailureView{}}
	file, diags := scenario.Parse(f.name, f.src)
	if file == nil {
		view.Error = "the file does not read as a scenario: see Problems"
		return view, diags
	}
	view.Title, view.Policy = file.Title, file.Policy
	res := scenario.Run(ctx, file, scenario.WithResolver(snap.resolve), scenario.WithClosures(snap.closures...))
	view.OK, view.Passed, view.Failed, view.NotRun = res.OK(), res.Passed, res.Failed, res.NotRun
	if res.Err != nil {
		view.Error = res.Err.Error()
	}
	for _, fl := range res.Failures {
		view.Failures = append(view.Failures, FailureView{
			Line: fl.Pos.Line, Column: fl.Pos.Column, Kind: string(fl.Kind), Expected: fl.Expected, Actual: fl.Actual,
			Context: snap.around(f.name, fl.Pos.Line),
		})
	}
	return view, diags
}

// resolve finds a scenario's policy: a path relative to the scenario file,
// among the policies in DIR, or a bundled policy id.
func (s *snapshot) resolve(ref, scenarioFile string) (*engine.Policy, error) {
	if !strings.ContainsAny(ref, `/\`) && !isYAML(ref) {
		p, diags := policies.Load(ref)
		if err := diags.Err(); err != nil {
			return nil, fmt.Errorf("no bundled policy %q: %w", ref, err)
		}
		return p, nil
	}
	name := path.Join(path.Dir(scenarioFile), filepath.ToSlash(ref))
	if p, ok := s.policies[name]; ok {
		return p, nil
	}
	if _, read := s.sources[name]; read {
		return nil, fmt.Errorf("policy %q does not load: see Problems", ref)
	}
	return nil, fmt.Errorf("policy %q is not a policy file in the studio's folder", ref)
}
