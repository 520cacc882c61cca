package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Replay rebuilds a case from its history alone, by raising it and firing
// every later entry's event again through the policy. It fails with
// ErrHistoryTampered if an entry was altered after it was recorded, and with
// ErrReplayMismatch if any event would now be refused or move the case
// differently from what the history records.
func (p *Policy) Replay(ctx context.Context, history []*Entry) (Case, error) {
	for i, en := range history {
		if en == nil {
			return Case{}, historyError(i+1, "is missing")
		}
	}
	if len(history) == 0 || history[0].Event != RaiseEvent {
		return Case{}, fmt.Errorf("%w: the history does not start with the case being raised", ErrReplayMismatch)
	}
	first := history[0]
	c, err := p.Raise(ctx, Raise{
		CaseID: first.Case, Actor: first.Actor, Role: first.Role, Agency: first.Agency,
		At: first.At, Facts: first.Facts, Forms: first.Forms, Note: first.Note,
	})
	if err != nil {
		return Case{}, fmt.Errorf("%w: entry 1: %w", ErrReplayMismatch, err)
	}
	if err := sameEntry(c.History[0], first); err != nil {
		return Case{}, err
	}
	// The rebuilt history and its entries are allocated once, at full size.
	c.History = append(make([]*Entry, 0, len(history)), c.History...)
	slots := make([]Entry, len(history)-1)
	for i, en := range history[1:] {
		c, err = p.fire(ctx, c, Event{
			Name: en.Event, Actor: en.Actor, Role: en.Role, Agency: en.Agency,
			At: en.At, Facts: en.Facts, Forms: en.Forms, Note: en.Note,
		}, &slots[i])
		if err != nil {
			return Case{}, fmt.Errorf("%w: entry %d: %w", ErrReplayMismatch, en.Seq, err)
		}
		if err := sameEntry(c.History[len(c.History)-1], en); err != nil {
			return Case{}, err
		}
	}
	return c, nil
}

// sameEntry checks a rebuilt entry against the recorded one. Equal hashes
// mean equal entries (the hash covers everything an entry says and the hash
// before it); on a difference, the recorded entry's own hash tells whether
// the record was altered or the policy now decides differently.
func sameEntry(rebuilt, recorded *Entry) error {
	if rebuilt.Hash == recorded.Hash {
		return nil
	}
	if rebuilt.Seq != recorded.Seq || rebuilt.Prev != recorded.Prev || entryHash(recorded) != recorded.Hash {
		return historyError(recorded.Seq, "has been changed since it was recorded")
	}
	return fmt.Errorf("%w: entry %d (%s) records %s -> %s, the policy now gives %s -> %s",
		ErrReplayMismatch, recorded.Seq, recorded.Event, recorded.From, recorded.To, rebuilt.From, rebuilt.To)
}

// Verify replays a stored case's history and checks that it rebuilds the
// case exactly, so a host can prove a record has not been altered.
func (p *Policy) Verify(ctx context.Context, c Case) error {
	if err := p.owns(&c); err != nil {
		return err
	}
	rebuilt, err := p.Replay(ctx, c.History)
	if err != nil {
		return err
	}
	want, err := json.Marshal(c)
	if err != nil {
		return err
	}
	got, err := json.Marshal(rebuilt)
	if err != nil {
		return err
	}
	if !bytes.Equal(want, got) {
		return fmt.Errorf("%w: case %s differs from what its history rebuilds", ErrReplayMismatch, c.ID)
	}
	return nil
}
