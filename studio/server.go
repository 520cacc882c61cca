package studio

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

//go:embed static
var static embed.FS

// Bounds on what one request may cost.
const (
	maxBody      = 1 << 20 // bytes of a request body
	maxHeader    = 16 << 10
	maxListeners = 16 // pages listening for changes at once
	heartbeat    = 15 * time.Second
)

// Server serves the studio for one folder. Make it with New, run it with
// Serve; it answers only the browser that opened the address URL returns.
type Server struct {
	dir   string // absolute, links resolved
	name  string // as the author named it
	token string
	ln    net.Listener
	port  string
	now   func() time.Time
	poll  time.Duration
	http  *http.Server

	closures []calendar.Holiday

	snap     atomic.Pointer[snapshot]
	rebuilds chan struct{} // asks the watcher to look now (after a save)

	mu        sync.Mutex
	listeners map[chan int64]struct{}
	closed    bool
}

type config struct {
	addr     string
	now      func() time.Time
	poll     time.Duration
	closures []calendar.Holiday
}

// Option configures New. An option that fails makes New fail.
type Option func(*config) error

// WithAddr sets the address to listen on: a loopback IP address and a port,
// "127.0.0.1:0" (a free port) unless set. Any other host is refused: the
// studio reads and writes the author's files and must not be reachable from
// another machine.
func WithAddr(addr string) Option {
	return func(c *config) error {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("studio: address %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
			return fmt.Errorf("studio: address %q: the studio listens on 127.0.0.1 only (give 127.0.0.1:PORT)", addr)
		}
		c.addr = addr
		return nil
	}
}

// WithClock sets the clock, read for today's date (review dates) and the
// player's default times; time.Now unless set.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("studio: WithClock needs a clock")
		}
		c.now = now
		return nil
	}
}

// WithPollInterval sets how often the studio looks for saved files (200 ms
// unless set).
func WithPollInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("studio: WithPollInterval needs a positive interval")
		}
		c.poll = d
		return nil
	}
}

// WithClosures adds the host's closure days to every policy's calendar, as
// escalation timeline and test take them with --closures: the timeline, the
// player and the scenarios count them. A scenario saved from the player then
// passes escalation test with the same closures.
func WithClosures(days ...calendar.Holiday) Option {
	return func(c *config) error {
		c.closures = append(c.closures, days...)
		return nil
	}
}

// New reads the folder dir, listens on a loopback port, and returns the
// server; Serve runs it.
func New(dir string, opts ...Option) (*Server, error) {
	cfg := config{addr: "127.0.0.1:0", now: time.Now, poll: 200 * time.Millisecond}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("studio: %w", err)
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("studio: %s is not a folder: give the folder that holds your policy file", dir)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("studio: making the secret: %w", err)
	}
	ln, err := net.Listen("tcp4", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("studio: %w", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s := &Server{
		dir: abs, name: filepath.Clean(dir), token: hex.EncodeToString(secret), ln: ln, port: port, now: cfg.now, poll: cfg.poll, closures: cfg.closures,
		rebuilds: make(chan struct{}, 1), listeners: map[chan int64]struct{}{},
	}
	s.http = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second, // the event stream extends its own
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeader,
	}
	s.rebuild(context.Background())
	return s, nil
}

// rebuild reads the folder again and publishes what it finds.
func (s *Server) rebuild(ctx context.Context) {
	s.publish(build(ctx, folder{dir: s.dir, name: s.name, today: s.today(), closures: s.closures}))
}

// URL is the address to open, with the per-run secret.
func (s *Server) URL() string { return "http://127.0.0.1:" + s.port + "/?token=" + s.token }

// Dir is the folder the studio serves, absolute.
func (s *Server) Dir() string { return s.dir }

func (s *Server) today() calendar.Date { return calendar.DateOf(s.now()) }

