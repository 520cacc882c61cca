package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fmt rewrites what is not formatted, in place, keeping the file's mode and
// writing through a link; a second run finds nothing to do.
func TestFmtRewritesInPlace(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/fmt/messy.yaml")
	require.NoError(t, err)
	messy := filepath.Join(dir, "messy.yaml")
	require.NoError(t, os.WriteFile(messy, src, 0o640))
	require.NoError(t, os.Symlink("messy.yaml", filepath.Join(dir, "link.yaml")))

	code, out := runArgs("fmt", filepath.Join(dir, "link.yaml"))
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, filepath.ToSlash(filepath.Join(dir, "link.yaml"))+"\n", out, "the file changed is listed")
	info, err := os.Lstat(filepath.Join(dir, "link.yaml"))
	require.NoError(t, err)
	assert.NotZero(t, info.Mode()&os.ModeSymlink, "the link is still a link")
	info, err = os.Stat(messy)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm())
	formatted, err := os.ReadFile(messy)
	require.NoError(t, err)
	assert.NotEqual(t, string(src), string(formatted))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left")

	code, out = runArgs("fmt", dir)
	assert.Equal(t, exitOK, code)
	assert.Empty(t, out, "nothing more to do")
	require.NoError(t, os.WriteFile(messy, src, 0o640))
	code, out = runArgs("fmt", "--diff", messy)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "+++ b/"+filepath.ToSlash(messy)+"\n")
	after, err := os.ReadFile(messy)
	require.NoError(t, err)
	assert.Equal(t, string(src), string(after), "--diff writes nothing")
	require.Equal(t, exitOK, run([]string{"fmt", messy}, io.Discard, io.Discard))
	code, out = runArgs("fmt", "--check", messy)
	assert.Equal(t, exitOK, code)
	assert.Empty(t, out)
}

// --check writes nothing; - reads standard input and writes the result.
func TestFmtCheckAndStandardInput(t *testing.T) {
	src, err := os.ReadFile("testdata/fmt/messy.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	messy := filepath.Join(dir, "messy.yaml")
	require.NoError(t, os.WriteFile(messy, src, 0o644))
	code, out := runArgs("fmt", "--check", messy)
	assert.Equal(t, exitFail, code)
	assert.Equal(t, filepath.ToSlash(messy)+"\n", out)
	after, err := os.ReadFile(messy)
	require.NoError(t, err)
	assert.Equal(t, string(src), string(after), "--check writes nothing")

	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, runWith([]string{"fmt", "-"}, bytes.NewReader(src), &stdout, &stderr), stderr.String())
	require.Equal(t, exitOK, run([]string{"fmt", messy}, io.Discard, io.Discard))
	inPlace, err := os.ReadFile(messy)
	require.NoError(t, err)
	assert.Equal(t, string(inPlace), stdout.String(), "standard input formats as the file does")

	stdout.Reset()
	assert.Equal(t, exitFail, runWith([]string{"fmt", "--check", "-"}, bytes.NewReader(src), &stdout, &stderr))
	assert.Empty(t, stdout.String())
	assert.Equal(t, exitFail, runWith([]string{"fmt", "-"}, strings.NewReader(strings.Repeat("#", 1<<20+1)), &stdout, &stderr))
	assert.Contains(t, stderr.String(), "over the limit of 1048576 bytes")
}
