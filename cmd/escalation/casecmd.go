package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// caseCommand is the case family: the engine's calls on a case kept in a
// folder (casefiles.go), from the shell.
func caseCommand() *command {
	return &command{
		name:    "case",
		args:    "SUBCOMMAND [ARGUMENTS]",
		operand: "SUBCOMMAND: raise, fire, due, available, verify, show, rebuild or migrate",
		summary: "raise a case in a folder, fire events on it, and ask what is due",
		about: `Runs a case through a policy from the shell, as a host would through the
engine, so you can try an act without writing Go, or drive the engine from
another language. A case lives in a folder of two files you can keep:
head.json, what the engine needs to act (the engine's head, replaced whole
on every act), and record.jsonl, the record, one entry a line, only ever
appended to. Every act appends one line and replaces the head; nothing else
writes either file.

A host that stores its cases itself gives DIR as - instead: raise, fire,
due and available then read the head from standard input (raise needs
none), write nothing, and --format json prints the next head and the new
entry for the host to store, as the engine's Raise and Fire return them.

The case runs under the policy its head names: the bundled one with that
id, or the file given with --policy (a case stays on the version it was
raised under). TIME is RFC 3339, or YYYY-MM-DDTHH:MM in Europe/London, or
YYYY-MM-DD, which means 09:00 that day in Europe/London.

Exit codes: 0 when the act is taken or the answer given, 1 when the engine
refuses the act, the input is invalid or the record does not verify, 2 when
the command line is wrong (a missing flag, a misspelt name, a folder that
holds no case).`,
		example: "escalation case raise sefton cases/c-42 --actor asha --role practitioner --at 2026-12-22T10:00",
		family: []*command{
			caseRaiseCommand(), caseFireCommand(), caseDueCommand(), caseAvailableCommand(),
			caseVerifyCommand(), caseShowCommand(), caseRebuildCommand(), caseMigrateCommand(),
		},
	}
}

// actFlags are the flags that describe an act: who, in which role and
// agency, when, and what came with it.
type actFlags struct {
	actor, role, agency, at, note *string
	facts                         *factsFlag
	forms                         *formsFlag
	dryRun                        *bool
}

func addActFlags(fs *flag.FlagSet) *actFlags {
	return &actFlags{
		actor:  fs.String("actor", "", "who acts (`NAME`), as the record will show them"),
		role:   fs.String("role", "", "the `ROLE` they act in: one of the policy's roles"),
		agency: fs.String("agency", "", "the `AGENCY` they act for (optional)"),
		at:     fs.String("at", "", "when the act happens (`TIME`): YYYY-MM-DD[THH:MM] in Europe/London, or RFC 3339"),
		note:   fs.String("note", "", "a note for the record (`TEXT`)"),
		facts:  factFlag(fs),
		forms:  formFlag(fs),
		dryRun: fs.Bool("dry-run", false, "say what would happen, and write nothing"),
	}
}

// act is an act read from its flags against the policy it runs under.
type act struct {
	at    time.Time
	facts map[string]any
	forms map[string]map[string]any
}

// read checks the act's flags: the ones every act needs, its time, its role
// and the names of its facts and forms. A problem is a usage error.
func (a *actFlags) read(e *env, c *command, p *engine.Policy) (act, int) {
	switch {
	case strings.TrimSpace(*a.actor) == "":
		return act{}, c.usageError(e, "missing --actor NAME: who acts")
	case *a.role == "":
		return act{}, c.usageError(e, "missing --role ROLE: "+roleHint(p))
	case *a.at == "":
		return act{}, c.usageError(e, "missing --at TIME: when the act happens")
	}
	at, err := scenario.ParseTime(*a.at)
	if err != nil {
		return act{}, c.usageError(e, "--at: "+err.Error())
	}
	if code := checkRole(e, c, p, *a.role); code != exitOK {
		return act{}, code
	}
	facts, err := a.facts.values(p)
	if err != nil {
		return act{}, c.usageError(e, err.Error())
	}
	forms, err := a.forms.values(p)
	if err != nil {
		return act{}, c.usageError(e, err.Error())
	}
	return act{at: at, facts: facts, forms: forms}, exitOK
}

