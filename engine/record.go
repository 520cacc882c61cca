package engine

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"iter"
	"strings"
	"sync"
)

// Tampering says how a case's record, or its head, fails to verify.
type Tampering string

// The ways a record fails to verify.
const (
	// EntryMissing: an entry the record should hold is not there (a gap, or
	// a record shorter than its head says).
	EntryMissing Tampering = "missing"
	// EntryEdited: an entry no longer says what it said when it was recorded,
	// or it was replaced by another whose hash was recomputed.
	EntryEdited Tampering = "edited"
	// EntryOutOfOrder: an entry is recorded after one that came later.
	EntryOutOfOrder Tampering = "out of order"
	// EntryUnauthenticated: with the host's key, an entry's MAC is wrong or
	// missing: the entry was not written by a holder of the key.
	EntryUnauthenticated Tampering = "unauthenticated"
	// HeadDiffers: the head is not what its record rebuilds.
	HeadDiffers Tampering = "head differs"
	// RolledBack: the case is behind the checkpoint the host kept elsewhere.
	RolledBack Tampering = "rolled back"
)

// RecordError says which part of a case's record failed to verify, and how.
// errors.Is matches it to ErrHistoryTampered. It never contains a fact, a
// form's data, a note or a key.
type RecordError struct {
	Case string // the case's id, when known
	// Entry is the number of the entry that failed (Entry.Seq, from 1), or 0
	// when the fault is the head's or the whole record's.
	Entry  int
	How    Tampering
	Detail string
}

func (e *RecordError) Error() string {
	var b strings.Builder
	if e.Case != "" {
		b.WriteString("case " + e.Case + ": ")
	}
	switch {
	case e.How == HeadDiffers:
		b.WriteString("the head differs from its record")
	case e.How == RolledBack:
		b.WriteString("the case was rolled back")
	default:
		fmt.Fprintf(&b, "entry %d is %s", e.Entry, e.How)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Is makes every RecordError match ErrHistoryTampered.
func (e *RecordError) Is(target error) bool { return target == ErrHistoryTampered }

// Entries yields a record held in memory, in order, as Replay, Verify and
// Visits read one. A host reading from its database yields each entry as it
// decodes it instead, and an error if reading fails.
func Entries(es []*Entry) iter.Seq2[*Entry, error] {
	return func(yield func(*Entry, error) bool) {
		for _, en := range es {
			if !yield(en, nil) {
				return
			}
		}
	}
}

// recordKey is the host's secret key, kept as a pool of HMAC-SHA256 states
// keyed with it. A Policy refers to it by pointer, so printing a policy
// prints an address, never the key.
type recordKey struct {
	macs sync.Pool
}

// MinRecordKeyBytes is the shortest key WithRecordKey takes: 256 bits, as
// HMAC-SHA256 needs for full strength.
const MinRecordKeyBytes = 32

// WithRecordKey has the policy authenticate every entry it records with the
// host's secret key (HMAC-SHA256 over the entry's hash, in Entry.MAC), and
// Verify and Replay check it. Someone who can write the database but does
// not hold the key can then neither forge an entry nor rewrite a record and
// recompute its hashes unnoticed. The key must be at least
// MinRecordKeyBytes from a secure random source; it is copied, and never
// appears in a record, an error or a log.
//
// A record may begin with entries recorded before the host had a key (a
// migrated case): each entry's hash covers every entry before it, so the
// first entry with a MAC authenticates them all. From that entry on, every
// entry must carry a valid MAC, and the last one always must.
func WithRecordKey(secret []byte) LoadOption {
	return func(c *loadConfig) error {
		if len(secret) < MinRecordKeyBytes {
			return fmt.Errorf("WithRecordKey needs a key of at least %d bytes from a secure random source, not %d", MinRecordKeyBytes, len(secret))
		}
		own := append([]byte(nil), secret...)
		c.key = &recordKey{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, own) }}}
		return nil
	}
}

// macDomain keeps an entry's MAC apart from anything else the host might
// compute with the same key.
var macDomain = []byte("escalation entry mac v1\x00")

// mac is the entry MAC of an entry's hash.
func (k *recordKey) mac(h Digest) Digest {
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(macDomain)
	m.Write(h[:])
	var d Digest
	m.Sum(d[:0])
	k.macs.Put(m)
	return d
}

