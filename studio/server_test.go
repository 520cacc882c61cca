package studio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

// copyDir copies a folder's files (one level of subfolders) into a temporary
// folder.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	}))
	return dir
}

// fixedNow is the studio's clock in tests: review dates are not yet due.
func fixedNow() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }

// running is a studio serving a copy of examples/newarea, and a client that
// holds its cookie.
type running struct {
	s    *Server
	dir  string
	base string // http://127.0.0.1:PORT
	c    *http.Client
}

func start(t *testing.T) *running {
	t.Helper()
	return startIn(t, filepath.Join("..", "examples", "newarea"))
}

// patience bounds how long a test waits for something that must happen, so
// that a hang fails instead of stalling. It is not a speed target: with the
// race detector on a loaded machine a rebuild after a save took over 5 s (the
// CI gate, cold). How fast the page updates is measured in studio/browsertest.
const patience = time.Minute

// startIn serves a copy of the folder src.
func startIn(t *testing.T, src string) *running {
	t.Helper()
	dir := copyDir(t, src)
	s, err := New(dir, WithClock(fixedNow), WithPollInterval(20*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(patience):
			t.Errorf("the studio did not stop within %v", patience)
		}
	})
	r := &running{s: s, dir: dir, base: "http://127.0.0.1:" + s.port, c: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	return r
}

// do sends a request as the studio's page would (its cookie; for a POST,
// its Origin and JSON), after edit changes it as an attacker might.
func (r *running) do(t *testing.T, method, path string, body any, edit func(*http.Request)) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			b, err = json.Marshal(body)
			require.NoError(t, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: r.s.cookie(), Value: r.s.token})
	if method == http.MethodPost {
		req.Header.Set("Origin", r.base)
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	res, err := r.c.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func decode[T any](t *testing.T, res *http.Response) T {
	t.Helper()
	var v T
	require.NoError(t, json.NewDecoder(res.Body).Decode(&v))
	return v
}

func TestTheSecretIsNeeded(t *testing.T) {
	r := start(t)
	noCookie := func(req *http.Request) { req.Header.Del("Cookie") }
	for _, tc := range []struct {
		name string
		path string
		edit func(*http.Request)
		code int
	}{
		{"no key", "/api/state", noCookie, http.StatusForbidden},
		{"no key for the page", "/", noCookie, http.StatusForbidden},
		{"no key for a script", "/static/studio.js", noCookie, http.StatusForbidden},
		{"a wrong key in the address", "/?token=" + strings.Repeat("0", 64), noCookie, http.StatusForbidden},
		{"a wrong cookie", "/api/state", func(req *http.Request) {
			req.Header.Del("Cookie")
			req.AddCookie(&http.Cookie{Name: r.s.cookie(), Value: strings.Repeat("0", 64)})
		}, http.StatusForbidden},
		{"another run's cookie name", "/api/state", func(req *http.Request) {
			req.Header.Del("Cookie")
			req.AddCookie(&http.Cookie{Name: "escalation_studio_1", Value: r.s.token})
		}, http.StatusForbidden},
		{"the cookie", "/api/state", nil, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.do(t, http.MethodGet, tc.path, nil, tc.edit)
			assert.Equal(t, tc.code, res.StatusCode)
		})
	}
	// The printed address swaps the key for a cookie no script can read and
	// no other site's page sends, and takes it out of the address bar.
	u, err := url.Parse(r.s.URL())
	require.NoError(t, err)
	res := r.do(t, http.MethodGet, "/?"+u.RawQuery, nil, noCookie)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/", res.Header.Get("Location"))
	cookies := res.Cookies()
	require.Len(t, cookies, 1)
	assert.Equal(t, r.s.token, cookies[0].Value)
	assert.True(t, cookies[0].HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, cookies[0].SameSite)
	assert.Len(t, r.s.token, 64, "256 random bits")
}