func roleIDs(p *engine.Policy) []string {
	ids := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		ids[i] = r.ID
	}
	return ids
}

func roleHint(p *engine.Policy) string {
	return "one of " + strings.Join(roleIDs(p), ", ")
}

// checkRole refuses a role the policy does not have as a mistake in the
// command line, with the role meant, before the engine sees it.
func checkRole(e *env, c *command, p *engine.Policy, role string) int {
	if _, ok := p.Role(role); !ok {
		return c.usageError(e, fmt.Sprintf("--role %s: not a role of policy %s: %s", role, p.ID, suggest.Hint(role, roleIDs(p))))
	}
	return exitOK
}

// atFlag is an optional --at TIME, the clock's time when unset.
func atFlag(fs *flag.FlagSet) *string {
	return fs.String("at", "", "the `TIME` to ask at: YYYY-MM-DD[THH:MM] in Europe/London, or RFC 3339 (default: now)")
}

func readAt(e *env, c *command, s string) (time.Time, int) {
	if s == "" {
		return e.now(), exitOK
	}
	at, err := scenario.ParseTime(s)
	if err != nil {
		return time.Time{}, c.usageError(e, "--at: "+err.Error())
	}
	return at, exitOK
}

func policyFlag(fs *flag.FlagSet) *string {
	return fs.String("policy", "", "the `POLICY` the case runs under: a bundled id or a policy file (default: the bundled policy its head names)")
}

func keyFlag(fs *flag.FlagSet) *string {
	return fs.String("key-file", "", "a `FILE` holding the host's secret key for the record's MACs, its bytes as they are (at least 32) (default: no key)")
}

// maxKeyBytes bounds a key file: a key is 32 bytes or a few more.
const maxKeyBytes = 4 << 10

// keyOption reads the record key from file, for engine.WithRecordKey, or
// gives no option when file is "". The key itself is never printed.
func (e *env) keyOption(c *command, file string) ([]engine.LoadOption, int) {
	if file == "" {
		return nil, exitOK
	}
	key, err := safefile.Read(file, maxKeyBytes)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, e.noSuchPath(c, file)
	case err != nil:
		return nil, e.fail(c, "cannot read the key file %s: %s", file, safefile.Reason(err))
	case len(key) < engine.MinRecordKeyBytes:
		return nil, e.fail(c, "the key file %s holds %d bytes, and a record key is at least %d from a secure random source: make one with 'head -c %d /dev/urandom > %s' and keep it away from the case's files",
			file, len(key), engine.MinRecordKeyBytes, engine.MinRecordKeyBytes, file)
	}
	return []engine.LoadOption{engine.WithRecordKey(key)}, exitOK
}

// casePolicy loads the policy version a case runs under: the file or id
// given, or else the bundled version the head names (the current encoding
// or an earlier one kept for its cases; so does its id given). It must be the
// version the case was raised under.
func (e *env) casePolicy(c *command, h engine.Head, arg string, opts ...engine.LoadOption) (*engine.Policy, int) {
	if arg == "" {
		if !isBundled(h.Policy.ID) {
			termPrintf(e.stderr, "escalation %s: case %s runs under policy %q, which is not bundled: give its file with --policy FILE\n", c.name, h.ID, h.Policy.ID)
			return nil, exitUsage
		}
		arg = h.Policy.ID
	}
	if isPolicyID(arg) && arg == h.Policy.ID && isBundled(arg) {
		name, src, err := policies.SourceVersion(h.Policy)
		if err != nil {
			return nil, e.fail(c, "case %s: %v: give the file of the version it was raised under with --policy FILE", h.ID, err)
		}
		return e.loadSource(c, name, src, opts...)
	}
	p, code := e.loadPolicy(c, arg, opts...)
	if p == nil {
		return nil, code
	}
	if p.ID != h.Policy.ID || p.Version != h.Policy.Version {
		return nil, e.fail(c, "case %s runs under %s version %s, but %s is %s version %s: give the file of the version it was raised under with --policy FILE", h.ID, h.Policy.ID, h.Policy.Version, arg, p.ID, p.Version)
	}
	return p, exitOK
}

