package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Failure is one block, or one command of a console block, that did not run
// as written.
type Failure struct {
	File    string
	Line    int
	Command string
	Problem string
}

func (f Failure) String() string {
	return fmt.Sprintf("%s:%d: %s\n%s", f.File, f.Line, f.Command, indent(f.Problem))
}

// Run runs the walkthrough's blocks in order in a scratch copy of root and
// returns what failed. The error is for a scratch copy that could not be made.
func (w Walkthrough) Run(root string, timeout time.Duration) ([]Failure, error) {
	scratch, err := os.MkdirTemp("", "walkthrough-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	tree := filepath.Join(scratch, "repo")
	if err := copyTree(root, tree); err != nil {
		return nil, err
	}
	if shared, err := filepath.Abs(filepath.Join(root, "..", "shared")); err == nil {
		if _, err := os.Stat(shared); err == nil {
			if err := os.Symlink(shared, filepath.Join(scratch, "shared")); err != nil {
				return nil, err
			}
		}
	}
	var failures []Failure
	for _, b := range w.Blocks {
		switch b.Kind {
		case Script:
			out, err := shell(tree, timeout, "-euo", "pipefail", "-c", strings.Join(b.Lines, "\n"))
			if err != nil {
				failures = append(failures, Failure{w.File, b.Line, firstLine(b.Lines), fmt.Sprintf("%v\n%s", err, out)})
			}
		case Console:
			for _, c := range commands(b) {
				out, err := shell(tree, timeout, "-o", "pipefail", "-c", c.Text)
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					failures = append(failures, Failure{w.File, c.Line, c.Text, fmt.Sprintf("%v\n%s", err, out)})
					continue
				}
				if problem := compare(c.Want, lines(out)); problem != "" {
					failures = append(failures, Failure{w.File, c.Line, c.Text, problem})
				}
			}
		}
	}
	return failures, nil
}

// command is one "$ " line of a console block and the output shown for it.
type command struct {
	Line int
	Text string
	Want []string
}

func commands(b Block) []command {
	var cs []command
	continued := false
	for i, l := range b.Lines {
		switch {
		case continued:
			cs[len(cs)-1].Text += "\n" + l
		case strings.HasPrefix(l, "$ "):
			cs = append(cs, command{Line: b.Line + 1 + i, Text: strings.TrimPrefix(l, "$ ")})
		case len(cs) > 0:
			cs[len(cs)-1].Want = append(cs[len(cs)-1].Want, l)
		}
		continued = len(cs) > 0 && len(cs[len(cs)-1].Want) == 0 && strings.HasSuffix(l, `\`)
	}
	for i := range cs {
		cs[i].Want = trimLines(cs[i].Want)
	}
	return cs
}

// Ellipsis on a line of its own stands for any number of lines of output.
const Ellipsis = "…"

// compare says how got differs from want, or "" when it matches.
func compare(want, got []string) string {
	got = trimLines(got)
	if match(want, got) {
		return ""
	}
	return fmt.Sprintf("the output differs from the README's.\n--- README\n%s\n--- got\n%s",
		strings.Join(want, "\n"), strings.Join(got, "\n"))
}

func match(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == Ellipsis {
		for skip := 0; skip <= len(got); skip++ {
			if match(want[1:], got[skip:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && want[0] == got[0] && match(want[1:], got[1:])
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

// trimLines drops trailing spaces from each line and blank lines at the end.
func trimLines(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = strings.TrimRight(l, " \t\r")
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// shell runs bash with args in dir, bounded by timeout; the whole process
// group is killed when the time is up, so a server a block started cannot
// outlive it.
func shell(dir string, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %v: %w", timeout, ctx.Err())
	}
	return out.String(), err
}

// copyTree copies the files git tracks under root, and the untracked ones it
// does not ignore, to dst. Without git it copies everything but .git.
func copyTree(root, dst string) error {
	var files []string
	git := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if out, err := git.Output(); err == nil {
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, filepath.FromSlash(f))
			}
		}
	} else {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				rel, err := filepath.Rel(root, path)
				files = append(files, rel)
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := copyFile(filepath.Join(root, f), filepath.Join(dst, f)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	info, err := os.Lstat(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil // deleted in the working tree but not yet in git's index
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if info.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func firstLine(ls []string) string {
	for _, l := range ls {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return "(empty block)"
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
