package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"unicode"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
)

// A case folder holds one case as the engine's host would store it, in two
// files a shell user can keep, copy and read:
//
//   - head.json, the engine's head (engine.Head's JSON, indented): what it
//     needs to act. Every act replaces it whole, by writing a new file and
//     renaming it over the old one, so a reader sees one head or the next,
//     never half of one.
//   - record.jsonl, the case's record: one entry a line, as JSON, in order.
//     Acts only ever append a line; nothing rewrites one.
//
// An act appends its entry and syncs it before it replaces the head, so a
// command stopped between the two leaves a record one entry ahead of its
// head, which "case rebuild" catches up, and never a head whose entry is
// lost. While it writes, a command holds a lock on the record (where the
// system has one), so two commands on one case take turns; each checks
// that the record ends at the head before it acts.
const (
	headFile   = "head.json"
	recordFile = "record.jsonl"
	// maxEntryBytes bounds one line of a record, and so the memory reading
	// one costs: an entry is a few hundred bytes, with a form's text a few
	// thousand.
	maxEntryBytes = 1 << 20
	// tailBytes is how much of a record's end an act reads first to find
	// its last entry: most entries fit, a longer one costs another read.
	tailBytes = 4 << 10
	// maxHeadBytes bounds head.json: a head holds no record, only the
	// current state, so it is small.
	maxHeadBytes = engine.DefaultMaxBytes
	// privateFile and privateDir are the modes a case is written with: a
	// record holds personal data, so only its owner may read it.
	privateFile = 0o600
	privateDir  = 0o700
)

// stdinCase is the DIR that stands for no folder: a host that stores its
// cases itself passes the head on standard input (raise needs none), and
// stores the next head and the entry that --format json prints; nothing is
// written. Only raise, fire, due and available take it: the others read the
// record.
const stdinCase = "-"

// stdinHead reads a head from standard input, as head.json holds it.
func (e *env) stdinHead(c *command) (engine.Head, int) {
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxHeadBytes+1))
	switch {
	case err != nil:
		return engine.Head{}, e.fail(c, "cannot read the head on standard input: %v", err)
	case len(b) > maxHeadBytes:
		return engine.Head{}, e.fail(c, "the head on standard input is over %d bytes, which no head is: give the JSON of one case's head (head.json)", maxHeadBytes)
	}
	var h engine.Head
	if err := json.Unmarshal(b, &h); err != nil {
		return engine.Head{}, e.fail(c, "standard input%s: not a case's head: %v; give the JSON of one case's head, as head.json or --format json's \"head\" holds it", jsonPos(b, err), err)
	}
	return h, exitOK
}

// caseFolder names the files of a case.
type caseFolder struct {
	dir, head, record string
}

func caseAt(dir string) caseFolder {
	return caseFolder{dir: dir, head: filepath.Join(dir, headFile), record: filepath.Join(dir, recordFile)}
}

// openCase checks that dir is a case folder. A folder that is not there, or
// holds no case, is a mistake in the command line (exitUsage), as a path
// that names nothing is for every command.
func (e *env) openCase(c *command, dir string) (caseFolder, int) {
	cf := caseAt(dir)
	if dir == stdinCase {
		return cf, c.usageError(e, "DIR - (a head on standard input) is for raise, fire, due and available; this command reads the case's record, so give the case's folder")
	}
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cf, e.noSuchPath(c, dir)
	case err != nil:
		return cf, e.fail(c, "cannot read %s: %s", dir, safefile.Reason(err))
	case !info.IsDir():
		fmt.Fprintf(e.stderr, "escalation %s: %s is a file, not a case folder: give the folder that holds %s and %s\n", c.name, dir, headFile, recordFile)
		return cf, exitUsage
	}
	if _, err := os.Lstat(cf.head); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "escalation %s: %s holds no case (no %s): raise one there with 'escalation case raise POLICY %s', or give the folder of a case\n", c.name, dir, headFile, dir)
		return cf, exitUsage
	}
	return cf, exitOK
}