// headOf reads a case's head and its policy, from the case folder or, for
// DIR "-", from standard input.
func (e *env) headOf(c *command, dir, policyArg string) (caseFolder, engine.Head, *engine.Policy, int) {
	if dir != stdinCase {
		return e.readCase(c, dir, policyArg)
	}
	h, code := e.stdinHead(c)
	if code != exitOK {
		return caseAt(dir), h, nil, code
	}
	p, code := e.casePolicy(c, h, policyArg)
	return caseAt(dir), h, p, code
}

// readCase opens a case folder and reads its head and its policy.
func (e *env) readCase(c *command, dir, policyArg string, opts ...engine.LoadOption) (caseFolder, engine.Head, *engine.Policy, int) {
	cf, code := e.openCase(c, dir)
	if code != exitOK {
		return cf, engine.Head{}, nil, code
	}
	h, err := cf.readHead()
	if err != nil {
		return cf, h, nil, e.fail(c, "%v", err)
	}
	p, code := e.casePolicy(c, h, policyArg, opts...)
	return cf, h, p, code
}

func caseRaiseCommand() *command {
	c := &command{
		name:    "case raise",
		args:    "POLICY DIR --actor NAME --role ROLE --at TIME [--id ID] [--agency AGENCY] [--fact NAME=VALUE]... [--form FORM.FIELD=VALUE]... [--note TEXT] [--key-file FILE] [--dry-run] [--format text|json]",
		operand: "POLICY and DIR (the new case's folder)",
		nargs:   [2]int{2, 2},
		summary: "raise a case under a policy, in a new folder",
		about: `Raises a case under POLICY (a bundled id or a policy file) and writes it to
the folder DIR, made if need be: head.json, its head, and record.jsonl,
whose first line records the raise. A folder that holds a case already is
refused. The case's id is the folder's name unless --id says otherwise.
Then it prints what the start stage owes.

--fact NAME=VALUE and --form FORM.FIELD=VALUE (each repeatable) give the
case's facts and form data: text as written, other values as in a scenario
file (true, 3, [a, b]); a date is YYYY-MM-DD.

An act the engine refuses (bad data, say) is printed with its reasons and
exits 1, writing nothing; --dry-run prints what would be written and writes
nothing. --key-file FILE authenticates the record's entries with the host's
secret key, as 'case fire --help' says. DIR - writes nothing either, and
needs --id: --format json prints the head and the entry for a host to store.

JSON: {"schema", "accepted": bool, "case", "event": "raise", "stage",
"head", "entry", "checkpoint": {"case", "revision", "hash"}, "written",
"reasons": [{"code", "message", "to"}]}; "head" is the engine's head and
"entry" the record's new line, as the files hold them; "reasons" only when
refused, "code" as scenario files name refusals (invalid_input, ...).`,
		example: "escalation case raise sefton cases/c-42 --actor asha --role practitioner --agency school --at 2026-12-22T10:00",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		af := addActFlags(fs)
		id := fs.String("id", "", "the case's `ID` (default: the folder's name)")
		keyFile := keyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			opts, code := e.keyOption(c, *keyFile)
			if code != exitOK {
				return code
			}
			p, code := e.loadPolicy(c, args[0], opts...)
			if p == nil {
				return code
			}
			a, code := af.read(e, c, p)
			if code != exitOK {
				return code
			}
			cf := caseAt(args[1])
			caseID := *id
			if caseID == "" && cf.dir == stdinCase {
				return c.usageError(e, "missing --id ID: a case raised on standard output (DIR -) has no folder to name it")
			}
			if caseID == "" {
				abs, err := filepath.Abs(cf.dir)
				if err != nil {
					return e.fail(c, "%v", err)
				}
				caseID = filepath.Base(abs)
			}
			h, en, err := p.Raise(context.Background(), engine.Raise{
				CaseID: caseID, Actor: *af.actor, Role: *af.role, Agency: *af.agency, At: a.at,
				Facts: a.facts, Forms: a.forms, Note: *af.note,
			})
			out := caseOutput{e: e, c: c, json: format.value == "json", p: p, cf: cf}
			if err != nil {
				return out.refused(engine.RaiseEvent, caseID, p.Start.ID, err)
			}
			write := cf.dir != stdinCase && !*af.dryRun
			if write {
				f, err := createCase(cf)
				if err != nil {
					return e.fail(c, "%v", err)
				}
				err = writeNewCase(f, cf, h, []*engine.Entry{en})
				f.Close()
				if err != nil {
					return e.fail(c, "%v", err)
				}
			}
			return out.acted(nil, h, en, a.at, write)
		}
	}
	return c
}

