package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// tamper runs SQL on the database file as someone with the file in hand
// would, triggers dropped first.
func tamper(t *testing.T, db string, stmts ...string) {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range append([]string{"DROP TRIGGER IF EXISTS history_no_update", "DROP TRIGGER IF EXISTS history_no_delete", "DROP TRIGGER IF EXISTS history_in_order"}, stmts...) {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// threeActs raises a case and fires two events on it.
func threeActs(h *harness, id string) engine.Head {
	c := h.raise(map[string]any{"policy": "sefton", "id": id, "actor": "asha", "role": "practitioner", "at": "2027-01-04T10:00:00Z"})
	c = h.fire(id, map[string]any{"event": "discussed", "actor": "asha", "role": "practitioner", "at": "2027-01-04T11:00:00Z", "revision": c.Revision, "note": "spoke to the school"})
	return h.fire(id, map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2027-01-05T10:00:00Z", "revision": c.Revision})
}

// wantIntegrity checks that a request answers case_integrity with the message given.
func (h *harness) wantIntegrity(method, path string, body any, message string) {
	h.t.Helper()
	status, raw, err := send(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if e := decodeJSON[errorBody](h.t, raw).Error; status != 500 || e.Code != "case_integrity" || e.Message != message {
		h.t.Errorf("%s %s: %d %s, want 500 case_integrity: %s", method, path, status, raw, message)
	}
}

func verifyCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"verify"}, args...), &out, io.Discard)
	return out.String(), err
}

