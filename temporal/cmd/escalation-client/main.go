// Command escalation-client raises cases and fires events on them through a
// Temporal server, where escalation-worker runs them, and asks what a case
// owes and what an actor may do. It prints JSON; a refused event prints the
// engine's reasons and exits with status 3.
//
//	escalation-client raise -case c-42 -policy sefton -actor asha -role practitioner
//	escalation-client fire -case c-42 -event escalate -actor asha -role practitioner
//	escalation-client head -case c-42
//	escalation-client due -case c-42
//	escalation-client available -case c-42 -actor lee -role line_manager
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/temporal"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitRefused = 3
)

// request is one command line, parsed.
type request struct {
	command                       string
	address, namespace, taskQueue string
	caseID, policy, event         string
	actor, role, agency, note, id string
	facts, forms                  string
	revision                      int64
	remind                        bool
	at                            string
	timeout                       time.Duration
}

const usage = `usage: escalation-client COMMAND [flags]

commands:
  raise      raise a case: -case -policy -actor -role [-agency -facts -forms -note -remind]
  fire       fire an event: -case -event -actor -role [-agency -facts -forms -note -revision -update-id]
  head       print a case's head: -case
  due        print what a case owes: -case [-at]
  available  print what an actor may do: -case -actor -role [-at]
`

func parse(args []string, stderr io.Writer) (request, error) {
	if len(args) == 0 {
		return request{}, errors.New("no command given")
	}
	r := request{command: args[0]}
	switch r.command {
	case "raise", "fire", "head", "due", "available":
	default:
		return request{}, fmt.Errorf("unknown command %q", r.command)
	}
	fs := flag.NewFlagSet("escalation-client "+r.command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&r.address, "address", "127.0.0.1:7233", "the Temporal server's host:port")
	fs.StringVar(&r.namespace, "namespace", "default", "the Temporal namespace")
	fs.StringVar(&r.taskQueue, "task-queue", "escalation", "the task queue the workers poll")
	fs.StringVar(&r.caseID, "case", "", "the case's id (its workflow's id)")
	fs.StringVar(&r.policy, "policy", "", "the policy to raise the case under")
	fs.StringVar(&r.event, "event", "", "the event to fire")
	fs.StringVar(&r.actor, "actor", "", "who acts")
	fs.StringVar(&r.role, "role", "", "the role they act in")
	fs.StringVar(&r.agency, "agency", "", "their agency")
	fs.StringVar(&r.note, "note", "", "a note for the record")
	fs.StringVar(&r.facts, "facts", "", `facts as a JSON object: {"immediate_risk": true}`)
	fs.StringVar(&r.forms, "forms", "", `form data as a JSON object of objects: {"form": {"field": "value"}}`)
	fs.Int64Var(&r.revision, "revision", 0, "refuse the event unless the case is at this revision")
	fs.StringVar(&r.id, "update-id", "", "an id that makes a retried fire apply once")
	fs.BoolVar(&r.remind, "remind", false, "remind each duty's owner one working day before it falls due")
	fs.StringVar(&r.at, "at", "", "the time to ask about, RFC 3339 (now when empty)")
	fs.DurationVar(&r.timeout, "timeout", 30*time.Second, "how long to wait for the server")
	if err := fs.Parse(args[1:]); err != nil {
		return request{}, err
	}
	if fs.NArg() > 0 {
		return request{}, fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	need := map[string][]string{
		"raise": {"case", "policy", "actor", "role"}, "fire": {"case", "event", "actor", "role"},
		"head": {"case"}, "due": {"case"}, "available": {"case", "actor", "role"},
	}[r.command]
	for _, name := range need {
		if fs.Lookup(name).Value.String() == "" {
			return request{}, fmt.Errorf("%s needs -%s", r.command, name)
		}
	}
	return r, nil
}

func (r request) data() (facts map[string]any, forms map[string]map[string]any, at time.Time, err error) {
	if r.facts != "" {
		if err := json.Unmarshal([]byte(r.facts), &facts); err != nil {
			return nil, nil, at, fmt.Errorf("-facts: %v: give a JSON object", err)
		}
	}
	if r.forms != "" {
		if err := json.Unmarshal([]byte(r.forms), &forms); err != nil {
			return nil, nil, at, fmt.Errorf("-forms: %v: give a JSON object of objects", err)
		}
	}
	at = time.Now()
	if r.at != "" {
		if at, err = time.Parse(time.RFC3339, r.at); err != nil {
			return nil, nil, at, fmt.Errorf("-at: %v: give an RFC 3339 time, such as 2026-12-24T09:00:00Z", err)
		}
	}
	return facts, forms, at, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	r, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "escalation-client: %v\n%s", err, usage)
		return exitUsage
	}
	facts, forms, at, err := r.data()
	if err != nil {
		fmt.Fprintf(stderr, "escalation-client: %v\n", err)
		return exitUsage
	}
	tc, err := client.Dial(client.Options{HostPort: r.address, Namespace: r.namespace, Logger: logger()})
	if err != nil {
		fmt.Fprintf(stderr, "escalation-client: %v\n", err)
		return exitError
	}
	defer tc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	c := temporal.NewClient(tc, r.taskQueue, nil)
	var out any
	switch r.command {
	case "raise":
		out, err = c.Raise(ctx, r.policy, engine.Raise{CaseID: r.caseID, Actor: r.actor, Role: r.role, Agency: r.agency, Facts: facts, Forms: forms, Note: r.note}, temporal.Options{Remind: r.remind})
	case "fire":
		out, err = c.Fire(ctx, r.caseID, r.id, engine.Event{Name: r.event, Actor: r.actor, Role: r.role, Agency: r.agency, Facts: facts, Forms: forms, Note: r.note, Revision: r.revision})
	case "head":
		out, err = c.Head(ctx, r.caseID)
	case "due":
		out, err = c.Due(ctx, r.caseID, at)
	case "available":
		out, err = c.Available(ctx, r.caseID, r.actor, r.role, at)
	}
	var refused *engine.RefusedError
	switch {
	case errors.As(err, &refused):
		fmt.Fprintf(stderr, "escalation-client: %v\n", err)
		return exitRefused
	case err != nil:
		fmt.Fprintf(stderr, "escalation-client: %v\n", err)
		return exitError
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "escalation-client: %v\n", err)
		return exitError
	}
	return exitOK
}

// logger logs the SDK's warnings and above to standard error: its debug lines
// name every activity of every case.
func logger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}