func caseFireCommand() *command {
	c := &command{
		name:    "case fire",
		args:    "DIR EVENT --actor NAME --role ROLE --at TIME [--agency AGENCY] [--fact NAME=VALUE]... [--form FORM.FIELD=VALUE]... [--note TEXT] [--revision N] [--key-file FILE] [--dry-run] [--policy POLICY] [--format text|json]",
		operand: "DIR (the case's folder) and EVENT",
		nargs:   [2]int{2, 2},
		summary: "fire an event on a case: append its entry, replace its head",
		about: `Fires EVENT on the case in the folder DIR, as ACTOR in ROLE at TIME. When the
engine takes it, the entry that records it is appended to record.jsonl as
one line and head.json is replaced by the next head (a new file renamed
over the old one), and what the stage owes then is printed. The command
holds a lock on the record while it acts and checks that the record ends
at the head, so two commands on one case take turns. --revision N refuses
the act if the case is no longer at revision N (the one you looked at).
DIR - reads the head from standard input instead and writes nothing: with
--format json, the host stores the "entry" printed and replaces its head
with the "head" printed, under its own revision check.

When the engine refuses it (the wrong role, a condition that does not hold,
a form to complete, the case closed), the reasons are printed, nothing is
written, and the exit code is 1. --dry-run prints what would happen and
writes nothing.

--fact NAME=VALUE and --form FORM.FIELD=VALUE (each repeatable) give fact
updates and form data: text as written, other values as in a scenario file
(true, 3, [a, b]); a date is YYYY-MM-DD.

--key-file FILE authenticates the new entry with the host's secret key (its
bytes as they are, at least 32, as from 'head -c 32 /dev/urandom'); keep
the file away from the case's. An act reads only the head and the last
line, as the engine's Fire does, so it checks no MAC: 'case verify
--key-file FILE' checks them all.

JSON: {"schema", "accepted": bool, "case", "event", "stage", "head",
"entry", "checkpoint": {"case", "revision", "hash"}, "written", "reasons":
[{"code", "message", "to"}]}; "stage" is where the case was when the event
was fired, "head" and "entry" are as the files hold them, "reasons" only
when refused: one per transition of that name, "code" as scenario files
name refusals (role_not_permitted, guard_false, forms_incomplete, ...) or
stale_revision.`,
		example: "escalation case fire cases/c-42 escalate --actor asha --role practitioner --at 2026-12-24T16:00",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		af := addActFlags(fs)
		revision := fs.Int64("revision", 0, "the case's revision you read (`N`): the act is refused if it has moved on (default: no check)")
		policyArg := policyFlag(fs)
		keyFile := keyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			opts, code := e.keyOption(c, *keyFile)
			if code != exitOK {
				return code
			}
			cf, record, h, code := e.headForAct(c, args[0], *af.dryRun)
			if code != exitOK {
				return code
			}
			if record != nil {
				defer record.Close()
			}
			p, code := e.casePolicy(c, h, *policyArg, opts...)
			if p == nil {
				return code
			}
			a, code := af.read(e, c, p)
			if code != exitOK {
				return code
			}
			next, en, err := p.Fire(context.Background(), h, engine.Event{
				Name: args[1], Actor: *af.actor, Role: *af.role, Agency: *af.agency, At: a.at,
				Facts: a.facts, Forms: a.forms, Note: *af.note, Revision: *revision,
			})
			out := caseOutput{e: e, c: c, json: format.value == "json", p: p, cf: cf}
			if err != nil {
				return out.refused(args[1], h.ID, where(h), err)
			}
			write := record != nil && !*af.dryRun
			if write {
				if err := appendEntries(record, en); err != nil {
					return e.fail(c, "cannot write %s: %v", cf.record, err)
				}
				b, err := marshalHead(next)
				if err == nil {
					err = replaceFile(cf.head, b, privateFile)
				}
				if err != nil {
					return e.fail(c, "entry %d is recorded in %s, but %s could not be written (%v): 'escalation case rebuild %s' catches it up", en.Seq, cf.record, cf.head, err, cf.dir)
				}
			}
			return out.acted(&h, next, en, a.at, write)
		}
	}
	return c
}