// DNS rebinding: a page on another name resolved to 127.0.0.1 sends its own
// Host.
func TestAForgedHostIsRefused(t *testing.T) {
	r := start(t)
	for _, tc := range []struct {
		host string
		code int
	}{
		{"attacker.example:" + r.s.port, http.StatusForbidden},
		{"attacker.example", http.StatusForbidden},
		{"127.0.0.1", http.StatusForbidden},
		{"127.0.0.1:1", http.StatusForbidden},
		{"127.0.0.2:" + r.s.port, http.StatusForbidden},
		{"localhost.attacker.example:" + r.s.port, http.StatusForbidden},
		{"localhost:" + r.s.port, http.StatusOK},
		{"127.0.0.1:" + r.s.port, http.StatusOK},
	} {
		t.Run(tc.host, func(t *testing.T) {
			res := r.do(t, http.MethodGet, "/api/state", nil, func(req *http.Request) { req.Host = tc.host })
			assert.Equal(t, tc.code, res.StatusCode)
		})
	}
}

// Cross-site request forgery: another site's page can make the browser send
// a request, with the cookie if SameSite did not stop it; the studio changes
// nothing unless the request comes from its own page.
func TestACrossOriginRequestIsRefused(t *testing.T) {
	r := start(t)
	save := SaveRequest{Name: "forged", Title: "Forged", Play: PlayRequest{File: "policy.yaml",
		Raise: Act{At: "2026-11-02T09:00", By: "mallory", Role: "practitioner"}}}
	for _, tc := range []struct {
		name string
		edit func(*http.Request)
		code int
	}{
		{"another origin", func(req *http.Request) { req.Header.Set("Origin", "http://attacker.example") }, http.StatusForbidden},
		{"another port", func(req *http.Request) { req.Header.Set("Origin", "http://127.0.0.1:1") }, http.StatusForbidden},
		{"an opaque origin", func(req *http.Request) { req.Header.Set("Origin", "null") }, http.StatusForbidden},
		{"no origin", func(req *http.Request) { req.Header.Del("Origin") }, http.StatusForbidden},
		{"https", func(req *http.Request) { req.Header.Set("Origin", "https://127.0.0.1:"+r.s.port) }, http.StatusForbidden},
		{"a cross-site fetch", func(req *http.Request) { req.Header.Set("Sec-Fetch-Site", "cross-site") }, http.StatusForbidden},
		{"a form post (no preflight)", func(req *http.Request) { req.Header.Set("Content-Type", "text/plain") }, http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.do(t, http.MethodPost, "/api/save", save, tc.edit)
			assert.Equal(t, tc.code, res.StatusCode)
		})
	}
	assert.NoFileExists(t, filepath.Join(r.dir, "scenarios", "forged.yaml"))
	// A read from another site is refused too.
	res := r.do(t, http.MethodGet, "/api/state", nil, func(req *http.Request) { req.Header.Set("Sec-Fetch-Site", "cross-site") })
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	// The same request from the studio's own page is taken.
	res = r.do(t, http.MethodPost, "/api/save", save, nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.FileExists(t, filepath.Join(r.dir, "scenarios", "forged.yaml"))
}

func TestSavingWritesOnlyInsideTheFolder(t *testing.T) {
	r := start(t)
	outside := t.TempDir()
	play := PlayRequest{File: "policy.yaml", Raise: Act{At: "2026-11-02T09:00", By: "asha", Role: "practitioner"}}
	saveAs := func(name string, overwrite bool) *http.Response {
		return r.do(t, http.MethodPost, "/api/save", SaveRequest{Name: name, Title: "A story", Overwrite: overwrite, Play: play}, nil)
	}
	for _, name := range []string{"../escaped", "../../escaped", "a/b", `a\b`, "/tmp/escaped", ".hidden", "..", "", "x\x00y"} {
		t.Run("name "+name, func(t *testing.T) {
			res := saveAs(name, true)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		})
	}
	assert.NoFileExists(t, filepath.Join(filepath.Dir(r.dir), "escaped.yaml"))

	// A policy file is named as the state lists it; any other path is no policy.
	for _, file := range []string{"../newarea/policy.yaml", "/etc/passwd", "scenarios/../policy.yaml", "procedure.txt"} {
		res := r.do(t, http.MethodPost, "/api/save", SaveRequest{Name: "x", Title: "x", Play: PlayRequest{File: file, Raise: play.Raise}}, nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, file)
	}

	// A link in the folder that leads out of it is not written through.
	link := filepath.Join(r.dir, "scenarios", "link.yaml")
	require.NoError(t, os.Symlink(filepath.Join(outside, "target.yaml"), link))
	res := saveAs("link", true)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.NoFileExists(t, filepath.Join(outside, "target.yaml"))

	// Nor is a scenarios folder that is a link out of DIR.
	require.NoError(t, os.RemoveAll(filepath.Join(r.dir, "scenarios")))
	require.NoError(t, os.Symlink(outside, filepath.Join(r.dir, "scenarios")))
	res = saveAs("story", true)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, decode[problemResponse](t, res).Error, "leads outside the studio's folder")
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestSavingNeverReplacesAFileWithoutConfirmation(t *testing.T) {
	r := start(t)
	path := filepath.Join(r.dir, "scenarios", "resolved-at-stage1.yaml")
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	req := SaveRequest{Name: "resolved-at-stage1", Title: "Replaced", Play: PlayRequest{File: "policy.yaml",
		Raise: Act{At: "2026-11-02T09:00", By: "asha", Role: "practitioner"}}}
	res := r.do(t, http.MethodPost, "/api/save", req, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	got := decode[SaveView](t, res)
	assert.True(t, got.Exists)
	assert.Equal(t, "scenarios/resolved-at-stage1.yaml", got.File)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "unchanged without overwrite")

	req.Overwrite = true
	res = r.do(t, http.MethodPost, "/api/save", req, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.False(t, decode[SaveView](t, res).Exists)
	after, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(after), "scenario: Replaced")
}

