//go:build !unix

package safefile

import "os"

// openFlags opens the file for reading. Read checks the path first, so only
// a named pipe that replaces the file between the check and the open could
// block, and such pipes are a Unix matter.
const openFlags = os.O_RDONLY
