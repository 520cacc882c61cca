package safefile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file whose size its metadata does not give (the kernel's files say 0) is
// read only up to the limit and one byte more.
func TestReadStopsAtTheLimitWhateverTheSizeSays(t *testing.T) {
	b, err := Read("/proc/self/status", 1<<20)
	require.NoError(t, err)
	require.Greater(t, len(b), 101, "the file has more than the limit below")

	_, err = Read("/proc/self/status", 100)
	var tooLarge *TooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, int64(-1), tooLarge.Size, "the size is not known, only that it is over")
}
