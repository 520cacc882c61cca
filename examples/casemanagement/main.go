// Casemanagement is a small case-management service as a local authority
// team would start it: an HTTP JSON API over the escalation engine, with the
// cases in SQLite, and a sweep command for the nightly list of overdue
// obligations.
//
//	casemanagement [-db cases.db] [-checkpoints FILE] [-addr 127.0.0.1:8080]   serve the API
//	casemanagement sweep [-db cases.db] [-at TIME]                             print what is overdue
//	casemanagement verify [-db cases.db] [-checkpoints FILE]                   check every stored case
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "casemanagement:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "sweep":
			return runSweep(ctx, args[1:], stdout, stderr)
		case "verify":
			return runVerify(ctx, args[1:], stdout, stderr)
		}
	}
	return runServe(ctx, args, stderr)
}

// runServe serves the API until ctx is cancelled, then lets the requests in
// flight finish.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("casemanagement", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "cases.db", "the SQLite database `file`, created if missing")
	checkpoints := checkpointsFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	store, eng, err := open(ctx, *db, checkpointsPath(*db, *checkpoints))
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           NewServer(eng, store, time.Now, log).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("db", *db), slog.Any("policies", eng.Policies()))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// runSweep prints every overdue obligation across all open cases, as a
// nightly job would.
func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("casemanagement sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "cases.db", "the SQLite database `file`")
	atFlag := fs.String("at", "", "the `time` to sweep at, RFC 3339 (default: now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// A mistyped path must not quietly sweep a new, empty database.
	if _, err := os.Stat(*db); err != nil {
		return err
	}
	at := time.Now()
	if *atFlag != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			return fmt.Errorf("-at: %w", err)
		}
	}
	// The sweep reads the obligations index only, never a head: it needs no
	// checkpoints.
	store, eng, err := open(ctx, *db, "")
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = sweep(ctx, store, eng, at, stdout)
	return err
}

// runVerify checks every stored case, and every case a checkpoint is kept
// for, end to end: each record intact, replaying to its head, and not behind
// its checkpoint. It prints each that fails, and fails if any does.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("casemanagement verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "cases.db", "the SQLite database `file`")
	checkpoints := checkpointsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(*db); err != nil {
		return err
	}
	store, _, err := open(ctx, *db, checkpointsPath(*db, *checkpoints))
	if err != nil {
		return err
	}
	defer store.Close()
	ids, err := store.IDs(ctx)
	if err != nil {
		return err
	}
	failed := 0
	for _, id := range ids {
		if err := store.Verify(ctx, id); err != nil {
			fmt.Fprintln(stdout, err)
			failed++
		}
	}
	fmt.Fprintf(stdout, "%d cases, %d failed\n", len(ids), failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d cases do not verify", failed, len(ids))
	}
	return nil
}

func checkpointsFlag(fs *flag.FlagSet) *string {
	return fs.String("checkpoints", "", "the `file` of checkpoints kept outside the database (default: the database's name + .checkpoints)")
}

func checkpointsPath(db, flagged string) string {
	if flagged != "" {
		return flagged
	}
	return db + ".checkpoints"
}

// open loads the bundled policies and opens the database on them, as the
// server, the nightly sweep and the verifier start.
func open(ctx context.Context, path, checkpoints string) (*Store, *engine.Engine, error) {
	eng, err := policies.Engine()
	if err != nil {
		return nil, nil, err
	}
	store, err := OpenStore(ctx, path, eng, checkpoints)
	if err != nil {
		return nil, nil, err
	}
	return store, eng, nil
}