// Serve answers requests and watches the folder until ctx ends, then stops,
// giving requests under way a moment to finish.
func (s *Server) Serve(ctx context.Context) error {
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	go s.watch(watchCtx)
	served := make(chan error, 1)
	go func() { served <- s.http.Serve(s.ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.closed = true
	for ch := range s.listeners {
		close(ch)
		delete(s.listeners, ch)
	}
	s.mu.Unlock()
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.http.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// publish makes a snapshot current, numbers it, and tells every page.
func (s *Server) publish(snap *snapshot) {
	if old := s.snap.Load(); old != nil {
		snap.state.Version = old.state.Version + 1
	} else {
		snap.state.Version = 1
	}
	s.snap.Store(snap)
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.listeners {
		select {
		case ch <- snap.state.Version:
		default: // the page has a change to fetch already; it reads the newest
		}
	}
}

func (s *Server) handler() http.Handler {
	files, _ := fs.Sub(static, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(files)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeFileFS(w, r, files, "index.html")
	})
	mux.HandleFunc("GET /api/state", s.state)
	mux.HandleFunc("GET /api/events", s.events)
	mux.HandleFunc("GET /api/doc", s.document)
	mux.HandleFunc("POST /api/timeline", s.timeline)
	mux.HandleFunc("POST /api/play", s.play)
	mux.HandleFunc("POST /api/save", s.save)
	return s.guard(mux)
}

// cookie is the name of the cookie that carries the secret. Cookies are
// shared by every port of a host, so the name has the port.
func (s *Server) cookie() string { return "escalation_studio_" + s.port }

// guard lets through only what the author's own browser sends: to this
// address by name (no DNS rebinding), with the secret, and for requests
// that change anything, from this page (no cross-site request forgery).
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !s.hostOK(r.Host) {
			http.Error(w, "forbidden: this studio answers only at 127.0.0.1:"+s.port+" or localhost:"+s.port, http.StatusForbidden)
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			http.Error(w, "forbidden: the studio answers only its own page", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !s.originOK(r.Header.Get("Origin")) {
				http.Error(w, "forbidden: a change must come from the studio's own page", http.StatusForbidden)
				return
			}
			if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
				http.Error(w, "the studio takes JSON (Content-Type: application/json)", http.StatusUnsupportedMediaType)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		if tok := r.URL.Query().Get("token"); tok != "" {
			if !s.secretOK(tok) {
				http.Error(w, "forbidden: that is not this studio's key; open the address escalation studio printed", http.StatusForbidden)
				return
			}
			// Swap the secret for a cookie scripts cannot read and other
			// sites never send, and take it out of the address bar.
			http.SetCookie(w, &http.Cookie{Name: s.cookie(), Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if r.Method == http.MethodGet && r.URL.Path == "/" {
				http.Redirect(w, r, "/", http.StatusSeeOther)
				return
			}
		} else if c, err := r.Cookie(s.cookie()); err != nil || !s.secretOK(c.Value) {
			http.Error(w, "forbidden: open the address escalation studio printed (it carries this run's key)", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) secretOK(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.token)) == 1
}

func (s *Server) hostOK(host string) bool {
	return host == "127.0.0.1:"+s.port || host == "localhost:"+s.port
}

func (s *Server) originOK(origin string) bool {
	return origin == "http://127.0.0.1:"+s.port || origin == "http://localhost:"+s.port
}

func (s *Server) state(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.snap.Load().state)
}

// events streams the state's version number, as Server-Sent Events, each
// time the folder changes; the page then fetches the state.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ch := make(chan int64, 1)
	s.mu.Lock()
	if s.closed || len(s.listeners) >= maxListeners {
		s.mu.Unlock()
		http.Error(w, "too many pages are open on this studio", http.StatusServiceUnavailable)
		return
	}
	s.listeners[ch] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ch)
		s.mu.Unlock()
	}()
	rc := http.NewResponseController(w)
	// The stream outlives the server's read timeout, which would otherwise
	// end it; a listener is bounded by maxListeners and needs the key.
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		http.Error(w, "the event stream cannot be kept open", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	send := func(msg string) bool {
		if rc.SetWriteDeadline(time.Now().Add(heartbeat+5*time.Second)) != nil {
			return false
		}
		if _, err := fmt.Fprint(w, msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 1000\n\nevent: version\ndata: " + strconv.FormatInt(s.snap.Load().state.Version, 10) + "\n\n") {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case v, open := <-ch:
			if !open || !send("event: version\ndata: "+strconv.FormatInt(v, 10)+"\n\n") {
				return
			}
		case <-tick.C:
			if !send(": still here\n\n") {
				return
			}
		}
	}
}

// problemResponse is an error the page shows.
type problemResponse struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, problemResponse{Error: fmt.Sprintf(format, args...)})
}

// readJSON decodes a request body, refusing unknown fields and more than
// one value.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the request is over %d bytes", maxBody)
			return false
		}
		writeError(w, http.StatusBadRequest, "the request does not read: %v", err)
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "the request has more than one JSON value")
		return false
	}
	return true
}
