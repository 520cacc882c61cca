package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawRequest sends a request with exactly the headers given (and no
// credential unless they carry one), and returns the status and error code.
func (h *harness) rawRequest(method, path string, headers map[string]string, body string) (int, errorBody, http.Header) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var e errorBody
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") == "application/json" {
		raw := new(strings.Builder)
		if _, err := bufio.NewReader(resp.Body).WriteTo(raw); err != nil {
			h.t.Fatal(err)
		}
		e = decodeJSON[errorBody](h.t, []byte(raw.String()))
	}
	return resp.StatusCode, e, resp.Header
}

func bearer(actor string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tokenOf(actor), "Content-Type": "application/json"}
}

func with(headers map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range headers {
		if hk != k {
			out[hk] = hv
		}
	}
	return out
}

// Defect 1: an act dated after the server's clock, beyond the allowed skew,
// is refused, so one request can no longer lock a case ("every later act is
// before the last event"); dates outside the calendar answer 422, not 500.
func TestActsFromTheFutureAndOutsideTheCalendarAreRefused(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	c := h.raise(map[string]any{"policy": "sefton", "id": "clock", "actor": "asha", "role": "practitioner", "at": "2027-01-04T10:00:00Z"})
	fire := func(at string) (int, errorBody) {
		status, e, _ := h.rawRequest("POST", "/cases/clock/events", bearer("asha"),
			fmt.Sprintf(`{"event": "discussed", "role": "practitioner", "at": %q, "revision": %d}`, at, c.Revision))
		return status, e
	}
	skewed := serverNow.Add(DefaultMaxSkew)
	for _, tc := range []struct {
		name, at string
		status   int
		code     string
	}{
		{"the end of time", "9999-12-31T23:59:59Z", 422, "time_in_future"},
		{"2200", "2200-01-01T00:00:00Z", 422, "time_in_future"},
		{"a second past the skew", skewed.Add(time.Second).Format(time.RFC3339), 422, "time_in_future"},
		{"before the calendar", "1999-12-31T10:00:00Z", 422, "time_before_last_event"},
	} {
		if status, e := fire(tc.at); status != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %d %q, want %d %q (%s)", tc.name, status, e.Error.Code, tc.status, tc.code, e.Error.Message)
		}
	}
	status, e, _ := h.rawRequest("POST", "/cases", bearer("asha"), `{"policy": "sefton", "role": "practitioner", "at": "1999-06-01T10:00:00Z"}`)
	if status != 422 || e.Error.Code != "date_out_of_range" {
		t.Errorf("raising a case in 1999: %d %q (%s), want 422 date_out_of_range", status, e.Error.Code, e.Error.Message)
	}
	status, e, _ = h.rawRequest("GET", "/overdue?at=2300-01-01T00:00:00Z", bearer("admin"), "")
	if status != 422 || e.Error.Code != "date_out_of_range" {
		t.Errorf("what is overdue in 2300: %d %q (%s), want 422 date_out_of_range", status, e.Error.Code, e.Error.Message)
	}
	// What a case owes, and what may be done, at a time outside the calendar
	// needs no working day there: its deadlines were fixed when their anchors
	// occurred. They answer, and never 500.
	for _, path := range []string{"/cases/clock/due?at=2300-01-01T00:00:00Z", "/cases/clock/due?at=1999-01-01T00:00:00Z",
		"/cases/clock/available?role=practitioner&at=2300-01-01T00:00:00Z", "/cases/clock/available?role=practitioner&at=1999-01-01T00:00:00Z"} {
		if status, e, _ := h.rawRequest("GET", path, bearer("asha"), ""); status != 200 {
			t.Errorf("GET %s: %d %q (%s), want 200", path, status, e.Error.Code, e.Error.Message)
		}
	}
	// An act dated at the very edge of the skew is taken, and the case goes
	// on: the refusals recorded nothing.
	c = h.fire("clock", map[string]any{"event": "discussed", "actor": "asha", "role": "practitioner", "at": skewed.Format(time.RFC3339), "revision": c.Revision})
	if c.Revision != 2 || !c.Last.Equal(skewed) {
		t.Errorf("the act at the edge of the skew: revision %d, last %v", c.Revision, c.Last)
	}
}

