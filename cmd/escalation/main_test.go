package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// invocation runs the command line and renders what it did, for goldens.
func invocation(t testing.TB, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	var b strings.Builder
	fmt.Fprintf(&b, "$ escalation %s\nexit %d\n", strings.Join(quote(args), " "), code)
	if stdout.Len() > 0 {
		fmt.Fprintf(&b, "-- stdout --\n%s", stdout.String())
	}
	if stderr.Len() > 0 {
		fmt.Fprintf(&b, "-- stderr --\n%s", stderr.String())
	}
	return b.String(), code
}

func quote(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "" || strings.ContainsAny(a, " \"'") {
			out[i] = fmt.Sprintf("%q", a)
		}
	}
	return out
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/escalation -update to create it")
	assert.Equal(t, string(want), got, "run go test ./cmd/escalation -update to accept the new output")
}

const (
	tiny      = "testdata/policies/tiny.yaml"
	island    = "testdata/calendar/island.yaml" // tiny with days off of its own
	closures  = "testdata/closures/closures.yaml"
	today     = "--today=2025-06-01" // before tiny's review date
	reviewDue = "--today=2026-06-01" // after it
)

func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		// The command line itself.
		{"no-arguments", nil, exitUsage},
		{"help", []string{"help"}, exitOK},
		{"help-command", []string{"help", "timeline"}, exitOK},
		{"unknown-command", []string{"timline"}, exitUsage},
		{"unknown-flag", []string{"doc", "--colour", tiny}, exitUsage},
		{"misspelt-flag", []string{"validate", "--formt", "json", tiny}, exitUsage},
		{"flag-without-value", []string{"validate", tiny, "--format"}, exitUsage},
		{"extra-argument", []string{"doc", tiny, "extra"}, exitUsage},

		// validate
		{"validate-help", []string{"validate", "--help"}, exitOK},
		{"validate-missing-path", []string{"validate"}, exitUsage},
		{"validate-bad-format", []string{"validate", "--format", "xml", tiny}, exitUsage},
		{"validate-ok", []string{"validate", today, tiny}, exitOK},
		{"validate-review-passed", []string{"validate", reviewDue, tiny}, exitOK},
		{"validate-strict", []string{"validate", "--strict", reviewDue, tiny}, exitFail},
		{"validate-broken", []string{"validate", today, "testdata/broken"}, exitFail},
		{"validate-broken-json", []string{"validate", "--format", "json", today, "testdata/broken"}, exitFail},
		{"validate-broken-github", []string{"validate", "--format=github", today, "testdata/broken"}, exitFail},
		{"validate-scenarios", []string{"validate", "testdata/scenarios"}, exitFail},
		{"validate-orphan-scenarios", []string{"validate", "testdata/orphans"}, exitFail},
		{"validate-missing-file", []string{"validate", "testdata/nothing.yaml"}, exitUsage},
		{"validate-quotes", []string{"validate", today, "testdata/quotes"}, exitFail},
		{"validate-unknown-id", []string{"validate", "sefon"}, exitUsage},
		{"validate-trace", []string{"validate", today, "testdata/traced"}, exitOK},
		{"validate-trace-stale", []string{"validate", today, "testdata/stale/trace"}, exitFail},

		// test
		{"test-help", []string{"test", "-h"}, exitOK},
		{"test-pass", []string{"test", "testdata/scenarios/pass.yaml"}, exitOK},
		{"test-folder", []string{"test", "testdata/scenarios"}, exitFail},
		{"test-folder-json", []string{"test", "--format", "json", "testdata/scenarios"}, exitFail},
		{"test-folder-github", []string{"test", "--format", "github", "testdata/scenarios"}, exitFail},
		{"test-unloadable-github", []string{"test", "--format", "github", "testdata/unloadable"}, exitFail},
		{"test-nothing", []string{"test", "testdata/policies/none"}, exitUsage},

		// fmt
		{"fmt-help", []string{"fmt", "--help"}, exitOK},
		{"fmt-check", []string{"fmt", "--check", "testdata/fmt"}, exitFail},
		{"fmt-check-diff", []string{"fmt", "--check", "--diff", "testdata/fmt"}, exitFail},
		{"fmt-formatted", []string{"fmt", "--check", "testdata/fmt/tiny-formatted.yaml"}, exitOK},
		{"fmt-not-yaml", []string{"fmt", "--check", "testdata/broken/syntax.yaml"}, exitFail},
		{"fmt-bundled-id", []string{"fmt", "sefton"}, exitUsage},
		{"fmt-trace", []string{"fmt", "testdata/traced/trace/tiny.yaml"}, exitUsage},
		{"fmt-traced-folder", []string{"fmt", "--check", "testdata/traced"}, exitOK},

		// diagram and doc
		{"diagram-mermaid", []string{"diagram", tiny}, exitOK},
		{"diagram-dot", []string{"diagram", tiny, "--format", "dot"}, exitOK},
		{"diagram-missing-policy", []string{"diagram"}, exitUsage},
		{"diagram-unknown-id", []string{"diagram", "setfon"}, exitUsage},
		{"diagram-missing-file", []string{"diagram", "testdata/policies/tiny.yml"}, exitUsage},
		{"diagram-broken", []string{"diagram", "testdata/broken/bad-guard.yaml"}, exitFail},
		{"doc", []string{"doc", tiny, today}, exitOK},
		{"doc-review-passed", []string{"doc", tiny, reviewDue}, exitOK},
		{"doc-traced", []string{"doc", "testdata/traced/tiny.yaml", today}, exitOK},
		{"doc-stale-trace", []string{"doc", "testdata/stale/tiny.yaml", today}, exitOK},
		{"doc-bad-trace", []string{"doc", "testdata/badtrace/tiny.yaml", today}, exitFail},

		// timeline
		{"timeline", []string{"timeline", tiny, "--raised", "2026-12-22"}, exitOK},
		{"timeline-json", []string{"timeline", "--format", "json", tiny, "--raised=2026-12-22T16:30"}, exitOK},
		{"timeline-constructs", []string{"timeline", "../../engine/testdata/constructs.yaml", "--raised", "2026-12-22T10:00"}, exitOK},
		{"timeline-constructs-json", []string{"timeline", "--format", "json", "../../engine/testdata/constructs.yaml", "--raised", "2026-12-22T10:00"}, exitOK},
		{"timeline-constructs-facts", []string{"timeline", "../../engine/testdata/constructs.yaml", "--raised", "2026-12-22T10:00", "--fact", "disagreement_date=2026-12-18", "--fact", "protect_by=2026-12-23", "--fact", "dispute_area=other"}, exitOK},
		{"timeline-missing-raised", []string{"timeline", tiny}, exitUsage},
		{"timeline-bad-raised", []string{"timeline", tiny, "--raised", "22/12/2026"}, exitUsage},
		{"timeline-fact", []string{"timeline", tiny, "--raised", "2026-12-22", "--fact", "urgent=true"}, exitOK},
		{"timeline-fact-json", []string{"timeline", tiny, "--raised", "2026-12-22", "--fact", "urgent=true", "--format", "json"}, exitOK},
		{"timeline-fact-unknown", []string{"timeline", tiny, "--raised", "2026-12-22", "--fact", "urgnt=true"}, exitUsage},
		{"timeline-fact-no-value", []string{"timeline", tiny, "--raised", "2026-12-22", "--fact", "urgent"}, exitUsage},
		{"timeline-fact-wrong-type", []string{"timeline", tiny, "--raised", "2026-12-22", "--fact", "urgent=often"}, exitFail},
		{"timeline-staffordshire", []string{"timeline", "staffordshire-stoke", "--raised", "2026-12-22"}, exitOK},

		// holidays and due
		{"holidays", []string{"holidays", "--from", "2026", "--to", "2027"}, exitOK},
		{"holidays-help", []string{"holidays", "--help"}, exitOK},
		{"holidays-json", []string{"holidays", "--jurisdiction", "isle-of-man", "--from", "2026", "--format", "json"}, exitOK},
		{"holidays-bad-jurisdiction", []string{"holidays", "--jurisdiction", "england", "--from", "2026"}, exitUsage},
		{"holidays-backwards", []string{"holidays", "--from", "2027", "--to", "2026"}, exitUsage},
		{"holidays-out-of-range", []string{"holidays", "--from", "1990"}, exitFail},
		{"due", []string{"due", "--from", "2026-12-22T10:00", "--within", "2 working days"}, exitOK},
		{"due-json", []string{"due", "--from", "2026-12-24T17:00", "--within", "1 working day", "--format", "json"}, exitOK},
		{"due-hours", []string{"due", "--from", "2026-12-22T09:00", "--within", "48 hours"}, exitOK},
		{"due-hours-json", []string{"due", "--from", "2026-03-28T12:00", "--within", "24 hours", "--format", "json"}, exitOK},
		{"due-bad-within", []string{"due", "--from", "2026-12-22", "--within", "2 days"}, exitUsage},
		{"due-missing-from", []string{"due", "--within", "2 working days"}, exitUsage},

		// a policy's own calendar, and closures
		{"holidays-policy", []string{"holidays", "--policy", island, "--from", "2026"}, exitOK},
		{"holidays-policy-json", []string{"holidays", "--policy", island, "--from", "2026", "--format", "json"}, exitOK},
		{"holidays-closures", []string{"holidays", "--closures", closures, "--from", "2026"}, exitOK},
		{"holidays-policy-and-jurisdiction", []string{"holidays", "--policy", island, "--jurisdiction", "scotland"}, exitUsage},
		{"holidays-bad-closures", []string{"holidays", "--closures", "testdata/closures/bad-closures.yaml"}, exitFail},
		{"holidays-missing-closures", []string{"holidays", "--closures", "testdata/closures/none.yaml"}, exitUsage},
		{"due-policy", []string{"due", "--policy", island, "--closures", closures, "--from", "2026-05-07T10:00", "--within", "2 working days"}, exitOK},
		{"due-policy-json", []string{"due", "--policy", island, "--from", "2026-05-07T10:00", "--within", "2 working days", "--format", "json"}, exitOK},
		{"timeline-policy", []string{"timeline", island, "--raised", "2026-12-22"}, exitOK},
		{"timeline-closures", []string{"timeline", island, "--raised", "2026-05-07", "--closures", closures}, exitOK},
		{"test-calendar", []string{"test", "testdata/calendar/scenarios"}, exitOK},
		{"test-closures", []string{"test", "--closures", closures, "testdata/calendar/scenarios"}, exitOK},
		{"test-bad-closures", []string{"test", "--closures", "testdata/closures/bad-closures.yaml", "testdata/calendar/scenarios"}, exitFail},
		{"validate-calendar", []string{"validate", "--today=2026-12-01", "testdata/calendar"}, exitOK},
		{"doc-policy", []string{"doc", island, today}, exitOK},

		// studio: what it refuses before it serves anything
		{"studio-help", []string{"studio", "--help"}, exitOK},
		{"studio-not-a-folder", []string{"studio", tiny}, exitFail},
		{"studio-not-loopback", []string{"studio", "--addr", "0.0.0.0:8080", "testdata/policies"}, exitFail},
		{"studio-two-folders", []string{"studio", "testdata/policies", "testdata/scenarios"}, exitUsage},
		{"studio-bad-closures", []string{"studio", "--closures", "testdata/closures/bad-closures.yaml", "testdata/policies"}, exitFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, code := invocation(t, tc.args...)
			assert.Equal(t, tc.code, code, got)
			golden(t, filepath.Join("testdata", "golden", tc.name+".txt"), got)
		})
	}
}

