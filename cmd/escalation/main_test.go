package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
		{"validate-missing-file", []string{"validate", "testdata/nothing.yaml"}, exitFail},
		{"validate-quotes", []string{"validate", today, "testdata/quotes"}, exitFail},
		{"validate-unknown-id", []string{"validate", "sefon"}, exitFail},

		// test
		{"test-help", []string{"test", "-h"}, exitOK},
		{"test-pass", []string{"test", "testdata/scenarios/pass.yaml"}, exitOK},
		{"test-folder", []string{"test", "testdata/scenarios"}, exitFail},
		{"test-folder-json", []string{"test", "--format", "json", "testdata/scenarios"}, exitFail},
		{"test-folder-github", []string{"test", "--format", "github", "testdata/scenarios"}, exitFail},
		{"test-unloadable-github", []string{"test", "--format", "github", "testdata/unloadable"}, exitFail},
		{"test-nothing", []string{"test", "testdata/policies/none"}, exitFail},

		// diagram and doc
		{"diagram-mermaid", []string{"diagram", tiny}, exitOK},
		{"diagram-dot", []string{"diagram", tiny, "--format", "dot"}, exitOK},
		{"diagram-missing-policy", []string{"diagram"}, exitUsage},
		{"diagram-unknown-id", []string{"diagram", "setfon"}, exitUsage},
		{"diagram-broken", []string{"diagram", "testdata/broken/bad-guard.yaml"}, exitFail},
		{"doc", []string{"doc", tiny}, exitOK},

		// timeline
		{"timeline", []string{"timeline", tiny, "--raised", "2026-12-22"}, exitOK},
		{"timeline-json", []string{"timeline", "--format", "json", tiny, "--raised=2026-12-22T16:30"}, exitOK},
		{"timeline-constructs", []string{"timeline", "../../engine/testdata/constructs.yaml", "--raised", "2026-12-22T10:00"}, exitOK},
		{"timeline-constructs-json", []string{"timeline", "--format", "json", "../../engine/testdata/constructs.yaml", "--raised", "2026-12-22T10:00"}, exitOK},
		{"timeline-missing-raised", []string{"timeline", tiny}, exitUsage},
		{"timeline-bad-raised", []string{"timeline", tiny, "--raised", "22/12/2026"}, exitUsage},

		// holidays and due
		{"holidays", []string{"holidays", "--from", "2026", "--to", "2027"}, exitOK},
		{"holidays-json", []string{"holidays", "--jurisdiction", "isle-of-man", "--from", "2026", "--format", "json"}, exitOK},
		{"holidays-bad-jurisdiction", []string{"holidays", "--jurisdiction", "england", "--from", "2026"}, exitUsage},
		{"holidays-backwards", []string{"holidays", "--from", "2027", "--to", "2026"}, exitUsage},
		{"holidays-out-of-range", []string{"holidays", "--from", "1990"}, exitFail},
		{"due", []string{"due", "--from", "2026-12-22T10:00", "--within", "2 working days"}, exitOK},
		{"due-json", []string{"due", "--from", "2026-12-24T17:00", "--within", "1 working day", "--format", "json"}, exitOK},
		{"due-hours-json", []string{"due", "--from", "2026-03-28T12:00", "--within", "24 hours", "--format", "json"}, exitOK},
		{"due-bad-within", []string{"due", "--from", "2026-12-22", "--within", "2 days"}, exitUsage},
		{"due-missing-from", []string{"due", "--within", "2 working days"}, exitUsage},

		// a policy's own calendar, and closures
		{"holidays-policy", []string{"holidays", "--policy", island, "--from", "2026"}, exitOK},
		{"holidays-policy-json", []string{"holidays", "--policy", island, "--from", "2026", "--format", "json"}, exitOK},
		{"holidays-closures", []string{"holidays", "--closures", closures, "--from", "2026"}, exitOK},
		{"holidays-policy-and-jurisdiction", []string{"holidays", "--policy", island, "--jurisdiction", "scotland"}, exitUsage},
		{"holidays-bad-closures", []string{"holidays", "--closures", "testdata/closures/bad-closures.yaml"}, exitFail},
		{"holidays-missing-closures", []string{"holidays", "--closures", "testdata/closures/none.yaml"}, exitFail},
		{"due-policy", []string{"due", "--policy", island, "--closures", closures, "--from", "2026-05-07T10:00", "--within", "2 working days"}, exitOK},
		{"due-policy-json", []string{"due", "--policy", island, "--from", "2026-05-07T10:00", "--within", "2 working days", "--format", "json"}, exitOK},
		{"timeline-policy", []string{"timeline", island, "--raised", "2026-12-22"}, exitOK},
		{"timeline-closures", []string{"timeline", island, "--raised", "2026-05-07", "--closures", closures}, exitOK},
		{"test-calendar", []string{"test", "testdata/calendar/scenarios"}, exitOK},
		{"test-closures", []string{"test", "--closures", closures, "testdata/calendar/scenarios"}, exitOK},
		{"test-bad-closures", []string{"test", "--closures", "testdata/closures/bad-closures.yaml", "testdata/calendar/scenarios"}, exitFail},
		{"validate-calendar", []string{"validate", "--today=2026-12-01", "testdata/calendar"}, exitOK},
		{"doc-policy", []string{"doc", island}, exitOK},
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
		{"doc", []string{"doc", "sefton"}, exitOK},
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

// BenchmarkValidate1000 validates 1,000 policy files, variants of a bundled
// policy, through the command line as CI would run it.
func BenchmarkValidate1000(b *testing.B) {
	_, src, err := policies.Source("sefton")
	require.NoError(b, err)
	dir := b.TempDir()
	for i := range 1000 {
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
	if !strings.Contains(out.String(), "1000 files: 0 errors") {
		b.Fatalf("unexpected summary: %s", out.String()[max(0, out.Len()-200):])
	}
}