// headForAct reads the head an act starts from: from standard input for
// DIR "-", or from the case folder, whose record it opens (to append to,
// under its lock, unless dry) and checks ends at the head. The record is
// nil for standard input; the caller closes it otherwise.
func (e *env) headForAct(c *command, dir string, dry bool) (caseFolder, *os.File, engine.Head, int) {
	if dir == stdinCase {
		h, code := e.stdinHead(c)
		return caseAt(dir), nil, h, code
	}
	cf, code := e.openCase(c, dir)
	if code != exitOK {
		return cf, nil, engine.Head{}, code
	}
	flags := os.O_RDONLY
	if !dry {
		flags = os.O_RDWR | os.O_APPEND
	}
	record, err := openRecord(cf, flags)
	if err != nil {
		return cf, nil, engine.Head{}, e.fail(c, "%v", err)
	}
	h, err := cf.readHead()
	if err == nil {
		var last *engine.Entry
		if last, err = lastEntry(record, cf.record); err == nil {
			err = endsAtHead(last, h, cf)
		}
	}
	if err != nil {
		record.Close()
		return cf, nil, engine.Head{}, e.fail(c, "%v", err)
	}
	return cf, record, h, exitOK
}

// openRecord opens the record to read its end or, with os.O_RDWR, to append
// to it under its lock.
func openRecord(cf caseFolder, flags int) (*os.File, error) {
	if flags == os.O_RDONLY {
		f, err := safefile.Open(cf.record, flags)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %s", cf.record, safefile.Reason(err))
		}
		return f, nil
	}
	return openForAct(cf)
}

// where is the stage a case is at, or its outcome once closed.
func where(h engine.Head) string {
	if h.Closed() {
		return h.Outcome
	}
	return h.Stage
}

func caseDueCommand() *command {
	c := &command{
		name:    "case due",
		args:    "DIR [--at TIME] [--explain] [--policy POLICY] [--format text|json]",
		operand: "DIR (the case's folder)",
		nargs:   [2]int{1, 1},
		summary: "what the case's stage owes at a time, and by when",
		about: `Lists what the current stage of the case in DIR owes at TIME (default: now):
each obligation, its status (pending, overdue, met, or waiting for the
milestone it counts from), its timescale and when it is due. --explain
adds each deadline's day-by-day count, with the bank holidays it skips.
Nothing is written. DIR - reads the head from standard input.

JSON: {"schema", "case", "stage", "outcome", "at", "duties": [{"obligation",
"title", "owner", "status", "within", "expedited", "anchor", "due",
"due_date", "met", "late", "breach", "explanation": [{"date", "counted",
"day", "reason", "source"}]}]}; a closed case has an "outcome" and no
duties; "due" is the first instant the duty is late, "due_date" the last
day on time; "explanation" only with --explain.`,
		example: "escalation case due cases/c-42 --at 2026-12-29",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		at := atFlag(fs)
		explain := fs.Bool("explain", false, "explain each deadline day by day")
		policyArg := policyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			t, code := readAt(e, c, *at)
			if code != exitOK {
				return code
			}
			cf, h, p, code := e.headOf(c, args[0], *policyArg)
			if p == nil {
				return code
			}
			duties, err := p.Due(h, t)
			if err != nil {
				return e.fail(c, "%v", err)
			}
			out := caseOutput{e: e, c: c, json: format.value == "json", p: p, cf: cf}
			return out.due(h, t, duties, *explain)
		}
	}
	return c
}