// JSON outputs keep their documented shapes: lists are never null.
func TestValidateRefusesAFolderWithNothingToCheck(t *testing.T) {
	dir := t.TempDir()
	out, code := invocation(t, "validate", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "no policy or scenario files (*.yaml, *.yml) in this folder")
}

func TestJSONShapes(t *testing.T) {
	var stdout bytes.Buffer
	require.Equal(t, exitOK, run([]string{"validate", "--format", "json", today, tiny}, &stdout, io.Discard))
	var v struct {
		Valid       bool              `json:"valid"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &v))
	assert.True(t, v.Valid)
	assert.Contains(t, stdout.String(), `"diagnostics": []`)

	stdout.Reset()
	require.Equal(t, exitOK, run([]string{"due", "--from", "2026-03-28T12:00", "--within", "24 hours", "--format", "json"}, &stdout, io.Discard))
	assert.Contains(t, stdout.String(), `"explanation": []`)
	assert.Contains(t, stdout.String(), `"due": "2026-03-29T13:00:00+01:00"`, "24 hours of clock time across the change to summer time")
}

func TestSchema(t *testing.T) {
	var stdout bytes.Buffer
	require.Equal(t, exitOK, run([]string{"schema"}, &stdout, io.Discard))
	assert.Equal(t, engine.JSONSchema(), stdout.Bytes())
}

func TestGitHubEscaping(t *testing.T) {
	d := &engine.Diagnostic{
		Severity: engine.SeverityWarning, Pos: engine.Pos{File: "a,b:c.yaml", Line: 3, Column: 7},
		Message: "100% sure\r\nof it", Hint: "fix, then: retry", Code: "x:y",
	}
	assert.Equal(t, "::warning file=a%2Cb%3Ac.yaml,line=3,col=7,title=x%3Ay::100%25 sure%0D%0Aof it%0Afix, then: retry", githubAnnotation(d))
	d.Pos = engine.Pos{File: "f.yaml"}
	d.Code = ""
	assert.True(t, strings.HasPrefix(githubAnnotation(d), "::warning file=f.yaml::"))
}

// The date a command uses for "today" comes from the clock unless given.
func TestTodayDefaultsToTheClock(t *testing.T) {
	e := &env{now: func() time.Time { return time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC) }}
	var d dateFlag
	assert.Equal(t, "2026-07-01", d.or(e).String(), "the clock's date in Europe/London")
}

// The README pastes these: each command's real output on the bundled
// policies, run from the module's root as the README runs them (go test
// ./cmd/escalation -run TestREADME -update refreshes them when the
// policies change).
func TestREADME(t *testing.T) {
	goldens, err := filepath.Abs(filepath.Join("testdata", "readme"))
	require.NoError(t, err)
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(filepath.Join("..", "..")))
	defer func() { require.NoError(t, os.Chdir(wd)) }()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"timeline", []string{"timeline", "sefton", "--raised", "2026-12-22"}, exitOK},
		{"timeline-json", []string{"timeline", "sefton", "--raised", "2026-12-22", "--format", "json"}, exitOK},
		{"policies", []string{"policies", "--today", "2026-06-01"}, exitOK},
		{"policies-json", []string{"policies", "--today", "2026-06-01", "--format", "json"}, exitOK},
		{"validate", []string{"validate", "--today", "2026-06-01", "sefton"}, exitOK},
		{"validate-github", []string{"validate", "--today", "2026-06-01", "--format", "github", "gloucestershire"}, exitOK},
		{"test", []string{"test", "policies/scenarios/sefton/full-ladder-christmas.yaml"}, exitOK},
		{"diagram", []string{"diagram", "sefton"}, exitOK},
		{"diagram-dot", []string{"diagram", "sefton", "--format", "dot"}, exitOK},
		{"doc", []string{"doc", "sefton", "--today", "2026-06-01"}, exitOK},
		{"holidays", []string{"holidays", "--jurisdiction", "isle-of-man", "--from", "2026"}, exitOK},
		{"due", []string{"due", "--from", "2026-12-22T10:00", "--within", "2 working days"}, exitOK},
		{"help", []string{"help"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, code := invocation(t, tc.args...)
			assert.Equal(t, tc.code, code, got)
			golden(t, filepath.Join(goldens, tc.name+".txt"), got)
		})
	}
}

// BenchmarkValidate validates 1,000 policy files, variants of a bundled
// policy, through the command line as CI would run it.
func BenchmarkValidate(b *testing.B) {
	// With -short (the CI gate runs every benchmark once that way, only to
	// see that it works) 20 files; else 1,000.
	files := 1000
	if testing.Short() {
		files = 20
	}
	b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
		_, src, err := policies.Source("sefton")
		require.NoError(b, err)
		dir := b.TempDir()
		for i := range files {
			variant := bytes.Replace(src, []byte("\nid: sefton\n"), []byte(fmt.Sprintf("\nid: sefton-%d\n", i)), 1)
			require.NoError(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("sefton-%04d.yaml", i)), variant, 0o644))
		}
		args := []string{"validate", "--today", "2026-06-01", dir}
		var out bytes.Buffer
		b.ResetTimer()
		for range b.N {
			out.Reset()
			if code := run(args, &out, io.Discard); code != exitOK {
				b.Fatalf("validate exited %d", code)
			}
		}
		b.StopTimer()
		if want := fmt.Sprintf("%d files: 0 errors", files); !strings.Contains(out.String(), want) {
			b.Fatalf("unexpected summary: %s", out.String()[max(0, out.Len()-200):])
		}
	})
}

// Each flag's help states its default once: a flag whose usage says what it
// defaults to does not also get the flag package's zero value.
func TestHelpStatesEachDefaultOnce(t *testing.T) {
	for _, c := range leafCommands() {
		t.Run(c.name, func(t *testing.T) {
			var stdout bytes.Buffer
			require.Equal(t, exitOK, run(append(strings.Fields(c.name), "--help"), &stdout, io.Discard))
			for _, line := range strings.Split(stdout.String(), "\n") {
				assert.LessOrEqual(t, strings.Count(line, "(default"), 1, "%q", line)
				assert.NotContains(t, line, `(default "0")`)
			}
		})
	}
}

// A path that names nothing is a mistake in the command line, like a misspelt
// id: every command says so on standard error and exits 2, and test does not
// count it as a failed scenario.
func TestMissingPathsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "nosuch/policy.yaml"},
		{"validate", tiny, "nosuch/"},
		{"test", "nosuch/"},
		{"test", "nosuch/story.yaml"},
		{"diagram", "nosuch/policy.yaml"},
		{"doc", "nosuch/policy.yaml"},
		{"timeline", "nosuch/policy.yaml", "--raised", "2026-12-22"},
		{"fmt", "nosuch/policy.yaml"},
		{"due", "--from", "2026-12-22", "--within", "2 working days", "--closures", "nosuch/closures.yaml"},
		{"test", "--closures", "nosuch/closures.yaml", "sefton"},
		{"timeline", "sefton", "--raised", "2026-12-22", "--closures", "nosuch/closures.yaml"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, exitUsage, run(args, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), "escalation "+args[0]+`: no such file or folder "nosuch/`)
		})
	}
}