func TestARequestBodyIsBounded(t *testing.T) {
	r := start(t)
	big := append([]byte(`{"file": "policy.yaml", "raised": "`), bytes.Repeat([]byte("x"), maxBody)...)
	big = append(big, `"}`...)
	res := r.do(t, http.MethodPost, "/api/timeline", big, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)

	res = r.do(t, http.MethodPost, "/api/timeline", []byte(`{"file": "policy.yaml", "raised": "2026-12-22", "evil": 1}`), nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "unknown fields are refused")

	steps := make([]Act, maxSteps+1)
	res = r.do(t, http.MethodPost, "/api/play", PlayRequest{File: "policy.yaml", Raise: Act{At: "2026-11-02", By: "a", Role: "practitioner"}, Steps: steps}, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
}

// A client that opens a connection and sends its headers slowly is cut off:
// it cannot hold the studio's connections.
func TestASlowClientIsCutOff(t *testing.T) {
	t.Parallel()
	r := start(t)
	assert.Equal(t, 5*time.Second, r.s.http.ReadHeaderTimeout)
	assert.NotZero(t, r.s.http.ReadTimeout)
	assert.NotZero(t, r.s.http.WriteTimeout)
	assert.NotZero(t, r.s.http.IdleTimeout)
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+r.s.port, time.Second)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:" + r.s.port + "\r\n"))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	_, err = io.ReadAll(conn)
	assert.NoError(t, err, "the studio closed the connection")
	assert.Less(t, time.Since(start), 8*time.Second)
}

func TestWithAddrListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.10:0", "[::1]:0", "example.com:80", "localhost:0", "127.0.0.1"} {
		_, err := New(t.TempDir(), WithAddr(addr))
		assert.Error(t, err, addr)
	}
	s, err := New(t.TempDir(), WithAddr("127.0.0.1:0"))
	require.NoError(t, err)
	defer s.ln.Close()
	host, _, err := net.SplitHostPort(s.ln.Addr().String())
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
	assert.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"+s.port+"/?token="))
}

// An empty folder is a problem, not a clean bill of health.
func TestAFolderWithoutAPolicyIsAProblem(t *testing.T) {
	snap := build(context.Background(), folder{dir: t.TempDir(), name: "empty", today: calendar.DateOf(fixedNow())})
	require.Len(t, snap.state.Problems, 1)
	assert.Equal(t, "no-policy", snap.state.Problems[0].Code)
	assert.Equal(t, 1, snap.state.Errors)
	assert.Equal(t, "empty", snap.state.Dir)
}

func TestNewNeedsAFolder(t *testing.T) {
	_, err := New(filepath.Join("..", "examples", "newarea", "policy.yaml"))
	assert.ErrorContains(t, err, "is not a folder")
	_, err = New(filepath.Join(t.TempDir(), "missing"))
	assert.Error(t, err)
}

