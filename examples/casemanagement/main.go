// Casemanagement is a small case-management service as a local authority
// team would start it: an HTTP JSON API over the escalation engine, with the
// cases in SQLite, and a sweep command for the nightly list of overdue
// obligations.
//
//	casemanagement -tokens FILE | -oidc-issuer URL -oidc-audience AUD [flags]   serve the API
//	casemanagement sweep [-db cases.db] [-at TIME]                               print what is overdue
//	casemanagement verify [-db cases.db] [-checkpoints FILE] [-record-key FILE]  check every stored case
//
// Run casemanagement -h for the server's flags.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
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
	recordKey := recordKeyFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on")
	tokens := fs.String("tokens", "", "a JSON `file` mapping bearer tokens to identities, for local use (see README)")
	issuer := fs.String("oidc-issuer", "", "the identity provider's issuer `URL`: bearer tokens are JWTs it signs")
	audience := fs.String("oidc-audience", "", "the `audience` the provider's tokens name for this service")
	keys := fs.String("oidc-keys", "", "a JSON Web Key Set `file` to check tokens against, instead of the provider's published keys")
	hosts := fs.String("hosts", "", "the Host `names` (host:port, comma-separated) the service answers to (default: localhost, 127.0.0.1 and [::1] at -addr's port)")
	origins := fs.String("origins", "", "the web `origins` (comma-separated) whose pages may call the service (default: none)")
	admin := fs.String("admin-role", "safeguarding_admin", "the `role` that may read every case and the overdue list")
	skew := fs.Duration("max-skew", DefaultMaxSkew, "how far after the server's clock an act may be dated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var (
		auth Authenticator
		err  error
	)
	switch {
	case *tokens != "" && *issuer != "":
		return errors.New("give -tokens or -oidc-issuer, not both")
	case *tokens != "":
		auth, err = LoadTokenFile(*tokens)
	case *issuer != "":
		auth, err = NewOIDC(ctx, *issuer, *audience, *keys)
	default:
		return errors.New("every request is authenticated: give -tokens FILE for local use, or -oidc-issuer and -oidc-audience")
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	store, eng, err := open(ctx, *db, checkpointsPath(*db, *checkpoints), *recordKey)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	cfg := Config{Auth: auth, Hosts: list(*hosts), Origins: list(*origins), AdminRole: *admin, MaxSkew: *skew, Now: time.Now, Log: log}
	if cfg.Hosts == nil {
		cfg.Hosts = LoopbackHosts(ln.Addr().String())
	}
	srv := DefaultLimits.HTTPServer(NewServer(eng, store, cfg).Handler())
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("db", *db), slog.Any("policies", eng.Policies()),
		slog.Bool("record_key", *recordKey != ""))
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

// list splits a comma-separated flag, nil when it is empty.
func list(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
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
	// checkpoints and no key.
	store, eng, err := open(ctx, *db, "", "")
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
	recordKey := recordKeyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(*db); err != nil {
		return err
	}
	store, _, err := open(ctx, *db, checkpointsPath(*db, *checkpoints), *recordKey)
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
	noun := "cases"
	if len(ids) == 1 {
		noun = "case"
	}
	fmt.Fprintf(stdout, "%d %s, %d failed\n", len(ids), noun, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d cases do not verify", failed, len(ids))
	}
	return nil
}

func checkpointsFlag(fs *flag.FlagSet) *string {
	return fs.String("checkpoints", "", "the audit log `file` of heads kept outside the database (default: the database's name + .checkpoints)")
}

func recordKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("record-key", "", "a `file` holding the secret key (hex, at least 32 bytes) that authenticates every entry")
}

// readRecordKey reads a key file: hex, at least engine.MinRecordKeyBytes.
func readRecordKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: the record key must be written in hex (openssl rand -hex 32): %w", path, err)
	}
	if len(key) < engine.MinRecordKeyBytes {
		return nil, fmt.Errorf("%s: the record key is %d bytes; it needs at least %d from a secure random source", path, len(key), engine.MinRecordKeyBytes)
	}
	return key, nil
}

func checkpointsPath(db, flagged string) string {
	if flagged != "" {
		return flagged
	}
	return db + ".checkpoints"
}

// open loads the bundled policies, with the record key in keyFile if one is
// given, and opens the database on them, as the server, the nightly sweep
// and the verifier start.
func open(ctx context.Context, path, checkpoints, keyFile string) (*Store, *engine.Engine, error) {
	var opts []engine.LoadOption
	if keyFile != "" {
		key, err := readRecordKey(keyFile)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, engine.WithRecordKey(key))
	}
	eng, err := policies.Engine(opts...)
	if err != nil {
		return nil, nil, err
	}
	store, err := OpenStore(ctx, path, eng, checkpoints)
	if err != nil {
		return nil, nil, err
	}
	return store, eng, nil
}
