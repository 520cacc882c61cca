package engine

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"
	"time"
)

// Replay rebuilds a case's head from its record alone, by raising the case
// and firing every later entry's event again through the policy. It reads
// the entries once, in order, holding none of them, so a host can stream
// them from its database. It fails with a *RecordError (ErrHistoryTampered)
// naming the first entry that is missing, out of order, edited or, with the
// host's key (WithRecordKey), unauthenticated; and with ErrReplayMismatch if
// an intact entry's event would now be refused or recorded differently.
func (p *Policy) Replay(ctx context.Context, entries iter.Seq2[*Entry, error]) (Head, error) {
	h, _, err := p.replay(ctx, "", entries, nil)
	return h, err
}

// replay is Replay of case id's record (when known), calling at (when not
// nil) with each entry accepted, and returning the chain it read it with.
func (p *Policy) replay(ctx context.Context, id string, entries iter.Seq2[*Entry, error], at func(*Entry) error) (Head, *chain, error) {
	var (
		h       Head
		rebuilt Entry // each entry is rebuilt here in turn and compared
	)
	c := &chain{key: p.key, caseID: id}
	err := c.each(entries, func(en *Entry) error {
		if at != nil {
			if err := at(en); err != nil {
				return err
			}
		}
		var err error
		if en.Seq == 1 {
			if en.Event != RaiseEvent {
				return fmt.Errorf("%w: entry 1 is %q, not the case being raised", ErrReplayMismatch, en.Event)
			}
			h, _, err = p.raise(ctx, Raise{
				CaseID: en.Case, Actor: en.Actor, Role: en.Role, Agency: en.Agency,
				At: en.At, Facts: en.Facts, Forms: en.Forms, Note: en.Note,
			}, &rebuilt)
		} else {
			h, _, err = p.fire(ctx, h, Event{
				Name: en.Event, Actor: en.Actor, Role: en.Role, Agency: en.Agency,
				At: en.At, Facts: en.Facts, Forms: en.Forms, Note: en.Note,
			}, &rebuilt)
		}
		if err != nil {
			return fmt.Errorf("%w: entry %d (%s): %w", ErrReplayMismatch, en.Seq, en.Event, err)
		}
		if rebuilt.Hash != en.Hash {
			return fmt.Errorf("%w: entry %d (%s) records %s, the policy now gives %s",
				ErrReplayMismatch, en.Seq, en.Event, entryDiff(en, &rebuilt), entryDiff(&rebuilt, en))
		}
		return nil
	})
	if err != nil {
		return Head{}, c, err
	}
	if c.n == 0 {
		return Head{}, c, c.fail(1, EntryMissing, "the record is empty: it starts with the case being raised")
	}
	return h, c, nil
}

// entryDiff says what en says where it differs from other, without any
// fact, form or note value: the field's name stands for those.
func entryDiff(en, other *Entry) string {
	switch {
	case en.From != other.From || en.To != other.To:
		return fmt.Sprintf("%q -> %q", en.From, en.To)
	case en.Guard != other.Guard:
		return fmt.Sprintf("the guard %q", en.Guard)
	case !slices.EqualFunc(en.Left, other.Left, sameObligation):
		return fmt.Sprintf("left %s", obligationsText(en.Left))
	}
	return "other facts, forms or the case's id"
}

func obligationsText(os []ObligationState) string {
	var b []byte
	for i := range os {
		o := &os[i]
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, o.ID...)
		if !o.Due.IsZero() {
			b = append(b, " due "...)
			b = o.Due.AppendFormat(b, "2006-01-02T15:04:05Z07:00")
		}
	}
	return "[" + string(b) + "]"
}

