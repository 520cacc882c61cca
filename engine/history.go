package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// An entry's hash covers the previous entry's hash (its 32 bytes, first) and
// everything the entry says, in a fixed binary encoding: canonical values (so
// a case read back from JSON hashes the same), map keys sorted, every string
// length-prefixed so no two different entries encode alike. Times are hashed
// as instants.

var encoderPool = sync.Pool{New: func() any { return new(entryEncoder) }}

// entryEncoder builds an entry's canonical encoding in one reused buffer, so
// hashing an entry is one SHA-256 call and allocates nothing.
type entryEncoder struct{ buf []byte }

func (e *entryEncoder) tag(b byte) { e.buf = append(e.buf, b) }

func (e *entryEncoder) int(n int64) {
	e.buf = binary.LittleEndian.AppendUint64(append(e.buf, 'i'), uint64(n))
}

func (e *entryEncoder) str(s string) {
	e.buf = append(binary.AppendUvarint(e.buf, uint64(len(s))), s...)
}

func (e *entryEncoder) value(v any) {
	if n, ok := canonicalInt(v); ok {
		e.int(n)
		return
	}
	// A list of text reads back from JSON as []any: encode both alike.
	if l, ok := canonicalList(v); ok {
		e.tag('l')
		e.int(int64(len(l)))
		for _, s := range l {
			e.str(s)
		}
		return
	}
	switch x := v.(type) {
	case nil:
		e.tag('n')
	case bool:
		if x {
			e.tag('t')
		} else {
			e.tag('f')
		}
	case string:
		e.tag('s')
		e.str(x)
	case []any:
		e.tag('L')
		e.int(int64(len(x)))
		for _, s := range x {
			e.value(s)
		}
	case float64:
		e.tag('d')
		e.buf = strconv.AppendFloat(e.buf, x, 'g', -1, 64)
	case map[string]any:
		e.mapValue(x)
	default:
		// Unreachable after canonicalisation; tagged apart from every case above.
		e.tag('?')
	}
}

func (e *entryEncoder) mapValue(m map[string]any) {
	e.tag('m')
	e.int(int64(len(m)))
	var room [8]string // most events carry a few facts: keep their keys off the heap
	for _, k := range sortedKeys(m, room[:0]) {
		e.str(k)
		e.value(m[k])
	}
}

func (e *entryEncoder) forms(m map[string]map[string]any) {
	e.tag('F')
	e.int(int64(len(m)))
	var room [8]string
	for _, k := range sortedKeys(m, room[:0]) {
		e.str(k)
		e.mapValue(m[k])
	}
}

// sortedKeys appends m's keys to keys, sorted.
func sortedKeys[V any](m map[string]V, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Digest is the SHA-256 hash that chains a history's entries together. In
// JSON it is 64 lower-case hex digits; the zero Digest, which is the first
// entry's Prev, is the empty string.
type Digest [sha256.Size]byte

// IsZero reports whether d is the zero Digest.
func (d Digest) IsZero() bool { return d == Digest{} }

// String is d in hex, or "" for the zero Digest.
func (d Digest) String() string {
	b, _ := d.MarshalText()
	return string(b)
}

// MarshalText encodes d as 64 hex digits, and the zero Digest as empty text.
func (d Digest) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return hex.AppendEncode(make([]byte, 0, 2*sha256.Size), d[:]), nil
}

// UnmarshalText decodes what MarshalText encodes.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Digest{}
		return nil
	}
	var v Digest
	if len(b) != 2*len(v) {
		return fmt.Errorf("a history hash is %d hex digits, not %d characters", 2*len(v), len(b))
	}
	if _, err := hex.Decode(v[:], b); err != nil {
		return fmt.Errorf("a history hash is %d hex digits: %w", 2*len(v), err)
	}
	*d = v
	return nil
}

// entryHash computes the hash an entry must carry, given its Prev.
func entryHash(en *Entry) Digest {
	e := encoderPool.Get().(*entryEncoder)
	e.buf = append(e.buf[:0], en.Prev[:]...)
	e.int(int64(en.Seq))
	e.int(en.At.UnixNano())
	for _, s := range [...]string{en.Case, en.Actor, en.Role, en.Agency, en.Event, en.From, en.To, en.Guard, en.Note} {
		e.str(s)
	}
	if len(en.Facts) > 0 {
		e.mapValue(en.Facts)
	} else {
		e.tag('0')
	}
	if len(en.Forms) > 0 {
		e.forms(en.Forms)
	} else {
		e.tag('0')
	}
	sum := sha256.Sum256(e.buf)
	encoderPool.Put(e)
	return sum
}

// seal fills in an entry's chain fields, given the history before it.
func seal(en *Entry, before []*Entry) {
	en.Seq = len(before) + 1
	if len(before) > 0 {
		en.Prev = before[len(before)-1].Hash
	}
	en.Hash = entryHash(en)
}

// VerifyHistory checks that every entry is numbered in order, links to the
// one before it, and carries the hash of what it says. It finds any change to
// a stored history that was not made through the engine.
func VerifyHistory(h []*Entry) error {
	var prev Digest
	for i, en := range h {
		switch {
		case en == nil:
			return historyError(i+1, "is missing")
		case en.Seq != i+1:
			return historyError(en.Seq, "is numbered out of order (expected %d)", i+1)
		case en.Prev != prev:
			return historyError(en.Seq, "does not link to the entry before it")
		case entryHash(en) != en.Hash:
			return historyError(en.Seq, "has been changed since it was recorded")
		}
		prev = en.Hash
	}
	return nil
}
