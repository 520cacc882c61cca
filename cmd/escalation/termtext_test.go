package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noRawControls fails the test if out, lines of text for a terminal, holds
// anything but newlines that a terminal would obey rather than show: a
// control, a format character (bidi controls among them) or a line or
// paragraph separator.
func noRawControls(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
			t.Fatalf("%U printed raw in %q", r, out)
		}
	}
}

// hostile is what a record written by someone else can carry: an OSC 8
// hyperlink whose text is not its target, a carriage return that writes
// over the start of the line, and a right-to-left override.
const hostile = "\x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\rasha \u202eeel"

// A case whose actor, agency, facts and form data carry terminal escapes,
// a carriage return and a bidi override is printed, in text, with each of
// them escaped; its JSON stays valid JSON.
func TestCaseTextEscapesWhatTheRecordHolds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c-1")
	exec := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		require.Equal(t, exitOK, code, "%s", stderr.String())
		return stdout.String()
	}
	var outs []string
	outs = append(outs, exec("case", "raise", kinds, dir, "--actor", hostile, "--role", "practitioner", "--agency", hostile,
		"--at", "2026-12-22T10:00", "--fact", "reason="+hostile, "--fact", `agencies=[school, "\e]8;;http://evil\aclick\e]8;;\a lee\rasha \u202Eeel"]`, "--note", hostile))
	outs = append(outs, exec("case", "fire", dir, "escalate", "--actor", hostile, "--role", "practitioner", "--at", "2026-12-22T11:00",
		"--fact", "urgent=true", "--form", "report.summary="+hostile, "--policy", kinds))
	outs = append(outs,
		exec("case", "show", dir, "--policy", kinds),
		exec("case", "due", dir, "--at", "2026-12-23", "--explain", "--policy", kinds),
		exec("case", "available", dir, "--role", "manager", "--actor", hostile, "--at", "2026-12-23", "--policy", kinds),
		exec("case", "verify", dir, "--policy", kinds),
	)
	for _, out := range outs {
		noRawControls(t, out)
	}
	show := outs[2]
	escaped := `\x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\x0dasha \u202eeel`
	assert.Contains(t, outs[0], "by "+escaped+" (practitioner, "+escaped+")")
	assert.Contains(t, show, "reason      "+escaped+"\n")
	assert.Contains(t, show, "agencies    [school, "+escaped+"]\n")
	assert.Contains(t, show, "report.summary  "+escaped+"\n")
	assert.Contains(t, show, "escalate by "+escaped+" (practitioner): talk -> managers")

	js := exec("case", "show", dir, "--format", "json", "--policy", kinds)
	require.True(t, json.Valid([]byte(js)), js)
	var got struct {
		Head struct {
			Facts map[string]any `json:"facts"`
		} `json:"head"`
		Record []struct {
			Actor string `json:"actor"`
		} `json:"record"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &got))
	assert.Equal(t, hostile, got.Head.Facts["reason"], "JSON gives the value as it is")
	assert.Equal(t, hostile, got.Record[0].Actor)
	assert.NotContains(t, js, "\x1b", "JSON escapes control characters itself")

	// A head edited to name another version: the error quotes it, escaped.
	var head map[string]any
	require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(dir, headFile)), &head))
	head["policy"].(map[string]any)["version"] = hostile
	b, err := json.Marshal(head)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, headFile), b, 0o600))
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitFail, run([]string{"case", "due", dir, "--policy", kinds}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "runs under kinds version "+escaped+", but")
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"))
	noRawControls(t, stderr.String())

	// A head that names a policy not bundled, and a case id of its own.
	head["id"] = hostile
	head["policy"].(map[string]any)["id"] = "elsewhere"
	b, err = json.Marshal(head)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, headFile), b, 0o600))
	stderr.Reset()
	require.Equal(t, exitUsage, run([]string{"case", "due", dir}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "case "+escaped+" runs under policy \"elsewhere\", which is not bundled")
	noRawControls(t, stderr.String())
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return b
}

// A usage error quotes what it was given escaped, as other errors do.
func TestUsageErrorEscapesWhatItQuotes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"case", "raise", kinds, filepath.Join(t.TempDir(), "c"), "--actor", "a", "--role", hostile, "--at", "2026-12-22"}, &stdout, &stderr)
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), `--role \x1b]8;;http://evil\x07click\x1b]8;;\x07 lee\x0dasha \u202eeel: not a role of policy kinds`)
	noRawControls(t, stderr.String())
}

// A scenario file's title and expectations reach the terminal escaped, in
// text and in GitHub annotations.
func TestTestEscapesWhatTheScenarioHolds(t *testing.T) {
	policy, err := filepath.Abs(tiny)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "hostile.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`scenario: "Fine\e]8;;http://evil\aclick\e]8;;\a\r\u202Eeel"
policy: `+policy+`
raised: {at: 2026-12-22T10:00, by: "asha\e[2J", role: practitioner}
expect:
  stage: "talk\rmanagers\u202E"
`), 0o600))
	for _, format := range []string{"text", "github"} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, exitFail, run([]string{"test", "--format", format, file}, &stdout, &stderr), stderr.String())
		out := stdout.String()
		if format == "text" {
			assert.Contains(t, out, `: Fine\x1b]8;;http://evil\x07click\x1b]8;;\x07\x0d\u202eeel`)
			assert.Contains(t, out, `expected stage talk\x0dmanagers\u202e, got stage talk`)
		} else {
			assert.Contains(t, out, `expected stage talk%0Dmanagers\u202e, got stage talk`, "a CR as the workflow command escapes it")
		}
		noRawControls(t, out)
	}
}

// A policy file's titles reach the terminal escaped in timeline's text.
func TestTimelineEscapesWhatThePolicyHolds(t *testing.T) {
	src := strings.Replace(string(mustRead(t, tiny)), "    title: Talk it through", `    title: "Talk\e]8;;http://evil\aclick\e]8;;\a\r\u202Eeel"`, 1)
	require.Contains(t, src, `\u202Eeel`)
	dir := t.TempDir()
	file := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o600))
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"timeline", file, "--raised", "2026-12-22"}, &stdout, &stderr), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, `1. Talk\x1b]8;;http://evil\x07click\x1b]8;;\x07\x0d\u202eeel`)
	noRawControls(t, out)
}

// A closures file's names and sources reach the terminal escaped in
// holidays' text.
func TestHolidaysEscapesWhatTheClosuresHold(t *testing.T) {
	file := filepath.Join(t.TempDir(), "closures.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`- date: 2026-05-12
  name: "Office\e]8;;http://evil\aclick\e]8;;\a move"
  source: "Notice\r\u202E7/6202"
`), 0o600))
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"holidays", "--from", "2026", "--closures", file}, &stdout, &stderr), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, `Office\x1b]8;;http://evil\x07click\x1b]8;;\x07 move`)
	assert.Contains(t, out, `source: Notice\x0d\u202e7/6202`)
	noRawControls(t, out)
}
