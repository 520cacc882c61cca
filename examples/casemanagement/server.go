package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// Server is the HTTP JSON API over the engine and the store.
type Server struct {
	eng   *engine.Engine
	store *Store
	cfg   Config
	log   *slog.Logger
}

// Config is what the API needs besides the engine and the store.
type Config struct {
	// Auth checks every request's bearer token and says who sent it.
	Auth Authenticator
	// Hosts are the Host values the service answers to (see LoopbackHosts);
	// Origins the web origins whose pages may call it (none by default).
	Hosts, Origins []string
	// AdminRole is the role that may read every case and the overdue list
	// without taking part in a case.
	AdminRole string
	// MaxSkew is how far after the server's clock an act may be dated: an
	// act is recorded when it happened, which is never in the future, and a
	// case's later acts cannot be dated before its last one.
	MaxSkew time.Duration
	// Now is the server's clock: when an act happens if its request gives no
	// time, and what MaxSkew is measured from. The engine never reads a
	// clock, so this is the one place acts get their time from the server's,
	// and tests inject a fixed one.
	Now func() time.Time
	Log *slog.Logger
}

// DefaultMaxSkew is Config.MaxSkew unless configured: clocks drift, and a
// client's may run a little ahead of the server's.
const DefaultMaxSkew = 5 * time.Minute

// NewServer returns the API. It never logs a request's body or query; it
// logs cases and entries through their LogValue, which leaves out facts,
// forms and notes.
func NewServer(eng *engine.Engine, store *Store, cfg Config) *Server {
	return &Server{eng: eng, store: store, cfg: cfg, log: cfg.Log}
}

// Handler routes the API. Every request passes the Host and Origin checks,
// then authentication, before it is routed.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /cases", s.handle(s.raise))
	mux.Handle("GET /cases/{id}", s.handle(s.getCase))
	mux.Handle("GET /cases/{id}/record", s.handle(s.getRecord))
	mux.Handle("POST /cases/{id}/events", s.handle(s.fire))
	mux.Handle("GET /cases/{id}/due", s.handle(s.due))
	mux.Handle("GET /cases/{id}/available", s.handle(s.available))
	mux.Handle("GET /overdue", s.handle(s.overdue))
	return s.logRequests(s.guard(s.authenticate(s.unrouted(mux))))
}

// handle writes a handler's error in the API's shape, and logs it: the
// error's code for a client's mistake, the cause for a server's.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		ae := classify(err)
		var record *engine.RecordError
		if errors.As(err, &record) {
			// The entry and how it fails, never a value from the record.
			s.log.ErrorContext(r.Context(), "record fails verification", slog.String("case", record.Case),
				slog.Int("entry", record.Entry), slog.String("how", string(record.How)), slog.String("err", err.Error()))
		} else if ae.Status >= http.StatusInternalServerError {
			s.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		} else {
			s.log.InfoContext(r.Context(), "request refused", slog.String("path", r.URL.Path), slog.String("code", ae.Code))
		}
		s.writeError(w, ae)
	})
}

// unrouted answers the router's own 404 and 405 in the API's error shape
// rather than as plain text.
func (s *Server) unrouted(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &statusRecorder{header: w.Header()} // the router sets Allow on a 405
		mux.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			s.writeError(w, &apiError{http.StatusMethodNotAllowed, "method_not_allowed",
				fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, w.Header().Get("Allow")), nil})
			return
		}
		s.writeError(w, &apiError{http.StatusNotFound, "not_found", fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path), nil})
	})
}

// statusRecorder keeps the status and headers a handler sets and drops its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (p *statusRecorder) Header() http.Header         { return p.header }
func (p *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusRecorder) WriteHeader(status int)      { p.status = status }

// logRequests logs each request's method, path and status: never its query
// or body, which may carry personal data.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Who acts, and for which agency, comes from the credential; a request says
// only which of the caller's roles it acts in.
type raiseRequest struct {
	Policy string                    `json:"policy"`
	ID     string                    `json:"id"` // generated when empty
	Role   string                    `json:"role"`
	At     string                    `json:"at"` // RFC 3339; the server's clock when empty
	Facts  map[string]any            `json:"facts"`
	Forms  map[string]map[string]any `json:"forms"`
	Note   string                    `json:"note"`
}