// chain checks a record's entries one at a time, in the order given: each
// must be numbered next, link to the one before it, carry the hash of what it
// says and, with the host's key, a valid MAC. It names the first entry that
// fails and how.
type chain struct {
	key    *recordKey
	caseID string
	n      int    // the entries accepted so far
	prev   Digest // the last accepted entry's hash
	macs   bool   // an accepted entry carried a MAC: every later one must
	mac    bool   // the last accepted entry carried a valid MAC
	// gap holds an entry found where entry n+1 should be but numbered
	// later: the entry after it says whether n+1 is missing or misplaced.
	gap *Entry
}

func (c *chain) fail(entry int, how Tampering, format string, args ...any) error {
	return &RecordError{Case: c.caseID, Entry: entry, How: how, Detail: fmt.Sprintf(format, args...)}
}

// next checks en, the entry after those accepted so far. It returns false
// with no error when it cannot tell yet what is wrong, and needs the next
// entry (or end) to say.
func (c *chain) next(en *Entry) (bool, error) {
	want := c.n + 1
	if c.gap != nil {
		if en != nil && en.Seq == want {
			return false, c.fail(want, EntryOutOfOrder, "it comes after entry %d", c.gap.Seq)
		}
		return false, c.fail(want, EntryMissing, "the record goes from entry %d to entry %d", c.n, c.gap.Seq)
	}
	if en == nil {
		return false, c.fail(want, EntryMissing, "the record has no entry in its place")
	}
	links := en.Prev == c.prev
	intact := entryHash(en) == en.Hash
	switch {
	case en.Seq == want && links && intact:
	case en.Seq == want && intact && want > 1:
		// It is intact but names another entry as the one before it: that
		// one was replaced, and its hash recomputed.
		return false, c.fail(want-1, EntryEdited, "entry %d does not name it as the entry before it", want)
	case en.Seq == want || links:
		return false, c.fail(want, EntryEdited, "what it says no longer matches its hash")
	case en.Seq < want:
		return false, c.fail(en.Seq, EntryOutOfOrder, "a second entry numbered %d comes after entry %d", en.Seq, c.n)
	default:
		c.gap = en
		return false, nil
	}
	if c.key != nil {
		switch {
		case !en.MAC.IsZero() && en.MAC != c.key.mac(en.Hash):
			return false, c.fail(want, EntryUnauthenticated, "its MAC was not made with the host's key")
		case en.MAC.IsZero() && c.macs:
			return false, c.fail(want, EntryUnauthenticated, "it carries no MAC, though an entry before it does")
		}
		c.mac = !en.MAC.IsZero()
		c.macs = c.macs || c.mac
	}
	if want == 1 && c.caseID == "" {
		c.caseID = en.Case
	}
	c.n, c.prev = want, en.Hash
	return true, nil
}

// end checks what the record's end says: an entry held back is missing its
// predecessor, and with the host's key the last entry must carry a MAC.
func (c *chain) end() error {
	if c.gap != nil {
		return c.fail(c.n+1, EntryMissing, "the record goes from entry %d to entry %d", c.n, c.gap.Seq)
	}
	if c.key != nil && c.n > 0 && !c.mac {
		return c.fail(c.n, EntryUnauthenticated, "it carries no MAC: the record was not written with the host's key")
	}
	return nil
}

// each reads entries through the chain's checks, calling fn with each entry
// accepted, and stops at the first problem.
func (c *chain) each(entries iter.Seq2[*Entry, error], fn func(en *Entry) error) error {
	if entries == nil {
		return errors.New("engine: no record to read (a nil sequence of entries)")
	}
	for en, err := range entries {
		if err != nil {
			return err
		}
		ok, err := c.next(en)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := fn(en); err != nil {
			return err
		}
	}
	return c.end()
}

// linked checks that the record ends where the head says it does: at the
// head's revision, with the head's hash.
func (h *Head) linked(c *chain) error {
	switch {
	case int64(c.n) < h.Revision:
		return &RecordError{Case: h.ID, Entry: c.n + 1, How: EntryMissing,
			Detail: fmt.Sprintf("the head is at revision %d but the record ends at entry %d", h.Revision, c.n)}
	case int64(c.n) > h.Revision:
		return &RecordError{Case: h.ID, How: HeadDiffers,
			Detail: fmt.Sprintf("the head is at revision %d but the record goes on to entry %d", h.Revision, c.n)}
	case c.prev != h.Hash:
		return &RecordError{Case: h.ID, Entry: c.n, How: HeadDiffers,
			Detail: fmt.Sprintf("its hash is not that of entry %d, the record's last", c.n)}
	}
	return nil
}