// Defect 2: who acts comes from the credential. No credential is 401; a
// role the caller does not hold is 403, so a practitioner can no longer
// declare themself a line manager to escalate and close a case; a case the
// caller holds no role in cannot be read.
func TestIdentityComesFromTheCredential(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	c := h.raise(map[string]any{"policy": "sefton", "id": "who", "actor": "asha", "role": "practitioner", "at": "2027-01-04T10:00:00Z"})
	if en := h.record("who")[0]; en.Actor != "asha" || en.Agency != "school" || en.Role != "practitioner" {
		t.Errorf("the raise is recorded as %s (%s) in %s, want asha (school) as practitioner", en.Actor, en.Agency, en.Role)
	}

	for _, tc := range []struct {
		name    string
		headers map[string]string
	}{
		{"no credential", map[string]string{"Content-Type": "application/json"}},
		{"an unknown token", with(bearer("asha"), "Authorization", "Bearer not-a-token-we-know")},
		{"another scheme", with(bearer("asha"), "Authorization", "Basic YXNoYTpwYXNzd29yZA==")},
	} {
		for _, path := range []string{"/cases/who", "/overdue", "/nowhere"} {
			status, e, header := h.rawRequest("GET", path, tc.headers, "")
			if status != 401 || e.Error.Code != "unauthenticated" || !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s, GET %s: %d %q %q, want 401 unauthenticated with WWW-Authenticate", tc.name, path, status, e.Error.Code, header.Get("WWW-Authenticate"))
			}
		}
		status, e, _ := h.rawRequest("POST", "/cases", tc.headers, `{"policy": "sefton", "role": "practitioner"}`)
		if status != 401 || e.Error.Code != "unauthenticated" {
			t.Errorf("%s, raising a case: %d %q, want 401", tc.name, status, e.Error.Code)
		}
	}

	// The practitioner claims the line manager's role to escalate at Step 2
	// and then to resolve: both refused, and the case is where it was.
	c = h.fire("who", map[string]any{"event": "escalate", "actor": "asha", "role": "practitioner", "at": "2027-01-04T11:00:00Z", "revision": c.Revision})
	for _, event := range []string{"plan_agreed", "resolve"} {
		status, e, _ := h.rawRequest("POST", "/cases/who/events", bearer("asha"),
			fmt.Sprintf(`{"event": %q, "role": "line_manager", "at": "2027-01-04T12:00:00Z", "revision": %d}`, event, c.Revision))
		if status != 403 || e.Error.Code != "role_not_held" {
			t.Errorf("asha as line_manager, %s: %d %q, want 403 role_not_held", event, status, e.Error.Code)
		}
	}

	// Reading: the line manager (Step 2 involves them), the head of service
	// (who may fire Sefton's urgent_resolution at any stage), the
	// practitioner (who acted on it) and the administrator may; a line
	// manager of another agency may too, as the stage involves the role (see
	// README); the partnership's chair, whom Step 2 neither involves nor lets
	// act, and who has not acted on the case, may not.
	for _, tc := range []struct {
		actor  string
		status int
	}{{"lee", 200}, {"sam", 200}, {"asha", 200}, {"admin", 200}, {"outsider", 200}, {"chris", 403}} {
		for _, path := range []string{"/cases/who", "/cases/who/record", "/cases/who/due"} {
			status, e, _ := h.rawRequest("GET", path, bearer(tc.actor), "")
			if status != tc.status || (status == 403 && e.Error.Code != "case_forbidden") {
				t.Errorf("%s reading %s: %d %q, want %d", tc.actor, path, status, e.Error.Code, tc.status)
			}
		}
	}
	// Every read is logged with who read the case and on what grounds.
	logs := h.logs.String()
	for _, want := range []string{
		`"msg":"case read","case":"who","actor":"lee","agency":"school","grounds":"stage_role","method":"GET","path":"/cases/who/record"`,
		`"msg":"case read","case":"who","actor":"asha","agency":"school","grounds":"acted_on_it","method":"GET","path":"/cases/who"`,
		`"msg":"case read","case":"who","actor":"admin","agency":"council","grounds":"administrator","method":"GET","path":"/cases/who/due"`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	if strings.Contains(logs, `"msg":"case read","case":"who","actor":"chris"`) {
		t.Error("a refused read is logged as a read")
	}
	// The overdue list names every case: the administrator's only.
	if status, e, _ := h.rawRequest("GET", "/overdue", bearer("lee"), ""); status != 403 || e.Error.Code != "role_not_held" {
		t.Errorf("lee reading the overdue list: %d %q, want 403", status, e.Error.Code)
	}
	if got := h.getCase("who"); got.Revision != c.Revision {
		t.Errorf("after the refusals the case is at revision %d, want %d", got.Revision, c.Revision)
	}
}

