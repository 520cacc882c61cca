package engine

import (
	"encoding/json"
	"fmt"
	"time"
)

// caseV2 is a case as schema 2 stored it: the head's fields with the whole
// record inside, under "history".
type caseV2 struct {
	Schema      int                       `json:"schema"`
	ID          string                    `json:"id"`
	Policy      PolicyRef                 `json:"policy"`
	Revision    int64                     `json:"revision"`
	Raised      time.Time                 `json:"raised"`
	Stage       string                    `json:"stage"`
	Outcome     string                    `json:"outcome"`
	Entered     time.Time                 `json:"entered"`
	Facts       map[string]any            `json:"facts"`
	Forms       map[string]map[string]any `json:"forms"`
	Milestones  map[string]time.Time      `json:"milestones"`
	Obligations []ObligationState         `json:"obligations"`
	History     []*Entry                  `json:"history"`
}

// MigrateCase reads a case stored in schema 2, a single JSON value with its
// record inside (under "history"), and returns it as a head of this schema
// and its entries, in the order stored. Nothing is dropped and nothing is
// rewritten: the entries are the stored ones, hashes and all (their form did
// not change), and the head takes the stored state with the time and hash
// of the last entry. A host migrates each stored case once: it stores the
// head, appends the entries to the case's record, and checks the result with
// Verify, which reports a stored case that was already inconsistent (a
// revision that does not count its entries, say) as it would any other.
//
// The entries of a schema 2 case carry no MAC: a host that now holds a key
// (WithRecordKey) authenticates them with the first entry it records on the
// case, whose hash covers them all.
func MigrateCase(data []byte) (Head, []*Entry, error) {
	var c caseV2
	if err := json.Unmarshal(data, &c); err != nil {
		return Head{}, nil, fmt.Errorf("reading a stored case of schema 2: %w", err)
	}
	if c.Schema != 2 {
		return Head{}, nil, fmt.Errorf("%w: case %s is in schema %d; MigrateCase reads schema 2", ErrCaseSchema, c.ID, c.Schema)
	}
	h := Head{
		Schema: CaseSchema, ID: c.ID, Policy: c.Policy, Revision: c.Revision, Raised: c.Raised,
		Stage: c.Stage, Outcome: c.Outcome, Entered: c.Entered,
		Facts: c.Facts, Forms: c.Forms, Milestones: c.Milestones, Obligations: c.Obligations,
	}
	if n := len(c.History); n > 0 && c.History[n-1] != nil {
		h.Last, h.Hash = c.History[n-1].At, c.History[n-1].Hash
	}
	return h, c.History, nil
}

// schemaError refuses a head stored in another schema, saying what to do.
func schemaError(id string, schema int) error {
	if schema == 2 {
		return fmt.Errorf("%w: case %s is in schema 2, with its record inside; read it with MigrateCase", ErrCaseSchema, id)
	}
	return fmt.Errorf("%w: case %s is in schema %d; this engine reads schema %d", ErrCaseSchema, id, schema, CaseSchema)
}
