package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
)

const (
	schema2Case   = "testdata/case/schema2-case-42.json"
	schema2Edited = "testdata/case/schema2-edited.json"
	kinds         = "testdata/case/kinds.yaml"
)

// caseSession runs case commands in a folder of its own, and writes what
// they did with that folder's path as $TMP, so goldens do not depend on it.
type caseSession struct {
	t   *testing.T
	tmp string
	log strings.Builder
}

func newCaseSession(t *testing.T) *caseSession {
	return &caseSession{t: t, tmp: t.TempDir()}
}

// path is a file in the session's folder.
func (s *caseSession) path(elem ...string) string {
	return filepath.Join(append([]string{s.tmp}, elem...)...)
}

// run runs the command line, logs it, and returns its exit code and output.
func (s *caseSession) run(args ...string) (int, string) {
	s.t.Helper()
	got, code := invocation(s.t, args...)
	got = strings.ReplaceAll(got, s.tmp, "$TMP")
	s.log.WriteString(got)
	return code, got
}

// expect runs the command line and checks its exit code.
func (s *caseSession) expect(code int, args ...string) string {
	s.t.Helper()
	got, out := s.run(args...)
	require.Equal(s.t, code, got, out)
	return out
}

func (s *caseSession) read(elem ...string) []byte {
	s.t.Helper()
	b, err := os.ReadFile(s.path(elem...))
	require.NoError(s.t, err)
	return b
}

func (s *caseSession) lines(elem ...string) []string {
	return strings.Split(strings.TrimSuffix(string(s.read(elem...)), "\n"), "\n")
}

func (s *caseSession) head(dir string) engine.Head {
	s.t.Helper()
	var h engine.Head
	require.NoError(s.t, json.Unmarshal(s.read(dir, headFile), &h))
	return h
}

// The walkthrough the README tells: a Sefton case raised two days before
// Christmas 2026, escalated on Christmas Eve, what Step 2 owes over the
// holiday, an act refused for the wrong role, the line manager's act with
// the revision they read, the record verified; then one line of the record
// edited by hand, and verify naming it.
func TestCaseWalkthrough(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			s := newCaseSession(t)
			c42 := s.path("c-42")
			f := "--format=" + format
			s.expect(exitOK, "case", "raise", f, "sefton", c42, "--actor", "asha", "--role", "practitioner", "--agency", "school", "--at", "2026-12-22T10:00")
			assert.Len(t, s.lines("c-42", recordFile), 1)
			s.expect(exitOK, "case", "fire", f, c42, "discussed", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T15:00")
			s.expect(exitOK, "case", "fire", f, c42, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00",
				"--note", "No agreement on the threshold for a section 47 enquiry")
			assert.Len(t, s.lines("c-42", recordFile), 3, "each act appends one line")
			assert.Equal(t, int64(3), s.head("c-42").Revision)

			s.expect(exitOK, "case", "due", f, c42, "--at", "2026-12-29", "--explain")

			head, record := s.read("c-42", headFile), s.read("c-42", recordFile)
			s.expect(exitFail, "case", "fire", f, c42, "plan_agreed", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-29T10:00")
			assert.Equal(t, head, s.read("c-42", headFile), "a refused act writes nothing")
			assert.Equal(t, record, s.read("c-42", recordFile), "a refused act writes nothing")

			s.expect(exitOK, "case", "available", f, c42, "--role", "line_manager", "--at", "2026-12-29")
			s.expect(exitOK, "case", "fire", f, c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--agency", "school", "--at", "2026-12-29T14:00", "--revision", "3")
			s.expect(exitOK, "case", "show", f, c42)
			s.expect(exitOK, "case", "verify", f, c42)

			lines := s.lines("c-42", recordFile)
			require.Len(t, lines, 4)
			edited := strings.Replace(lines[2], `"actor":"asha"`, `"actor":"lee"`, 1)
			require.NotEqual(t, lines[2], edited)
			lines[2] = edited
			require.NoError(t, os.WriteFile(s.path("c-42", recordFile), []byte(strings.Join(lines, "\n")+"\n"), 0o600))
			out := s.expect(exitFail, "case", "verify", f, c42)
			if format == "text" {
				assert.Contains(t, out, "$TMP/c-42/record.jsonl:3: entry 3 is edited")
			} else {
				assert.Contains(t, out, `"line": 3`)
			}
			golden(t, filepath.Join("testdata", "golden", "case", "walkthrough-"+format+".txt"), s.log.String())
		})
	}
}