func caseAvailableCommand() *command {
	c := &command{
		name:    "case available",
		args:    "DIR --role ROLE [--actor NAME] [--at TIME] [--policy POLICY] [--format text|json]",
		operand: "DIR (the case's folder)",
		nargs:   [2]int{1, 1},
		summary: "the events a role may fire on the case now, and why not",
		about: `Lists every event of the current stage of the case in DIR (and the events
open from any stage) with whether ACTOR, acting in ROLE, may fire it at TIME
(default: now), where it would take the case, and why not when they may
not. Form data is taken as the case holds it: an event that needs a form
completed is refused here until the form's data comes with it. Nothing is
written. DIR - reads the head from standard input.

JSON: {"schema", "case", "stage", "actor", "role", "at", "actions":
[{"event", "allowed": bool, "to", "reasons": [{"code", "message", "to"}]}]};
"to" is the stage or outcome the event leads to, empty when it stays;
"reasons" only when not allowed; a closed case has no actions.`,
		example: "escalation case available cases/c-42 --role line_manager --at 2026-12-29",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		role := fs.String("role", "", "the `ROLE` to ask for")
		actor := fs.String("actor", "", "who would act (`NAME`), for a condition that reads the actor (optional)")
		at := atFlag(fs)
		policyArg := policyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			if *role == "" {
				return c.usageError(e, "missing --role ROLE")
			}
			t, code := readAt(e, c, *at)
			if code != exitOK {
				return code
			}
			cf, h, p, code := e.headOf(c, args[0], *policyArg)
			if p == nil {
				return code
			}
			if code := checkRole(e, c, p, *role); code != exitOK {
				return code
			}
			actions, err := p.Available(context.Background(), h, *actor, *role, t)
			if err != nil {
				return e.fail(c, "%v", err)
			}
			out := caseOutput{e: e, c: c, json: format.value == "json", p: p, cf: cf}
			return out.available(h, *actor, *role, t, actions)
		}
	}
	return c
}

func caseVerifyCommand() *command {
	c := &command{
		name:    "case verify",
		args:    "DIR [--checkpoint FILE] [--key-file FILE] [--policy POLICY] [--format text|json]",
		operand: "DIR (the case's folder)",
		nargs:   [2]int{1, 1},
		summary: "prove a case's record: intact, in order, and rebuilding its head",
		about: `Checks the case in DIR: every entry of record.jsonl must be there, in order
and unedited (each carries the hash of the one before it), the record must
end at head.json, and replaying it through the policy must rebuild the head
exactly. A failure names the entry and its line, and how it fails:
missing, edited, out of order; a head that differs from its record; a case
rolled back. It exits 1.

--checkpoint FILE also checks the case against a checkpoint kept somewhere
else ({"case", "revision", "hash"}, as raise and fire print it; a file of
several, one a line, gives the last of this case's), which shows a folder
put back to an earlier state: a rolled-back record is genuine, only old.

--key-file FILE checks every entry's MAC with the host's secret key, the
one the case's acts were recorded with, so a record rewritten by someone
without the key fails as unauthenticated. Without it, MACs are not checked,
and the text says so.

JSON: {"schema", "case", "verified": bool, "entries", "checkpoint",
"authenticated": bool, "problem": {"how", "entry", "line", "message"}};
"entries" counts the record's entries when it verifies; "authenticated" is
true when it verifies with --key-file; "problem" only when it does not, "how"
one of missing, edited, out of order, unauthenticated, head differs, rolled
back, unreadable (a line that is not an entry) or replay (the policy now
decides an act differently), "entry" and "line" when known.`,
		example: "escalation case verify cases/c-42",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		cpFile := fs.String("checkpoint", "", "a `FILE` holding the case's checkpoint, kept elsewhere")
		policyArg := policyFlag(fs)
		keyFile := keyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			keyOpts, code := e.keyOption(c, *keyFile)
			if code != exitOK {
				return code
			}
			cf, h, p, code := e.readCase(c, args[0], *policyArg, keyOpts...)
			if p == nil {
				return code
			}
			var opts []engine.VerifyOption
			var cp *engine.Checkpoint
			if *cpFile != "" {
				if cp, code = e.readCheckpoint(c, *cpFile, h.ID); cp == nil {
					return code
				}
				opts = append(opts, engine.WithCheckpoint(*cp))
			}
			rr := newRecordReader(cf.record)
			err := p.Verify(context.Background(), h, rr.entries(), opts...)
			out := caseOutput{e: e, c: c, json: format.value == "json", p: p, cf: cf}
			return out.verified(h, rr, cp, *keyFile != "", err)
		}
	}
	return c
}