// Defect 2, from a browser: a web page cannot reach the service. A
// cross-origin text/plain POST (which a page sends without asking first) is
// 415 and raises nothing; a request with another Origin is refused, and so
// is one for another Host (DNS rebinding sends the attacker's name).
func TestAWebPageCannotReachTheService(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"), func(c *Config, _ *Limits) {
		c.Origins = []string{"https://cases.example.gov.uk"}
	})
	const raise = `{"policy": "sefton", "id": "csrf", "role": "practitioner", "at": "2027-01-04T10:00:00Z"}`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
		code    string
	}{
		{"text/plain", with(bearer("asha"), "Content-Type", "text/plain"), 415, "unsupported_media_type"},
		{"a form", with(bearer("asha"), "Content-Type", "application/x-www-form-urlencoded"), 415, "unsupported_media_type"},
		{"no Content-Type", map[string]string{"Authorization": "Bearer " + tokenOf("asha")}, 415, "unsupported_media_type"},
		{"JSON in another charset", with(bearer("asha"), "Content-Type", "application/json; charset=latin1"), 415, "unsupported_media_type"},
		{"another origin", with(bearer("asha"), "Origin", "https://evil.example"), 403, "origin_not_allowed"},
		{"the null origin", with(bearer("asha"), "Origin", "null"), 403, "origin_not_allowed"},
		{"a rebound host", with(bearer("asha"), "Host", "evil.example:"+port(h.url)), 403, "host_not_allowed"},
		{"a rebound host without a credential", map[string]string{"Host": "evil.example", "Content-Type": "text/plain"}, 403, "host_not_allowed"},
	} {
		if status, e, _ := h.rawRequest("POST", "/cases", tc.headers, raise); status != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, status, e.Error.Code, tc.status, tc.code)
		}
	}
	if status, e, _ := h.rawRequest("GET", "/cases/csrf", with(bearer("admin"), "Host", "rebound.example:"+port(h.url)), ""); status != 403 || e.Error.Code != "host_not_allowed" {
		t.Errorf("reading through a rebound name: %d %q, want 403 host_not_allowed", status, e.Error.Code)
	}
	if status, _, _ := h.rawRequest("GET", "/cases/csrf", bearer("admin"), ""); status != 404 {
		t.Errorf("after the refused requests, case csrf answers %d, want 404: nothing was raised", status)
	}
	// The configured origin, and the loopback names, are answered.
	// The configured origin's page asks first, as a browser does before
	// sending a credential and JSON: the preflight is answered without a
	// credential; another origin's is refused.
	preflight := map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
	status, e, header := h.rawRequest("OPTIONS", "/cases", with(preflight, "Origin", "https://cases.example.gov.uk"), "")
	if status != 204 || header.Get("Access-Control-Allow-Origin") != "https://cases.example.gov.uk" ||
		header.Get("Access-Control-Allow-Methods") != "GET, POST" || header.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" {
		t.Errorf("the configured origin's preflight: %d %q %v, want 204 allowing GET and POST with Authorization and Content-Type", status, e.Error.Code, header)
	}
	status, e, header = h.rawRequest("OPTIONS", "/cases", with(preflight, "Origin", "https://evil.example"), "")
	if status != 403 || e.Error.Code != "origin_not_allowed" || header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin's preflight: %d %q, Access-Control-Allow-Origin %q, want 403 origin_not_allowed and none", status, e.Error.Code, header.Get("Access-Control-Allow-Origin"))
	}
	// Every answer is JSON and says so, so that no browser sniffs it as a
	// page; the configured origin's page may read it, and its Location.
	status, e, header = h.rawRequest("POST", "/cases", with(bearer("asha"), "Origin", "https://cases.example.gov.uk"), raise)
	if status != 201 || header.Get("X-Content-Type-Options") != "nosniff" || header.Get("Access-Control-Allow-Origin") != "https://cases.example.gov.uk" ||
		!strings.Contains(header.Get("Access-Control-Expose-Headers"), "Location") {
		t.Errorf("from the configured origin: %d %q, headers %v, want 201, nosniff, and the origin allowed to read it and its Location", status, e.Error.Code, header)
	}
	if status, _, _ := h.rawRequest("GET", "/cases/csrf", with(bearer("asha"), "Host", "localhost:"+port(h.url)), ""); status != 200 {
		t.Errorf("through localhost: %d, want 200", status)
	}
}