// readHead reads and decodes the head. Its errors name the file.
func (cf caseFolder) readHead() (engine.Head, error) {
	b, err := safefile.Read(cf.head, maxHeadBytes)
	if err != nil {
		return engine.Head{}, fmt.Errorf("cannot read %s: %s", cf.head, safefile.Reason(err))
	}
	var h engine.Head
	if err := json.Unmarshal(b, &h); err != nil {
		return engine.Head{}, fmt.Errorf("%s%s: not a case's head: %v; if its record is intact, move it aside and run 'escalation case rebuild %s --policy POLICY' to rebuild it from the record", cf.head, jsonPos(b, err), err, cf.dir)
	}
	return h, nil
}

// jsonPos is where in b a JSON syntax error is, as ":line:column", or ""
// for another error (the engine's decoder of a head says the byte itself).
func jsonPos(b []byte, err error) string {
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		return ""
	}
	// The offset counts the byte at fault, which is the column to point at,
	// unless the input ended early.
	at := syntax.Offset
	if syntax.Error() != "unexpected end of JSON input" {
		at--
	}
	before := b[:min(max(at, 0), int64(len(b)))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf(":%d:%d", line, col)
}

// lineError is a line of a record that does not read as an entry.
type lineError struct {
	file string
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// recordReader streams a record's entries from its file, one line at a
// time, and remembers on which line each entry number was last seen, so that
// a problem with an entry can be shown at its line.
type recordReader struct {
	path  string
	lines map[int]int
	n     int // the entries read
	macs  int // of which carry a MAC
}

func newRecordReader(path string) *recordReader {
	return &recordReader{path: path, lines: map[int]int{}}
}

// entries yields the record's entries in the order of its lines, skipping
// blank lines. A line that is not an entry, or too long to be one, ends the
// sequence with a *lineError.
func (r *recordReader) entries() iter.Seq2[*engine.Entry, error] {
	return func(yield func(*engine.Entry, error) bool) {
		f, err := safefile.Open(r.path, os.O_RDONLY)
		if err != nil {
			yield(nil, fmt.Errorf("cannot read %s: %s", r.path, safefile.Reason(err)))
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), maxEntryBytes)
		for line := 1; sc.Scan(); line++ {
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			en, err := decodeEntry(b)
			if err != nil {
				yield(nil, &lineError{file: r.path, line: line, msg: err.Error()})
				return
			}
			r.lines[en.Seq] = line
			r.n++
			if !en.MAC.IsZero() {
				r.macs++
			}
			if !yield(en, nil) {
				return
			}
		}
		if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
			yield(nil, fmt.Errorf("%s: a line is over %d bytes, which no entry is: is this a case's record?", r.path, maxEntryBytes))
		} else if err != nil {
			yield(nil, fmt.Errorf("cannot read %s: %s", r.path, safefile.Reason(err)))
		}
	}
}

func decodeEntry(b []byte) (*engine.Entry, error) {
	en := new(engine.Entry)
	if err := json.Unmarshal(b, en); err != nil {
		return nil, fmt.Errorf("not an entry of a case's record: %v", err)
	}
	if en.Seq < 1 {
		return nil, errors.New("not an entry of a case's record: it has no number (seq)")
	}
	return en, nil
}

// lastEntry reads the record's last entry from the end of the file, a
// small piece first and a larger one only for a longer line, so an act
// costs the same however long the record is.
func lastEntry(f *os.File, path string) (*engine.Entry, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	const most = maxEntryBytes + 2 // the line, its newline, and the newline before it
	for window := min(size, tailBytes); ; window = min(size, window*8, most) {
		buf := make([]byte, window)
		if _, err := f.ReadAt(buf, size-window); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("cannot read %s: %s", path, safefile.Reason(err))
		}
		if len(buf) == 0 || buf[len(buf)-1] != '\n' {
			return nil, fmt.Errorf("%s does not end with a whole line: a command may have stopped while it wrote; 'escalation case verify' says which entry is at fault", path)
		}
		// Blank lines are skipped, as a record is read from its start.
		body := bytes.TrimRightFunc(buf, unicode.IsSpace)
		start := bytes.LastIndexByte(body, '\n') + 1
		if start == 0 && window < size {
			if window == most {
				return nil, fmt.Errorf("%s: its last line is over %d bytes, which no entry is: is this a case's record?", path, maxEntryBytes)
			}
			continue // the line started before this piece
		}
		en, err := decodeEntry(bytes.TrimSpace(body[start:]))
		if err != nil {
			return nil, fmt.Errorf("%s: its last line is %s; 'escalation case verify' says which entry is at fault", path, err)
		}
		return en, nil
	}
}

