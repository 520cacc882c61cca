// Package safefile reads the files a user names on the command line or in a
// scenario, without trusting them to be what their names say.
//
// A path can name a folder, a named pipe (which blocks a reader until
// something writes to it), a device such as /dev/zero (which never ends), or
// a file of gigabytes. Reading any of those whole before checking it hangs the
// command or exhausts memory. Read and ReadFS check first: they refuse what is
// not a regular file, refuse a file whose size is over the limit without
// reading it, and read at most the limit and one byte more, so a file whose
// size its metadata does not tell (the kernel's /proc files say 0) costs no
// more than the limit either.
//
// Every command of escalation and the scenario runner read through here;
// Open opens a file to read it piece by piece, or to append to it, after the
// same checks.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
)

// ErrNotRegular is the error for a path that is not a regular file: a folder,
// a named pipe, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is a file over the limit.
type TooLargeError struct {
	Size  int64 // the file's size, or -1 when only "over the limit" is known
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("the file is over the limit of %d bytes", e.Limit)
	}
	return fmt.Sprintf("the file is %d bytes, over the limit of %d", e.Size, e.Limit)
}

// notRegular says what a path is instead of a file, wrapping ErrNotRegular.
type notRegular struct{ kind string }

func (e notRegular) Error() string { return "it is " + e.kind + ", not a file" }

func (e notRegular) Unwrap() error { return ErrNotRegular }

// check refuses what is not a regular file, and a file its metadata says is
// over the limit.
func check(info fs.FileInfo, limit int64) error {
	m := info.Mode()
	switch {
	case m.IsRegular():
		if info.Size() > limit {
			return &TooLargeError{Size: info.Size(), Limit: limit}
		}
		return nil
	case m.IsDir():
		return notRegular{"a folder"}
	case m&fs.ModeNamedPipe != 0:
		return notRegular{"a named pipe"}
	case m&fs.ModeSocket != 0:
		return notRegular{"a socket"}
	case m&fs.ModeDevice != 0:
		return notRegular{"a device"}
	}
	return notRegular{"a special file (" + m.String() + ")"}
}

// Read reads the named file, refusing what is not a regular file and any
// file over limit bytes. The errors are *fs.PathError wrapping ErrNotRegular
// or the operating system's error, or a *TooLargeError.
func Read(name string, limit int) ([]byte, error) {
	// Stat first: opening a named pipe blocks until a writer comes.
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	return read(name, info, limit, func() (fs.File, error) { return os.OpenFile(name, openFlags, 0) })
}

// Open opens the named file with flag (os.O_RDONLY to read it, or
// os.O_RDWR|os.O_APPEND to add to its end), refusing what is not a regular
// file as Read does. It sets no limit on the size: the caller reads the file
// a bounded piece at a time, as a case's record is read a line at a time.
func Open(name string, flag int) (*os.File, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if err := check(info, math.MaxInt64); err != nil {
		return nil, pathError(name, err)
	}
	f, err := os.OpenFile(name, flag|nonblock, 0)
	if err != nil {
		return nil, err
	}
	opened, err := f.Stat()
	if err == nil {
		if err = check(opened, math.MaxInt64); err != nil {
			err = pathError(name, err)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFS is Read for a file in fsys.
func ReadFS(fsys fs.FS, name string, limit int) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	return read(name, info, limit, func() (fs.File, error) { return fsys.Open(name) })
}

// read checks what info says of the file, opens it, checks what was opened
// (the path may have changed in between), and reads it within the limit.
func read(name string, info fs.FileInfo, limit int, open func() (fs.File, error)) ([]byte, error) {
	if err := check(info, int64(limit)); err != nil {
		return nil, pathError(name, err)
	}
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := check(opened, int64(limit)); err != nil {
		return nil, pathError(name, err)
	}
	return readLimited(f, limit)
}

// Reason says what went wrong without the path, for a caller that names the
// file itself: "it is a named pipe, not a file", "no such file or directory".
func Reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func pathError(name string, err error) error {
	var tooLarge *TooLargeError
	if errors.As(err, &tooLarge) {
		return err
	}
	return &fs.PathError{Op: "read", Path: name, Err: err}
}

// readLimited reads at most limit+1 bytes: one more than allowed tells that
// there is more, whatever the size the file claimed.
func readLimited(r io.Reader, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, &TooLargeError{Size: -1, Limit: int64(limit)}
	}
	return b, nil
}
