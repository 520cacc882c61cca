package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Checkpoints is the audit log of heads: it keeps the checkpoint of every
// head the store writes (its revision and the hash of its last entry) and a
// digest of the head as stored, outside the database, in a file of JSON lines
// that is only ever appended to. It holds no fact, form or note: the head's
// digest proves the head without carrying its personal data. A database put back to an earlier
// state (a restored backup, a copied file, an undone transaction) is still a
// genuine record, only an old one; its heads are then behind their
// checkpoints, which Store.Get and Store.Verify refuse.
//
// The protection is only as good as the checkpoints' separation from the
// database: in production keep them where the database's writers cannot
// reach, such as another machine, a write-once bucket or an audit log, not a
// file beside the database as this example does.
type Checkpoints struct {
	mu     sync.Mutex
	f      *os.File
	latest map[string]AuditLine
}

// AuditLine is one line of the audit log: a head's checkpoint, and the
// SHA-256 of the head's JSON as the store wrote it (zero in lines written
// before the log kept it), so that a head changed in the database at the
// same revision is caught on its next read.
type AuditLine struct {
	engine.Checkpoint
	Head engine.Digest `json:"head,omitzero"`
}

// auditLine is the line for a head whose JSON, as stored, is state.
func auditLine(h engine.Head, state []byte) AuditLine {
	return AuditLine{Checkpoint: h.Checkpoint(), Head: sha256.Sum256(state)}
}

// OpenCheckpoints opens (creating if need be) the checkpoint file at path and
// reads the latest checkpoint of each case from it. A last line cut short
// (the machine stopped while writing it, before it was synced and the write
// acknowledged) is dropped, so the next line starts on a line of its own.
func OpenCheckpoints(path string) (*Checkpoints, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	c := &Checkpoints{f: f, latest: map[string]AuditLine{}}
	if err := c.read(path); err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

func (c *Checkpoints) read(path string) error {
	r := bufio.NewReader(c.f)
	var whole int64 // the bytes up to the end of the last complete line
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			if len(line) > 0 {
				return c.f.Truncate(whole)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		whole += int64(len(line))
		var cp AuditLine
		if err := json.Unmarshal(line, &cp); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if cp.Revision > c.latest[cp.Case].Revision {
			c.latest[cp.Case] = cp
		}
	}
}

// Keep appends audit lines, and syncs them to disk once.
func (c *Checkpoints) Keep(cps ...AuditLine) error {
	if c == nil || len(cps) == 0 {
		return nil
	}
	var lines []byte
	for _, cp := range cps {
		line, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		lines = append(append(lines, line...), '\n')
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.f.Write(lines); err != nil {
		return err
	}
	if err := c.f.Sync(); err != nil {
		return err
	}
	for _, cp := range cps {
		if cp.Revision > c.latest[cp.Case].Revision {
			c.latest[cp.Case] = cp
		}
	}
	return nil
}

// Latest returns the latest audit line kept for a case.
func (c *Checkpoints) Latest(id string) (AuditLine, bool) {
	if c == nil {
		return AuditLine{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cp, ok := c.latest[id]
	return cp, ok
}

// Cases lists the cases that have a checkpoint.
func (c *Checkpoints) Cases() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, 0, len(c.latest))
	for id := range c.latest {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Close closes the file.
func (c *Checkpoints) Close() error {
	if c == nil {
		return nil
	}
	return c.f.Close()
}
