package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// dueDates asks what a case owes at a time, as obligation -> "status due_date".
func (h *harness) dueDates(id, at string) (map[string]string, dueResponse) {
	h.t.Helper()
	resp := decodeJSON[dueResponse](h.t, h.do(http.StatusOK, "GET", "/cases/"+id+"/due?at="+at, nil))
	got := map[string]string{}
	for _, d := range resp.Duties {
		got[d.Obligation] = fmt.Sprintf("%s %v", d.Status, d.DueDate)
	}
	return got, resp
}

func (h *harness) overdue(at string) []string {
	h.t.Helper()
	resp := decodeJSON[overdueResponse](h.t, h.do(http.StatusOK, "GET", "/overdue?at="+at, nil))
	var got []string
	for _, o := range resp.Overdue {
		got = append(got, fmt.Sprintf("%s %s %s %v late %d", o.Case, o.Stage, o.Obligation, o.DueDate, o.WorkingDaysLate))
	}
	return got
}

func wantMap(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// The whole life of a Sefton case over HTTP, raised two days before
// Christmas 2026, through every step to the partnership's final decision,
// with the deadlines the calendar gives over the bank holidays.
func TestCaseLifecycleOverChristmas(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	c := h.raise(map[string]any{
		"policy": "sefton", "id": "case-42", "actor": "asha", "role": "practitioner",
		"at": "2026-12-22T10:00:00Z",
	})
	if c.Revision != 1 || c.Stage != "step1" {
		t.Fatalf("raised %v", c)
	}

	got, resp := h.dueDates("case-42", "2026-12-22T12:00:00Z")
	wantMap(t, "Step 1 due", got, map[string]string{"discuss": "pending 2026-12-22", "agree_plan": "pending 2026-12-24"})
	if want := "  Thu 24 Dec 2026  day 2"; !slices.Contains(resp.Duties[1].Explanation, want) {
		t.Errorf("agree_plan explanation %q lacks %q", resp.Duties[1].Explanation, want)
	}

	c = h.fire("case-42", map[string]any{"event": "discussed", "actor": "asha", "role": "practitioner", "at": "2026-12-22T11:00:00Z", "revision": c.Revision})
	c = h.fire("case-42", map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2026-12-24T16:00:00Z", "revision": c.Revision})

	// Step 2's 4 working days run from the raise, over Christmas Day and the
	// Boxing Day substitute on Monday 28th.
	got, resp = h.dueDates("case-42", "2026-12-29T09:00:00Z")
	wantMap(t, "Step 2 due", got, map[string]string{"managers_agree_plan": "pending 2026-12-30"})
	for _, want := range []string{"  Fri 25 Dec 2026  Christmas Day", "  Mon 28 Dec 2026  Boxing Day (substitute day)", "  Wed 30 Dec 2026  day 4"} {
		if !slices.Contains(resp.Duties[0].Explanation, want) {
			t.Errorf("managers_agree_plan explanation %q lacks %q", resp.Duties[0].Explanation, want)
		}
	}
	if got, want := h.overdue("2026-12-31T09:00:00Z"), []string{"case-42 step2 managers_agree_plan 2026-12-30 late 1"}; !slices.Equal(got, want) {
		t.Errorf("overdue on 31 Dec: %q, want %q", got, want)
	}

	summaryLog := map[string]any{
		"date_escalated": "2026-12-31", "manager": "lee", "agency": "school", "other_agency": "children's social care",
		"child_initials": "AB", "disagreement": "threshold for a child in need assessment",
	}
	c = h.fire("case-42", map[string]any{
		"event": "escalate", "actor": "lee", "role": "line_manager", "at": "2026-12-31T10:00:00Z", "revision": c.Revision,
		"forms": map[string]any{"agency_escalation_summary_log": summaryLog},
	})
	// Step 3's 6 days total skip New Year's Day and the weekend; the line
	// manager owes contacting the Head of Service by the end of the day.
	got, _ = h.dueDates("case-42", "2026-12-31T10:00:00Z")
	wantMap(t, "Step 3 due", got, map[string]string{"contact_head_of_service": "pending 2026-12-31", "heads_agree_plan": "pending 2027-01-04"})

	report := map[string]any{
		"reported_by": "sam", "agency": "school", "other_agency": "children's social care", "child_initials": "AB",
		"disagreement": "threshold for a child in need assessment", "step3_plan": "none agreed: heads of service differ",
	}
	c = h.fire("case-42", map[string]any{
		"event": "escalate", "actor": "sam", "role": "head_of_service", "at": "2027-01-05T10:00:00Z", "revision": c.Revision,
		"forms": map[string]any{"report_to_sscp": report},
	})
	got, _ = h.dueDates("case-42", "2027-01-05T10:00:00Z")
	wantMap(t, "Step 4 due", got, map[string]string{"convene_meeting": "pending 2027-01-12", "decide": "pending 2027-01-11"})

	c = h.fire("case-42", map[string]any{"event": "meeting_convened", "actor": "chris", "role": "sscp_chair", "at": "2027-01-07T14:00:00Z", "revision": c.Revision})
	c = h.fire("case-42", map[string]any{
		"event": "decide", "actor": "chris", "role": "sscp_chair", "at": "2027-01-08T16:00:00Z", "revision": c.Revision,
		"forms": map[string]any{"report_to_sscp": map[string]any{
			"step4_meeting_date": "2027-01-07", "step4_chair": "chris", "step4_decision": "assessment to go ahead",
		}},
	})
	if c.Outcome != "final_decision" || !c.Closed() || c.Revision != 7 {
		t.Fatalf("after the decision: %v", c)
	}

	// The stored case is exactly what its record rebuilds.
	if record := h.record("case-42"); len(record) != 7 {
		t.Fatalf("the record has %d entries, want 7", len(record))
	}
	if err := h.verify("case-42"); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.dueDates("case-42", "2027-02-01T09:00:00Z"); len(got) != 0 {
		t.Errorf("a closed case owes %v", got)
	}
	if got := h.overdue("2027-02-01T09:00:00Z"); len(got) != 0 {
		t.Errorf("a closed case is listed overdue: %q", got)
	}
}

// A request with no time takes the server's clock, read at the HTTP edge.
func TestTimesDefaultToTheServerClock(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	c := h.raise(map[string]any{"policy": "sefton", "id": "now", "actor": "asha", "role": "practitioner"})
	if !c.Raised.Equal(serverNow) {
		t.Errorf("raised at %v, want the server's clock %v", c.Raised, serverNow)
	}
	_, resp := h.dueDates("now", "")
	if !resp.At.Equal(serverNow) {
		t.Errorf("due at %v, want the server's clock %v", resp.At, serverNow)
	}
}

// GET /overdue stops at its limit and says so.
func TestOverdueLimit(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	for _, id := range []string{"a", "b", "c"} {
		h.raise(map[string]any{"policy": "sefton", "id": id, "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z"})
	}
	for _, tc := range []struct {
		limit     string
		n         int
		truncated bool
	}{{"2", 2, true}, {"6", 6, false}, {"10", 6, false}} {
		resp := decodeJSON[overdueResponse](t, h.do(http.StatusOK, "GET", "/overdue?at=2027-01-04T09:00:00Z&limit="+tc.limit, nil))
		if len(resp.Overdue) != tc.n || resp.Truncated != tc.truncated {
			t.Errorf("limit %s: %d items, truncated %v; want %d, %v", tc.limit, len(resp.Overdue), resp.Truncated, tc.n, tc.truncated)
		}
	}
}

// Fifty people act on the same revision of one case at once: exactly one
// act is recorded, every other gets 409 and nothing is half-written. Each
// loser then reads the case again and retries, and in the end every act is
// in the record, once, and the record verifies.
func TestConcurrentEventsOnOneRevision(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	h.raise(map[string]any{"policy": "sefton", "id": "race", "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z"})

	const clients = 50
	actor := func(i int) string { return fmt.Sprintf("p%02d", i) }
	// Each client's act brings a fact, so each records something new (an act
	// that would only meet a duty met already is refused, whoever sends it).
	fire := func(i int, revision int64) (int, []byte, error) {
		return send("POST", h.url+"/cases/race/events", map[string]any{
			"event": "discussed", "actor": actor(i), "role": "practitioner", "at": "2026-12-22T11:00:00Z", "revision": revision,
			"facts": map[string]any{"significant_harm_concern": i%2 == 0},
		})
	}
	statuses := make([]int, clients)
	codes := make([]string, clients)
	errs := make([]error, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			var (
				raw  []byte
				body errorBody
			)
			if statuses[i], raw, errs[i] = fire(i, 1); errs[i] == nil && statuses[i] != http.StatusOK {
				errs[i] = json.Unmarshal(raw, &body)
				codes[i] = body.Error.Code
			}
		})
	}
	close(start)
	wg.Wait()
	var losers []int
	for i := range clients {
		switch {
		case errs[i] != nil:
			t.Fatal(errs[i])
		case statuses[i] == http.StatusOK:
		case statuses[i] == http.StatusConflict && codes[i] == "stale_revision":
			losers = append(losers, i)
		default:
			t.Errorf("client %d: status %d %s, want 200 or 409 stale_revision", i, statuses[i], codes[i])
		}
	}
	if len(losers) != clients-1 {
		t.Fatalf("%d clients won, want exactly 1", clients-len(losers))
	}
	if c, record := h.getCase("race"), h.record("race"); c.Revision != 2 || len(record) != 2 {
		t.Fatalf("after the race: revision %d with %d entries, want 2 and 2", c.Revision, len(record))
	}

	// Each loser reads the case again and retries until its act is recorded.
	for _, i := range losers {
		wg.Go(func() {
			for {
				status, raw, err := send("GET", h.url+"/cases/race", nil)
				if err != nil || status != http.StatusOK {
					errs[i] = fmt.Errorf("reading the case: %d %s %v", status, raw, err)
					return
				}
				var c engine.Head
				if errs[i] = json.Unmarshal(raw, &c); errs[i] != nil {
					return
				}
				status, raw, err = fire(i, c.Revision)
				switch {
				case err != nil:
					errs[i] = err
					return
				case status == http.StatusOK:
					return
				case status != http.StatusConflict:
					errs[i] = fmt.Errorf("client %d retrying: %d %s", i, status, raw)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	c, record := h.getCase("race"), h.record("race")
	if c.Revision != clients+1 || len(record) != clients+1 {
		t.Fatalf("revision %d with %d entries, want %d and %d", c.Revision, len(record), clients+1, clients+1)
	}
	var actors []string
	for _, en := range record[1:] {
		actors = append(actors, en.Actor)
	}
	slices.Sort(actors)
	for i, a := range actors {
		if a != actor(i) {
			t.Fatalf("recorded actors %v: want each of p00..p%02d once", actors, clients-1)
		}
	}
	if err := h.verify("race"); err != nil {
		t.Fatal(err)
	}
}

// A server restarted on the same file serves the same cases, byte for byte,
// and carries on with them.
func TestRestartServesTheSameCases(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	h := startServer(t, db)
	c := h.raise(map[string]any{"policy": "sefton", "id": "kept", "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z"})
	h.fire("kept", map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2026-12-23T10:00:00Z", "revision": c.Revision})
	before := h.do(http.StatusOK, "GET", "/cases/kept", nil)
	dueBefore := h.do(http.StatusOK, "GET", "/cases/kept/due?at=2026-12-29T09:00:00Z", nil)
	h.stop()

	h = startServer(t, db)
	if after := h.do(http.StatusOK, "GET", "/cases/kept", nil); string(after) != string(before) {
		t.Errorf("after a restart the case reads\n%s\nwas\n%s", after, before)
	}
	if dueAfter := h.do(http.StatusOK, "GET", "/cases/kept/due?at=2026-12-29T09:00:00Z", nil); string(dueAfter) != string(dueBefore) {
		t.Errorf("after a restart the case owes\n%s\nowed\n%s", dueAfter, dueBefore)
	}
	c = h.fire("kept", map[string]any{"event": "plan_agreed", "actor": "lee", "role": "line_manager", "at": "2026-12-29T10:00:00Z", "revision": 2})
	if err := h.verify("kept"); err != nil || c.Revision != 3 {
		t.Fatalf("after a restart: revision %d, verify %v", c.Revision, err)
	}
}

func TestErrorMapping(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	raise := func(id string) map[string]any {
		return map[string]any{"policy": "sefton", "id": id, "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z"}
	}
	h.raise(raise("open"))
	c := h.raise(raise("step2"))
	h.fire("step2", map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2026-12-23T10:00:00Z", "revision": c.Revision})
	c = h.raise(raise("closed"))
	h.fire("closed", map[string]any{"event": "withdraw", "actor": "asha", "role": "practitioner", "at": "2026-12-23T10:00:00Z", "revision": c.Revision})
	event := func(name, role string, revision int64, at string) map[string]any {
		return map[string]any{"event": name, "actor": "someone", "role": role, "at": at, "revision": revision}
	}
	const later = "2026-12-24T10:00:00Z"

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
		reason             string // the first refusal reason's code, for refused events
		inputPath          string // the input path, for invalid input
	}{
		{name: "malformed JSON", method: "POST", path: "/cases", body: `{"policy": "sefton",`, status: 400, code: "malformed_request"},
		{name: "unknown field", method: "POST", path: "/cases/open/events", body: `{"event": "discussed", "revison": 1}`, status: 400, code: "malformed_request"},
		{name: "two JSON values", method: "POST", path: "/cases", body: `{} {}`, status: 400, code: "malformed_request"},
		{name: "bad time in body", method: "POST", path: "/cases", body: map[string]any{"policy": "sefton", "actor": "asha", "role": "practitioner", "at": "22/12/2026"}, status: 400, code: "malformed_request"},
		{name: "bad time in query", method: "GET", path: "/cases/open/due?at=tomorrow", status: 400, code: "malformed_request"},
		{name: "bad limit", method: "GET", path: "/overdue?limit=0", status: 400, code: "malformed_request"},
		{name: "body too large", method: "POST", path: "/cases", body: `{"note": "` + strings.Repeat("x", maxBody) + `"}`, status: 413, code: "request_too_large"},
		{name: "unknown case", method: "GET", path: "/cases/nobody", status: 404, code: "case_not_found"},
		{name: "event on unknown case", method: "POST", path: "/cases/nobody/events", body: event("discussed", "practitioner", 1, later), status: 404, code: "case_not_found"},
		{name: "unknown endpoint", method: "GET", path: "/policies", status: 404, code: "not_found"},
		{name: "wrong method", method: "DELETE", path: "/cases/open", status: 405, code: "method_not_allowed"},
		{name: "id taken", method: "POST", path: "/cases", body: raise("open"), status: 409, code: "case_exists"},
		{name: "stale revision", method: "POST", path: "/cases/step2/events", body: event("plan_agreed", "line_manager", 1, later), status: 409, code: "stale_revision"},
		{name: "closed case", method: "POST", path: "/cases/closed/events", body: map[string]any{"event": "resolve", "actor": "asha", "role": "practitioner", "at": later, "revision": 2}, status: 409, code: "case_closed"},
		{name: "unknown policy", method: "POST", path: "/cases", body: map[string]any{"policy": "sefon", "actor": "asha", "role": "practitioner"}, status: 422, code: "unknown_policy"},
		{name: "a role the caller does not hold", method: "POST", path: "/cases", body: map[string]any{"policy": "sefton", "actor": "asha", "role": "line_manager"}, status: 403, code: "role_not_held"},
		{name: "a role the policy does not have", method: "POST", path: "/cases", body: map[string]any{"policy": "sefton", "actor": "admin", "role": adminRole}, status: 422, code: "invalid_input", inputPath: "role"},
		{name: "which of several roles", method: "POST", path: "/cases", body: map[string]any{"policy": "sefton", "actor": "someone"}, status: 422, code: "invalid_input", inputPath: "role"},
		{name: "bad case id", method: "POST", path: "/cases", body: map[string]any{"policy": "sefton", "id": "Jane Doe", "actor": "asha", "role": "practitioner"}, status: 422, code: "invalid_input", inputPath: "id"},
		{name: "fact of the wrong type", method: "POST", path: "/cases/open/events", body: map[string]any{"event": "discussed", "actor": "asha", "role": "practitioner", "at": later, "revision": 1, "facts": map[string]any{"immediate_risk": "yes"}}, status: 422, code: "invalid_input", inputPath: "facts.immediate_risk"},
		{name: "no revision", method: "POST", path: "/cases/open/events", body: event("discussed", "practitioner", 0, later), status: 422, code: "invalid_input", inputPath: "revision"},
		{name: "actor in the body", method: "POST", path: "/cases/open/events", body: `{"event": "discussed", "actor": "lee", "role": "practitioner", "revision": 1}`, status: 400, code: "malformed_request"},
		{name: "a role not held on available", method: "GET", path: "/cases/open/available?role=line_manager", status: 403, code: "role_not_held"},
		{name: "unknown event", method: "POST", path: "/cases/open/events", body: event("escalte", "practitioner", 1, later), status: 422, code: "event_refused", reason: "unknown_event"},
		{name: "wrong role", method: "POST", path: "/cases/open/events", body: event("plan_agreed", "line_manager", 1, later), status: 422, code: "event_refused", reason: "role_not_permitted"},
		{name: "guard false", method: "POST", path: "/cases/open/events", body: event("urgent_resolution", "line_manager", 1, later), status: 422, code: "event_refused", reason: "guard_false"},
		{name: "form incomplete", method: "POST", path: "/cases/step2/events", body: event("escalate", "line_manager", 2, later), status: 422, code: "event_refused", reason: "forms_incomplete"},
		{name: "time before last event", method: "POST", path: "/cases/open/events", body: event("discussed", "practitioner", 1, "2026-12-21T10:00:00Z"), status: 422, code: "time_before_last_event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, raw, err := send(tc.method, h.url+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			e := decodeJSON[errorBody](t, raw).Error
			if status != tc.status || e.Code != tc.code {
				t.Fatalf("status %d code %q, want %d %q: %s", status, e.Code, tc.status, tc.code, raw)
			}
			if e.Message == "" {
				t.Errorf("no message: %s", raw)
			}
			if e.Details.Path != tc.inputPath {
				t.Errorf("details.path %q, want %q", e.Details.Path, tc.inputPath)
			}
			if tc.reason != "" && (len(e.Details.Reasons) == 0 || e.Details.Reasons[0].Code != tc.reason) {
				t.Errorf("reasons %+v, want first %q", e.Details.Reasons, tc.reason)
			}
		})
	}
	// Nothing refused was recorded.
	if c := h.getCase("open"); c.Revision != 1 {
		t.Errorf("case open is at revision %d after only refusals", c.Revision)
	}
}

// Fact values, form values and notes never reach the log, whether the act
// is accepted or refused, and neither do request bodies that fail to parse.
func TestLogsCarryNoPersonalData(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	secrets := []string{"Zebedee-Initials", "Quixotic-Disagreement", "Ostrich-Note", "Marmalade-Fact", "Walrus-Malformed"}
	c := h.raise(map[string]any{
		"policy": "sefton", "id": "private", "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z",
		"note": secrets[2],
	})
	c = h.fire("private", map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2026-12-23T10:00:00Z", "revision": c.Revision, "note": secrets[2]})
	form := map[string]any{"child_initials": secrets[0], "disagreement": secrets[1]}
	h.fire("private", map[string]any{
		"event": "plan_agreed", "actor": "lee", "role": "line_manager", "at": "2026-12-23T11:00:00Z", "revision": c.Revision,
		"note": secrets[2], "forms": map[string]any{"agency_escalation_summary_log": form},
	})
	// Refused: the fact has the wrong type, the form is incomplete, the body is not JSON.
	h.do(http.StatusUnprocessableEntity, "POST", "/cases/private/events", map[string]any{
		"event": "discussed", "actor": "asha", "role": "practitioner", "at": "2026-12-23T12:00:00Z", "revision": 3,
		"facts": map[string]any{"immediate_risk": secrets[3]}, "note": secrets[2],
	})
	h.do(http.StatusUnprocessableEntity, "POST", "/cases/private/events", map[string]any{
		"event": "escalate", "actor": "lee", "role": "line_manager", "at": "2026-12-23T12:00:00Z", "revision": 3,
		"forms": map[string]any{"agency_escalation_summary_log": form}, "note": secrets[2],
	})
	h.do(http.StatusBadRequest, "POST", "/cases/private/events", `{"note": "`+secrets[4]+`", `)

	logs := h.logs.String()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains %q:\n%s", s, logs)
		}
	}
	// The log does record the acts, through the case's and entry's LogValue.
	for _, want := range []string{`"msg":"event fired"`, `"id":"private"`, `"event":"plan_agreed"`, `"code":"event_refused"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s:\n%s", want, logs)
		}
	}
}

// Acting on a case reads its head and writes one entry, whatever the length
// of its record: every answer to an act is the same size, and so is the
// head, from the first act to the hundredth.
func TestAnswersDoNotGrowWithTheRecord(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	c := h.raise(map[string]any{"policy": "sefton", "id": "long", "actor": "asha", "role": "practitioner", "at": "2026-12-22T10:00:00Z",
		"facts": map[string]any{"significant_harm_concern": true}})
	var sizes, heads []int
	for i := range 100 {
		raw := h.do(http.StatusOK, "POST", "/cases/long/events", map[string]any{
			"event": "refer_to_childrens_social_care", "actor": "lee", "role": "line_manager",
			"at": "2026-12-22T11:00:00Z", "revision": c.Revision + int64(i),
		})
		sizes = append(sizes, len(raw))
		heads = append(heads, len(h.do(http.StatusOK, "GET", "/cases/long", nil)))
	}
	// Revisions 10 to 99 (acts 8 to 97) are written with as many digits.
	for _, s := range [][]int{sizes[8:98], heads[8:98]} {
		if slices.Min(s) != slices.Max(s) {
			t.Errorf("answers from %d to %d bytes", slices.Min(s), slices.Max(s))
		}
	}
	if record := h.record("long"); len(record) != 101 {
		t.Errorf("the record has %d entries, want 101", len(record))
	}
	if err := h.verify("long"); err != nil {
		t.Error(err)
	}
}
