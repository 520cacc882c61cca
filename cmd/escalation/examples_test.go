package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The examples a policy lead and a CI maintainer start from, run as their
// READMEs run them. Paths are relative to this package's folder.
const (
	newArea       = "../../examples/newarea"
	newAreaPolicy = newArea + "/policy.yaml"
	ciWorkflow    = "../../examples/ci/escalation.yml"
	// exampleToday keeps validate's review-date check from depending on the
	// clock: the examples' reviews fall due in 2028.
	exampleToday = "--today=2026-11-25"
)

// examplePolicy is an example folder with a policy, its procedure and its
// scenarios, and what its README shows.
type examplePolicy struct {
	dir       string
	minQuotes int // the quotes the walk must find, so that it cannot find none
	// The README's blocks: commands run, Mermaid diagrams, excerpts of the
	// document (markdown) and, when policyExcerpts is set, of the policy
	// file (yaml).
	commands, mermaid, docExcerpts, policyExcerpts int
}

var examplePolicies = []examplePolicy{
	{dir: newArea, minQuotes: 40, commands: 4, mermaid: 1, docExcerpts: 2},
	{dir: "../../examples/guernsey", minQuotes: 25, commands: 4, policyExcerpts: 1},
}

// runArgs runs the command line and returns its exit code and what it wrote
// to standard output and standard error, in that order.
func runArgs(args ...string) (int, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

// Each example's policy loads, and its only warnings are its assumptions,
// each listed for the partnership to confirm.
func TestExamplePoliciesValidate(t *testing.T) {
	for _, ex := range examplePolicies {
		t.Run(filepath.Base(ex.dir), func(t *testing.T) {
			policy := ex.dir + "/policy.yaml"
			code, out := runArgs("validate", exampleToday, policy)
			require.Equal(t, exitOK, code, out)
			assert.Contains(t, out, "1 file: 0 errors,")

			var stdout bytes.Buffer
			require.Equal(t, exitOK, run([]string{"validate", "--format", "json", exampleToday, policy}, &stdout, &bytes.Buffer{}))
			var v struct {
				Valid       bool             `json:"valid"`
				Diagnostics []jsonDiagnostic `json:"diagnostics"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &v))
			assert.True(t, v.Valid)
			assert.NotEmpty(t, v.Diagnostics, "the example shows how assumptions are listed")
			for _, d := range v.Diagnostics {
				assert.Equal(t, "assumption", d.Code, "%s:%d: %s", d.File, d.Line, d.Message)
			}
		})
	}
}

// Every scenario of each example passes.
func TestExampleScenariosPass(t *testing.T) {
	for _, ex := range examplePolicies {
		t.Run(filepath.Base(ex.dir), func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(ex.dir, "scenarios", "*.yaml"))
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(files), 3)
			code, out := runArgs("test", ex.dir+"/scenarios")
			require.Equal(t, exitOK, code, out)
			assert.Contains(t, out, fmt.Sprintf("\n%d passed, 0 failed\n", len(files)))
			assert.NotContains(t, out, "FAIL")
		})
	}
}

// Every quote in each example's policy is its procedure's own words, so that
// a reviewer can find it in procedure.txt.
func TestExampleQuotesAreVerbatim(t *testing.T) {
	for _, ex := range examplePolicies {
		t.Run(filepath.Base(ex.dir), func(t *testing.T) {
			src, err := os.ReadFile(ex.dir + "/policy.yaml")
			require.NoError(t, err)
			procedure, err := os.ReadFile(filepath.Join(ex.dir, "procedure.txt"))
			require.NoError(t, err)
			text := strings.Join(strings.Fields(string(procedure)), " ")

			var doc yaml.Node
			require.NoError(t, yaml.Unmarshal(src, &doc))
			quotes := 0
			var walk func(n *yaml.Node)
			cite := func(n *yaml.Node) {
				if n.Kind != yaml.MappingNode {
					return
				}
				for i := 0; i+1 < len(n.Content); i += 2 {
					k, v := n.Content[i], n.Content[i+1]
					switch k.Value {
					case "file":
						assert.Equal(t, "procedure.txt", v.Value, "line %d", v.Line)
					case "quote":
						quotes++
						q := strings.Join(strings.Fields(v.Value), " ")
						assert.True(t, strings.Contains(text, q), "policy.yaml:%d: the quote %q is not in procedure.txt", v.Line, v.Value)
					}
				}
			}
			walk = func(n *yaml.Node) {
				if n.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(n.Content); i += 2 {
						if k, v := n.Content[i], n.Content[i+1]; k.Value == "source" {
							cite(v)
							for _, c := range v.Content {
								cite(c)
							}
						}
					}
				}
				for _, c := range n.Content {
					walk(c)
				}
			}
			walk(&doc)
			assert.GreaterOrEqual(t, quotes, ex.minQuotes, "the walk found the policy's quotes")
		})
	}
}

// workflowCommands reads the CI example and returns its escalation command
// lines with the policy folder variable replaced by dir, as arguments for
// run, and the folder the workflow names by default.
func workflowCommands(t *testing.T, dir string) (validate, test []string, defaultDir string) {
	t.Helper()
	src, err := os.ReadFile(ciWorkflow)
	require.NoError(t, err)
	var wf struct {
		On   map[string]map[string][]string `yaml:"on"`
		Env  map[string]string              `yaml:"env"`
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(src, &wf))
	defaultDir = wf.Env["POLICY_DIR"]
	require.NotEmpty(t, defaultDir, "the workflow sets POLICY_DIR under env")
	for _, trigger := range []string{"pull_request", "push"} {
		// A policy's quotes are checked against the documents beside it, so
		// a change to the procedure's text must run the checks too.
		for _, p := range []string{"**/*.yaml", "**/*.yml", defaultDir + "/**", ".github/workflows/escalation.yml"} {
			assert.Contains(t, wf.On[trigger]["paths"], p, "the workflow runs on %s when %s changes", trigger, p)
		}
	}

	expand := strings.NewReplacer("${{ env.POLICY_DIR }}", dir, "${POLICY_DIR}", dir, "$POLICY_DIR", dir)
	installs := 0
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			sc := bufio.NewScanner(strings.NewReader(step.Run))
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				switch {
				case strings.HasPrefix(line, "go install github.com/safeguarding-partnerships/escalation/cmd/escalation@"):
					installs++
				case strings.HasPrefix(line, "escalation validate "):
					require.Nil(t, validate, "one escalation validate line")
					validate = shellWords(t, expand.Replace(line))[1:]
				case strings.HasPrefix(line, "escalation test "):
					require.Nil(t, test, "one escalation test line")
					test = shellWords(t, expand.Replace(line))[1:]
				}
			}
		}
	}
	assert.Equal(t, 1, installs, "the workflow installs the command")
	require.NotNil(t, validate, "the workflow runs escalation validate")
	require.NotNil(t, test, "the workflow runs escalation test")
	return validate, test, defaultDir
}

// shellWords splits a simple shell command line into words: blanks separate
// words, and single or double quotes group them.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var (
		words []string
		word  strings.Builder
		quote rune
		in    bool
	)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, word.String())
				word.Reset()
				in = false
			}
		case r == '#' && !in:
			require.Failf(t, "comment in a command line", "%s", line)
		default:
			word.WriteRune(r)
			in = true
		}
	}
	require.Zero(t, quote, "unclosed quote in %s", line)
	if in {
		words = append(words, word.String())
	}
	return words
}

// The CI example's own command lines pass on the new area and on this
// repository's policies (the folder the workflow names by default).
func TestCIWorkflowCommands(t *testing.T) {
	_, _, defaultDir := workflowCommands(t, "")
	for _, dir := range []string{newArea, filepath.ToSlash(filepath.Join("..", "..", defaultDir))} {
		t.Run(dir, func(t *testing.T) {
			validate, test, _ := workflowCommands(t, dir)
			assert.Contains(t, validate, "github", "validate annotates the pull request")
			code, out := runArgs(validate...)
			assert.Equal(t, exitOK, code, "escalation %s\n%s", strings.Join(validate, " "), out)
			assert.NotContains(t, out, "::error")
			assert.Contains(t, out, " 0 errors,")

			code, out = runArgs(test...)
			assert.Equal(t, exitOK, code, "escalation %s\n%s", strings.Join(test, " "), out)
			assert.Contains(t, out, " passed, 0 failed\n")
		})
	}
}

// A broken copy of the new area fails the CI example's commands, with an
// annotation on the line of the mistake.
func TestCIWorkflowCatchesAMistake(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(newAreaPolicy)
	require.NoError(t, err)
	const good, bad = "    when: immediate_risk\n", "    when: imediate_risk\n"
	require.Equal(t, 1, bytes.Count(src, []byte(good)), "the guard to break")
	line := bytes.Count(src[:bytes.Index(src, []byte(good))], []byte("\n")) + 1
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), bytes.Replace(src, []byte(good), []byte(bad), 1), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755))
	scenarios, err := filepath.Glob(filepath.Join(newArea, "scenarios", "*.yaml"))
	require.NoError(t, err)
	for _, f := range scenarios {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "scenarios", filepath.Base(f)), b, 0o644))
	}

	validate, test, _ := workflowCommands(t, filepath.ToSlash(dir))
	code, out := runArgs(validate...)
	assert.Equal(t, exitFail, code, out)
	want := fmt.Sprintf("::error file=%s,line=%d,col=11,title=cel-undeclared::", githubProperty(filepath.ToSlash(filepath.Join(dir, "policy.yaml"))), line)
	assert.Contains(t, out, want)
	assert.Contains(t, out, `did you mean "immediate_risk"?`)

	code, out = runArgs(test...)
	assert.Equal(t, exitFail, code, out)
	assert.Contains(t, out, "does not load")
}

// Each example's README pastes real output: each ```text block that starts
// with "$ go run ./cmd/escalation" is what that command prints (with go run's
// "exit status N" line when it fails), the ```mermaid block is the diagram,
// each ```markdown block is a part of the document, and each ```yaml block
// a part of the policy file. Blocks run on copies under /tmp are
// illustrations and are not rerun here. After a change to the command's
// output, go test ./cmd/escalation -run TestExampleREADMEs -update rewrites
// the command and diagram blocks; excerpts are chosen by hand.
func TestExampleREADMEs(t *testing.T) {
	for _, ex := range examplePolicies {
		t.Run(filepath.Base(ex.dir), func(t *testing.T) { checkExampleREADME(t, ex) })
	}
}

func checkExampleREADME(t *testing.T, ex examplePolicy) {
	readme := filepath.Join(ex.dir, "README.md")
	policyFile := ex.dir + "/policy.yaml"
	src, err := os.ReadFile(readme)
	require.NoError(t, err)
	policySrc, err := os.ReadFile(policyFile)
	require.NoError(t, err)
	_, diagram := runArgs("diagram", policyFile)
	_, document := runArgs("doc", policyFile, exampleToday)
	relative := strings.NewReplacer("../../examples/", "examples/")
	diagram, document = relative.Replace(diagram), relative.Replace(document)

	// A block is a fenced code block: lines[open] is its opening fence and
	// lines[open+1:end] its body.
	type block struct {
		lang      string
		open, end int
	}
	lines := strings.SplitAfter(string(src), "\n")
	var blocks []block
	var cur *block
	for i, l := range lines {
		switch {
		case cur == nil && strings.HasPrefix(l, "```") && len(strings.TrimSpace(l)) > 3:
			cur = &block{lang: strings.TrimSpace(l[3:]), open: i}
		case cur != nil && strings.TrimSpace(l) == "```":
			cur.end = i
			blocks = append(blocks, *cur)
			cur = nil
		}
	}
	require.Nil(t, cur, "an unclosed code block in %s", readme)

	const prompt = "$ go run ./cmd/escalation "
	commands, excerpts, mermaid, policyExcerpts := 0, 0, 0, 0
	bodies := map[int]string{} // the new body of each block that differs, by its opening line
	for _, b := range blocks {
		body := strings.Join(lines[b.open+1:b.end], "")
		where := fmt.Sprintf("%s:%d", readme, b.open+1)
		switch b.lang {
		case "text":
			first, want, _ := strings.Cut(body, "\n")
			if !strings.HasPrefix(first, prompt) || strings.Contains(first, "/tmp/") {
				continue
			}
			commands++
			var args []string
			for _, a := range strings.Fields(strings.TrimPrefix(first, prompt)) {
				if strings.HasPrefix(a, "examples/") {
					a = "../../" + a
				}
				args = append(args, a)
			}
			if args[0] == "validate" {
				args = append([]string{args[0], exampleToday}, args[1:]...)
			}
			code, got := runArgs(args...)
			got = relative.Replace(got)
			if code != exitOK {
				got += fmt.Sprintf("exit status %d\n", code)
			}
			if got != want {
				bodies[b.open] = first + "\n" + got
			}
			if !*update {
				assert.Equal(t, want, got, "%s: the output of %q has changed; run with -update", where, first)
			}
		case "mermaid":
			mermaid++
			if diagram != body {
				bodies[b.open] = diagram
			}
			if !*update {
				assert.Equal(t, diagram, body, "%s: the diagram has changed; run with -update", where)
			}
		case "markdown":
			excerpts++
			assert.Contains(t, document, body, "%s: the document has changed; paste the new excerpt", where)
		case "yaml":
			if ex.policyExcerpts == 0 {
				continue // the README's YAML is not from its policy
			}
			policyExcerpts++
			assert.Contains(t, string(policySrc), body, "%s: the policy file has changed; paste the new excerpt", where)
		}
	}
	assert.Equal(t, ex.commands, commands, "the commands the README runs")
	assert.Equal(t, ex.mermaid, mermaid)
	assert.Equal(t, ex.docExcerpts, excerpts)
	assert.Equal(t, ex.policyExcerpts, policyExcerpts)

	if *update && len(bodies) > 0 {
		ends := map[int]int{}
		for _, b := range blocks {
			ends[b.open] = b.end
		}
		var out strings.Builder
		for i := 0; i < len(lines); i++ {
			out.WriteString(lines[i])
			if body, ok := bodies[i]; ok {
				out.WriteString(body)
				i = ends[i] - 1 // on to the closing fence
			}
		}
		require.NoError(t, os.WriteFile(readme, []byte(out.String()), 0o644))
	}
}

// test tells scenarios from policies: a folder means the scenarios in it and
// below it, a policy file or a bundled id means the scenarios that name it.
func TestTestFindsTheScenarios(t *testing.T) {
	newAreaScenarios, err := filepath.Glob(filepath.Join(newArea, "scenarios", "*.yaml"))
	require.NoError(t, err)
	bundled, err := filepath.Glob("../../policies/scenarios/*/*.yaml")
	require.NoError(t, err)
	sefton, err := filepath.Glob("../../policies/scenarios/sefton/*.yaml")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		args []string
		want int // scenarios run, all passing
		in   string
	}{
		{"the new area's folder", []string{"test", newArea}, len(newAreaScenarios), "examples/newarea/scenarios/"},
		{"the new area's policy file", []string{"test", newAreaPolicy}, len(newAreaScenarios), "examples/newarea/scenarios/"},
		{"the policies folder", []string{"test", "../../policies"}, len(bundled), "policies/scenarios/"},
		{"a bundled id", []string{"test", "sefton"}, len(sefton), "policies/scenarios/sefton/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runArgs(tc.args...)
			require.Equal(t, exitOK, code, out)
			assert.Contains(t, out, fmt.Sprintf("\n%d passed, 0 failed\n", tc.want))
			assert.Equal(t, tc.want, strings.Count(out, "ok   "))
			assert.Equal(t, tc.want, strings.Count(out, tc.in), "every scenario run is under %s", tc.in)
		})
	}
}

// The CI README's layout, a policy renamed riverbend.yaml beside the new
// area's scenarios (which name ../policy.yaml): validate says that no
// scenario's policy resolves, rather than leave test to fail all five.
func TestValidateResolvesScenarioPolicies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "policies")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755))
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, b, 0o644))
	}
	copyFile(newAreaPolicy, filepath.Join(dir, "riverbend.yaml"))
	copyFile(filepath.Join(newArea, "procedure.txt"), filepath.Join(dir, "procedure.txt"))
	scenarios, err := filepath.Glob(filepath.Join(newArea, "scenarios", "*.yaml"))
	require.NoError(t, err)
	for _, f := range scenarios {
		copyFile(f, filepath.Join(dir, "scenarios", filepath.Base(f)))
	}

	var stdout bytes.Buffer
	require.Equal(t, exitFail, run([]string{"validate", "--format", "json", exampleToday, dir}, &stdout, io.Discard))
	var v struct {
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &v))
	var unresolved []string
	for _, d := range v.Diagnostics {
		if d.Severity == "error" {
			assert.Equal(t, "unknown-policy", d.Code, d.Message)
			src, err := os.ReadFile(d.File)
			require.NoError(t, err)
			lines := strings.Split(string(src), "\n")
			require.Less(t, d.Line-1, len(lines))
			assert.Equal(t, "policy: ../policy.yaml", lines[d.Line-1], "the line of the policy: key")
			assert.Equal(t, 9, d.Column, "at its value")
			unresolved = append(unresolved, filepath.Base(d.File))
		}
	}
	assert.Len(t, unresolved, len(scenarios))
}