// raised is a session with a Sefton case raised and escalated to Step 2.
func raised(t *testing.T) (*caseSession, string) {
	s := newCaseSession(t)
	c42 := s.path("c-42")
	s.expect(exitOK, "case", "raise", "sefton", c42, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00")
	s.expect(exitOK, "case", "fire", c42, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00")
	s.log.Reset()
	return s, c42
}

// What each subcommand says when it is given something wrong, or something
// it must refuse, and that it writes nothing then.
func TestCaseCommands(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(s *caseSession, c42 string) []string
		code int
	}{
		{"help", func(*caseSession, string) []string { return []string{"case", "--help"} }, exitOK},
		{"missing-subcommand", func(*caseSession, string) []string { return []string{"case"} }, exitUsage},
		{"unknown-subcommand", func(*caseSession, string) []string { return []string{"case", "fier"} }, exitUsage},
		{"help-fire", func(*caseSession, string) []string { return []string{"help", "case", "fire"} }, exitOK},
		{"raise-help", func(*caseSession, string) []string { return []string{"case", "raise", "-h"} }, exitOK},
		{"raise-missing-role", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "sefton", s.path("new"), "--actor", "asha", "--at", "2026-12-22"}
		}, exitUsage},
		{"raise-unknown-role", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "sefton", s.path("new"), "--actor", "asha", "--role", "practioner", "--at", "2026-12-22"}
		}, exitUsage},
		{"raise-bad-time", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "sefton", s.path("new"), "--actor", "asha", "--role", "practitioner", "--at", "22/12/2026"}
		}, exitUsage},
		{"raise-unknown-fact", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "sefton", s.path("new"), "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22", "--fact", "immediate_rsk=true"}
		}, exitUsage},
		{"raise-wrong-fact-type", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "--format", "json", "sefton", s.path("new"), "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22", "--fact", "immediate_risk=often"}
		}, exitFail},
		{"raise-over-a-case", func(_ *caseSession, c42 string) []string {
			return []string{"case", "raise", "sefton", c42, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22"}
		}, exitFail},
		{"raise-dry-run", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "sefton", s.path("new"), "--id", "c-43", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22", "--dry-run"}
		}, exitOK},
		{"raise-unknown-policy", func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "setfon", s.path("new"), "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22"}
		}, exitUsage},
		{"fire-help", func(*caseSession, string) []string { return []string{"case", "fire", "--help"} }, exitOK},
		{"fire-no-such-folder", func(s *caseSession, _ string) []string {
			return []string{"case", "fire", s.path("c-4"), "escalate", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30"}
		}, exitUsage},
		{"fire-not-a-case", func(s *caseSession, _ string) []string {
			return []string{"case", "fire", s.tmp, "escalate", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30"}
		}, exitUsage},
		{"fire-missing-event", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30"}
		}, exitUsage},
		{"fire-unknown-event", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "escalte", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30"}
		}, exitFail},
		{"fire-form-incomplete", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "escalate", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30",
				"--form", "agency_escalation_summary_log.manager=Lee Marsh"}
		}, exitFail},
		{"fire-form-incomplete-json", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", "--format", "json", c42, "escalate", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30",
				"--form", "agency_escalation_summary_log.manager=Lee Marsh"}
		}, exitFail},
		{"fire-unknown-form-field", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "escalate", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30",
				"--form", "agency_escalation_summary_log.managr=Lee Marsh"}
		}, exitUsage},
		{"fire-bad-form-flag", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "escalate", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30",
				"--form", "manager=Lee Marsh"}
		}, exitUsage},
		{"fire-stale-revision", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30", "--revision", "1"}
		}, exitFail},
		{"fire-before-last-event", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", "--format", "json", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-23"}
		}, exitFail},
		{"fire-dry-run", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30", "--dry-run"}
		}, exitOK},
		{"fire-version-mismatch", func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30", "--policy", tiny}
		}, exitFail},
		{"due-help", func(*caseSession, string) []string { return []string{"case", "due", "--help"} }, exitOK},
		{"due-json", func(_ *caseSession, c42 string) []string {
			return []string{"case", "due", "--format", "json", c42, "--at", "2026-12-31T09:00", "--explain"}
		}, exitOK},
		{"available-help", func(*caseSession, string) []string { return []string{"case", "available", "--help"} }, exitOK},
		{"available-missing-role", func(_ *caseSession, c42 string) []string {
			return []string{"case", "available", c42, "--at", "2026-12-29"}
		}, exitUsage},
		{"available-json", func(_ *caseSession, c42 string) []string {
			return []string{"case", "available", "--format", "json", c42, "--role", "line_manager", "--actor", "lee", "--at", "2026-12-29"}
		}, exitOK},
		{"verify-help", func(*caseSession, string) []string { return []string{"case", "verify", "--help"} }, exitOK},
		{"verify-missing-checkpoint", func(s *caseSession, c42 string) []string {
			return []string{"case", "verify", c42, "--checkpoint", s.path("checkpoints.jsonl")}
		}, exitUsage},
		{"show-help", func(*caseSession, string) []string { return []string{"case", "show", "--help"} }, exitOK},
		{"rebuild-help", func(*caseSession, string) []string { return []string{"case", "rebuild", "--help"} }, exitOK},
		{"rebuild-up-to-date", func(_ *caseSession, c42 string) []string { return []string{"case", "rebuild", c42} }, exitOK},
		{"migrate-help", func(*caseSession, string) []string { return []string{"case", "migrate", "--help"} }, exitOK},
		{"migrate", func(s *caseSession, _ string) []string {
			return []string{"case", "migrate", schema2Case, s.path("case-42")}
		}, exitOK},
		{"migrate-edited", func(s *caseSession, _ string) []string {
			return []string{"case", "migrate", schema2Edited, s.path("case-42")}
		}, exitFail},
		{"migrate-a-head", func(_ *caseSession, c42 string) []string {
			return []string{"case", "migrate", filepath.Join(c42, headFile), c42 + "-again"}
		}, exitFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c42 := raised(t)
			head, record := s.read("c-42", headFile), s.read("c-42", recordFile)
			s.expect(tc.code, tc.args(s, c42)...)
			golden(t, filepath.Join("testdata", "golden", "case", tc.name+".txt"), s.log.String())
			assert.Equal(t, head, s.read("c-42", headFile), "the case is not changed")
			assert.Equal(t, record, s.read("c-42", recordFile), "the case is not changed")
			if strings.HasPrefix(tc.name, "raise-") {
				assert.NoDirExists(t, s.path("new"), "a raise that is refused, or dry, makes no folder")
			}
		})
	}
}