// caseIDs keeps ids safe in a URL path and in logs.
var caseIDs = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (s *Server) raise(w http.ResponseWriter, r *http.Request) error {
	var req raiseRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkValues(map[string]string{"policy": req.Policy, "id": req.ID, "role": req.Role}, req.Facts, req.Forms, req.Note); err != nil {
		return err
	}
	id := identity(r)
	role, err := s.actingRole(id, req.Role)
	if err != nil {
		return err
	}
	at, err := s.actTime(req.At)
	if err != nil {
		return err
	}
	caseID := req.ID
	switch {
	case caseID == "":
		caseID = "c-" + strings.ToLower(rand.Text())
	case !caseIDs.MatchString(caseID):
		return invalid("id", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (a reference, never a name)")
	}
	h, en, err := s.eng.Raise(r.Context(), req.Policy, engine.Raise{
		CaseID: caseID, Actor: id.Actor, Role: role, Agency: id.Agency, At: at,
		Facts: req.Facts, Forms: req.Forms, Note: req.Note,
	})
	if errors.Is(err, engine.ErrUnknownPolicy) {
		return &apiError{http.StatusUnprocessableEntity, "unknown_policy", err.Error(), map[string]any{"policies": s.eng.Policies()}}
	}
	if err != nil {
		return err
	}
	if err := s.store.Create(r.Context(), Written{Head: h, Entries: []*engine.Entry{en}}); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "case raised", slog.Any("case", h))
	w.Header().Set("Location", "/cases/"+h.ID)
	s.writeJSON(w, http.StatusCreated, act{h, en})
	return nil
}

// actingRole is the role a request acts in: the one it names, which the
// caller must hold, or the caller's only role when it names none.
func (s *Server) actingRole(id Identity, role string) (string, error) {
	switch {
	case role != "" && !id.Holds(role):
		return "", &apiError{http.StatusForbidden, "role_not_held",
			fmt.Sprintf("your credential does not give you the role %q; it gives %s", role, strings.Join(id.Roles, ", ")), nil}
	case role != "":
		return role, nil
	case len(id.Roles) == 1:
		return id.Roles[0], nil
	}
	return "", invalid("role", "say which of your roles you act in: "+strings.Join(id.Roles, ", "))
}

// readable fetches a case's head for the caller, who must hold a role in
// it: a role its current stage involves or lets act, or one in which they
// have acted on the case; or the administrative role. Every case read is
// logged, with who read it and on what grounds: the case's data is personal
// data, and who has seen it must be answerable.
func (s *Server) readable(r *http.Request, caseID string) (engine.Head, error) {
	h, err := s.store.Get(r.Context(), caseID)
	if err != nil {
		return engine.Head{}, err
	}
	id := identity(r)
	var grounds string
	switch {
	case id.Holds(s.cfg.AdminRole):
		grounds = "administrator"
	case s.stageRole(h, id):
		grounds = "stage_role"
	default:
		took, err := s.store.Participant(r.Context(), caseID, id.Actor)
		if err != nil {
			return engine.Head{}, err
		}
		if !took {
			return engine.Head{}, &apiError{http.StatusForbidden, "case_forbidden",
				fmt.Sprintf("you hold no role in case %s: its current stage involves none of yours, and you have not acted on it", caseID), nil}
		}
		grounds = "acted_on_it"
	}
	s.log.InfoContext(r.Context(), "case read", slog.String("case", caseID), slog.String("actor", id.Actor),
		slog.String("agency", id.Agency), slog.String("grounds", grounds), slog.String("method", r.Method), slog.String("path", r.URL.Path))
	return h, nil
}

// stageRole says whether the identity holds a role the case's current stage
// involves, or that one of the stage's events may be fired in.
func (s *Server) stageRole(h engine.Head, id Identity) bool {
	p, err := s.eng.PolicyFor(h)
	if err != nil {
		return false
	}
	st, ok := p.Stage(h.Stage)
	if !ok {
		return false // a closed case: only those who acted on it, and the administrator
	}
	held := func(role *engine.Role) bool { return id.Holds(role.ID) }
	if slices.ContainsFunc(st.Involves, held) {
		return true
	}
	for _, t := range slices.Concat(st.Transitions, p.AnyStage) {
		if t.AppliesIn(st) && slices.ContainsFunc(t.Roles, held) {
			return true
		}
	}
	return false
}