func caseShowCommand() *command {
	c := &command{
		name:    "case show",
		args:    "DIR [--policy POLICY] [--format text|json]",
		operand: "DIR (the case's folder)",
		nargs:   [2]int{1, 1},
		summary: "the case's head and its record, for people to read",
		about: `Shows the case in DIR: its policy, revision, stage or outcome, facts, form
data and milestones, and its record, one line an entry. The text leaves out
the values of facts and form fields the policy marks personal, and notes.
It reads the record without proving it: 'escalation case verify' does that.
Nothing is written.

JSON: {"schema", "head", "record": [entry]}, the files' contents as the
engine reads them, personal data included.`,
		example: "escalation case show cases/c-42",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		policyArg := policyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			cf, h, p, code := e.readCase(c, args[0], *policyArg)
			if p == nil {
				return code
			}
			out := caseOutput{e: e, c: c, json: format.value == "json", p: p, cf: cf}
			return out.show(h, newRecordReader(cf.record).entries())
		}
	}
	return c
}

func caseRebuildCommand() *command {
	c := &command{
		name:    "case rebuild",
		args:    "DIR [--key-file FILE] [--policy POLICY] [--format text|json]",
		operand: "DIR (the case's folder)",
		nargs:   [2]int{1, 1},
		summary: "catch a head up with its record after an interrupted act",
		about: `Rebuilds head.json in DIR from record.jsonl by replaying the record through
the policy, for a case whose last act was recorded but whose head was not
written (the command stopped between the two), or whose head is missing.
The record must be intact and hold the entry the head names: rebuilding
never takes a case back to an earlier revision, nor past a record that does
not verify. A head that already matches its record is left as it is.
Without a head, --policy names the policy. With --key-file FILE the
entries' MACs are checked as they are replayed.

JSON: {"schema", "case", "revision", "was", "written"}; "was" is the head's
revision before (0 when there was none).`,
		example: "escalation case rebuild cases/c-42",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		policyArg := policyFlag(fs)
		keyFile := keyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			opts, code := e.keyOption(c, *keyFile)
			if code != exitOK {
				return code
			}
			return rebuild(e, c, args[0], *policyArg, format.value == "json", opts)
		}
	}
	return c
}

func caseMigrateCommand() *command {
	c := &command{
		name:    "case migrate",
		args:    "FILE DIR [--policy POLICY] [--format text|json]",
		operand: "FILE (a case stored in schema 2) and DIR (the new case's folder)",
		nargs:   [2]int{2, 2},
		summary: "turn a case stored in schema 2 into a case folder, and verify it",
		about: `Reads FILE, a case as engines of case schema 2 stored it (one JSON value
with its record inside, under "history"), and writes it to the new folder
DIR as a head and a record (engine.MigrateCase), dropping nothing: the
entries are the stored ones, hashes and all. Then it verifies the folder as
'escalation case verify' does and exits 1 if it does not verify, keeping
the files for you to look at.

JSON: {"schema", "case", "entries", "verified": bool, "problem"}, "problem"
as verify gives it.`,
		example: "escalation case migrate old/c-42.json cases/c-42",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		policyArg := policyFlag(fs)
		format := formatFlag(fs, "text", "json")
		return func(e *env, args []string) int {
			return migrate(e, c, args[0], args[1], *policyArg, format.value == "json")
		}
	}
	return c
}

// maxStoredCaseBytes bounds a schema 2 case, which holds its whole record:
// 4,000 entries were 1.3 MB.
const maxStoredCaseBytes = 64 << 20