// A checkpoint kept elsewhere shows a case put back to an earlier state,
// which is otherwise a genuine record, only an old one.
func TestCaseVerifyCheckpoint(t *testing.T) {
	s, c42 := raised(t)
	old := s.path("old")
	require.NoError(t, os.CopyFS(old, os.DirFS(c42)))
	out := s.expect(exitOK, "case", "fire", "--format", "json", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-29T14:00")
	var fired struct{ Checkpoint json.RawMessage }
	_, body, _ := strings.Cut(out, "-- stdout --\n")
	require.NoError(t, json.Unmarshal([]byte(body), &fired))
	checkpoints := s.path("checkpoints.jsonl")
	other := `{"case":"c-99","revision":9,"hash":"` + strings.Repeat("ab", 32) + `"}`
	require.NoError(t, os.WriteFile(checkpoints, []byte(other+"\n"+string(fired.Checkpoint)+"\n"), 0o600))

	s.expect(exitOK, "case", "verify", c42, "--checkpoint", checkpoints)
	s.expect(exitFail, "case", "verify", old, "--checkpoint", checkpoints)
	s.expect(exitFail, "case", "verify", "--format", "json", old, "--checkpoint", checkpoints)
	require.NoError(t, os.WriteFile(checkpoints, []byte(other+"\n"), 0o600))
	s.expect(exitFail, "case", "verify", c42, "--checkpoint", checkpoints)
	require.NoError(t, os.WriteFile(checkpoints, []byte("{\"case\":\n"), 0o600))
	s.expect(exitFail, "case", "verify", c42, "--checkpoint", checkpoints)
	golden(t, filepath.Join("testdata", "golden", "case", "verify-checkpoint.txt"), s.log.String())
}

// Each way a record can be changed by hand is named by verify: the entry,
// its line when it has one, and how.
func TestCaseVerifyNamesTheEntry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(lines []string) []string
		how    string
		says   string
	}{
		{"edited", func(l []string) []string {
			l[1] = strings.Replace(l[1], `"actor":"asha"`, `"actor":"lee"`, 1)
			return l
		}, "edited", "record.jsonl:2: entry 2 is edited"},
		{"missing", func(l []string) []string { return append(l[:1:1], l[2:]...) }, "missing", "record.jsonl: entry 2 is missing"},
		{"swapped", func(l []string) []string {
			l[1], l[2] = l[2], l[1]
			return l
		}, "out of order", "record.jsonl:3: entry 2 is out of order"},
		{"truncated", func(l []string) []string { return l[:2] }, "missing", "record.jsonl: entry 3 is missing"},
		{"not-json", func(l []string) []string {
			l[1] = "{" + l[1]
			return l
		}, "unreadable", "record.jsonl:2: not an entry of a case's record"},
		{"appended", func(l []string) []string { return append(l, l[2]) }, "out of order", "record.jsonl:4: entry 3 is out of order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c42 := raised(t)
			s.expect(exitOK, "case", "fire", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-29T14:00")
			lines := tc.change(s.lines("c-42", recordFile))
			require.NoError(t, os.WriteFile(s.path("c-42", recordFile), []byte(strings.Join(lines, "\n")+"\n"), 0o600))

			out := s.expect(exitFail, "case", "verify", c42)
			assert.Contains(t, out, tc.says)
			out = s.expect(exitFail, "case", "verify", "--format", "json", c42)
			_, body, _ := strings.Cut(out, "-- stdout --\n")
			var v struct {
				Verified bool
				Problem  struct{ How string }
			}
			require.NoError(t, json.Unmarshal([]byte(body), &v))
			assert.False(t, v.Verified)
			assert.Equal(t, tc.how, v.Problem.How)
		})
	}
}

