package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/safeguarding-partnerships/escalation/studio"
)

func studioCommand() *command {
	c := &command{
		name:    "studio",
		args:    "[--addr 127.0.0.1:PORT] [--closures FILE] [DIR]",
		operand: "DIR",
		nargs:   [2]int{0, 1},
		summary: "a local web page to see, play and test a policy as you edit it",
		about: `Serves a web page for the policy files in DIR (default: the current folder),
with their scenarios and procedure text, and prints its address: open it in
your browser. Keep editing in your own editor; each time you save, the page
shows the result. Its views:

  Problems   every error and warning, with the line and a hint
  Picture    the procedure drawn; click a stage for its roles, duties,
             timescales, records, forms and the procedure's words
  Timeline   the worst-case schedule from a date you pick, each due date
             explained day by day, with the bank holidays skipped
  Play       raise a case and fire events as each role; save the story as
             a scenario file in DIR's scenarios folder
  Scenarios  every scenario's result, a failure shown on its line
  Document   the procedure written up (as doc writes it), to print

The page works offline and sends nothing anywhere. Only your browser can use
it: it listens on 127.0.0.1 only, the address carries a secret made for this
run, and it writes only scenario files inside DIR. Stop it with Ctrl+C.

With --closures FILE, the timeline, the player and the scenarios also skip
those closure days, as timeline and test do with --closures; a scenario
saved then passes test with the same --closures.`,
		example: "escalation studio examples/newarea",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		addr := fs.String("addr", "127.0.0.1:0", "the loopback `address` to listen on (port 0: a free port)")
		closuresFile := closuresFlag(fs)
		return func(e *env, args []string) int {
			dir := "."
			if len(args) > 0 {
				dir = args[0]
			}
			closures, code := e.closures(c, *closuresFile)
			if code != exitOK {
				return code
			}
			s, err := studio.New(dir, studio.WithAddr(*addr), studio.WithClock(e.now), studio.WithClosures(closures...))
			if err != nil {
				return e.fail(c, "%s", strings.TrimPrefix(err.Error(), "studio: "))
			}
			fmt.Fprintf(e.stdout, "escalation studio is showing %s\nOpen this address in your browser (it carries this run's key):\n\n  %s\n\nStop it with Ctrl+C.\n", s.Dir(), s.URL())
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := s.Serve(ctx); err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}
