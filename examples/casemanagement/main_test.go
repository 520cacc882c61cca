package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The sweep command over a database with cases at different steps: what a
// nightly job prints on the last morning of 2026.
func TestSweepCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	store, err := OpenStore(context.Background(), db, testEngine(t), db+".checkpoints")
	if err != nil {
		t.Fatal(err)
	}
	storeCase(t, store, "a-step1", "2026-12-22T10:00:00Z")
	storeCase(t, store, "b-step2", "2026-12-22T10:00:00Z", "escalate/practitioner@2026-12-24T16:00:00Z")
	storeCase(t, store, "c-resolved", "2026-12-22T10:00:00Z", "resolve/practitioner@2026-12-23T10:00:00Z")
	storeCase(t, store, "d-met", "2026-12-30T10:00:00Z", "plan_agreed/practitioner@2026-12-30T11:00:00Z")
	storeCase(t, store, "e-new", "2026-12-30T10:00:00Z")
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"sweep", "-db", db, "-at", "2026-12-31T09:00:00Z"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	const want = `Overdue at Thu 31 Dec 2026 09:00 GMT
CASE     POLICY  STAGE  OBLIGATION           OWNER         DUE BY END OF  WORKING DAYS LATE
a-step1  sefton  step1  discuss              practitioner  2026-12-22     5
a-step1  sefton  step1  agree_plan           practitioner  2026-12-24     3
b-step2  sefton  step2  managers_agree_plan  line_manager  2026-12-30     1
e-new    sefton  step1  discuss              practitioner  2026-12-30     1
4 overdue
`
	if out.String() != want {
		t.Errorf("sweep printed\n%s\nwant\n%s", out.String(), want)
	}
}

// A mistyped path is an error, not a sweep of a new, empty database.
func TestSweepNeedsAnExistingDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "typo.db")
	err := run(context.Background(), []string{"sweep", "-db", db}, io.Discard, io.Discard)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sweep of a missing file: %v, want a file-not-found error", err)
	}
}

// The serve command listens, answers, and stops cleanly when cancelled.
func TestServeCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // on a failure below, stop the server too
	logR, logW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-db", filepath.Join(t.TempDir(), "cases.db"), "-addr", "127.0.0.1:0", "-tokens", "tokens.example.json"}, io.Discard, logW)
		logW.Close()
	}()
	lines := bufio.NewScanner(logR)
	if !lines.Scan() {
		t.Fatalf("no log line: %v", <-done)
	}
	var listening struct{ Msg, Addr string }
	if err := json.Unmarshal(lines.Bytes(), &listening); err != nil || listening.Msg != "listening" {
		t.Fatalf("first log line %s (%v), want listening", lines.Bytes(), err)
	}
	go io.Copy(io.Discard, logR) // the server keeps logging; keep it from blocking

	_, port, _ := net.SplitHostPort(listening.Addr)
	req, err := http.NewRequest("GET", "http://localhost:"+port+"/cases/missing", nil)
	if err != nil {
		t.Fatal(err)
	}
	status, raw, err := roundTrip(req)
	if err != nil || status != http.StatusUnauthorized || decodeJSON[errorBody](t, raw).Error.Code != "unauthenticated" {
		t.Errorf("GET /cases/missing without a token: %d %s %v", status, raw, err)
	}
	req.Header.Set("Authorization", "Bearer dev-token-dana")
	status, raw, err = roundTrip(req)
	if err != nil || status != http.StatusNotFound || decodeJSON[errorBody](t, raw).Error.Code != "case_not_found" {
		t.Errorf("GET /cases/missing with the example's admin token: %d %s %v", status, raw, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("stopping: %v", err)
	}
}

// The server refuses to start without a way to authenticate requests.
func TestServeNeedsCredentials(t *testing.T) {
	err := run(t.Context(), []string{"-db", filepath.Join(t.TempDir(), "cases.db"), "-addr", "127.0.0.1:0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "every request is authenticated") {
		t.Errorf("serving without -tokens or -oidc-issuer: %v", err)
	}
}