// A head edited by hand is named as the head's fault, at the head's file.
func TestCaseVerifyNamesAnEditedHead(t *testing.T) {
	s, c42 := raised(t)
	head := strings.Replace(string(s.read("c-42", headFile)), `"immediate_risk": false`, `"immediate_risk": true`, 1)
	require.NoError(t, os.WriteFile(s.path("c-42", headFile), []byte(head), 0o600))
	out := s.expect(exitFail, "case", "verify", c42)
	assert.Contains(t, out, "$TMP/c-42/head.json: the head differs from its record: its facts.immediate_risk is not what the record rebuilds")
	s.expect(exitFail, "case", "rebuild", c42)
	assert.Equal(t, head, string(s.read("c-42", headFile)), "rebuild leaves a changed head for verify to report")
}

// A command stopped after it appended its entry and before it replaced the
// head leaves the record one entry ahead: the next act refuses to append
// after it, and rebuild catches the head up.
func TestCaseRebuildAfterAnInterruptedAct(t *testing.T) {
	s, c42 := raised(t)
	before := s.read("c-42", headFile)
	s.expect(exitOK, "case", "fire", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-29T14:00")
	require.NoError(t, os.WriteFile(s.path("c-42", headFile), before, 0o600)) // the head as it was before the act

	record := s.read("c-42", recordFile)
	s.expect(exitFail, "case", "fire", c42, "resolve", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-30")
	assert.Equal(t, record, s.read("c-42", recordFile), "nothing is appended after an entry the head does not know")
	s.expect(exitOK, "case", "rebuild", c42)
	assert.Equal(t, int64(3), s.head("c-42").Revision)
	s.expect(exitOK, "case", "verify", c42)

	// A head ahead of its record is not taken back.
	lines := s.lines("c-42", recordFile)
	require.NoError(t, os.WriteFile(s.path("c-42", recordFile), []byte(strings.Join(lines[:2], "\n")+"\n"), 0o600))
	s.expect(exitFail, "case", "rebuild", c42)
	assert.Equal(t, int64(3), s.head("c-42").Revision)

	// Without a head, the policy is named on the command line.
	require.NoError(t, os.Remove(s.path("c-42", headFile)))
	s.expect(exitUsage, "case", "rebuild", c42)
	s.expect(exitOK, "case", "rebuild", c42, "--policy", "sefton")
	assert.Equal(t, int64(2), s.head("c-42").Revision)
	golden(t, filepath.Join("testdata", "golden", "case", "rebuild.txt"), s.log.String())
}

// Acts on one case at once take turns: each one that is taken follows on
// from the last, and the record verifies.
func TestCaseConcurrentActs(t *testing.T) {
	s := newCaseSession(t)
	c42 := s.path("c-42")
	s.expect(exitOK, "case", "raise", kinds, c42, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00")
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stdout, stderr bytes.Buffer
			codes[i] = run([]string{"case", "fire", c42, "agreed", "--actor", "asha", "--role", "practitioner",
				"--at", "2026-12-22T11:00", "--fact", fmt.Sprintf("meetings=%d", i+1), "--policy", kinds}, &stdout, &stderr)
			if codes[i] != exitOK {
				assert.Contains(t, stderr.String(), "another command is changing the case")
			}
		}()
	}
	wg.Wait()
	taken := 0
	for _, c := range codes {
		if c == exitOK {
			taken++
		}
	}
	assert.GreaterOrEqual(t, taken, 1)
	assert.Len(t, s.lines("c-42", recordFile), 1+taken)
	assert.Equal(t, int64(1+taken), s.head("c-42").Revision)
	s.expect(exitOK, "case", "verify", c42, "--policy", kinds)
}

// Facts and form fields given on the command line: text as written, other
// values as a scenario file writes them, and names checked against the
// policy with the name meant.
func TestActFlagValues(t *testing.T) {
	p, diags := engineLoad(t, kinds)
	require.False(t, diags.HasErrors(), diags)
	facts, forms := &factsFlag{}, &formsFlag{}
	for _, g := range []string{"urgent=true", "meetings=3", "reason=no: not agreed, see notes", "area=threshold",
		"agencies=[police, school]", "referred=2026-12-01", "child_name=Sam Smith"} {
		require.NoError(t, facts.Set(g))
	}
	for _, g := range []string{"report.summary=Threshold: a=b", "report.contact=lee@example.org", "report.sent_on=2026-12-02",
		"report.pages=12", "report.urgent=false", "report.level=high", "report.child_initials= S.S."} {
		require.NoError(t, forms.Set(g))
	}
	gotFacts, err := facts.values(p)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"urgent": true, "meetings": 3, "reason": "no: not agreed, see notes", "area": "threshold",
		"agencies": []any{"police", "school"}, "referred": "2026-12-01", "child_name": "Sam Smith",
	}, gotFacts)
	gotForms, err := forms.values(p)
	require.NoError(t, err)
	assert.Equal(t, map[string]map[string]any{"report": {
		"summary": "Threshold: a=b", "contact": "lee@example.org", "sent_on": "2026-12-02",
		"pages": 12, "urgent": false, "level": "high", "child_initials": " S.S.",
	}}, gotForms)

	for _, tc := range []struct {
		flag, given, says string
	}{
		{"fact", "urgnt=true", `--fact urgnt: not a fact of policy kinds: did you mean "urgent"?`},
		{"fact", "meetings=", `--fact meetings: the value "" is not a value`},
		{"fact", "meetings=[1", `--fact meetings: the value "[1" is not a value`},
		{"form", "reprt.summary=x", `--form reprt.summary: not a form of policy kinds: did you mean "report"?`},
		{"form", "report.sumary=x", `--form report.sumary: not a field of form report: did you mean "summary"?`},
		{"form", "report.pages={", `--form report.pages: the value "{" is not a value`},
	} {
		var err error
		if tc.flag == "fact" {
			f := &factsFlag{}
			require.NoError(t, f.Set(tc.given))
			_, err = f.values(p)
		} else {
			f := &formsFlag{}
			require.NoError(t, f.Set(tc.given))
			_, err = f.values(p)
		}
		require.Error(t, err, tc.given)
		assert.Contains(t, err.Error(), tc.says)
	}

	// A personal value stays out of the message.
	personal := &formsFlag{}
	require.NoError(t, personal.Set("report.child_age=[twelve"))
	_, err = personal.values(p)
	require.Error(t, err)
	assert.Equal(t, "--form report.child_age: the value (personal data, not shown) is not a value: write it as in a scenario file, such as true, 3 or [a, b]", err.Error())

	for _, bad := range []string{"report", "report.=x", ".summary=x", "report.summary", "=x"} {
		assert.Error(t, (&formsFlag{}).Set(bad), bad)
	}
}

