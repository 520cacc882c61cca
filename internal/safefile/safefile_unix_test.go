//go:build unix

package safefile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Files that are not files: a named pipe with no writer (which blocks a
// plain open), a device that never ends, and links to them.
func TestReadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "policy.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	link := filepath.Join(dir, "zero.yaml")
	require.NoError(t, os.Symlink("/dev/zero", link))
	for _, tc := range []struct{ path, kind string }{
		{fifo, "a named pipe"},
		{"/dev/zero", "a device"},
		{link, "a device"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			within(t, func() {
				_, err := Read(tc.path, 1<<20)
				assert.ErrorIs(t, err, ErrNotRegular)
				assert.Contains(t, err.Error(), tc.kind+", not a file")
			})
			within(t, func() {
				_, err := ReadFS(os.DirFS(filepath.Dir(tc.path)), filepath.Base(tc.path), 1<<20)
				assert.ErrorIs(t, err, ErrNotRegular)
			})
			for _, flag := range []int{os.O_RDONLY, os.O_RDWR | os.O_APPEND} {
				within(t, func() {
					f, err := Open(tc.path, flag)
					assert.Nil(t, f)
					assert.ErrorIs(t, err, ErrNotRegular)
					assert.Contains(t, err.Error(), tc.kind+", not a file")
				})
			}
		})
	}
}