// The page hears of each save over Server-Sent Events.
func TestEventsTellThePageOfEachSave(t *testing.T) {
	r := start(t)
	res := r.do(t, http.MethodGet, "/api/events", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	lines := bufio.NewScanner(res.Body)
	next := func() string {
		t.Helper()
		got := make(chan string, 1)
		go func() {
			for lines.Scan() {
				if v, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
					got <- v
					return
				}
			}
			close(got)
		}()
		select {
		case v := <-got:
			return v
		case <-time.After(patience):
			t.Fatalf("no event within %v", patience)
			return ""
		}
	}
	assert.Equal(t, "1", next())
	policy := filepath.Join(r.dir, "policy.yaml")
	src, err := os.ReadFile(policy)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(policy, bytes.Replace(src, []byte("within: 3 working days"), []byte("within: 4 working days"), 1), 0o644))
	assert.Equal(t, "2", next())
	state := decode[State](t, r.do(t, http.MethodGet, "/api/state", nil, nil))
	assert.EqualValues(t, 2, state.Version)
	assert.Contains(t, state.Policies[0].Mermaid, "4 working days: Discuss the concern")
	// As examples/newarea's README says: the stories that expect the old
	// due date now fail.
	var failing []string
	for _, s := range state.Scenarios {
		if !s.OK {
			failing = append(failing, s.File)
		}
	}
	assert.Equal(t, []string{"scenarios/full-ladder-christmas.yaml", "scenarios/wrong-role-refused.yaml"}, failing)
}

func TestTooManyListenersAreTurnedAway(t *testing.T) {
	r := start(t)
	for range maxListeners {
		res := r.do(t, http.MethodGet, "/api/events", nil, nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
	}
	res := r.do(t, http.MethodGet, "/api/events", nil, nil)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
}

func TestTheStateOfTheFolder(t *testing.T) {
	r := start(t)
	// One error, one failing scenario: the error comes before the warnings.
	story := filepath.Join(r.dir, "scenarios", "resolved-at-stage1.yaml")
	src, err := os.ReadFile(story)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(story, bytes.Replace(src, []byte("due: {discuss: 2026-11-12}"), []byte("due: {discuss: 2026-11-13}"), 1), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, "other.yaml"), []byte("language: escalation/v1\nid: other\nstart: nowhere\n"), 0o644))
	r.s.rebuild(context.Background())
	state := decode[State](t, r.do(t, http.MethodGet, "/api/state", nil, nil))

	require.NotEmpty(t, state.Problems)
	assert.Equal(t, "error", state.Problems[0].Severity)
	assert.Equal(t, "other.yaml", state.Problems[0].File)
	last := state.Problems[len(state.Problems)-1]
	assert.Equal(t, "warning", last.Severity)
	assert.Equal(t, 3, state.Warnings, "Riverbend's three assumptions")
	assert.Equal(t, state.Errors+state.Warnings, len(state.Problems))
	for _, p := range state.Problems {
		if p.File == "policy.yaml" {
			assert.Contains(t, p.Text, "|", "the line, as validate prints it")
			require.NotEmpty(t, p.Context)
			assert.Contains(t, []int{p.Line - contextLines, 1}, p.Context[0].N)
		}
	}

	require.Len(t, state.Policies, 2)
	var riverbend PolicyView
	for _, p := range state.Policies {
		if p.File == "policy.yaml" {
			riverbend = p
		} else {
			assert.False(t, p.Loaded)
		}
	}
	assert.True(t, riverbend.Loaded)
	assert.True(t, strings.HasPrefix(riverbend.Mermaid, "flowchart TD\n"))
	assert.Len(t, riverbend.Nodes, 4+5, "four stages, five outcomes")
	stage3 := riverbend.Nodes[2]
	assert.Equal(t, "stage_stage3", stage3.Node)
	assert.Equal(t, []DutyView{{ID: "heads_meet", Title: "The Heads of Service meet, in person or virtually", Owner: "head_of_service",
		Within: "5 working days", From: "from entering the stage", Expedite: "immediately when immediate_risk"}}, stage3.Duties)

	require.Len(t, state.Scenarios, 5)
	var failing []ScenarioView
	for _, s := range state.Scenarios {
		if !s.OK {
			failing = append(failing, s)
		}
	}
	require.Len(t, failing, 1)
	f := failing[0]
	assert.Equal(t, "scenarios/resolved-at-stage1.yaml", f.File)
	require.Len(t, f.Failures, 1)
	assert.Equal(t, 14, f.Failures[0].Line)
	assert.Equal(t, "discuss due 2026-11-13", f.Failures[0].Expected)
	assert.Equal(t, "discuss due 2026-11-12", f.Failures[0].Actual)
	assert.Contains(t, f.Failures[0].Context, Line{N: 14, Text: "  due: {discuss: 2026-11-13}"})
}

