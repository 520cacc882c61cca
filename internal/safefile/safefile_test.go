package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// within runs f and fails the test if it has not returned after a few
// seconds: a read that blocks (a named pipe with no writer) must not hang.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not return: it blocked")
	}
}

func write(t *testing.T, dir, name string, size int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, make([]byte, size), 0o644))
	return path
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	const limit = 100
	for _, tc := range []struct {
		name    string
		path    string
		size    int // bytes read, when it is read
		tooBig  bool
		notFile bool
		missing bool
	}{
		{name: "small", path: write(t, dir, "small.yaml", 10), size: 10},
		{name: "empty", path: write(t, dir, "empty.yaml", 0), size: 0},
		{name: "at the limit", path: write(t, dir, "limit.yaml", limit), size: limit},
		{name: "one byte over", path: write(t, dir, "over.yaml", limit+1), tooBig: true},
		{name: "a folder", path: dir, notFile: true},
		{name: "missing", path: filepath.Join(dir, "nothing.yaml"), missing: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Read(tc.path, limit)
			var tooLarge *TooLargeError
			switch {
			case tc.tooBig:
				require.ErrorAs(t, err, &tooLarge)
				assert.Equal(t, int64(limit+1), tooLarge.Size)
				assert.Equal(t, int64(limit), tooLarge.Limit)
				assert.EqualError(t, err, "the file is 101 bytes, over the limit of 100")
			case tc.notFile:
				assert.ErrorIs(t, err, ErrNotRegular)
				assert.Contains(t, err.Error(), "is a folder, not a file")
			case tc.missing:
				assert.ErrorIs(t, err, fs.ErrNotExist)
			default:
				require.NoError(t, err)
				assert.Len(t, b, tc.size)
			}
		})
	}
}

// A sparse file of 256 MiB is refused from its size, without reading it.
func TestReadRefusesALargeFileUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(256<<20))
	require.NoError(t, f.Close())

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Read(path, 1<<20)
	runtime.ReadMemStats(&after)
	var tooLarge *TooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, int64(256<<20), tooLarge.Size)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated to refuse it")
}

func TestReadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"policy.yaml":    {Data: []byte("language: escalation/v1\n")},
		"big.txt":        {Data: make([]byte, 101)},
		"dir/inside.txt": {Data: []byte("x")},
		"pipe":           {Mode: fs.ModeNamedPipe},
	}
	b, err := ReadFS(fsys, "policy.yaml", 100)
	require.NoError(t, err)
	assert.Equal(t, "language: escalation/v1\n", string(b))

	_, err = ReadFS(fsys, "big.txt", 100)
	var tooLarge *TooLargeError
	assert.ErrorAs(t, err, &tooLarge)

	_, err = ReadFS(fsys, "dir", 100)
	assert.ErrorIs(t, err, ErrNotRegular)
	_, err = ReadFS(fsys, "pipe", 100)
	assert.ErrorIs(t, err, ErrNotRegular)
	assert.Contains(t, err.Error(), "is a named pipe, not a file")
	_, err = ReadFS(fsys, "nothing.txt", 100)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestTooLargeErrorUnknownSize(t *testing.T) {
	err := &TooLargeError{Size: -1, Limit: 100}
	assert.EqualError(t, err, "the file is over the limit of 100 bytes")
	assert.False(t, errors.Is(err, ErrNotRegular))
}

// Open refuses what Read refuses, but not a size: a record is read a line
// at a time, and appended to.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "record.jsonl", 0)
	require.NoError(t, os.WriteFile(path, []byte("one\n"), 0o600))

	f, err := Open(path, os.O_RDWR|os.O_APPEND)
	require.NoError(t, err)
	_, err = f.WriteString("two\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\n", string(b), "appended, not overwritten")

	_, err = Open(dir, os.O_RDONLY)
	assert.ErrorIs(t, err, ErrNotRegular)
	assert.Contains(t, err.Error(), "a folder, not a file")
	_, err = Open(filepath.Join(dir, "none.jsonl"), os.O_RDONLY)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}