// Verify checks a case: its record must be intact (every entry present, in
// order, unedited and, with the host's key, authenticated), end at the head
// (its revision and hash), and replay through the policy to exactly the head.
// With WithCheckpoint it also checks the case against a checkpoint the host
// kept elsewhere, which detects a case rolled back to an earlier genuine state.
// A failure is a *RecordError (ErrHistoryTampered) naming the entry or the
// head's field, or ErrReplayMismatch when the policy now decides differently.
func (p *Policy) Verify(ctx context.Context, h Head, entries iter.Seq2[*Entry, error], opts ...VerifyOption) error {
	var cfg verifyConfig
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return err
		}
	}
	if err := p.owns(&h); err != nil {
		return err
	}
	cp := cfg.checkpoint
	var atCheckpoint func(*Entry) error
	if cp != nil {
		if cp.Case != h.ID {
			return fmt.Errorf("%w: the checkpoint is case %s's, not case %s's", ErrInvalidInput, cp.Case, h.ID)
		}
		// The checkpoint's entry, when the record reaches it, is checked as
		// the head at that revision would be.
		atCheckpoint = func(en *Entry) error {
			if int64(en.Seq) != cp.Revision {
				return nil
			}
			return cp.Check(Head{ID: h.ID, Revision: cp.Revision, Hash: en.Hash})
		}
	}
	rebuilt, c, err := p.replay(ctx, h.ID, entries, atCheckpoint)
	if err != nil {
		return err
	}
	if cp != nil {
		if int64(c.n) < cp.Revision {
			return &RecordError{Case: h.ID, How: RolledBack,
				Detail: fmt.Sprintf("the record ends at entry %d, but the checkpoint kept elsewhere is at entry %d", c.n, cp.Revision)}
		}
		if err := cp.Check(h); err != nil {
			return err
		}
	}
	if err := h.linked(c); err != nil {
		return err
	}
	if field := headDiff(&h, &rebuilt); field != "" {
		return &RecordError{Case: h.ID, How: HeadDiffers, Detail: "its " + field + " is not what the record rebuilds"}
	}
	return nil
}

// headDiff names the first field in which a stored head differs from the
// rebuilt one, or returns "". Values are compared as the record hashes them,
// so a head read back from JSON compares equal to the one that was stored;
// the name never carries a value.
func headDiff(stored, rebuilt *Head) string {
	switch {
	case stored.Schema != rebuilt.Schema:
		return "schema"
	case stored.ID != rebuilt.ID:
		return "id"
	case stored.Policy != rebuilt.Policy:
		return "policy"
	case !stored.Raised.Equal(rebuilt.Raised):
		return "raised time"
	case stored.Stage != rebuilt.Stage:
		return "stage"
	case stored.Outcome != rebuilt.Outcome:
		return "outcome"
	case !stored.Entered.Equal(rebuilt.Entered):
		return "entered time"
	case !slices.EqualFunc(stored.Obligations, rebuilt.Obligations, sameObligation):
		return "obligations"
	case !stored.Last.Equal(rebuilt.Last):
		return "last entry's time"
	}
	if k := mapDiff(stored.Facts, rebuilt.Facts, sameValue); k != "" {
		return "facts." + k
	}
	sameForm := func(a, b map[string]any) bool { return mapDiff(a, b, sameValue) == "" }
	if k := mapDiff(stored.Forms, rebuilt.Forms, sameForm); k != "" {
		if field := mapDiff(stored.Forms[k], rebuilt.Forms[k], sameValue); field != "" {
			return "forms." + k + "." + field
		}
		return "forms." + k
	}
	if k := mapDiff(stored.Milestones, rebuilt.Milestones, time.Time.Equal); k != "" {
		return "milestones." + k
	}
	return ""
}

// mapDiff returns a key whose values in a and b differ (or that one of them
// lacks), or "".
func mapDiff[V any](a, b map[string]V, same func(x, y V) bool) string {
	for k, x := range a {
		if y, ok := b[k]; !ok || !same(x, y) {
			return k
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			return k
		}
	}
	return ""
}

func sameObligation(a, b ObligationState) bool {
	return a.ID == b.ID && a.Anchor.Equal(b.Anchor) && a.Due.Equal(b.Due) && a.Within == b.Within &&
		a.Expedited == b.Expedited && a.Met.Equal(b.Met)
}

// sameValue compares two fact or field values as the record's hash encodes
// them, so canonical values and their JSON readings compare equal.
func sameValue(a, b any) bool {
	buf := encodings.Get().(*[]byte)
	x := appendValue((*buf)[:0], a)
	n := len(x)
	x = appendValue(x, b)
	same := bytes.Equal(x[:n], x[n:])
	*buf = x
	encodings.Put(buf)
	return same
}
