package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
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
	// now is when an act happens if its request gives no time: the engine
	// never reads a clock, so this is the one place acts get their time from
	// the server's, and tests inject a fixed one.
	now func() time.Time
	log *slog.Logger
}

// NewServer returns the API. It never logs a request's body or query; it
// logs cases and entries through their LogValue, which leaves out facts,
// forms and notes.
func NewServer(eng *engine.Engine, store *Store, now func() time.Time, log *slog.Logger) *Server {
	return &Server{eng: eng, store: store, now: now, log: log}
}

// Handler routes the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /cases", s.handle(s.raise))
	mux.Handle("GET /cases/{id}", s.handle(s.getCase))
	mux.Handle("GET /cases/{id}/record", s.handle(s.getRecord))
	mux.Handle("POST /cases/{id}/events", s.handle(s.fire))
	mux.Handle("GET /cases/{id}/due", s.handle(s.due))
	mux.Handle("GET /cases/{id}/available", s.handle(s.available))
	mux.Handle("GET /overdue", s.handle(s.overdue))
	return s.logRequests(s.unrouted(mux))
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
		if ae.Status >= http.StatusInternalServerError {
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

type raiseRequest struct {
	Policy string                    `json:"policy"`
	ID     string                    `json:"id"` // generated when empty
	Actor  string                    `json:"actor"`
	Role   string                    `json:"role"`
	Agency string                    `json:"agency"`
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
	at, err := s.when(req.At, "at")
	if err != nil {
		return err
	}
	id := req.ID
	switch {
	case id == "":
		id = "c-" + strings.ToLower(rand.Text())
	case !caseIDs.MatchString(id):
		return invalid("id", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (a reference, never a name)")
	}
	h, en, err := s.eng.Raise(r.Context(), req.Policy, engine.Raise{
		CaseID: id, Actor: req.Actor, Role: req.Role, Agency: req.Agency, At: at,
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

// act is the answer to an act: the case's new head, and the entry that
// records the act (the rest of the record is at /cases/{id}/record).
type act struct {
	Head  engine.Head   `json:"head"`
	Entry *engine.Entry `json:"entry"`
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	h, err := s.store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, h)
	return nil
}

// getRecord streams the case's record, entry by entry as the database
// yields them, as a JSON array. An error after the first entry is written
// can only end the response early; it is logged.
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.store.Get(r.Context(), id); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "[") // a failed write means the client has gone: nothing to tell it
	sep := "\n  "
	for en, err := range s.store.Record(r.Context(), id) {
		if err != nil {
			s.log.ErrorContext(r.Context(), "reading a record", slog.String("case", id), slog.Any("err", err))
			return nil
		}
		b, err := json.MarshalIndent(en, "  ", "  ")
		if err != nil {
			return err
		}
		io.WriteString(w, sep)
		w.Write(b)
		sep = ",\n  "
	}
	io.WriteString(w, "\n]\n")
	return nil
}

type eventRequest struct {
	Event  string `json:"event"`
	Actor  string `json:"actor"`
	Role   string `json:"role"`
	Agency string `json:"agency"`
	At     string `json:"at"` // RFC 3339; the server's clock when empty
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
	if req.Revision <= 0 {
		return invalid("revision", "is required: the case's revision as you read it, so that an event on a case changed meanwhile is refused")
	}
	at, err := s.when(req.At, "at")
	if err != nil {
		return err
	}
	c, err := s.store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	next, en, err := s.eng.Fire(r.Context(), c, engine.Event{
		Name: req.Event, Actor: req.Actor, Role: req.Role, Agency: req.Agency, At: at,
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
	c, err := s.store.Get(r.Context(), r.PathValue("id"))
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

func (s *Server) available(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	at, err := s.when(q.Get("at"), "at")
	if err != nil {
		return err
	}
	c, err := s.store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	role := q.Get("role")
	actions, err := s.eng.Available(r.Context(), c, q.Get("actor"), role, at)
	if err != nil {
		return err
	}
	resp := availableResponse{Case: c.ID, Revision: c.Revision, Stage: c.Stage, Actor: q.Get("actor"), Role: role, At: at, Actions: []action{}}
	for _, a := range actions {
		out := action{Event: a.Event, Allowed: a.Allowed, To: target(a.Transition)}
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

func (s *Server) overdue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	at, err := s.when(q.Get("at"), "at")
	if err != nil {
		return err
	}
	limit := defaultOverdueLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxOverdueLimit {
			return malformed(fmt.Sprintf("limit: must be a whole number from 1 to %d", maxOverdueLimit))
		}
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
		return s.now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, malformed(fmt.Sprintf("%s: %q is not an RFC 3339 time such as 2026-12-22T10:00:00Z", name, v))
	}
	return t.Truncate(time.Second), nil
}

const maxBody = 1 << 20

// decode reads one JSON object, refusing unknown fields so that a misspelt
// one ("revison") is an error rather than silently ignored. Numbers stay
// exact (json.Number) for the engine to check against each fact's type.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{http.StatusRequestEntityTooLarge, "request_too_large", fmt.Sprintf("the body is over %d bytes", maxBody), nil}
		}
		return malformed("the body is not the JSON this endpoint takes: " + err.Error())
	}
	if dec.More() {
		return malformed("the body has more than one JSON value")
	}
	return nil
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		s.log.Error("encoding a response", slog.Any("err", err))
		status, b = http.StatusInternalServerError, []byte(`{"error": {"code": "internal", "message": "internal error; the server's log has the cause"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) // a failed write means the client has gone: nothing to tell it
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	s.writeJSON(w, e.Status, struct {
		Error *apiError `json:"error"`
	}{e})
}
