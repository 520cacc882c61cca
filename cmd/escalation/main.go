package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/termsafe"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// Exit codes.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the input is invalid, or a test failed
	exitUsage = 2 // the command line is wrong
)

// jsonSchema is the version of every JSON output's shape, its "schema" field.
// Within one schema, fields are only ever added; a field removed, renamed or
// given another meaning makes a new schema.
const jsonSchema = 1

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand. setup defines its flags on a flag set and
// returns the function that runs it with them, once they are parsed.
type command struct {
	name    string
	args    string // the usage line after "escalation NAME"
	operand string // what the positional arguments are, for "missing POLICY"
	nargs   [2]int // the least and most positional arguments; most -1: any number
	summary string // one line, for the command list
	about   string // what it does, for its --help
	example string
	setup   func(fs *flag.FlagSet) func(e *env, args []string) int
	// family holds the subcommands of a command that is a family of them
	// ("case raise", "case fire"): each is named with the family's name in
	// front, and the family itself has no flags and no setup.
	family []*command
}

// env is what a command runs with. now is the clock, read only for default
// dates, which tests set with --today and --from instead.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
}

func commands() []*command {
	return []*command{
		validateCommand(), testCommand(), fmtCommand(), diagramCommand(), docCommand(), timelineCommand(),
		holidaysCommand(), dueCommand(), policiesCommand(), schemaCommand(), versionCommand(), studioCommand(),
		caseCommand(),
	}
}

// run is the program, reading the process's standard input: it returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, os.Stdin, stdout, stderr)
}

func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	if len(args) == 0 {
		writeUsage(stderr)
		return exitUsage
	}
	switch name := args[0]; name {
	case "--version", "-version":
		return find("version").invoke(e, args[1:])
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := find(args[1])
			if c == nil {
				return unknownCommand(stderr, args[1])
			}
			if len(args) > 2 && c.family != nil {
				sub := c.member(args[2])
				if sub == nil {
					return c.unknownMember(e, args[2])
				}
				c = sub
			}
			writeHelp(stdout, c)
			return exitOK
		}
		writeUsage(stdout)
		return exitOK
	default:
		c := find(name)
		if c == nil {
			return unknownCommand(stderr, name)
		}
		return c.invoke(e, args[1:])
	}
}

func find(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func unknownCommand(w io.Writer, name string) int {
	names := make([]string, 0, 10)
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, "escalation: unknown command %q: %s\nRun 'escalation help' for the list.\n", name, suggest.Hint(name, names))
	return exitUsage
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, `escalation validates, tests, draws, documents and schedules safeguarding
escalation policies (procedures for resolving professional disagreements).

usage: escalation COMMAND [ARGUMENTS]

commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
A POLICY is a bundled policy id (%s) or the path of a policy file.
Run 'escalation COMMAND --help' for a command's flags and an example.
`, strings.Join(policies.IDs(), ", "))
}

func writeHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: escalation %s %s\n\n%s\n", c.name, c.args, c.about)
	if c.family != nil {
		fmt.Fprint(w, "\nsubcommands:\n")
		for _, sub := range c.family {
			fmt.Fprintf(w, "  %-16s %s\n", sub.name, sub.summary)
		}
		fmt.Fprintf(w, "\nRun 'escalation %s SUBCOMMAND --help' for a subcommand's flags and an example.\n\nexample:\n  %s\n", c.name, c.example)
		return
	}
	fs := c.flagSet()
	c.setup(fs)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nflags:\n")
			first = false
		}
		value, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if value != "" {
			name += " " + value
		}
		fmt.Fprintf(w, "  %s\n        %s", name, usage)
		// A zero value means "unset", and a usage that says what unset
		// means has already stated the default.
		if !slices.Contains([]string{"", "false", "0"}, f.DefValue) && !strings.Contains(usage, "(default") {
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintf(w, "\nexample:\n  %s\n", c.example)
}