// FuzzActFlags gives the --fact and --form flags any text: they never
// panic, a value they accept is read back whole (text exactly as written),
// and a name they refuse is named in the error.
func FuzzActFlags(f *testing.F) {
	for _, seed := range []string{
		"urgent=true", "meetings=3", "reason=a: b", "agencies=[a, b]", "referred=2026-12-01",
		"report.summary=x=y", "report.pages=12", "report.level=high", "report.child_initials=", "x", "=",
		"report..summary=1", "urgent={a: [", "meetings=*a", "report.summary=\x00\xff",
	} {
		f.Add(seed)
	}
	p, diags := engineLoad(f, kinds)
	require.False(f, diags.HasErrors())
	f.Fuzz(func(t *testing.T, s string) {
		if facts := (&factsFlag{}); facts.Set(s) == nil {
			name, raw, _ := strings.Cut(s, "=")
			got, err := facts.values(p)
			switch fact, known := p.Fact(strings.TrimSpace(name)); {
			case !known:
				require.Error(t, err)
				assert.Contains(t, err.Error(), "--fact "+strings.TrimSpace(name)+":")
			case textFact(fact.Type):
				require.NoError(t, err)
				assert.Equal(t, raw, got[fact.ID], "text is taken as written")
			case err == nil:
				assert.Contains(t, got, fact.ID)
			}
		}
		if forms := (&formsFlag{}); forms.Set(s) == nil {
			form, field, raw, ok := splitFormField(s)
			require.True(t, ok)
			got, err := forms.values(p)
			if err != nil {
				assert.Contains(t, err.Error(), "--form "+form+"."+field+":")
				return
			}
			fm, _ := p.Form(form)
			for _, fd := range formFields(fm) {
				if fd.ID == field && textField(fd.Type) {
					assert.Equal(t, raw, got[form][field], "text is taken as written")
				}
			}
		}
	})
}

