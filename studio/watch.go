package studio

import (
	"context"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// maxWatched bounds how many files the watcher looks at on each poll.
const maxWatched = 2000

// watch polls the folder and publishes a new snapshot whenever a file is
// added, removed or saved. Polling needs nothing beyond the standard
// library and sees every editor's way of saving (in place, or by renaming
// a new file over the old one); a poll of a small folder costs well under
// a millisecond.
func (s *Server) watch(ctx context.Context) {
	last := fingerprint(s.dir)
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.rebuilds:
		}
		if now := fingerprint(s.dir); now != last {
			last = now
			s.rebuild(ctx)
		}
	}
}

// fingerprint hashes the name, size and modification time of every file the
// studio reads or cites (any file in the folder, within the scan's limits).
func fingerprint(dir string) uint64 {
	h := fnv.New64a()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(d.Name(), ".") || strings.Count(filepath.ToSlash(rel), "/") >= maxDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if n++; n > maxWatched {
			return filepath.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		_, _ = h.Write([]byte(rel))
		var b [17]byte
		putInt(b[:8], info.Size())
		putInt(b[8:16], info.ModTime().UnixNano())
		_, _ = h.Write(b[:])
		return nil
	})
	return h.Sum64()
}

func putInt(b []byte, v int64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}
