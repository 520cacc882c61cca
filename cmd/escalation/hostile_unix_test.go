//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runWithin runs the command line, failing the test if it has not returned
// after ten seconds: a read that blocks must not hang the command.
func runWithin(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var (
		code int
		out  string
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		code, out = runArgs(args...)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("escalation %v did not return", args)
	}
	return code, out
}

// Every command, and the scenario runner, refuses a path that is not a
// file, or is far too large, promptly and without reading it whole: a named
// pipe with no writer, /dev/zero (through a link named like a policy), and a
// sparse file of 256 MiB.
func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	zero := filepath.Join(dir, "zero.yaml")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(256<<20))
	require.NoError(t, f.Close())

	for _, tc := range []struct {
		name, path, says string
	}{
		{"named pipe", fifo, "it is a named pipe, not a file"},
		{"device", zero, "it is a device, not a file"},
		{"sparse file", huge, "the file is 268435456 bytes, over the limit of 1048576"},
	} {
		// A scenario whose policy is the hostile file.
		scenarios := filepath.Join(t.TempDir(), "scenarios")
		require.NoError(t, os.Mkdir(scenarios, 0o755))
		story := filepath.Join(scenarios, "story.yaml")
		require.NoError(t, os.WriteFile(story, []byte(fmt.Sprintf("scenario: A story\npolicy: %s\nraised: {at: 2026-12-22, by: asha, role: practitioner}\n", tc.path)), 0o644))

		for _, args := range [][]string{
			{"validate", tc.path},
			{"validate", dir},
			{"test", tc.path},
			{"test", story},
			{"diagram", tc.path},
			{"doc", tc.path},
			{"timeline", tc.path, "--raised", "2026-12-22"},
			{"fmt", tc.path},
			{"due", "--from", "2026-12-22", "--within", "2 working days", "--closures", tc.path},
			{"fmt", dir},
		} {
			t.Run(tc.name+"/"+args[0]+"/"+filepath.Base(args[1]), func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				code, out := runWithin(t, args...)
				runtime.ReadMemStats(&after)
				assert.NotEqual(t, exitOK, code, out)
				assert.Contains(t, out, tc.says)
				assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated")
			})
		}
	}
}

// doc finds a policy's traceability matrix beside it, and validate checks a
// matrix against the policy beside its folder: a named pipe in either place
// is refused, not waited on.
func TestHostileTraceFiles(t *testing.T) {
	src, err := os.ReadFile("testdata/policies/tiny.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tiny.yaml"), src, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "trace"), 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "trace", "tiny.yaml"), 0o644))

	other := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(other, "tiny.yaml"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(other, "trace"), 0o755))
	matrix, err := os.ReadFile("testdata/traced/trace/tiny.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(other, "trace", "tiny.yaml"), matrix, 0o644))

	for _, args := range [][]string{
		{"doc", filepath.Join(dir, "tiny.yaml"), "--today", "2025-06-01"},
		{"validate", filepath.Join(other, "trace")},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, out := runWithin(t, args...)
			assert.NotEqual(t, exitOK, code, out)
			assert.Contains(t, out, "it is a named pipe, not a file")
		})
	}
}