// The CI example installs a version that exists: @latest, or a commit by its
// hash until releases are tagged. No release tag is named, in the workflow or
// its README, as if it existed.
func TestCIWorkflowInstallsAVersionThatExists(t *testing.T) {
	install := regexp.MustCompile(`go install github\.com/safeguarding-partnerships/escalation/cmd/escalation@(\S+)`)
	for _, file := range []string{ciWorkflow, filepath.Join(filepath.Dir(ciWorkflow), "README.md")} {
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.NotRegexp(t, `@v\d+\.\d+\.\d+`, string(src), "%s names a release; none is tagged yet", file)
		ms := install.FindAllStringSubmatch(string(src), -1)
		require.NotEmpty(t, ms, "%s shows how to install the command", file)
		for _, m := range ms {
			assert.Regexp(t, `^(latest|<commit>|[0-9a-f]{40})$`, m[1], "%s: %s", file, m[0])
		}
	}
}

// As the new area's README says: validate checks each quote against
// procedure.txt, and says when it cannot because the text is not there.
func TestNewAreaQuotesAreChecked(t *testing.T) {
	copyArea := func(t *testing.T, withText bool) string {
		dir := t.TempDir()
		for _, f := range []string{"policy.yaml", "procedure.txt"} {
			if f == "procedure.txt" && !withText {
				continue
			}
			b, err := os.ReadFile(filepath.Join(newArea, f))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
		}
		return filepath.Join(dir, "policy.yaml")
	}

	policy := copyArea(t, true)
	src, err := os.ReadFile(policy)
	require.NoError(t, err)
	const quote, misquote = `quote: "Stage 1 - Practitioner to practitioner"`, `quote: "Stage 1 - practitioner to practitioner"`
	require.Equal(t, 1, bytes.Count(src, []byte(quote)))
	require.NoError(t, os.WriteFile(policy, bytes.Replace(src, []byte(quote), []byte(misquote), 1), 0o644))
	code, out := runArgs("validate", exampleToday, policy)
	assert.Equal(t, exitFail, code, out)
	assert.Contains(t, out, `:118:43: error: procedure.txt does not contain "Stage 1 - practitioner to practitioner"`)

	policy = copyArea(t, false)
	code, out = runArgs("validate", exampleToday, policy)
	assert.Equal(t, exitOK, code, out)
	assert.Contains(t, out, ":20:5: warning: procedure.txt is not beside the policy, so the quotes from it are not checked\n")
}