// Defect 3: a record edited in the database is never served. Reading the
// history verifies it; the case then answers case_integrity to every read
// and act, here and after a restart, and the log names the entry. Before,
// the edited history was served with 200 and new events were accepted.
func TestAnEditedRecordIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	h := startServer(t, db)
	c := threeActs(h, "edited")
	threeActs(h, "intact")

	tamper(t, db, `UPDATE history SET entry = json_set(entry, '$.note', 'nothing was discussed') WHERE case_id = 'edited' AND seq = 2`)
	const message = "case edited: entry 2 is edited: what it says no longer matches its hash"
	h.wantIntegrity("GET", "/cases/edited/record", nil, message)
	h.wantIntegrity("POST", "/cases/edited/events", map[string]any{"event": "plan_agreed", "actor": "lee", "role": "line_manager", "at": "2027-01-05T11:00:00Z", "revision": c.Revision}, message)
	h.wantIntegrity("GET", "/cases/edited", nil, message)
	h.wantIntegrity("GET", "/cases/edited/due", nil, message)
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"record fails verification","case":"edited","entry":2,"how":"edited"`) {
		t.Errorf("the log does not name the entry that failed:\n%s", logs)
	}
	if strings.Contains(logs, "nothing was discussed") || strings.Contains(logs, "spoke to the school") {
		t.Errorf("the log carries a note:\n%s", logs)
	}
	h.record("intact") // the other case is served
	h.stop()

	h = startServer(t, db)
	h.wantIntegrity("GET", "/cases/edited", nil, message)
	h.stop()
	out, err := verifyCommand(t, "-db", db)
	if want := message + "\n2 cases, 1 failed\n"; out != want || err == nil {
		t.Errorf("verify printed\n%s(%v)\nwant\n%s", out, err, want)
	}
}

// A record cut short, or its last entry replaced, in the database is caught
// by the next act on the case, which cannot follow it: case_integrity, kept
// for every later read, rather than an unexplained 500.
func TestAnActOnACutOrReplacedRecordIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	h := startServer(t, db)
	c := threeActs(h, "cut")
	threeActs(h, "replaced")
	tamper(t, db, `DELETE FROM history WHERE case_id = 'cut' AND seq = 3`,
		`UPDATE history SET hash = '`+strings.Repeat("00", 32)+`' WHERE case_id = 'replaced' AND seq = 3`)
	for id, message := range map[string]string{
		"cut":      "case cut: entry 3 is missing: the head is at revision 3, but the record has no entry 3: it was cut short in the database",
		"replaced": "case replaced: entry 3 is edited: it is not the entry the head names: it was replaced in the database",
	} {
		h.wantIntegrity("POST", "/cases/"+id+"/events", map[string]any{"event": "plan_agreed", "actor": "lee", "role": "line_manager", "at": "2027-01-05T11:00:00Z", "revision": c.Revision}, message)
		h.wantIntegrity("GET", "/cases/"+id, nil, message)
	}
}

// A head changed in the database at its revision (a fact flipped, the stage
// moved) is not the head the audit log names: refused on its next read, so
// no act is taken on it.
func TestAnEditedHeadIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	h := startServer(t, db)
	c := threeActs(h, "head")
	tamper(t, db, `UPDATE cases SET state = json_set(state, '$.facts.immediate_risk', json('true')) WHERE id = 'head'`)
	const message = "case head: the head differs from its record: it is not the head the audit log kept elsewhere names at its revision: it was changed in the database"
	h.wantIntegrity("POST", "/cases/head/events", map[string]any{"event": "urgent_resolution", "actor": "lee", "role": "line_manager", "at": "2027-01-05T11:00:00Z", "revision": c.Revision}, message)
	h.wantIntegrity("GET", "/cases/head", nil, message)
}

// The verify command reports each way a record can be wrong: an entry
// edited, a record cut short, and a case put back to an earlier state.
func TestVerifyReportsEditedTruncatedAndRolledBackCases(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cases.db")
	h := startServer(t, db)
	for _, id := range []string{"a-edited", "b-truncated", "c-rolled-back", "d-intact"} {
		threeActs(h, id)
	}
	h.stop()
	// One case cut short (its last entry deleted, its head left), and one
	// put back to revision 2: its last entry deleted and the head it had
	// then, rebuilt, put back in its place.
	eng := testEngine(t)
	c, _, err := eng.Raise(t.Context(), "sefton", engine.Raise{CaseID: "c-rolled-back", Actor: "asha", Role: "practitioner", Agency: "school", At: time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err = eng.Fire(t.Context(), c, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner", Agency: "school", At: time.Date(2027, 1, 4, 11, 0, 0, 0, time.UTC), Note: "spoke to the school"})
	if err != nil {
		t.Fatal(err)
	}
	state, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	tamper(t, db,
		`UPDATE history SET entry = json_set(entry, '$.at', '2027-01-04T10:30:00Z') WHERE case_id = 'a-edited' AND seq = 2`,
		`DELETE FROM history WHERE case_id = 'b-truncated' AND seq = 3`,
		`DELETE FROM history WHERE case_id = 'c-rolled-back' AND seq = 3`,
		`UPDATE cases SET revision = 2, stage = 'step1', state = '`+string(state)+`' WHERE id = 'c-rolled-back'`,
	)
	out, err := verifyCommand(t, "-db", db)
	const want = `case a-edited: entry 2 is edited: what it says no longer matches its hash