func (c *command) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// invoke parses the command's flags, which may come before, between or after
// its positional arguments, and runs it. A family passes its arguments on to
// the subcommand the first names.
func (c *command) invoke(e *env, args []string) int {
	if c.family != nil {
		switch {
		case len(args) == 0:
			return c.usageError(e, "missing "+c.operand)
		case slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]):
			writeHelp(e.stdout, c)
			return exitOK
		}
		sub := c.member(args[0])
		if sub == nil {
			return c.unknownMember(e, args[0])
		}
		return sub.invoke(e, args[1:])
	}
	fs := c.flagSet()
	runWith := c.setup(fs)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				writeHelp(e.stdout, c)
				return exitOK
			}
			return c.usageError(e, flagError(fs, err))
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...) // after --, nothing is a flag
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	switch least, most := c.nargs[0], c.nargs[1]; {
	case len(positional) < least:
		return c.usageError(e, "missing "+c.operand)
	case most >= 0 && len(positional) > most:
		return c.usageError(e, fmt.Sprintf("unexpected argument %q", positional[most]))
	}
	return runWith(e, positional)
}

// flagError restates the flag package's error as the help writes flags, with
// two dashes, and suggests the flag meant when one is unknown.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, "--"+f.Name) })
		if len(flags) == 0 {
			return "unknown flag --" + name + ": this command has no flags"
		}
		return "unknown flag --" + name + ": " + suggest.Hint("--"+name, flags)
	}
	for _, single := range []string{"for flag -", "for -", "argument: -"} {
		if i := strings.Index(msg, single); i >= 0 {
			return msg[:i+len(single)] + "-" + msg[i+len(single):]
		}
	}
	return msg
}

// member returns the family's subcommand of that name ("fire" in "case").
func (c *command) member(name string) *command {
	for _, sub := range c.family {
		if sub.name == c.name+" "+name {
			return sub
		}
	}
	return nil
}

func (c *command) unknownMember(e *env, name string) int {
	names := make([]string, len(c.family))
	for i, sub := range c.family {
		names[i] = strings.TrimPrefix(sub.name, c.name+" ")
	}
	return c.usageError(e, fmt.Sprintf("unknown subcommand %q: %s", name, suggest.Hint(name, names)))
}

func (c *command) usageError(e *env, msg string) int {
	fmt.Fprintf(e.stderr, "escalation %s: %s\nusage: escalation %s %s\nRun 'escalation %s --help' for more.\n", c.name, termsafe.Lines(msg), c.name, c.args, c.name)
	return exitUsage
}

// fail reports a problem with the input and returns exitFail.
func (e *env) fail(c *command, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "escalation %s: %s\n", c.name, termsafe.Lines(fmt.Sprintf(format, args...)))
	return exitFail
}

// format is a --format flag restricted to a list of values.
type format struct {
	value  string
	values []string
}

func (f *format) String() string { return f.value }

func (f *format) Set(s string) error {
	if !slices.Contains(f.values, s) {
		hint := suggest.Hint(s, f.values)
		return fmt.Errorf("unknown format %q: %s", s, hint)
	}
	f.value = s
	return nil
}

func formatFlag(fs *flag.FlagSet, values ...string) *format {
	f := &format{value: values[0], values: values}
	fs.Var(f, "format", "output `format`: "+strings.Join(values, ", "))
	return f
}

// dateFlag is a --today flag: a date, or the clock's date when unset.
type dateFlag struct{ d calendar.Date }

func (d *dateFlag) String() string { return d.d.String() }

func (d *dateFlag) Set(s string) error {
	v, err := calendar.ParseDate(s)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "calendar: "))
	}
	d.d = v
	return nil
}

func todayFlag(fs *flag.FlagSet) *dateFlag {
	d := &dateFlag{}
	fs.Var(d, "today", "the `date` (YYYY-MM-DD) review dates are checked against (default: today, in Europe/London)")
	return d
}

func (d *dateFlag) or(e *env) calendar.Date {
	if d.d.IsZero() {
		return calendar.DateOf(e.now())
	}
	return d.d
}

