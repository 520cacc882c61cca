package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/termsafe"
	"github.com/safeguarding-partnerships/escalation/policies"
)

func validateCommand() *command {
	c := &command{
		name:    "validate",
		args:    "[--format text|json|github] [--strict] [--today YYYY-MM-DD] PATH...",
		operand: "PATH",
		nargs:   [2]int{1, -1},
		summary: "check policy and scenario files, for editors and CI",
		about: `Checks policy files and scenario files and reports every problem with its
file, line and column. A PATH is a file, a folder (searched for *.yaml and
*.yml files, skipping folders whose names start with "."), or a bundled
policy id. A file with a folder named "scenarios" in its path, or with a
top-level scenario: key, is read as a scenario file (policies/SCENARIOS.md);
one in a folder named "trace" as a traceability matrix, checked against the
policy file beside that folder (or the bundled policy of its id) and its
document; any other as a policy file.

A policy's quotes are checked word for word against its documents
(documents: file:) that are text files in the policy's own folder. A
scenario's policy: must name a bundled policy, or a policy file that is
there (its path counts from the scenario file's folder).

Errors exit 1. Warnings (a passed review date, a missing source, each
assumption to confirm) are reported but exit 0, unless --strict is given.

Formats: text (each problem with its line of the file and a caret, then a
summary), json ({"schema", "valid", "diagnostics": [{"severity", "code", "file",
"line", "column", "message", "hint"}], "summary": {"files", "errors",
"warnings"}}), and github (workflow-command annotations, which GitHub shows
on the pull request's lines).`,
		example: "escalation validate --format github policies/",
	}
	c.setup = func(fset *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fset, "text", "json", "github")
		strict := fset.Bool("strict", false, "exit 1 on warnings as well as errors")
		today := todayFlag(fset)
		return func(e *env, args []string) int {
			if code := e.checkPaths(c, args); code != exitOK {
				return code
			}
			v := validation{opts: []engine.LoadOption{engine.WithToday(today.or(e))}}
			for _, arg := range args {
				v.add(arg)
			}
			v.run()
			if err := v.write(e.stdout, format.value); err != nil {
				return e.fail(c, "%v", err)
			}
			if v.errors > 0 || (*strict && v.warnings > 0) {
				return exitFail
			}
			return exitOK
		}
	}
	return c
}

// validation collects the files to check, checks them, and counts what it
// finds.
type validation struct {
	opts     []engine.LoadOption
	files    []*checked
	errors   int
	warnings int
	diags    engine.Diagnostics
	first    *engine.Diagnostic // the first error, which the summary points to
}

// checked is one file and what checking it found.
type checked struct {
	name     string
	src      []byte
	scenario bool
	matrix   bool   // a traceability matrix
	dir      string // the folder it was read from, where its documents are; "" when bundled
	unread   bool   // it could not be read: diags says why
	diags    engine.Diagnostics
}

// add checks one PATH argument.
func (v *validation) add(arg string) {
	if isPolicyID(arg) && isBundled(arg) {
		name, src, _ := policies.Source(arg)
		v.check(name, src, false, "")
		return
	}
	info, err := os.Stat(arg)
	switch {
	case err != nil:
		v.unread(filepath.ToSlash(arg), err)
	case info.IsDir():
		v.dir(arg)
	default:
		v.file(arg)
	}
}

func (v *validation) dir(root string) {
	before := len(v.files)
	walkYAML(root, v.file, func(path string, err error) { v.unread(filepath.ToSlash(path), err) })
	if len(v.files) == before {
		// A mistyped folder in a CI job must not pass by checking nothing.
		v.problem(filepath.ToSlash(root), "no policy or scenario files (*.yaml, *.yml) in this folder", "check the path")
	}
}

func (v *validation) file(path string) {
	name := filepath.ToSlash(path)
	src, err := safefile.Read(path, engine.DefaultMaxBytes)
	if err != nil {
		v.unread(name, err)
		return
	}
	scenario := isScenarioFile(name, src)
	v.check(name, src, scenario, filepath.Dir(path))
	v.files[len(v.files)-1].matrix = isTrace(name) && !scenario
}

