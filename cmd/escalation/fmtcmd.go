package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/internal/udiff"
)

func fmtCommand() *command {
	c := &command{
		name:    "fmt",
		args:    "[--check] [--diff] PATH...",
		operand: "PATH",
		nargs:   [2]int{1, -1},
		summary: "lay out policy and scenario files in one canonical form",
		about: `Lays out policy and scenario files in one canonical form, so that a review
shows what changed and not how it was typed: each element's keys in one
order (what it is, then where it comes from (source, assumption), then what
it holds), two spaces of indentation a level with a list's dashes under
their key, at most one blank line between entries, no trailing spaces.
Comments and the text of every value (its quotes, its line breaks) are
kept, and ids (stages, roles, obligations) keep the order the file gives
them, which for stages is the ladder's. A file formats to the same YAML,
reordered, with the same comments: fmt checks that before it writes, and
leaves alone a file it cannot lay out safely.

A PATH is a file, a folder (its *.yaml and *.yml files and those below it,
skipping folders whose names start with "."), or - for standard input,
written to standard output. A file with a folder named "scenarios" in its
path, or with a top-level scenario: key, is a scenario file (keys in the
order of policies/SCENARIOS.md, a refusal first among the expectations);
one in a folder named "trace" is a traceability matrix, which fmt leaves as
it is; any other is a policy file.

Files are rewritten in place, and each one changed is listed. --check
writes nothing: it lists the files that are not formatted and exits 1 if
there is one, for CI. --diff writes nothing either: it prints the changes
as a unified diff (which git apply takes) instead of the list.

Exits 0 when every file is formatted (or, with --check, already was), 1
when a file is not formatted (--check) or cannot be formatted (it is not
YAML, say: the problem is reported at its line), 2 on a usage error.`,
		example: "escalation fmt --check --diff policies/",
	}
	c.setup = func(fset *flag.FlagSet) func(*env, []string) int {
		check := fset.Bool("check", false, "write nothing: list the files that are not formatted, and exit 1 if one is not")
		diff := fset.Bool("diff", false, "write nothing: print the changes as a unified diff instead of listing the files")
		return func(e *env, args []string) int {
			for _, arg := range args {
				if isTrace(arg) && !isDir(arg) {
					return c.usageError(e, arg+" is a traceability matrix: fmt lays out policy and scenario files")
				}
				if arg != "-" && isPolicyID(arg) && isBundled(arg) {
					if _, err := os.Stat(arg); err != nil {
						return c.usageError(e, fmt.Sprintf("%s is a bundled policy, part of the command: fmt lays out files; give the path of a policy file", arg))
					}
				}
			}
			if code := e.checkPaths(c, slicesWithout(args, "-")); code != exitOK {
				return code
			}
			f := formatting{e: e, check: *check, diff: *diff}
			for _, arg := range args {
				if arg == "-" {
					f.stdin()
					continue
				}
				f.path(arg)
			}
			return f.code
		}
	}
	return c
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func slicesWithout(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// formatting formats files one by one, reporting as it goes.
type formatting struct {
	e           *env
	check, diff bool
	code        int
}

// layOut formats one file's bytes as its kind requires.
func layOut(name string, src []byte) ([]byte, engine.Diagnostics) {
	if isScenarioFile(name, src) {
		return scenario.Format(name, src)
	}
	return engine.Format(name, src)
}

func (f *formatting) stdin() {
	src, err := io.ReadAll(io.LimitReader(f.e.stdin, engine.DefaultMaxBytes+1))
	switch {
	case err != nil:
		f.failed(engine.Diagnostics{unreadable("-", err)}, nil)
		return
	case len(src) > engine.DefaultMaxBytes:
		f.failed(engine.Diagnostics{unreadable("-", &safefile.TooLargeError{Size: -1, Limit: engine.DefaultMaxBytes})}, nil)
		return
	}
	out, ds := layOut("-", src)
	if ds.HasErrors() {
		f.failed(ds, src)
		return
	}
	switch {
	case f.diff:
		fmt.Fprint(f.e.stdout, udiff.Unified("a/-", "b/-", string(src), string(out)))
	case !f.check:
		_, _ = f.e.stdout.Write(out)
	}
	if f.check && !bytes.Equal(src, out) {
		f.code = exitFail
	}
}

// path formats a file, or the YAML files in a folder and below it.
func (f *formatting) path(arg string) {
	info, err := os.Stat(arg)
	if err != nil || !info.IsDir() {
		f.file(arg)
		return
	}
	walkYAML(arg, func(p string) {
		if !isTrace(p) {
			f.file(p)
		}
	}, func(p string, err error) { f.failed(engine.Diagnostics{unreadable(filepath.ToSlash(p), err)}, nil) })
}

func (f *formatting) file(path string) {
	name := filepath.ToSlash(path)
	src, err := safefile.Read(path, engine.DefaultMaxBytes)
	if err != nil {
		f.failed(engine.Diagnostics{unreadable(name, err)}, nil)
		return
	}
	out, ds := layOut(name, src)
	if ds.HasErrors() {
		f.failed(ds, src)
		return
	}
	if bytes.Equal(src, out) {
		return
	}
	if f.diff {
		fmt.Fprint(f.e.stdout, udiff.Unified("a/"+name, "b/"+name, string(src), string(out)))
	} else {
		fmt.Fprintln(f.e.stdout, name)
	}
	if f.check {
		f.code = exitFail
	}
	if f.check || f.diff {
		return
	}
	if err := replaceFile(path, out, 0o644); err != nil {
		f.failed(engine.Diagnostics{{Severity: engine.SeverityError, Pos: engine.Pos{File: name}, Code: "unwritable", Message: "cannot write the file: " + safefile.Reason(err)}}, nil)
	}
}

// failed reports why a file could not be formatted, quoting its lines from
// src when there is one.
func (f *formatting) failed(ds engine.Diagnostics, src []byte) {
	_ = engine.WriteDiagnostics(f.e.stderr, ds.Errors(), func(string) []byte { return src })
	f.code = exitFail
}

// replaceFile writes data over the file at path (or, for a link, the file it
// links to) through a new file in the same folder, renamed over the old one,
// and syncs both: the file is never left half written, even by a crash. It
// keeps an existing file's permissions; a new file gets perm.
func replaceFile(path string, data []byte, perm fs.FileMode) (err error) {
	switch target, err := filepath.EvalSymlinks(path); {
	case err == nil:
		path = target
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		perm = info.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}