// isPolicyID reports whether an argument is written as a policy id rather
// than a file: no folder and no YAML extension. An argument written as the
// id of a bundled policy means that policy, whatever files exist.
func isPolicyID(arg string) bool {
	return !strings.ContainsAny(arg, `/\`) && !strings.HasSuffix(arg, ".yaml") && !strings.HasSuffix(arg, ".yml")
}

func isBundled(id string) bool {
	_, _, err := policies.Source(id)
	return err == nil
}

// noSuchPath reports an argument that names no bundled policy and nothing on
// disk. Like a misspelt command or flag, it is a mistake in the command line,
// so the code is exitUsage, whichever command it is given to.
func (e *env) noSuchPath(c *command, arg string) int {
	if isPolicyID(arg) {
		fmt.Fprintf(e.stderr, "escalation %s: no bundled policy or file %q: %s\n", c.name, arg, suggest.Hint(arg, policies.IDs()))
	} else {
		fmt.Fprintf(e.stderr, "escalation %s: no such file or folder %q: %s\n", c.name, arg, pathHint(arg))
	}
	return exitUsage
}

// pathHint suggests the file or folder beside a missing one that was
// probably meant.
func pathHint(arg string) string {
	clean := filepath.Clean(arg)
	if near, ok := nearName(clean); ok {
		return fmt.Sprintf("did you mean %q?", filepath.Join(filepath.Dir(clean), near))
	}
	return "check the path"
}

// nearName returns the name in a missing file's folder that is a plausible
// slip for its own, as suggest.Hint judges one.
func nearName(file string) (string, bool) {
	entries, err := os.ReadDir(filepath.Dir(file))
	if err != nil {
		return "", false
	}
	names := make([]string, len(entries))
	for i, en := range entries {
		names[i] = en.Name()
	}
	h := suggest.Hint(filepath.Base(file), names)
	if !strings.HasPrefix(h, "did you mean") {
		return "", false
	}
	for _, n := range names {
		if h == fmt.Sprintf("did you mean %q?", n) {
			return n, true
		}
	}
	return "", false
}

// checkPaths reports every argument that names no bundled policy and
// nothing on disk, and returns exitUsage if there is one.
func (e *env) checkPaths(c *command, args []string) int {
	code := exitOK
	for _, arg := range args {
		if isPolicyID(arg) && isBundled(arg) {
			continue
		}
		if _, err := os.Stat(arg); errors.Is(err, fs.ErrNotExist) {
			code = e.noSuchPath(c, arg)
		}
	}
	return code
}

// loadPolicy loads a POLICY argument. Problems are written to stderr; the
// code is exitUsage for something that does not exist, exitFail for a file
// that cannot be read or does not load.
func (e *env) loadPolicy(c *command, arg string, opts ...engine.LoadOption) (*engine.Policy, int) {
	var (
		name string
		src  []byte
	)
	if isPolicyID(arg) && isBundled(arg) {
		name, src, _ = policies.Source(arg)
	} else {
		b, err := safefile.Read(arg, engine.DefaultMaxBytes)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, e.noSuchPath(c, arg)
		case err != nil:
			return nil, e.fail(c, "cannot read %s: %s", arg, safefile.Reason(err))
		}
		name, src = filepath.ToSlash(arg), b
	}
	return e.loadSource(c, name, src, opts...)
}

// loadSource loads a policy file's bytes, writing its errors to stderr.
func (e *env) loadSource(c *command, name string, src []byte, opts ...engine.LoadOption) (*engine.Policy, int) {
	p, diags := engine.Load(name, src, opts...)
	if diags.HasErrors() {
		fmt.Fprintf(e.stderr, "escalation %s: %s does not load:\n", c.name, name)
		_ = engine.WriteDiagnostics(e.stderr, diags.Errors(), func(string) []byte { return src })
		return nil, exitFail
	}
	return p, exitOK
}

// unreadable is the diagnostic for a file that could not be read: too large,
// not a file at all, or refused by the system.
func unreadable(name string, err error) *engine.Diagnostic {
	d := &engine.Diagnostic{Severity: engine.SeverityError, Pos: engine.Pos{File: name}, Code: "unreadable", Message: "cannot read the file: " + safefile.Reason(err)}
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		d.Code, d.Message, d.Hint = "too-large", tooLarge.Error(), "a policy or scenario file is usually under 50 KiB: check that this is the right file"
	case errors.Is(err, safefile.ErrNotRegular):
		d.Hint = "give the path of a policy or scenario file"
	}
	return d
}

// writeJSON writes v as indented JSON with a final newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Times are shown in Europe/London, as people there read them.
const (
	longDate    = "Mon 2 Jan 2006"
	longInstant = "Mon 2 Jan 2006 15:04 MST"
)

func longDateOf(d calendar.Date) string { return d.Start().Format(longDate) }

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
