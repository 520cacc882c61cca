package main

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Limits on every connection, so that a slow or stalled client cannot hold
// one open: the whole request (headers and body) must arrive within
// ReadTimeout, the answer must be written within WriteTimeout, and an idle
// keep-alive connection is closed after IdleTimeout.
type Limits struct {
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                                            int
}

// DefaultLimits suit a service whose requests are a few kilobytes and whose
// answers are computed in milliseconds.
var DefaultLimits = Limits{
	ReadHeaderTimeout: 5 * time.Second,
	ReadTimeout:       10 * time.Second,
	WriteTimeout:      30 * time.Second,
	IdleTimeout:       60 * time.Second,
	MaxHeaderBytes:    16 << 10,
}

// HTTPServer is the http.Server for a handler, with the limits set.
func (l Limits) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// LoopbackHosts are the Host values a client on this machine uses for a
// server listening on addr (127.0.0.1:8080 gives localhost:8080,
// 127.0.0.1:8080 and [::1]:8080). A request naming any other host is refused:
// a web page that rebinds its own name to 127.0.0.1 sends its own name.
func LoopbackHosts(addr string) []string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	return []string{net.JoinHostPort("localhost", port), net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port)}
}

// guard refuses, before anything else is read, a request whose Host is not
// one the service is configured to answer to (DNS rebinding), and one whose
// Origin, when it has one, is not configured (a web page's cross-origin
// request; browsers always send Origin on those). A configured origin's page
// is let in the way browsers ask (CORS): its preflight is answered here,
// before authentication, since a preflight carries no credential, and every
// answer to it names the origin.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.ContainsFunc(s.cfg.Hosts, func(h string) bool { return strings.EqualFold(h, r.Host) }) {
			s.refuse(w, r, &apiError{http.StatusForbidden, "host_not_allowed",
				fmt.Sprintf("the service does not answer to the host %q; it answers to %s", r.Host, strings.Join(s.cfg.Hosts, ", ")), nil})
			return
		}
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); o != "" {
			if !slices.Contains(s.cfg.Origins, o) {
				s.refuse(w, r, &apiError{http.StatusForbidden, "origin_not_allowed",
					"requests from a web page at another origin are refused; configure its origin with -origins if it is yours", nil})
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Expose-Headers", "Location, WWW-Authenticate")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

type identityKey struct{}

// authenticate takes the caller's identity from the request's bearer token,
// or answers 401.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.unauthenticated(w, r, "send a bearer token: Authorization: Bearer <token>")
			return
		}
		id, err := s.cfg.Auth.Authenticate(r.Context(), token)
		if err != nil {
			s.unauthenticated(w, r, err.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request, message string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="casemanagement"`)
	s.refuse(w, r, &apiError{http.StatusUnauthorized, "unauthenticated", message, nil})
}

// refuse answers a request refused before its handler ran, and logs the code.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, e *apiError) {
	s.log.InfoContext(r.Context(), "request refused", "path", r.URL.Path, "code", e.Code)
	s.writeError(w, e)
}

// identity is the caller's, as authenticate found it.
func identity(r *http.Request) Identity {
	id, _ := r.Context().Value(identityKey{}).(Identity)
	return id
}

// jsonBody refuses a body sent as anything but JSON in UTF-8: a web page can
// send a cross-origin text/plain or form POST without asking first, never
// an application/json one.
func jsonBody(r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", errNotJSON.Error(), nil}
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be JSON in UTF-8: Content-Type: application/json", nil}
		}
	}
	return nil
}