func TestTheTimelineWithFacts(t *testing.T) {
	r := start(t)
	res := r.do(t, http.MethodPost, "/api/timeline", TimelineRequest{File: "policy.yaml", Raised: "2026-12-22"}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	tl := decode[TimelineView](t, res)
	assert.Equal(t, []HolidayView{
		{Date: "2026-12-25", Long: "Fri 25 Dec 2026", Name: "Christmas Day"},
		{Date: "2026-12-28", Long: "Mon 28 Dec 2026", Name: "Boxing Day (substitute day)"},
		{Date: "2027-01-01", Long: "Fri 1 Jan 2027", Name: "New Year's Day"},
	}, tl.Holidays)
	require.Len(t, tl.Stages, 4)
	discuss := tl.Stages[0].Deadlines[0]
	assert.Equal(t, "2026-12-24", discuss.DueDate)
	assert.False(t, discuss.Expedited)
	stage2 := tl.Stages[1].Deadlines[0]
	assert.Equal(t, "by the end of Thu 31 Dec 2026", stage2.Due)
	assert.Contains(t, stage2.Steps, StepView{Date: "Mon 28 Dec 2026", Reason: "Boxing Day (substitute day)"})
	assert.Contains(t, stage2.Steps, StepView{Date: "Thu 31 Dec 2026", Counted: true, Day: 3})

	res = r.do(t, http.MethodPost, "/api/timeline", TimelineRequest{File: "policy.yaml", Raised: "2026-12-22", Facts: map[string]any{"immediate_risk": true}}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	tl = decode[TimelineView](t, res)
	discuss = tl.Stages[0].Deadlines[0]
	assert.Equal(t, "2026-12-22", discuss.DueDate)
	assert.True(t, discuss.Expedited)
	assert.Equal(t, "immediately", discuss.Within)

	for _, bad := range []TimelineRequest{
		{File: "policy.yaml", Raised: "22/12/2026"},
		{File: "policy.yaml", Raised: "2026-12-22", Facts: map[string]any{"immediate_rsk": true}},
		{File: "policy.yaml", Raised: "2026-12-22", Facts: map[string]any{"immediate_risk": "yes"}},
		{File: "nothing.yaml", Raised: "2026-12-22"},
	} {
		res := r.do(t, http.MethodPost, "/api/timeline", bad, nil)
		assert.GreaterOrEqual(t, res.StatusCode, 400, "%+v", bad)
		assert.NotEmpty(t, decode[problemResponse](t, res).Error)
	}
}

// A policy's own days off show in the timeline, marked, with their source.
func TestTheTimelineShowsAPolicysDeclaredDaysOff(t *testing.T) {
	r := startIn(t, filepath.Join("..", "examples", "guernsey"))
	state := decode[State](t, r.do(t, http.MethodGet, "/api/state", nil, nil))
	require.Len(t, state.Policies, 1)
	require.True(t, state.Policies[0].Loaded, "%+v", state.Problems)
	for _, sc := range state.Scenarios {
		assert.True(t, sc.OK, "%s: %+v %s", sc.File, sc.Failures, sc.Error)
	}
	res := r.do(t, http.MethodPost, "/api/timeline", TimelineRequest{File: "policy.yaml", Raised: "2026-05-07"}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	tl := decode[TimelineView](t, res)
	var liberation *HolidayView
	for i, h := range tl.Holidays {
		if strings.HasPrefix(h.Name, "Liberation Day") {
			liberation = &tl.Holidays[i]
		}
	}
	require.NotNil(t, liberation, "%+v", tl.Holidays)
	assert.Equal(t, "2026-05-11", liberation.Date, "9 May 2026 is a Saturday: the Monday")
	assert.Equal(t, "declared", liberation.Kind)
	assert.NotEmpty(t, liberation.Source)
}

func TestPlayingACase(t *testing.T) {
	r := start(t)
	play := PlayRequest{File: "policy.yaml",
		Raise: Act{At: "2026-12-22T10:00", By: "asha", Role: "practitioner"},
		Steps: []Act{
			{Event: "discussed", At: "2026-12-23T11:00", By: "asha", Role: "practitioner"},
			{Event: "escalate", At: "2026-12-24T15:00", By: "asha", Role: "practitioner"}, // a practitioner may not
			{Event: "escalate", At: "2026-12-24T15:00", By: "lee", Role: "line_manager"},
		},
		View: View{Role: "line_manager", By: "lee"},
	}
	res := r.do(t, http.MethodPost, "/api/play", play, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	v := decode[PlayView](t, res)
	assert.Equal(t, 1, v.Accepted)
	require.NotNil(t, v.Refused)
	assert.Equal(t, 1, v.Refused.Step)
	assert.Equal(t, []string{"role_not_permitted"}, v.Refused.Reasons)
	assert.Equal(t, "stage1", v.Stage)
	assert.Len(t, v.Record, 2)

	play.Steps = append(play.Steps[:1], play.Steps[2])
	res = r.do(t, http.MethodPost, "/api/play", play, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	v = decode[PlayView](t, res)
	assert.Nil(t, v.Refused)
	assert.Equal(t, "stage2", v.Stage)
	require.Len(t, v.Due, 1)
	assert.Equal(t, "agree_way_forward", v.Due[0].ID)
	assert.Equal(t, "pending", v.Due[0].Status)
	assert.Equal(t, "2026-12-31", v.Due[0].DueDate)
	assert.Contains(t, v.Due[0].Steps, StepView{Date: "Fri 25 Dec 2026", Reason: "Christmas Day"})
	byEvent := map[string]ActionView{}
	for _, a := range v.Available {
		byEvent[a.Event] = a
	}
	assert.True(t, byEvent["resolve"].Allowed)
	assert.False(t, byEvent["escalate"].Allowed, "the form is not complete")
	assert.Equal(t, []string{"escalation_form"}, byEvent["escalate"].Forms)
	require.NotEmpty(t, byEvent["escalate"].Why)
	assert.Contains(t, byEvent["escalate"].Why[0], "escalation_form needs")
	assert.False(t, byEvent["withdraw"].Allowed)
	assert.Contains(t, byEvent["withdraw"].Why[0], `"line_manager" may not`)
	require.Len(t, v.Record, 3)
	assert.Equal(t, EntryView{Seq: 3, At: "Thu 24 Dec 2026 15:00 GMT", Actor: "lee", Role: "line_manager", Event: "escalate", From: "stage1", To: "stage2"}, v.Record[2])

	res = r.do(t, http.MethodPost, "/api/play", PlayRequest{File: "policy.yaml", Raise: Act{At: "2026-12-22", By: "asha", Role: "practitionr"}}, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, decode[problemResponse](t, res).Error, `did you mean "practitioner"`)
}

// Save as scenario writes what was played with the expectations as they
// stood, and the file passes the scenario runner as escalation test runs it.
func TestASavedStoryPassesAsAScenario(t *testing.T) {
	r := start(t)
	req := SaveRequest{Name: "to-stage-3", Title: "Urgent: straight to the Heads of Service", Play: PlayRequest{File: "policy.yaml",
		Raise: Act{At: "2026-11-18T09:30", By: "asha", Role: "practitioner", Facts: map[string]any{"immediate_risk": true}},
		Steps: []Act{
			{Event: "urgent_escalation", At: "2026-11-18T10:15", By: "asha", Role: "practitioner", Note: "A referral has been made."},
			{Event: "heads_met", At: "2026-11-18T14:00", By: "priya", Role: "head_of_service"},
			{Event: "resolve", At: "2026-11-18T16:00", By: "priya", Role: "head_of_service", Forms: map[string]map[string]any{"escalation_form": {
				"date_escalated": "2026-11-18", "child_initials": "CD", "child_dob": "2019-05-02", "raised_by": "Asha Patel",
				"raised_by_agency": "School", "other_agency": "CSC", "disagreement": "Whether: a strategy discussion is needed", "action_agreed": "Held today",
				"heads_met_on": "2026-11-18", "heads_outcome": "Agreed",
			}}},
		}}}
	res := r.do(t, http.MethodPost, "/api/save", req, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	got := decode[SaveView](t, res)
	assert.Equal(t, "scenarios/to-stage-3.yaml", got.File)
	assert.True(t, got.Result.OK, "%+v", got.Result)

	path := filepath.Join(r.dir, "scenarios", "to-stage-3.yaml")
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(src)
	for _, want := range []string{
		"scenario: 'Urgent: straight to the Heads of Service'\npolicy: ../policy.yaml\n",
		"  facts: {immediate_risk: true}\n",
		"  due: {discuss: 2026-11-18}\n",
		"      due: {heads_meet: 2026-11-18}\n",
		"      status: {heads_meet: met}\n",
		"      outcome: resolved\n",
		"    note: A referral has been made.\n",
	} {
		assert.Contains(t, text, want)
	}
	f, diags := scenario.Parse(path, src)
	require.Empty(t, diags)
	res2 := scenario.Run(context.Background(), f)
	assert.True(t, res2.OK(), "%v %v", res2.Err, res2.Failures)
	assert.Equal(t, f.Expectations(), res2.Passed)
	assert.GreaterOrEqual(t, res2.Passed, 12)

	// A story with a refused step is not saved.
	req.Name = "refused"
	req.Play.Steps[1].Role = "line_manager"
	res = r.do(t, http.MethodPost, "/api/save", req, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.NoFileExists(t, filepath.Join(r.dir, "scenarios", "refused.yaml"))
}

func TestTheDocumentAndThePage(t *testing.T) {
	r := start(t)
	res := r.do(t, http.MethodGet, "/api/doc?file=policy.yaml", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	doc := decode[DocumentView](t, res)
	assert.True(t, strings.HasPrefix(doc.HTML, "<h1>Resolving Professional Disagreements (Escalation Procedure)</h1>\n"))
	assert.Contains(t, doc.HTML, "<th>Stage</th>")

	res = r.do(t, http.MethodGet, "/", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	page, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Contains(t, string(page), `<script src="/static/vendor/mermaid/mermaid.min.js" defer></script>`)
	csp := res.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "script-src 'self';")
	assert.Contains(t, csp, "connect-src 'self'")
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))

	// Everything the page loads is served from the binary, and names no
	// other site to load from.
	for _, path := range []string{"/static/studio.js", "/static/studio.css", "/static/vendor/mermaid/mermaid.min.js"} {
		res := r.do(t, http.MethodGet, path, nil, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
	}
	for _, path := range []string{"static/index.html", "static/studio.js", "static/studio.css"} {
		src, err := static.ReadFile(path)
		require.NoError(t, err)
		assert.NotContains(t, string(src), "http://", path)
		assert.NotContains(t, string(src), "https://", path)
		assert.NotContains(t, string(src), "//cdn", path)
	}
}

// The host's closures count in the timeline, the player and the scenarios,
// as escalation timeline and test --closures count them.
func TestClosuresCountEverywhere(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "examples", "newarea"))
	closed := calendar.Holiday{Date: calendar.Date{Year: 2026, Month: time.December, Day: 29}, Name: "Office closed", Source: "the host"}
	s, err := New(dir, WithClock(fixedNow), WithClosures(closed))
	require.NoError(t, err)
	defer s.ln.Close()
	snap := s.snap.Load()
	p := snap.hosted["policy.yaml"]
	require.NotNil(t, p)

	sched, err := timeline.WorstCase(p, time.Date(2026, 12, 22, 9, 0, 0, 0, calendar.London()))
	require.NoError(t, err)
	tl, err := timelineView(sched)
	require.NoError(t, err)
	assert.Contains(t, tl.Holidays, HolidayView{Date: "2026-12-29", Long: "Tue 29 Dec 2026", Name: "Office closed", Kind: "closure", Source: "the host"})
	assert.Equal(t, "2027-01-04", tl.Stages[1].Deadlines[0].DueDate, "Stage 2's three days: 30, 31 Dec and 4 Jan")

	pl, err := replay(context.Background(), p, &PlayRequest{Raise: Act{At: "2026-12-24T15:00", By: "asha", Role: "practitioner"}})
	require.NoError(t, err)
	v, err := pl.view(context.Background(), View{})
	require.NoError(t, err)
	// Raised on Thu 24 Dec: Christmas, the weekend, the Boxing Day
	// substitute and the closure pass; 30 and 31 Dec count (30 Dec without
	// the closure).
	assert.Equal(t, "2026-12-31", v.Due[0].DueDate)

	failing := map[string]bool{}
	for _, sc := range snap.state.Scenarios {
		failing[sc.File] = !sc.OK
	}
	assert.True(t, failing["scenarios/full-ladder-christmas.yaml"], "it expects Stage 2 due on 31 Dec")
	assert.False(t, failing["scenarios/resolved-at-stage1.yaml"])
}

// A traceability matrix in a trace folder is checked, as validate checks
// it, and the document shows its coverage.
func TestATraceabilityMatrixIsCheckedAndDocumented(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"policy.yaml", "procedure.txt"} {
		src, err := os.ReadFile(filepath.Join("..", "engine", "trace", "testdata", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), src, 0o644))
	}
	matrix, err := os.ReadFile(filepath.Join("..", "engine", "trace", "testdata", "matrix.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "trace"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trace", "riverside.yaml"), matrix, 0o644))
	fo := folder{dir: dir, name: "riverside", today: calendar.DateOf(fixedNow())}

	snap := build(context.Background(), fo)
	for _, p := range snap.state.Problems {
		assert.NotEqual(t, "trace/riverside.yaml", p.File, "%+v", p)
	}
	require.Len(t, snap.state.Policies, 1, "the matrix is not read as a policy")
	require.NotNil(t, snap.traces["policy.yaml"])
	assert.Empty(t, snap.traces["policy.yaml"].problems)

	// A sentence of the procedure the matrix leaves out is a problem on the
	// procedure's line.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trace", "riverside.yaml"),
		bytes.Replace(matrix, []byte("  - said: \"They should record it on the child's file.\"\n    encoded: [stages.stage1.records.1]\n"), nil, 1), 0o644))
	snap = build(context.Background(), fo)
	var found bool
	for _, p := range snap.state.Problems {
		if p.File == "procedure.txt" && p.Severity == "error" {
			found = true
			assert.Contains(t, p.Text, "They should record it on the child's file.", "the line of the procedure, quoted")
		}
	}
	assert.True(t, found, "%+v", snap.state.Problems)

	// The document shows the matrix's coverage, as escalation doc does.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trace", "riverside.yaml"), matrix, 0o644))
	r := startIn(t, dir)
	doc := decode[DocumentView](t, r.do(t, http.MethodGet, "/api/doc?file=policy.yaml", nil, nil))
	assert.Contains(t, doc.HTML, "<h2>Traceability</h2>")
	assert.NotContains(t, doc.HTML, "has no traceability matrix")
	assert.Contains(t, doc.HTML, "escalation studio", "the tool that wrote it")
}

