// Command escalation-worker runs the case workflows of the escalation
// engine on a Temporal server: it polls a task queue, runs each case's
// workflow on the bundled policies (and any policy files given), appends
// each entry to a record file per case, and writes each notice as a JSON
// line. Workers hold no state of their own: run as many as the load needs,
// on as many machines, all polling the same task queue.
//
//	escalation-worker -address 127.0.0.1:7233 -records ./records -notices ./notices.jsonl
//
// A real host replaces the record files with its database (temporal.Store)
// and the notice lines with its e-mail or task list (temporal.Notifier).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
	"github.com/safeguarding-partnerships/escalation/temporal"
	"github.com/safeguarding-partnerships/escalation/temporal/internal/host"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "escalation-worker:", err)
		os.Exit(1)
	}
}

type config struct {
	address, namespace, taskQueue, records, notices string
	policyFiles                                     []string
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("escalation-worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.address, "address", "127.0.0.1:7233", "the Temporal server's host:port")
	fs.StringVar(&c.namespace, "namespace", "default", "the Temporal namespace")
	fs.StringVar(&c.taskQueue, "task-queue", "escalation", "the task queue to poll")
	fs.StringVar(&c.records, "records", "records", "the folder of the cases' record files")
	fs.StringVar(&c.notices, "notices", "-", "the file notices are appended to, one JSON line each (- for standard output)")
	fs.Func("policy", "a policy file to load besides the bundled ones, such as an older version cases still run on (repeatable)", func(s string) error {
		c.policyFiles = append(c.policyFiles, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q: every setting is a flag (-h lists them)", fs.Arg(0))
	}
	return c, nil
}

// load is the engine the worker runs cases on: the bundled policies, their
// earlier encodings and the files given, so that a case raised under an
// older version keeps running.
func load(files []string) (*engine.Engine, error) {
	ps, diags := policies.All()
	older, ds := policies.Superseded()
	diags = append(diags, ds...)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p, ds := engine.Load(f, src)
		diags = append(diags, ds...)
		if p != nil {
			older = append(older, p)
		}
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	// A bundled version stays the one new cases are raised under; a file
	// given runs the cases raised under it.
	return engine.New(engine.WithPolicies(ps...), engine.WithSuperseded(older...))
}

func run(args []string, stdout io.Writer) error {
	c, err := parse(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	eng, err := load(c.policyFiles)
	if err != nil {
		return err
	}
	store, err := host.NewJournal(c.records)
	if err != nil {
		return err
	}
	out := stdout
	if c.notices != "-" {
		f, err := os.OpenFile(c.notices, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	tc, err := client.Dial(client.Options{HostPort: c.address, Namespace: c.namespace, Logger: logger()})
	if err != nil {
		return err
	}
	defer tc.Close()
	w := worker.New(tc, c.taskQueue, worker.Options{})
	temporal.Register(w, eng, store, host.NewLines(out))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	return w.Run(stopOn(stop))
}

// stopOn turns the first signal into the worker's stop.
func stopOn(sig <-chan os.Signal) <-chan any {
	done := make(chan any)
	go func() {
		<-sig
		close(done)
	}()
	return done
}

// logger logs the SDK's information and above to standard error: its debug lines
// name every activity of every case.
func logger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
}
