package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Checkpoints keeps the checkpoint of every head the store writes (its
// revision and the hash of its last entry) outside the database, in a file of
// JSON lines that is only ever appended to. A database put back to an earlier
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
	latest map[string]engine.Checkpoint
}

// OpenCheckpoints opens (creating if need be) the checkpoint file at path and
// reads the latest checkpoint of each case from it.
func OpenCheckpoints(path string) (*Checkpoints, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	c := &Checkpoints{f: f, latest: map[string]engine.Checkpoint{}}
	lines := bufio.NewScanner(f)
	for n := 1; lines.Scan(); n++ {
		var cp engine.Checkpoint
		if err := json.Unmarshal(lines.Bytes(), &cp); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if cp.Revision > c.latest[cp.Case].Revision {
			c.latest[cp.Case] = cp
		}
	}
	if err := lines.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Keep appends checkpoints, and syncs them to disk once.
func (c *Checkpoints) Keep(cps ...engine.Checkpoint) error {
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

// Latest returns the latest checkpoint kept for a case.
func (c *Checkpoints) Latest(id string) (engine.Checkpoint, bool) {
	if c == nil {
		return engine.Checkpoint{}, false
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