// isScenarioFile reports whether a file is a scenario file: one with a
// folder named "scenarios" in its path, or with a top-level scenario: key.
// Any other YAML file is read as a policy file.
func isScenarioFile(name string, src []byte) bool {
	for _, d := range strings.Split(filepath.ToSlash(filepath.Dir(name)), "/") {
		if d == "scenarios" {
			return true
		}
	}
	return hasTopLevelKey(src, "scenario")
}

// isPolicyFile reports whether a file has a policy's first key, language:.
func isPolicyFile(src []byte) bool { return hasTopLevelKey(src, "language") }

// hasTopLevelKey reports whether a line starts with key and a colon: in a
// YAML file, only a top-level key starts at the first column.
func hasTopLevelKey(src []byte, key string) bool {
	prefix := []byte(key + ":")
	for len(src) > 0 {
		var line []byte
		line, src, _ = bytes.Cut(src, []byte("\n"))
		if bytes.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

// walkYAML calls file for each *.yaml and *.yml file in root and below it,
// in lexical order, skipping folders whose names start with "."; and
// problem for each path that cannot be read.
func walkYAML(root string, file func(path string), problem func(path string, err error)) {
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			problem(p, err)
		case d.IsDir() && p != root && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case !d.IsDir() && isYAML(p):
			file(p)
		}
		return nil
	})
	if err != nil {
		problem(root, err)
	}
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

func (v *validation) check(name string, src []byte, scenarioFile bool, dir string) {
	v.files = append(v.files, &checked{name: name, src: src, scenario: scenarioFile, dir: dir})
}

// unread records a file that could not be read as an error.
func (v *validation) unread(name string, err error) {
	v.files = append(v.files, &checked{name: name, unread: true, diags: engine.Diagnostics{unreadable(name, err)}})
}

// problem records a file that could not be checked as an error.
func (v *validation) problem(name, msg, hint string) {
	v.files = append(v.files, &checked{name: name, unread: true, diags: engine.Diagnostics{
		{Severity: engine.SeverityError, Pos: engine.Pos{File: name}, Message: msg, Hint: hint, Code: "unreadable"},
	}})
}

// run checks the files, one per processor at a time (each load is
// independent), then counts the findings in the files' order.
func (v *validation) run() {
	work := make(chan *checked)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				switch {
				case f.scenario:
					var sf *scenario.File
					sf, f.diags = scenario.Parse(f.name, f.src)
					if sf != nil && f.dir != "" {
						f.diags = append(f.diags, resolvePolicy(sf, f.dir)...)
					}
				case f.matrix:
					f.diags = checkMatrix(f.name, f.src, f.dir, v.opts)
				default:
					opts := v.opts
					if f.dir != "" {
						opts = append(opts[:len(opts):len(opts)], engine.WithDocuments(os.DirFS(f.dir)))
					}
					_, f.diags = engine.Load(f.name, f.src, opts...)
				}
			}
		}()
	}
	for _, f := range v.files {
		if !f.unread {
			work <- f
		}
	}
	close(work)
	wg.Wait()
	for _, f := range v.files {
		for _, d := range f.diags {
			if d.Severity == engine.SeverityError {
				if v.errors == 0 {
					v.first = d
				}
				v.errors++
			} else {
				v.warnings++
			}
		}
		v.diags = append(v.diags, f.diags...)
	}
}