func migrate(e *env, c *command, file, dir, policyArg string, asJSON bool) int {
	b, err := safefile.Read(file, maxStoredCaseBytes)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return e.noSuchPath(c, file)
	case err != nil:
		return e.fail(c, "cannot read %s: %s", file, safefile.Reason(err))
	}
	h, entries, err := engine.MigrateCase(b)
	if errors.Is(err, engine.ErrCaseSchema) {
		return e.fail(c, "%s: %v: give a case stored whole in schema 2, its record under \"history\"; a head of schema %d belongs to a case folder, which the other case commands act on as it is", file, err, engine.CaseSchema)
	}
	if err != nil {
		return e.fail(c, "%s: %v", file, err)
	}
	p, code := e.casePolicy(c, h, policyArg)
	if p == nil {
		return code
	}
	cf := caseAt(dir)
	f, err := createCase(cf)
	if err != nil {
		return e.fail(c, "%v", err)
	}
	err = writeNewCase(f, cf, h, entries)
	f.Close()
	if err != nil {
		return e.fail(c, "%v", err)
	}
	rr := newRecordReader(cf.record)
	err = p.Verify(context.Background(), h, rr.entries())
	out := caseOutput{e: e, c: c, json: asJSON, p: p, cf: cf}
	return out.migrated(h, rr, file, len(entries), err)
}

func rebuild(e *env, c *command, dir, policyArg string, asJSON bool, opts []engine.LoadOption) int {
	cf := caseAt(dir)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return e.noSuchPath(c, dir)
	}
	record, err := openForAct(cf)
	if err != nil {
		return e.fail(c, "%v", err)
	}
	defer record.Close()
	var (
		old    engine.Head
		hasOld bool
	)
	if _, err := os.Lstat(cf.head); err == nil {
		if old, err = cf.readHead(); err != nil {
			return e.fail(c, "%v", err)
		}
		hasOld = true
	}
	var p *engine.Policy
	code := exitOK
	switch {
	case hasOld:
		p, code = e.casePolicy(c, old, policyArg, opts...)
	case policyArg == "":
		return c.usageError(e, fmt.Sprintf("%s has no %s to name the policy: give it with --policy POLICY", dir, headFile))
	default:
		p, code = e.loadPolicy(c, policyArg, opts...)
	}
	if p == nil {
		return code
	}
	rr := newRecordReader(cf.record)
	held := !hasOld // the record must hold the entry the old head names
	entries := func(yield func(*engine.Entry, error) bool) {
		for en, err := range rr.entries() {
			if err == nil && hasOld && int64(en.Seq) == old.Revision {
				held = en.Hash == old.Hash
			}
			if !yield(en, err) {
				return
			}
		}
	}
	h, err := p.Replay(context.Background(), entries)
	if err != nil {
		return e.fail(c, "%s does not rebuild a head: %v; 'escalation case verify %s' says more", cf.record, err, dir)
	}
	if hasOld && (h.Revision < old.Revision || !held) {
		return e.fail(c, "%s does not hold the entry %s names (revision %d): rebuilding would lose acts; 'escalation case verify %s' says how they differ", cf.record, cf.head, old.Revision, dir)
	}
	write := !hasOld || h.Revision != old.Revision
	if !write {
		// At the record's last entry already: the head must be the one the
		// record rebuilds, or it was changed, which is verify's to report.
		same, err := sameHead(old, h)
		if err != nil {
			return e.fail(c, "%v", err)
		}
		if !same {
			return e.fail(c, "%s is at the record's last entry (revision %d) but is not what the record rebuilds: it was changed; 'escalation case verify %s' says how", cf.head, h.Revision, dir)
		}
	}
	if write {
		b, err := marshalHead(h)
		if err == nil {
			err = replaceFile(cf.head, b, privateFile)
		}
		if err != nil {
			return e.fail(c, "cannot write %s: %v", cf.head, err)
		}
	}
	out := caseOutput{e: e, c: c, json: asJSON, p: p, cf: cf}
	return out.rebuilt(h, old.Revision, write)
}

// sameHead reports whether two heads say the same, as their JSON does.
func sameHead(a, b engine.Head) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(b)
	return bytes.Equal(ja, jb), err
}