func port(url string) string {
	_, p, _ := net.SplitHostPort(strings.TrimPrefix(url, "http://"))
	return p
}

// Defect 7 and the rest of what cannot be right: each bad body gets its
// status and code, and says where.
func TestBadInput(t *testing.T) {
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"))
	h.raise(map[string]any{"policy": "sefton", "id": "open", "actor": "asha", "role": "practitioner", "at": "2027-01-04T10:00:00Z"})
	for _, tc := range []struct {
		name, path, body string
		status           int
		code, at         string
	}{
		{"a key twice", "/cases", `{"policy": "sefton", "role": "practitioner", "role": "line_manager"}`, 400, "duplicate_key", "role"},
		{"a fact twice", "/cases/open/events", `{"event": "discussed", "revision": 1, "facts": {"immediate_risk": false, "immediate_risk": true}}`, 400, "duplicate_key", "facts.immediate_risk"},
		{"a form field twice", "/cases/open/events", `{"event": "discussed", "revision": 1, "forms": {"f": {"a": 1, "b": [{"x": 1}, {"x": 2, "x": 3}]}}}`, 400, "duplicate_key", "forms.f.b[1].x"},
		{"bytes that are not UTF-8", "/cases", "{\"policy\": \"sefton\", \"role\": \"practitioner\", \"note\": \"caf\xe9\"}", 400, "invalid_utf8", ""},
		{"half a surrogate pair", "/cases", `{"policy": "sefton", "role": "practitioner", "note": "\ud800"}`, 400, "invalid_utf8", ""},
		{"a lone low surrogate", "/cases", `{"policy": "sefton", "role": "practitioner", "note": "x\udc00y"}`, 400, "invalid_utf8", ""},
		{"NUL in a role", "/cases", `{"policy": "sefton", "role": "practitioner\u0000"}`, 400, "bad_characters", "role"},
		{"a bidi override in an event", "/cases/open/events", `{"event": "discussed\u202e", "revision": 1}`, 400, "bad_characters", "event"},
		{"a bidi isolate in a policy", "/cases", `{"policy": "\u2067sefton", "role": "practitioner"}`, 400, "bad_characters", "policy"},
		{"a zero-width space in an id", "/cases", `{"policy": "sefton", "id": "case\u200b42", "role": "practitioner"}`, 400, "bad_characters", "id"},
		{"a control character in a fact's name", "/cases/open/events", `{"event": "discussed", "revision": 1, "facts": {"immediate\u0007risk": true}}`, 400, "bad_characters", "facts.immediate\arisk"},
		{"a bidi override in a form's answer", "/cases/open/events", `{"event": "discussed", "revision": 1, "forms": {"f": {"child_initials": "A\u202eB"}}}`, 400, "bad_characters", "forms.f.child_initials"},
		{"NUL in a note", "/cases/open/events", `{"event": "discussed", "revision": 1, "note": "a\u0000b"}`, 400, "bad_characters", "note"},
		{"agency in the body", "/cases", `{"policy": "sefton", "role": "practitioner", "agency": "police"}`, 400, "malformed_request", ""},
		{"an unknown field", "/cases/open/events", `{"event": "discussed", "revison": 1}`, 400, "malformed_request", ""},
		{"two values", "/cases", `{} {}`, 400, "malformed_request", ""},
		{"not JSON", "/cases", `policy=sefton`, 400, "malformed_request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, e, _ := h.rawRequest("POST", tc.path, bearer("asha"), tc.body)
			if status != tc.status || e.Error.Code != tc.code || e.Error.Details.Path != tc.at {
				t.Errorf("%d %q at %q, want %d %q at %q: %s", status, e.Error.Code, e.Error.Details.Path, tc.status, tc.code, tc.at, e.Error.Message)
			}
		})
	}
	// Text may hold line breaks and tabs, and right-to-left marks.
	h.fire("open", map[string]any{"event": "discussed", "actor": "asha", "role": "practitioner", "at": "2027-01-04T11:00:00Z", "revision": 1,
		"note": "spoke to\tthe school\r\nand \u200fمرحبا\u200f"})
	if c := h.getCase("open"); c.Revision != 2 {
		t.Errorf("case open is at revision %d, want 2: only the last act was recorded", c.Revision)
	}
}

