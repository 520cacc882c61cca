// Package host is a small host for the case workflows, for the worker
// command and for recording histories: a store that keeps each case's record
// as a file of JSON lines, appended to and never rewritten, and a notifier
// that writes each notice as a JSON line. A real host implements
// temporal.Store on its own database and temporal.Notifier on its e-mail or
// task list.
package host

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/temporal"
)

// Journal keeps each case's record in dir/<case id>.jsonl, one entry a
// line, and its latest head in dir/<case id>.head.json.
type Journal struct {
	dir    string
	mu     sync.Mutex     // one append at a time: a worker may run many
	counts map[string]int // entries in each record, counted once per process
}

// NewJournal returns a journal in dir, which it creates if need be.
func NewJournal(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Journal{dir: dir, counts: map[string]int{}}, nil
}

// safeID is what a case id must look like to name a file.
var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func (j *Journal) path(id, ext string) (string, error) {
	if !safeID.MatchString(id) {
		return "", fmt.Errorf("case id %q cannot name a file: use letters, digits, '.', '_' and '-'", id)
	}
	return filepath.Join(j.dir, id+ext), nil
}

// Append implements temporal.Store: an entry the record already holds is
// accepted again without a second copy; one that is not the next is an
// error, which has the activity tried again.
func (j *Journal) Append(_ context.Context, head engine.Head, e *engine.Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	rec, err := j.path(head.ID, ".jsonl")
	if err != nil {
		return err
	}
	have, ok := j.counts[head.ID]
	if !ok {
		if have, err = count(rec); err != nil {
			return err
		}
		j.counts[head.ID] = have
	}
	switch {
	case e.Seq <= have:
		return nil
	case e.Seq != have+1:
		return fmt.Errorf("case %s: the record holds %d entries, so entry %d cannot follow", head.ID, have, e.Seq)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(rec, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	j.counts[head.ID] = e.Seq
	return j.writeHead(head)
}

// writeHead replaces the host's copy of the head, whole or not at all.
func (j *Journal) writeHead(h engine.Head) error {
	path, err := j.path(h.ID, ".head.json")
	if err != nil {
		return err
	}
	b, err := h.MarshalJSON()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// count is the number of entries in a record file.
func count(path string) (int, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 16<<20)
	for s.Scan() {
		n++
	}
	return n, s.Err()
}

// Record reads a case's record.
func (j *Journal) Record(id string) ([]*engine.Entry, error) {
	path, err := j.path(id, ".jsonl")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*engine.Entry
	d := json.NewDecoder(f)
	for {
		var e engine.Entry
		if err := d.Decode(&e); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: entry %d: %w", path, len(out)+1, err)
		}
		out = append(out, &e)
	}
}

// Lines writes each notice as a JSON line.
type Lines struct {
	mu sync.Mutex
	w  io.Writer
}

// NewLines returns a notifier writing to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: w} }

// Notify implements temporal.Notifier.
func (l *Lines) Notify(_ context.Context, n temporal.Notice) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.w.Write(append(b, '\n'))
	return err
}