// resolvePolicy checks that a scenario's policy: names a bundled policy or a
// policy file, as test will resolve it: a path relative to dir, the
// scenario file's folder.
func resolvePolicy(f *scenario.File, dir string) engine.Diagnostics {
	ref := f.Policy
	end := f.PolicyPos
	end.Column += utf8.RuneCountInString(ref)
	problem := func(msg, hint string) engine.Diagnostics {
		return engine.Diagnostics{{Severity: engine.SeverityError, Pos: f.PolicyPos, End: end, Code: "unknown-policy", Message: msg, Hint: hint}}
	}
	if isPolicyID(ref) {
		if isBundled(ref) {
			return nil
		}
		return problem(fmt.Sprintf("no bundled policy %q", ref), suggest.Hint(ref, policies.IDs())+" (a policy file's path ends in .yaml or .yml)")
	}
	file := filepath.FromSlash(ref)
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	const where = "give the policy file's path from this file's folder, or a bundled policy id"
	info, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		hint := where
		if near, ok := nearName(file); ok {
			hint = fmt.Sprintf("did you mean %q?", path.Join(path.Dir(ref), near))
		}
		return problem(fmt.Sprintf("no policy file %s: %s is not there", ref, filepath.ToSlash(file)), hint)
	case err != nil:
		return problem("cannot read the policy file "+ref+": "+safefile.Reason(err), "")
	case !info.Mode().IsRegular():
		return problem("the policy "+ref+" is not a file", where)
	}
	return nil
}

// source returns a checked file's bytes, to quote its lines.
func (v *validation) source(name string) []byte {
	for _, f := range v.files {
		if f.name == name {
			return f.src
		}
	}
	return nil
}

// summary counts what was found and, among many warnings, says where the
// first error is: that is the one to fix first.
func (v *validation) summary() string {
	s := fmt.Sprintf("%s: %s, %s", plural(len(v.files), "file", "files"), plural(v.errors, "error", "errors"), plural(v.warnings, "warning", "warnings"))
	if v.first != nil && v.errors+v.warnings > 1 {
		s += "; the first error is at " + v.first.Pos.String()
	}
	return s
}

func (v *validation) write(w io.Writer, format string) error {
	switch format {
	case "json":
		return v.writeJSON(w)
	case "github":
		for _, d := range v.diags {
			fmt.Fprintln(w, githubAnnotation(d))
		}
	default:
		if err := engine.WriteDiagnostics(w, v.diags, v.source); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, v.summary())
	return err
}

// jsonDiagnostic is one diagnostic in validate's JSON output.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Hint     string `json:"hint"`
}

func toJSON(ds engine.Diagnostics) []jsonDiagnostic {
	out := make([]jsonDiagnostic, len(ds))
	for i, d := range ds {
		out[i] = jsonDiagnostic{
			Severity: d.Severity.String(), Code: d.Code, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Column,
			Message: d.Message, Hint: d.Hint,
		}
	}
	return out
}

func (v *validation) writeJSON(w io.Writer) error {
	type summary struct {
		Files    int `json:"files"`
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
	}
	return writeJSON(w, struct {
		Schema      int              `json:"schema"`
		Valid       bool             `json:"valid"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Summary     summary          `json:"summary"`
	}{Schema: jsonSchema, Valid: v.errors == 0, Diagnostics: toJSON(v.diags), Summary: summary{len(v.files), v.errors, v.warnings}})
}

// githubAnnotation writes a diagnostic as a GitHub Actions workflow command,
// escaped as the runner requires: % CR LF in the message, and also : and ,
// in properties.
func githubAnnotation(d *engine.Diagnostic) string {
	props := []string{"file=" + githubProperty(d.Pos.File)}
	if d.Pos.Line > 0 {
		props = append(props, "line="+strconv.Itoa(d.Pos.Line))
		if d.Pos.Column > 0 {
			props = append(props, "col="+strconv.Itoa(d.Pos.Column))
		}
	}
	if d.Code != "" {
		props = append(props, "title="+githubProperty(d.Code))
	}
	msg := d.Message
	if d.Hint != "" {
		msg += "\n" + d.Hint
	}
	return "::" + d.Severity.String() + " " + strings.Join(props, ",") + "::" + githubData(msg)
}

// githubData escapes an annotation's message as the workflow command wants,
// then what is left that a CI log would obey (ANSI escapes, bidi controls)
// as termsafe.Text does.
func githubData(s string) string {
	return termsafe.Text(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s))
}

func githubProperty(s string) string {
	return termsafe.Text(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}
