//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// nonblock opens without blocking: should a named pipe replace the file
// between the check and the open, the open returns at once and the check
// that follows it refuses the pipe.
const nonblock = syscall.O_NONBLOCK

const openFlags = os.O_RDONLY | nonblock