// act is the answer to an act: the case's new head, and the entry that
// records the act (the rest of the record is at /cases/{id}/record).
type act struct {
	Head  engine.Head   `json:"head"`
	Entry *engine.Entry `json:"entry"`
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	h, err := s.readable(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, h)
	return nil
}

// Bounds on one page of a record.
const (
	defaultRecordLimit = 100
	maxRecordLimit     = 1000
)

// recordPage is one page of a case's record, verified.
type recordPage struct {
	Case     string          `json:"case"`
	Revision int64           `json:"revision"`
	Entries  []*engine.Entry `json:"entries"`
	// Next is the URL of the next page, when there is one.
	Next string `json:"next,omitempty"`
}

// getRecord answers a page of the case's record, the entries after the
// entry numbered ?after= (0 by default), at most ?limit= of them. The whole
// record is verified first: a page is never served from a record that fails.
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	after, err := queryInt(q.Get("after"), "after", 0, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	limit, err := queryInt(q.Get("limit"), "limit", defaultRecordLimit, 1, maxRecordLimit)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.readable(r, id); err != nil {
		return err
	}
	h, page, err := s.store.RecordPage(r.Context(), id, after, limit)
	if err != nil {
		return err
	}
	resp := recordPage{Case: h.ID, Revision: h.Revision, Entries: page}
	if last := int64(after + len(page)); len(page) == limit && last < h.Revision {
		resp.Next = fmt.Sprintf("/cases/%s/record?after=%d&limit=%d", h.ID, last, limit)
	}
	s.writeJSON(w, http.StatusOK, resp)
	return nil
}

// queryInt reads a whole number from the query, def when it is absent.
func queryInt(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, malformed(fmt.Sprintf("%s: must be a whole number from %d to %d", name, lo, hi))
	}
	return n, nil
}

type eventRequest struct {
	Event string `json:"event"`
	Role  string `json:"role"`
	At    string `json:"at"` // RFC 3339; the server's clock when empty
	// Revision is the case's revision as the client read it. Required: an act
	// is a decision about the case the person saw, not whatever it is now.
	Revision int64                     `json:"revision"`
	Facts    map[string]any            `json:"facts"`
	Forms    map[string]map[string]any `json:"forms"`
	Note     string                    `json:"note"`
}

func (s *Server) fire(w http.ResponseWriter, r *http.Request) error {
	var req eventRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkValues(map[string]string{"event": req.Event, "role": req.Role}, req.Facts, req.Forms, req.Note); err != nil {
		return err
	}
	if req.Revision <= 0 {
		return invalid("revision", "is required: the case's revision as you read it, so that an event on a case changed meanwhile is refused")
	}
	id := identity(r)
	role, err := s.actingRole(id, req.Role)
	if err != nil {
		return err
	}
	at, err := s.actTime(req.At)
	if err != nil {
		return err
	}
	c, err := s.readable(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	next, en, err := s.eng.Fire(r.Context(), c, engine.Event{
		Name: req.Event, Actor: id.Actor, Role: role, Agency: id.Agency, At: at,
		Facts: req.Facts, Forms: req.Forms, Note: req.Note, Revision: req.Revision,
	})
	if err != nil {
		return err
	}
	// Two requests can both pass the engine's revision check on the same read;
	// the store's conditional update lets only one of them write.
	if err := s.store.Update(r.Context(), c.Revision, next, en); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "event fired", slog.Any("case", next), slog.Any("entry", en))
	s.writeJSON(w, http.StatusOK, act{next, en})
	return nil
}

type dueResponse struct {
	Case     string    `json:"case"`
	Revision int64     `json:"revision"`
	Stage    string    `json:"stage,omitempty"`
	Outcome  string    `json:"outcome,omitempty"`
	At       time.Time `json:"at"`
	Duties   []duty    `json:"duties"`
}