func engineLoad(tb testing.TB, file string) (*engine.Policy, engine.Diagnostics) {
	src, err := os.ReadFile(file)
	require.NoError(tb, err)
	return engine.Load(file, src)
}

// A Staffordshire case stored by an earlier release, agreed at Stage 1 and
// its outcome advised, runs on under the encoding it was raised under, which
// still has the resolve event that the current encoding dropped; a case
// raised now is raised under the current encoding.
func TestCaseUnderAnEarlierEncoding(t *testing.T) {
	b, err := os.ReadFile("../../policies/testdata/stored/staffordshire-stoke/resolved-at-stage1.json")
	require.NoError(t, err)
	var stored struct {
		Entries []json.RawMessage `json:"entries"`
		Points  []struct {
			Head json.RawMessage `json:"head"`
		} `json:"points"`
	}
	require.NoError(t, json.Unmarshal(b, &stored))
	const agreed = 4 // raise, disagreement_raised, agree, outcome_advised
	s := newCaseSession(t)
	dir := s.path("stored")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, headFile), stored.Points[agreed-1].Head, 0o644))
	var record bytes.Buffer
	for _, en := range stored.Entries[:agreed] {
		record.Write(en)
		record.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, recordFile), record.Bytes(), 0o644))

	s.expect(exitOK, "case", "verify", dir)
	s.expect(exitOK, "case", "due", dir, "--at", "2026-11-12T14:00")
	assert.Contains(t, s.expect(exitOK, "case", "available", dir, "--role", "practitioner", "--at", "2026-11-12T14:00"), "resolve")
	s.expect(exitOK, "case", "fire", dir, "resolve", "--actor", "pat", "--role", "practitioner", "--at", "2026-11-12T14:00", "--policy", "staffordshire-stoke")
	h := s.head("stored")
	assert.Equal(t, engine.PolicyRef{ID: "staffordshire-stoke", Version: "7B/G02 (undated)"}, h.Policy)
	assert.Equal(t, "resolved", h.Outcome)

	s.expect(exitOK, "case", "raise", "staffordshire-stoke", s.path("new"), "--actor", "pat", "--role", "practitioner", "--at", "2026-11-12T14:00")
	assert.Equal(t, "7B/G02 (undated), encoding 2", s.head("new").Policy.Version)

	h.Policy.Version = "7B/G01"
	hb, err := json.Marshal(h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, headFile), hb, 0o644))
	out := s.expect(exitFail, "case", "due", dir)
	assert.Contains(t, out, `bundled policy staffordshire-stoke has no version "7B/G01" (it has "7B/G02 (undated), encoding 2", "7B/G02 (undated)")`)
}