// Visits lists the case's stays at its stages, in order, from the head and
// its record: which duties each stage owed, which were met, when, and which
// were left unmet when the case moved on. It needs no policy. A closed case's
// last stage visit ends with the move to its outcome, which is a visit of its
// own only when the outcome owes duties. Visits checks that the
// entries are in order, linked and intact, and end at the head (without the
// host's key, which only Verify uses); it does not replay them.
func (h Head) Visits(entries iter.Seq2[*Entry, error]) ([]Visit, error) {
	c := chain{caseID: h.ID}
	var vs []Visit
	err := c.each(entries, func(en *Entry) error {
		if en.To == "" {
			return nil
		}
		if n := len(vs); n > 0 {
			vs[n-1].Left, vs[n-1].Obligations = en.At, en.Left
		}
		vs = append(vs, Visit{Stage: en.To, Entered: en.At})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := h.linked(&c); err != nil {
		return nil, err
	}
	switch n := len(vs); {
	case n == 0:
	case !h.Closed():
		vs[n-1].Obligations = h.Obligations
	case len(h.Obligations) == 0:
		vs = vs[:n-1] // the last move was to the outcome, which owes nothing
	default:
		vs[n-1].Stage, vs[n-1].Outcome, vs[n-1].Obligations = "", vs[n-1].Stage, h.Obligations
	}
	return vs, nil
}

// Checkpoint is a case's place in its record: its revision and the hash of
// the entry there. A host keeps the checkpoint of each head it writes
// somewhere the database's writers cannot reach (another system, an
// append-only log, a receipt given to the user), and passes it to Verify
// (WithCheckpoint) to detect a case put back to an earlier state: a
// rolled-back database is otherwise a genuine record, just an old one.
type Checkpoint struct {
	Case     string `json:"case"`
	Revision int64  `json:"revision"`
	Hash     Digest `json:"hash"`
}

// Checkpoint returns the head's place in its record, for the host to keep.
func (h Head) Checkpoint() Checkpoint {
	return Checkpoint{Case: h.ID, Revision: h.Revision, Hash: h.Hash}
}

// Check compares a head with the checkpoint, as far as the head alone shows,
// which costs nothing per entry (a host can do it on every read): a head
// behind the checkpoint fails as RolledBack, and a head at its revision with
// another hash as EntryEdited. A head ahead of it passes; Verify with
// WithCheckpoint proves that the head's record holds the checkpoint's entry.
func (cp Checkpoint) Check(h Head) error {
	switch {
	case cp.Case != h.ID:
		return fmt.Errorf("%w: the checkpoint is case %s's, not case %s's", ErrInvalidInput, cp.Case, h.ID)
	case h.Revision < cp.Revision:
		return &RecordError{Case: h.ID, How: RolledBack,
			Detail: fmt.Sprintf("the head is at revision %d, but the checkpoint kept elsewhere is at revision %d", h.Revision, cp.Revision)}
	case h.Revision == cp.Revision && h.Hash != cp.Hash:
		return &RecordError{Case: h.ID, Entry: int(h.Revision), How: EntryEdited,
			Detail: "it is not the entry the checkpoint kept elsewhere names: the record was rewritten from here, or rolled back and written again"}
	}
	return nil
}

// VerifyOption configures Verify. An option that fails makes Verify fail.
type VerifyOption func(*verifyConfig) error

type verifyConfig struct {
	checkpoint *Checkpoint
}

// WithCheckpoint has Verify check the case against a checkpoint kept
// elsewhere: the record must reach the checkpoint's revision and hold, there,
// the entry the checkpoint names. A case behind it fails as RolledBack; a
// record that holds another entry there fails as EntryEdited.
func WithCheckpoint(cp Checkpoint) VerifyOption {
	return func(c *verifyConfig) error {
		if cp.Revision < 1 || cp.Hash.IsZero() {
			return fmt.Errorf("%w: WithCheckpoint needs a checkpoint taken from a head (Head.Checkpoint)", ErrInvalidInput)
		}
		c.checkpoint = &cp
		return nil
	}
}
