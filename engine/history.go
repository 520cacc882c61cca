package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An entry's hash covers the previous entry's hash (its 32 bytes, first) and
// everything the entry says, in a fixed binary encoding: canonical values (so
// a case read back from JSON hashes the same), map keys sorted, every string
// and list length-prefixed so no two different entries encode alike. Times
// are hashed as instants. The encoding is compact because SHA-256's cost is
// per 64 bytes: it is most of an event's cost.

// Each append function adds one item's encoding to b and returns it, in the
// style of strconv's: the buffer stays in registers, not behind a pointer.

func appendInt(b []byte, n int64) []byte {
	return binary.LittleEndian.AppendUint64(append(b, 'i'), uint64(n))
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 't')
	}
	return append(b, 'f')
}

// appendObligation encodes a state compactly, as a Left entry can hold
// several: a byte of flags saying which times are set, then those times.
func appendObligation(b []byte, o *ObligationState) []byte {
	var flags byte
	for i, set := range [...]bool{!o.Anchor.IsZero(), !o.Due.IsZero(), !o.Met.IsZero(), o.Within.Immediate, o.Expedited, o.ByDate} {
		if set {
			flags |= 1 << i
		}
	}
	b = append(appendStr(b, o.ID), flags, byte(o.Within.Unit))
	b = binary.AppendUvarint(b, uint64(o.Within.N))
	for _, t := range [...]time.Time{o.Anchor, o.Due, o.Met} {
		if !t.IsZero() {
			b = binary.LittleEndian.AppendUint64(b, uint64(t.UnixNano()))
		}
	}
	return b
}

func appendValue(b []byte, v any) []byte {
	if n, ok := canonicalInt(v); ok {
		return appendInt(b, n)
	}
	// A list of text reads back from JSON as []any: encode both alike.
	if l, ok := canonicalList(v); ok {
		b = appendInt(append(b, 'l'), int64(len(l)))
		for _, s := range l {
			b = appendStr(b, s)
		}
		return b
	}
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case bool:
		return appendBool(b, x)
	case string:
		return appendStr(append(b, 's'), x)
	case []any:
		b = appendInt(append(b, 'L'), int64(len(x)))
		for _, s := range x {
			b = appendValue(b, s)
		}
		return b
	case float64:
		return strconv.AppendFloat(append(b, 'd'), x, 'g', -1, 64)
	case map[string]any:
		return appendMap(b, x)
	}
	// Unreachable after canonicalisation; tagged apart from every case above.
	return append(b, '?')
}

func appendMap(b []byte, m map[string]any) []byte {
	b = appendInt(append(b, 'm'), int64(len(m)))
	var room [8]keyed[any] // most events carry a few facts: keep them off the heap
	for _, kv := range sorted(m, room[:0]) {
		b = appendValue(appendStr(b, kv.k), kv.v)
	}
	return b
}

func appendForms(b []byte, m map[string]map[string]any) []byte {
	b = appendInt(append(b, 'F'), int64(len(m)))
	var room [8]keyed[map[string]any]
	for _, kv := range sorted(m, room[:0]) {
		b = appendMap(appendStr(b, kv.k), kv.v)
	}
	return b
}

type keyed[V any] struct {
	k string
	v V
}

// sorted appends m's entries to pairs, in key order.
func sorted[V any](m map[string]V, pairs []keyed[V]) []keyed[V] {
	for k, v := range m {
		pairs = append(pairs, keyed[V]{k, v})
	}
	slices.SortFunc(pairs, func(a, b keyed[V]) int { return strings.Compare(a.k, b.k) })
	return pairs
}

// encodings holds the buffers entries are encoded in, so hashing an entry is
// one SHA-256 call and allocates nothing.
var encodings = sync.Pool{New: func() any { return new([]byte) }}

// Digest is the SHA-256 hash that chains a record's entries together, or an
// entry's HMAC-SHA256 (Entry.MAC). In JSON it is 64 lower-case hex digits;
// the zero Digest, which is the first entry's Prev, is the empty string.
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
		return fmt.Errorf("a record's hash is %d hex digits, not %d characters", 2*len(v), len(b))
	}
	if _, err := hex.Decode(v[:], b); err != nil {
		return fmt.Errorf("a record's hash is %d hex digits: %w", 2*len(v), err)
	}
	*d = v
	return nil
}

// entryHash computes the hash an entry must carry, given its Prev.
func entryHash(en *Entry) Digest {
	buf := encodings.Get().(*[]byte)
	b := append((*buf)[:0], en.Prev[:]...)
	b = binary.AppendUvarint(b, uint64(en.Seq))
	b = binary.LittleEndian.AppendUint64(b, uint64(en.At.UnixNano()))
	for _, s := range [...]string{en.Case, en.Actor, en.Role, en.Agency, en.Event, en.From, en.To, en.Guard, en.Note} {
		b = appendStr(b, s)
	}
	if len(en.Facts) > 0 {
		b = appendMap(b, en.Facts)
	} else {
		b = append(b, '0')
	}
	if len(en.Forms) > 0 {
		b = appendForms(b, en.Forms)
	} else {
		b = append(b, '0')
	}
	b = binary.AppendUvarint(b, uint64(len(en.Left)))
	for i := range en.Left {
		b = appendObligation(b, &en.Left[i])
	}
	sum := sha256.Sum256(b)
	*buf = b
	encodings.Put(buf)
	return sum
}

// seal links an entry into the record h heads, as its next entry, and
// moves h on to it: the entry's number and the hash before it, its own hash
// and, with the host's key, its MAC.
func (p *Policy) seal(h *Head, en *Entry) {
	en.Seq, en.Prev = int(h.Revision)+1, h.Hash
	en.Hash = entryHash(en)
	if p.key != nil {
		en.MAC = p.key.mac(en.Hash)
	}
	h.Revision, h.Last, h.Hash = int64(en.Seq), en.At, en.Hash
}