// Defect 5: a client that sends its headers and part of a body, then
// stalls, is cut off when the read timeout passes, whatever the number of
// such clients; an idle keep-alive connection is closed when the idle
// timeout passes (without one, net/http would wait the read timeout); and
// headers over the limit are refused with 431.
func TestSlowClientsAreCutOff(t *testing.T) {
	const readTimeout, idleTimeout = 500 * time.Millisecond, 2 * time.Second
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"), func(_ *Config, l *Limits) {
		l.ReadHeaderTimeout, l.ReadTimeout, l.IdleTimeout = readTimeout, readTimeout, idleTimeout
	})
	addr := strings.TrimPrefix(h.url, "http://")
	idle := make(chan time.Duration, 1)
	go func() { idle <- idleConnection(t, addr) }()
	const clients = 50
	start := time.Now()
	var wg sync.WaitGroup
	closedAfter := make([]time.Duration, clients)
	for i := range clients {
		wg.Go(func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			slow := i%2 == 0 // half stall in the body, half in the headers
			if slow {
				fmt.Fprintf(conn, "POST /cases HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"policy\": ", addr, tokenOf("asha"))
			} else {
				fmt.Fprintf(conn, "GET /cases/x HTTP/1.1\r\nHost: %s\r\n", addr)
			}
			// Never send the rest; wait for the server to give up, at most 10 s.
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 4096)
			for {
				if _, err := conn.Read(buf); err != nil {
					closedAfter[i] = time.Since(start)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, d := range closedAfter {
		if d < readTimeout || d > readTimeout+3*time.Second {
			t.Errorf("client %d was cut off after %v, want soon after %v", i, d, readTimeout)
		}
	}

	if d := <-idle; d < 2*readTimeout || d > idleTimeout+3*time.Second {
		t.Errorf("an idle keep-alive connection was closed after %v, want soon after %v", d, idleTimeout)
	}

	status, e, _ := h.rawRequest("GET", "/cases/x", with(bearer("admin"), "X-Padding", strings.Repeat("a", DefaultLimits.MaxHeaderBytes+4096)), "")
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("headers over the limit: %d %q, want 431", status, e.Error.Code)
	}
}

// idleConnection makes one request on a keep-alive connection, then sends
// nothing, and says how long after the answer the server closed it (at
// most 10 s).
func idleConnection(t *testing.T, addr string) time.Duration {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /cases/x HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", addr, tokenOf("admin"))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Error(err)
		return 0
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Error(err)
	}
	resp.Body.Close()
	answered := time.Now()
	conn.SetReadDeadline(answered.Add(10 * time.Second))
	if _, err := r.ReadByte(); err == nil {
		t.Error("the server sent more after its answer")
	}
	return time.Since(answered)
}