// Every JSON output says which shape it is in, "schema" (jsonSchema), so a
// consumer can tell; a list says it in each item. Every command with
// --format json is here.
func TestEveryJSONOutputSaysItsSchema(t *testing.T) {
	c42 := filepath.Join(t.TempDir(), "c-42")
	migrated := filepath.Join(t.TempDir(), "case-42")
	type jsonRun struct {
		name string
		args []string
	}
	runs := []jsonRun{
		{"validate", []string{"validate", "--format", "json", today, tiny}},
		{"test", []string{"test", "--format", "json", "testdata/scenarios/pass.yaml"}},
		{"timeline", []string{"timeline", "--format", "json", tiny, "--raised", "2026-12-22"}},
		{"holidays", []string{"holidays", "--format", "json", "--from", "2026"}},
		{"due", []string{"due", "--format", "json", "--from", "2026-12-22", "--within", "2 working days"}},
		{"policies", []string{"policies", "--format", "json", "--today", "2026-06-01"}},
		{"version", []string{"version", "--format", "json"}},
		// In order: the case the first raises, the others read.
		{"case raise", []string{"case", "raise", "--format", "json", "sefton", c42, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00"}},
		{"case fire", []string{"case", "fire", "--format", "json", c42, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00"}},
		{"case due", []string{"case", "due", "--format", "json", c42, "--at", "2026-12-29"}},
		{"case available", []string{"case", "available", "--format", "json", c42, "--role", "line_manager", "--at", "2026-12-29"}},
		{"case verify", []string{"case", "verify", "--format", "json", c42}},
		{"case show", []string{"case", "show", "--format", "json", c42}},
		{"case rebuild", []string{"case", "rebuild", "--format", "json", c42}},
		{"case migrate", []string{"case", "migrate", "--format", "json", schema2Case, migrated}},
	}
	for _, c := range leafCommands() {
		fs := c.flagSet()
		c.setup(fs)
		if f := fs.Lookup("format"); f != nil && slices.Contains(f.Value.(*format).values, "json") {
			assert.True(t, slices.ContainsFunc(runs, func(r jsonRun) bool { return r.name == c.name }), "%s has --format json", c.name)
		}
	}
	for _, r := range runs {
		name, args := r.name, r.args
		t.Run(name, func(t *testing.T) {
			var stdout bytes.Buffer
			require.Equal(t, exitOK, run(args, &stdout, io.Discard))
			var out any
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &out))
			items := []any{out}
			if list, ok := out.([]any); ok {
				require.NotEmpty(t, list)
				items = list
			}
			for _, item := range items {
				obj, ok := item.(map[string]any)
				require.True(t, ok, "%s gives objects", name)
				assert.Equal(t, float64(jsonSchema), obj["schema"])
			}
		})
	}
}

// The README states what each public contract promises, with the schema
// numbers the code has today, and lists every JSON output's shape.
func TestREADMEStatesCompatibility(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	readme := string(src)
	_, compat, ok := strings.Cut(readme, "\n## Compatibility\n")
	require.True(t, ok, "README.md has a Compatibility section")
	compat, _, _ = strings.Cut(compat, "\n## ")
	for _, says := range []string{
		"semantic versioning",
		"**The Go API**",
		fmt.Sprintf("**The case JSON** (`schema`, now %d)", engine.CaseSchema),
		fmt.Sprintf("**The CLI's JSON output** (`schema`, now %d)", jsonSchema),
		"CHANGELOG.md",
	} {
		assert.Contains(t, compat, says)
	}
	for _, c := range leafCommands() {
		fs := c.flagSet()
		c.setup(fs)
		if f := fs.Lookup("format"); f != nil && slices.Contains(f.Value.(*format).values, "json") {
			assert.Contains(t, readme, "- `"+c.name+" --format json`: `", "the README gives %s's JSON shape", c.name)
		}
	}
}

// leafCommands are the commands that run: every command, with a family
// standing for its subcommands.
func leafCommands() []*command {
	var out []*command
	for _, c := range commands() {
		if c.family != nil {
			out = append(out, c.family...)
			continue
		}
		out = append(out, c)
	}
	return out
}
