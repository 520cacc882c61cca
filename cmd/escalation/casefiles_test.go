package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// entryLine is a record's line for entry seq, padded with a note to about
// size bytes.
func entryLine(t testing.TB, seq, size int) string {
	t.Helper()
	en := engine.Entry{Seq: seq, Event: "agreed", Actor: "asha", Role: "practitioner", Note: strings.Repeat("n", max(size-200, 0))}
	b, err := json.Marshal(en)
	require.NoError(t, err)
	return string(b)
}

func recordFileWith(t testing.TB, content string) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), recordFile)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// lastEntry finds the last entry from the end of the record, whatever the
// length of its lines, and refuses a record that does not end in a whole
// entry.
func TestLastEntry(t *testing.T) {
	short, long := entryLine(t, 1, 300), entryLine(t, 2, 3*tailBytes)
	for _, tc := range []struct {
		name, content string
		seq           int
		says          string
	}{
		{"one entry", short + "\n", 1, ""},
		{"short after long", long + "\n" + entryLine(t, 3, 300) + "\n", 3, ""},
		{"longer than the first piece read", short + "\n" + long + "\n", 2, ""},
		{"the only line is long", long + "\n", 2, ""},
		{"blank lines after", short + "\n \n\t\r\n\v\n", 1, ""},
		{"crlf", short + "\r\n", 1, ""},
		{"empty", "", 0, "does not end with a whole line"},
		{"no final newline", short + "\n" + long, 0, "does not end with a whole line"},
		{"not json", short + "\n{oops\n", 0, "its last line is not an entry"},
		{"no number", short + "\n{}\n", 0, "it has no number (seq)"},
		{"over the limit", short + "\n" + strings.Repeat("x", maxEntryBytes+1) + "\n", 0, "its last line is over 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			en, err := lastEntry(recordFileWith(t, tc.content), "record.jsonl")
			if tc.says != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.says)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.seq, en.Seq)
		})
	}
}

// FuzzRecord gives a record's reader any file: it never panics, and when
// the whole file reads as entries and ends with a newline, the last entry
// an act finds from the end is the last one read from the start. The same
// bytes read as a head put a syntax error at a line and column inside them.
func FuzzRecord(f *testing.F) {
	line := entryLine(f, 1, 0)
	for _, seed := range []string{
		line + "\n", line + "\n" + entryLine(f, 2, 0) + "\n", "\n\n", "", "{}\n", `{"seq":0}` + "\n",
		line + "\n\v\n", line, `{"seq":1,"at":"x"}` + "\n", `{"seq":3} ` + "\r\n", "\xc2\x85" + line + "\xc2\x85\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), recordFile)
		require.NoError(t, os.WriteFile(path, b, 0o600))
		rr := newRecordReader(path)
		var last *engine.Entry
		whole := true
		for en, err := range rr.entries() {
			if err != nil {
				whole = false
				assert.Contains(t, err.Error(), path)
				break
			}
			last = en
		}
		file, err := os.Open(path)
		require.NoError(t, err)
		defer file.Close()
		en, err := lastEntry(file, path)
		if whole && last != nil && bytes.HasSuffix(b, []byte("\n")) {
			require.NoError(t, err)
			assert.Equal(t, last.Seq, en.Seq)
			assert.Equal(t, last.Hash, en.Hash)
		}

		// The same bytes as a head: where a syntax error is, within them.
		var v any
		if pos := jsonPos(b, json.Unmarshal(b, &v)); pos != "" {
			var line, col int
			_, err := fmt.Sscanf(pos, ":%d:%d", &line, &col)
			require.NoError(t, err, pos)
			assert.LessOrEqual(t, line, bytes.Count(b, []byte("\n"))+1, pos)
			assert.GreaterOrEqual(t, col, 1, pos)
		}
	})
}