case b-truncated: the case was rolled back: the record ends at entry 2, but the checkpoint kept elsewhere is at entry 3
case c-rolled-back: the case was rolled back: the head is at revision 2, but the checkpoint kept elsewhere is at revision 3
4 cases, 3 failed
`
	if out != want || err == nil || err.Error() != "3 of 4 cases do not verify" {
		t.Errorf("verify printed\n%s(%v)\nwant\n%s", out, err, want)
	}
}

// With a record key, someone who has the database and the audit log but
// not the key cannot rewrite a record: here they raise the case again with
// the same software, keyless, with a different story, and replace its rows
// and its audit lines. Verify with the key finds the first entry not written
// with it; without the key, the same forgery passes.
func TestAKeyedRecordCannotBeRewrittenWithoutTheKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cases.db")
	keyFile := filepath.Join(dir, "record.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString([]byte(rand.Text()+rand.Text()))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := readRecordKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	keyed, err := policies.Engine(engine.WithRecordKey(key))
	if err != nil {
		t.Fatal(err)
	}
	h := startServerOn(t, keyed, db)
	threeActs(h, "keyed")
	if rec := h.record("keyed"); rec[2].MAC.IsZero() {
		t.Fatal("the keyed server recorded an entry with no MAC")
	}
	h.stop()

	// The forger's copy: the same acts, but the discussion never happened.
	forger := testEngine(t)
	at := func(d, hh int) time.Time { return time.Date(2027, 1, d, hh, 0, 0, 0, time.UTC) }
	c, e1, err := forger.Raise(t.Context(), "sefton", engine.Raise{CaseID: "keyed", Actor: "asha", Role: "practitioner", Agency: "school", At: at(4, 10)})
	if err != nil {
		t.Fatal(err)
	}
	c, e2, err := forger.Fire(t.Context(), c, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", Agency: "school", At: at(5, 10)})
	if err != nil {
		t.Fatal(err)
	}
	c, e3, err := forger.Fire(t.Context(), c, engine.Event{Name: "withdraw", Actor: "lee", Role: "line_manager", Agency: "school", At: at(5, 11),
		Forms: map[string]map[string]any{"agency_escalation_summary_log": {
			"date_escalated": "2027-01-05", "manager": "lee", "agency": "school", "other_agency": "health", "child_initials": "AB", "disagreement": "none",
		}}})
	if err != nil {
		t.Fatal(err)
	}
	state, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`DELETE FROM history WHERE case_id = 'keyed'`}
	for _, en := range []*engine.Entry{e1, e2, e3} {
		b, err := json.Marshal(en)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, fmt.Sprintf("INSERT INTO history (case_id, seq, entry, hash) VALUES ('keyed', %d, '%s', '%s')", en.Seq, b, en.Hash))
	}
	stmts = append(stmts, `UPDATE cases SET stage = '', outcome = 'withdrawn', closed = 1, state = '`+string(state)+`' WHERE id = 'keyed'`)
	tamper(t, db, stmts...)
	line, err := json.Marshal(auditLine(c, state))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db+".checkpoints", append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := verifyCommand(t, "-db", db, "-record-key", keyFile)
	if want := "case keyed: entry 3 is unauthenticated: it carries no MAC: the record was not written with the host's key\n1 case, 1 failed\n"; out != want || err == nil {
		t.Errorf("verify with the key printed\n%s(%v)\nwant\n%s", out, err, want)
	}
	// The failure is kept in the database: drop it, to show what a keyless
	// host would see.
	tamper(t, db, `DELETE FROM failures`)
	if out, err := verifyCommand(t, "-db", db); out != "1 case, 0 failed\n" || err != nil {
		t.Errorf("verify without the key printed\n%s(%v); the forgery should pass without it", out, err)
	}
}

// A last audit line cut short by a crash, never synced nor acknowledged, is
// dropped when the log is opened, and the next line starts on its own.
func TestATornAuditLineIsDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit")
	good := `{"case":"a","revision":1,"hash":"` + strings.Repeat("ab", 32) + `"}` + "\n"
	if err := os.WriteFile(path, []byte(good+`{"case":"b","revis`), 0o600); err != nil {
		t.Fatal(err)
	}
	cps, err := OpenCheckpoints(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cps.Latest("b"); ok {
		t.Error("the torn line was read")
	}
	if err := cps.Keep(AuditLine{Checkpoint: engine.Checkpoint{Case: "c", Revision: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := cps.Close(); err != nil {
		t.Fatal(err)
	}
	if cps, err = OpenCheckpoints(path); err != nil {
		t.Fatalf("reopening after the next line: %v", err)
	}
	defer cps.Close()
	if got := cps.Cases(); strings.Join(got, ",") != "a,c" {
		t.Errorf("cases %v, want a and c", got)
	}
}