// The walkthrough writes files only in the reader's copy (partnerships/),
// never loose in the repository: a file it tells them to write with > or
// -o goes under the copy's folder.
func TestNewAreaWalkthroughWritesOnlyInTheCopy(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(newArea, "README.md"))
	require.NoError(t, err)
	written := regexp.MustCompile(`(?:>|\s-o)\s*([^\s|&;]+)`)
	n := 0
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
		case strings.HasPrefix(line, "```"):
			in = false
		default:
			commands := []string{line}
			if !in { // only what is written as code
				commands = nil
				for i, span := range strings.Split(line, "`") {
					if i%2 == 1 {
						commands = append(commands, span)
					}
				}
			}
			for _, c := range commands {
				for _, m := range written.FindAllStringSubmatch(c, -1) {
					n++
					assert.True(t, strings.HasPrefix(m[1], "partnerships/"), "the walkthrough writes %s outside the reader's copy: %s", m[1], line)
				}
			}
		}
	}
	assert.Positive(t, n, "the walkthrough writes the document to a file")
}

// The project's own policies, scenarios and examples are formatted, as a
// repository that runs fmt --check in CI would keep them.
func TestRepositoryFilesAreFormatted(t *testing.T) {
	code, out := runArgs("fmt", "--check", "--diff", "../../policies", newArea)
	assert.Equal(t, exitOK, code, "run: go run ./cmd/escalation fmt policies examples/newarea\n%s", out)
}