// endsAtHead checks that the record's last entry is the one the head names,
// before an act appends to it: otherwise the new entry would not follow on.
func endsAtHead(en *engine.Entry, h engine.Head, cf caseFolder) error {
	switch {
	case int64(en.Seq) == h.Revision && en.Hash == h.Hash:
		return nil
	case int64(en.Seq) == h.Revision+1 && en.Prev == h.Hash:
		return fmt.Errorf("%s ends at entry %d, one after the head (revision %d): a command stopped after recording an act and before writing the head; 'escalation case rebuild %s' catches the head up with its record", cf.record, en.Seq, h.Revision, cf.dir)
	}
	return fmt.Errorf("%s ends at entry %d, which is not the entry %s names (revision %d): the files do not belong together; 'escalation case verify %s' says how", cf.record, en.Seq, cf.head, h.Revision, cf.dir)
}

// marshalHead is the head as head.json holds it: indented, for people to
// read, with a final newline.
func marshalHead(h engine.Head) ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// appendEntries appends entries, one a line, in one write, and syncs them.
func appendEntries(f *os.File, entries ...*engine.Entry) error {
	var b []byte
	for _, en := range entries {
		line, err := json.Marshal(en)
		if err != nil {
			return err
		}
		b = append(append(b, line...), '\n')
	}
	if _, err := f.Write(b); err != nil {
		return err
	}
	return f.Sync()
}

// openForAct opens the record to append to it and takes its lock. The
// caller closes the file, which gives the lock up.
func openForAct(cf caseFolder) (*os.File, error) {
	f, err := safefile.Open(cf.record, os.O_RDWR|os.O_APPEND)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %s", cf.record, safefile.Reason(err))
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errBusy) {
			return nil, fmt.Errorf("another command is changing the case in %s: try again when it has finished", cf.dir)
		}
		return nil, fmt.Errorf("cannot lock %s: %v", cf.record, err)
	}
	return f, nil
}

// createCase makes a new case folder's record, refusing a folder that
// holds a case already, and takes its lock; the caller writes the first
// entry and the head, and closes the file.
func createCase(cf caseFolder) (*os.File, error) {
	if info, err := os.Stat(cf.dir); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a folder: give a new folder for the case", cf.dir)
	}
	if err := os.MkdirAll(cf.dir, privateDir); err != nil {
		return nil, fmt.Errorf("cannot make the folder %s: %s", cf.dir, safefile.Reason(err))
	}
	for _, p := range []string{cf.head, cf.record} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("%s already holds a case (%s): act on it with 'escalation case fire', or raise the new case in another folder", cf.dir, filepath.Base(p))
		}
	}
	f, err := os.OpenFile(cf.record, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, privateFile)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s already holds a case (%s): act on it with 'escalation case fire', or raise the new case in another folder", cf.dir, recordFile)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create %s: %s", cf.record, safefile.Reason(err))
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock %s: %v", cf.record, err)
	}
	return f, nil
}

// writeNewCase writes a new case's first entries and its head into the
// record createCase made, and removes the record again if that fails, so a
// failed raise leaves no half-made case.
func writeNewCase(f *os.File, cf caseFolder, h engine.Head, entries []*engine.Entry) error {
	err := func() error {
		if err := appendEntries(f, entries...); err != nil {
			return fmt.Errorf("cannot write %s: %v", cf.record, err)
		}
		b, err := marshalHead(h)
		if err != nil {
			return err
		}
		if err := replaceFile(cf.head, b, privateFile); err != nil {
			return fmt.Errorf("cannot write %s: %v", cf.head, err)
		}
		return nil
	}()
	if err != nil {
		os.Remove(cf.record)
	}
	return err
}

var errBusy = errors.New("the file is locked by another process")