// The timeline shows what escalation/v1.1 adds: an urgent duty with no
// deadline, one with a backstop, a duty its facts make not owed, a deadline a
// date fact brings forward, and the duties owed after an outcome.
func TestTheTimelineOfTheNewConstructs(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "engine", "testdata", "constructs.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "constructs.yaml"), src, 0o644))
	r := startIn(t, dir)
	res := r.do(t, http.MethodPost, "/api/timeline", TimelineRequest{File: "constructs.yaml", Raised: "2026-12-22T10:00",
		Facts: map[string]any{"disagreement_date": "2026-12-18"}}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	tl := decode[TimelineView](t, res)
	require.NotEmpty(t, tl.Stages)
	s1 := tl.Stages[0]
	assert.Equal(t, []string{"speak"}, s1.Urgent, "as soon as possible, with no backstop")
	assert.Equal(t, []string{"involve_mash"}, s1.NotOwed, "dispute_area defaults to other")
	due := map[string]DeadlineView{}
	for _, d := range s1.Deadlines {
		due[d.Obligation] = d
	}
	assert.Equal(t, "2026-12-21", due["raise_matter"].DueDate, "1 working day from Fri 18 Dec, sooner than from the raise")
	assert.True(t, due["confirm"].Urgent, "its deadline is the backstop")
	require.Len(t, tl.Outcomes, 1)
	resolved := tl.Outcomes[0]
	assert.Equal(t, "resolved", resolved.ID)
	assert.Equal(t, []string{"feed_back"}, resolved.Urgent)
	require.Len(t, resolved.Deadlines, 1)
	assert.Equal(t, "from reaching the outcome", resolved.Deadlines[0].From)
	var days []string
	for _, h := range tl.Holidays {
		days = append(days, h.Date)
	}
	assert.Contains(t, days, "2027-01-01", "the days off run to the outcome's last deadline, after the ladder's")
}