// An act reads the same few bytes of its record however long the record
// is: the earlier lines here are copies of the first entry, which an act
// never reads. It runs the whole command with --dry-run (policy load,
// checks, Fire, the answer), so a write's fsync does not drown the
// comparison.
func BenchmarkCaseFireDryRun(b *testing.B) {
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("record=%d_lines", n), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "c-42")
			require.Equal(b, exitOK, run([]string{"case", "raise", "sefton", dir, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00"}, io.Discard, io.Discard))
			if n > 1 {
				first, err := os.ReadFile(filepath.Join(dir, recordFile))
				require.NoError(b, err)
				padded := append(bytes.Repeat(first, n-1), first...)
				require.NoError(b, os.WriteFile(filepath.Join(dir, recordFile), padded, 0o600))
			}
			args := []string{"case", "fire", dir, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00", "--dry-run"}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if code := run(args, io.Discard, io.Discard); code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}

// A case folder whose files are not what a case's are is refused with the
// file, where in it, and what to do, and nothing is written.
func TestCaseFilesThatAreNotACase(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(s *caseSession, c42 string)
		args  func(s *caseSession, c42 string) []string
		code  int
		says  string
	}{
		{"head not json", func(s *caseSession, c42 string) {
			require.NoError(t, os.WriteFile(filepath.Join(c42, headFile), []byte("{\n  \"id\": \n"), 0o600))
		}, func(_ *caseSession, c42 string) []string { return []string{"case", "due", c42} }, exitFail,
			"$TMP/c-42/head.json:3:1: not a case's head: unexpected end of JSON input; if its record is intact, move it aside and run 'escalation case rebuild $TMP/c-42 --policy POLICY'"},
		{"head of the wrong type", func(s *caseSession, c42 string) {
			require.NoError(t, os.WriteFile(filepath.Join(c42, headFile), []byte("[\n  1\n]\n"), 0o600))
		}, func(_ *caseSession, c42 string) []string { return []string{"case", "show", c42} }, exitFail,
			// Valid JSON is read by the engine's decoder, which says the byte.
			"$TMP/c-42/head.json: not a case's head: reading a case's head: at byte 0: expected '{'"},
		{"record ends in a line that is not an entry", func(s *caseSession, c42 string) {
			f, err := os.OpenFile(filepath.Join(c42, recordFile), os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString("garbage\n")
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}, func(_ *caseSession, c42 string) []string {
			return []string{"case", "fire", c42, "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-29"}
		}, exitFail, "$TMP/c-42/record.jsonl: its last line is not an entry of a case's record: invalid character 'g' looking for beginning of value; 'escalation case verify' says which entry is at fault"},
		{"raise into a file", func(s *caseSession, _ string) {
			require.NoError(t, os.WriteFile(s.path("new"), []byte("x"), 0o600))
		}, func(s *caseSession, _ string) []string {
			return []string{"case", "raise", "sefton", s.path("new"), "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22"}
		}, exitFail, "$TMP/new is a file, not a folder: give a new folder for the case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c42 := raised(t)
			tc.spoil(s, c42)
			head, record := s.read("c-42", headFile), s.read("c-42", recordFile)
			out := s.expect(tc.code, tc.args(s, c42)...)
			assert.Contains(t, out, tc.says)
			assert.Equal(t, head, s.read("c-42", headFile), "nothing is written")
			assert.Equal(t, record, s.read("c-42", recordFile), "nothing is written")
		})
	}
}

// An act is refused, with nothing written, when head.json is not the head
// its record ends at: a head put back two acts, or another case's head at
// the same revision.
func TestCaseFireRefusesAHeadItsRecordDoesNotEndAt(t *testing.T) {
	s := newCaseSession(t)
	c42, other := s.path("c-42"), s.path("c-43")
	for _, dir := range []string{c42, other} {
		s.expect(exitOK, "case", "raise", kinds, dir, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00")
	}
	first := s.read("c-42", headFile)
	for _, dir := range []string{c42, other} { // the same acts on both
		s.expect(exitOK, "case", "fire", dir, "agreed", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T11:00", "--policy", kinds)
		s.expect(exitOK, "case", "fire", dir, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-23T11:00",
			"--fact", "urgent=true", "--form", "report.summary=No agreement", "--policy", kinds)
	}
	current, record := s.read("c-42", headFile), s.read("c-42", recordFile)
	for _, tc := range []struct {
		name string
		head []byte
		says string
	}{
		{"put back two acts", first, "$TMP/c-42/record.jsonl ends at entry 3, which is not the entry $TMP/c-42/head.json names (revision 1)"},
		{"another case's", s.read("c-43", headFile), "$TMP/c-42/record.jsonl ends at entry 3, which is not the entry $TMP/c-42/head.json names (revision 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(s.path("c-42", headFile), tc.head, 0o600))
			out := s.expect(exitFail, "case", "fire", c42, "resolve", "--actor", "lee", "--role", "manager", "--at", "2026-12-24T11:00", "--policy", kinds)
			assert.Contains(t, out, tc.says)
			assert.Contains(t, out, "'escalation case verify $TMP/c-42' says how")
			assert.Equal(t, record, s.read("c-42", recordFile), "nothing is appended")
			assert.Equal(t, tc.head, s.read("c-42", headFile), "the head is not replaced")
		})
	}
	// The genuine head put back, the act is taken.
	require.NoError(t, os.WriteFile(s.path("c-42", headFile), current, 0o600))
	s.expect(exitOK, "case", "fire", c42, "resolve", "--actor", "lee", "--role", "manager", "--at", "2026-12-24T11:00", "--policy", kinds)
	s.expect(exitOK, "case", "verify", c42, "--policy", kinds)
}

// With the host's key, every entry is authenticated: verify checks the
// MACs, a record rewritten without the key fails as unauthenticated, acts
// with another key are refused, and verify without the key says it did not
// check them. The key never appears in what the commands print.
func TestCaseRecordKey(t *testing.T) {
	s := newCaseSession(t)
	c42 := s.path("c-42")
	key, other, short := s.path("key"), s.path("other-key"), s.path("short-key")
	secret := "k3y-" + strings.Repeat("s", 40)
	require.NoError(t, os.WriteFile(key, []byte(secret), 0o600))
	require.NoError(t, os.WriteFile(other, []byte(strings.Repeat("o", 32)), 0o600))
	require.NoError(t, os.WriteFile(short, []byte(strings.Repeat("t", 31)), 0o600))

	s.expect(exitOK, "case", "raise", "sefton", c42, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00", "--key-file", key)
	s.expect(exitOK, "case", "fire", c42, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00", "--key-file", key)
	for _, line := range s.lines("c-42", recordFile) {
		assert.Contains(t, line, `"mac":`, "every entry is authenticated")
	}
	out := s.expect(exitOK, "case", "verify", c42, "--key-file", key)
	assert.Contains(t, out, "Its entries are authenticated with the key")
	out = s.expect(exitOK, "case", "verify", "--format", "json", c42, "--key-file", key)
	assert.Contains(t, out, `"authenticated": true`)
	out = s.expect(exitOK, "case", "verify", c42)
	assert.Contains(t, out, "2 entries carry a MAC, not checked: give the host's key with --key-file to check them")
	out = s.expect(exitOK, "case", "verify", "--format", "json", c42)
	assert.Contains(t, out, `"authenticated": false`)

	out = s.expect(exitFail, "case", "verify", c42, "--key-file", other)
	assert.Contains(t, out, "$TMP/c-42/record.jsonl:1: entry 1 is unauthenticated: its MAC was not made with the host's key")
	out = s.expect(exitFail, "case", "rebuild", c42, "--key-file", other)
	assert.Contains(t, out, "unauthenticated")

	out = s.expect(exitFail, "case", "verify", c42, "--key-file", short)
	assert.Contains(t, out, "the key file $TMP/short-key holds 31 bytes, and a record key is at least 32")
	s.expect(exitUsage, "case", "verify", c42, "--key-file", s.path("no-key"))

	// An act with another key (an act checks no MAC, as Fire does not): the
	// chain holds, and verify with the host's key names the act.
	s2 := newCaseSession(t)
	forged := s2.path("c-42")
	s2.expect(exitOK, "case", "raise", "sefton", forged, "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00", "--key-file", key)
	s2.expect(exitOK, "case", "fire", forged, "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00", "--key-file", other)
	out = s2.expect(exitFail, "case", "verify", forged, "--key-file", key)
	assert.Contains(t, out, "entry 2 is unauthenticated")

	assert.NotContains(t, s.log.String()+s2.log.String(), secret)
	assert.NotContains(t, s.log.String()+s2.log.String(), strings.Repeat("o", 32))
}

// piped runs a command line with stdin as its standard input.
func piped(stdin []byte, args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = runWith(args, bytes.NewReader(stdin), &out, &errs)
	return code, out.String(), errs.String()
}

// A host that stores cases itself drives the engine through standard input
// and output: raise prints the first head and entry, fire takes a head on
// standard input and prints the next head and its entry, which follow on
// from the last; due and available read a head there too. Nothing is
// written anywhere, and the entries the host keeps verify once in a folder.
func TestCaseOnStandardInput(t *testing.T) {
	type act struct {
		Head  engine.Head
		Entry engine.Entry
	}
	decode := func(out string) act {
		t.Helper()
		var a act
		require.NoError(t, json.Unmarshal([]byte(out), &a), out)
		return a
	}
	dir := t.TempDir()

	code, out, stderr := piped(nil, "case", "raise", "--format", "json", "sefton", "-", "--id", "c-42", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22T10:00")
	require.Equal(t, exitOK, code, stderr)
	raised := decode(out)
	assert.Equal(t, int64(1), raised.Head.Revision)
	assert.Contains(t, out, `"written": false`)
	headJSON, err := json.Marshal(raised.Head)
	require.NoError(t, err)

	code, out, stderr = piped(headJSON, "case", "fire", "--format", "json", "-", "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00", "--revision", "1")
	require.Equal(t, exitOK, code, stderr)
	fired := decode(out)
	assert.Equal(t, int64(2), fired.Head.Revision)
	assert.Equal(t, "step2", fired.Head.Stage)
	assert.Equal(t, 2, fired.Entry.Seq)
	assert.Equal(t, raised.Entry.Hash, fired.Entry.Prev, "the entry follows on from the last")

	code, out, _ = piped(headJSON, "case", "fire", "-", "escalate", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-24T16:00")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "Fired escalate on case c-42: step1 -> step2")
	assert.Contains(t, out, "Entry 2 and the next head (revision 2) are yours to store (--format json prints them); nothing was written.")

	next, err := json.Marshal(fired.Head)
	require.NoError(t, err)
	code, out, stderr = piped(next, "case", "due", "-", "--at", "2026-12-29")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "managers_agree_plan  pending  4 working days  due by the end of Wed 30 Dec 2026")
	code, out, stderr = piped(next, "case", "available", "-", "--role", "line_manager", "--at", "2026-12-29")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "plan_agreed")

	// A stale head is refused as from a folder.
	code, out, _ = piped(next, "case", "fire", "-", "plan_agreed", "--actor", "lee", "--role", "line_manager", "--at", "2026-12-29", "--revision", "1")
	assert.Equal(t, exitFail, code)
	assert.Contains(t, out, "stale_revision")

	_, err = os.Lstat(stdinCase)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing is written, not even a folder named -")

	// What the host stored verifies.
	c42 := filepath.Join(dir, "c-42")
	require.NoError(t, os.Mkdir(c42, 0o700))
	var record bytes.Buffer
	for _, en := range []engine.Entry{raised.Entry, fired.Entry} {
		b, err := json.Marshal(en)
		require.NoError(t, err)
		record.Write(append(b, '\n'))
	}
	require.NoError(t, os.WriteFile(filepath.Join(c42, recordFile), record.Bytes(), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(c42, headFile), next, 0o600))
	code, _, stderr = piped(nil, "case", "verify", c42)
	assert.Equal(t, exitOK, code, stderr)

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		says  string
	}{
		{"raise without an id", "", []string{"case", "raise", "sefton", "-", "--actor", "asha", "--role", "practitioner", "--at", "2026-12-22"}, exitUsage,
			"missing --id ID: a case raised on standard output (DIR -) has no folder to name it"},
		{"not json", "{\n \"id\": }", []string{"case", "due", "-"}, exitFail,
			"escalation case due: standard input:2:8: not a case's head: invalid character '}' looking for beginning of value"},
		{"nothing", "", []string{"case", "available", "-", "--role", "line_manager"}, exitFail, "standard input:1:1: not a case's head"},
		{"too large", strings.Repeat(" ", maxHeadBytes+1), []string{"case", "fire", "-", "escalate", "--actor", "a", "--role", "practitioner", "--at", "2026-12-22"}, exitFail,
			"the head on standard input is over 1048576 bytes"},
		{"verify reads the record", string(next), []string{"case", "verify", "-"}, exitUsage,
			"DIR - (a head on standard input) is for raise, fire, due and available; this command reads the case's record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := piped([]byte(tc.stdin), tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stderr, tc.says)
		})
	}
}
