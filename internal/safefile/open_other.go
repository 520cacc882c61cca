//go:build !unix

package safefile

import "os"

// nonblock is nothing here. Read and Open check the path first, so only a
// named pipe that replaces the file between the check and the open could
// block, and such pipes are a Unix matter.
const nonblock = 0

const openFlags = os.O_RDONLY | nonblock