type duty struct {
	Obligation string        `json:"obligation"`
	Title      string        `json:"title"`
	Owner      string        `json:"owner,omitempty"`
	Status     engine.Status `json:"status"`
	Within     string        `json:"within,omitempty"`
	Immediate  bool          `json:"immediate,omitempty"`
	Expedited  bool          `json:"expedited,omitempty"`
	Anchor     *time.Time    `json:"anchor,omitempty"`
	Due        *time.Time    `json:"due,omitempty"`
	// DueDate is the last day on which the act is on time.
	DueDate *calendar.Date `json:"due_date,omitempty"`
	Met     *time.Time     `json:"met,omitempty"`
	Late    bool           `json:"late,omitempty"`
	Breach  string         `json:"breach,omitempty"`
	// Explanation is the calendar's day-by-day reasoning for the due date.
	Explanation []string `json:"explanation,omitempty"`
}

func (s *Server) due(w http.ResponseWriter, r *http.Request) error {
	at, err := s.when(r.URL.Query().Get("at"), "at")
	if err != nil {
		return err
	}
	c, err := s.readable(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	duties, err := s.eng.Due(c, at)
	if err != nil {
		return err
	}
	resp := dueResponse{Case: c.ID, Revision: c.Revision, Stage: c.Stage, Outcome: c.Outcome, At: at, Duties: []duty{}}
	for _, d := range duties {
		out := duty{
			Obligation: d.Obligation.ID, Title: d.Obligation.Title, Status: d.Status, Within: d.Within.String(),
			Immediate: d.Within.Immediate, Expedited: d.Expedited, Late: d.Late,
			Anchor: optional(d.Anchor), Met: optional(d.Met),
		}
		if d.Obligation.Owner != nil {
			out.Owner = d.Obligation.Owner.ID
		}
		if d.Breach != nil {
			out.Breach = d.Breach.Message
		}
		if !d.Due.IsZero() {
			due := d.Due.In(calendar.London())
			out.Due, out.DueDate = &due, &d.DueDate
			dl, err := d.Explain()
			if err != nil {
				return err
			}
			out.Explanation = strings.Split(strings.TrimSuffix(dl.String(), "\n"), "\n")
		}
		resp.Duties = append(resp.Duties, out)
	}
	s.writeJSON(w, http.StatusOK, resp)
	return nil
}

func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

type availableResponse struct {
	Case     string    `json:"case"`
	Revision int64     `json:"revision"`
	Stage    string    `json:"stage,omitempty"`
	Actor    string    `json:"actor,omitempty"`
	Role     string    `json:"role"`
	At       time.Time `json:"at"`
	Actions  []action  `json:"actions"`
}

type action struct {
	Event   string   `json:"event"`
	Allowed bool     `json:"allowed"`
	To      string   `json:"to,omitempty"`
	Reasons []reason `json:"reasons,omitempty"` // why not, one per transition of that name
}

// available says what the caller may do on the case, in the role named by
// ?role= (which they must hold) or their only role.
func (s *Server) available(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	at, err := s.when(q.Get("at"), "at")
	if err != nil {
		return err
	}
	if err := checkValues(map[string]string{"role": q.Get("role")}, nil, nil, ""); err != nil {
		return err
	}
	id := identity(r)
	role, err := s.actingRole(id, q.Get("role"))
	if err != nil {
		return err
	}
	c, err := s.readable(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	actions, err := s.eng.Available(r.Context(), c, id.Actor, role, at)
	if err != nil {
		return err
	}
	resp := availableResponse{Case: c.ID, Revision: c.Revision, Stage: c.Stage, Actor: id.Actor, Role: role, At: at, Actions: []action{}}
	for _, a := range actions {
		out := action{Event: a.Event, Allowed: a.Allowed, To: a.Transition.Destination()}
		var refused *engine.RefusedError
		if errors.As(a.Refused, &refused) {
			out.Reasons = reasonsOf(refused)
		}
		resp.Actions = append(resp.Actions, out)
	}
	s.writeJSON(w, http.StatusOK, resp)
	return nil
}

// Bounds on one page of GET /overdue; the sweep command has none.
const (
	defaultOverdueLimit = 1000
	maxOverdueLimit     = 10000
)

type overdueResponse struct {
	At      time.Time     `json:"at"`
	Overdue []overdueItem `json:"overdue"`
	// Truncated says there are more than the limit; the sweep lists them all.
	Truncated bool `json:"truncated"`
}

// overdue lists what is overdue across every open case, for the
// administrative role only: it names cases the caller may hold no role in.
func (s *Server) overdue(w http.ResponseWriter, r *http.Request) error {
	if !identity(r).Holds(s.cfg.AdminRole) {
		return &apiError{http.StatusForbidden, "role_not_held",
			fmt.Sprintf("the overdue list across all cases needs the %s role; ask a case what it owes at /cases/{id}/due", s.cfg.AdminRole), nil}
	}
	q := r.URL.Query()
	at, err := s.when(q.Get("at"), "at")
	if err != nil {
		return err
	}
	limit, err := queryInt(q.Get("limit"), "limit", defaultOverdueLimit, 1, maxOverdueLimit)
	if err != nil {
		return err
	}
	resp := overdueResponse{At: at, Overdue: []overdueItem{}}
	for o, err := range s.store.Overdue(r.Context(), at) {
		if err != nil {
			return err
		}
		if len(resp.Overdue) == limit {
			resp.Truncated = true
			break
		}
		item, err := describeOverdue(s.eng, o, at)
		if err != nil {
			return err
		}
		resp.Overdue = append(resp.Overdue, item)
	}
	s.writeJSON(w, http.StatusOK, resp)
	return nil
}

// when reads a time from a request, or takes the server's clock if there is
// none. Times are kept to the second, so every deadline is a whole second and
// the obligations index compares them exactly.
func (s *Server) when(v, name string) (time.Time, error) {
	if v == "" {
		return s.cfg.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, malformed(fmt.Sprintf("%s: %q is not an RFC 3339 time such as 2026-12-22T10:00:00Z", name, v))
	}
	return t.Truncate(time.Second), nil
}

// actTime is when an act happened: the request's time, which may not be
// more than MaxSkew after the server's clock, or the server's clock.
func (s *Server) actTime(v string) (time.Time, error) {
	at, err := s.when(v, "at")
	if err != nil {
		return at, err
	}
	if limit := s.cfg.Now().Add(s.cfg.MaxSkew); at.After(limit) {
		return at, &apiError{http.StatusUnprocessableEntity, "time_in_future",
			fmt.Sprintf("at: %s is after the server's clock (%s, allowing %v for clocks that differ): record an act when it has happened",
				at.Format(time.RFC3339), s.cfg.Now().UTC().Format(time.RFC3339), s.cfg.MaxSkew), map[string]string{"path": "at"}}
	}
	return at, nil
}

const maxBody = 1 << 20

// decode reads the body as one JSON object (strictJSON: UTF-8, no key
// twice, no unknown field, so that a misspelt "revison" is an error rather
// than silently ignored), sent as application/json and at most maxBody
// bytes.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if err := jsonBody(r); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apiError{http.StatusRequestEntityTooLarge, "request_too_large", fmt.Sprintf("the body is over %d bytes", maxBody), nil}
	}
	if err != nil {
		return malformed("the body could not be read: " + err.Error())
	}
	err = strictJSON(data, v)
	for _, f := range []string{"actor", "agency"} {
		if err != nil && strings.Contains(err.Error(), fmt.Sprintf("unknown field %q", f)) {
			return malformed(f + ": leave it out: who acts, and for which agency, comes from your credential")
		}
	}
	return err
}

// writeJSON answers v as indented JSON. It does not escape <, > and & as
// \u003c and so on: the answer is always application/json, which no browser
// renders as HTML, and the text stays readable.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.log.Error("encoding a response", slog.Any("err", err))
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"error": {"code": "internal", "message": "internal error; the server's log has the cause"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b.Bytes()) // a failed write means the client has gone: nothing to tell it
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	s.writeJSON(w, e.Status, struct {
		Error *apiError `json:"error"`
	}{e})
}
