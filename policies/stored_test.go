package policies_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// storedCase is one bundled scenario's case as an earlier release stored it
// after every act (testdata/stored, written by testdata/stored/gencases.go
// at the commit it names): its record, and after each entry the head, a
// time just after it, and the events that release let each role fire then
// with nothing more given.
type storedCase struct {
	Scenario string          `json:"scenario"`
	Commit   string          `json:"commit"`
	Entries  []*engine.Entry `json:"entries"`
	Points   []struct {
		Head      engine.Head `json:"head"`
		At        time.Time   `json:"at"`
		Available []struct {
			Event string `json:"event"`
			Role  string `json:"role"`
		} `json:"available"`
	} `json:"points"`
}

// TestStoredCasesKeepRunning loads every case stored by an earlier release
// with the engine hosts build from the bundled policies, and checks that it
// still verifies, that what it owes and allows can be asked, and that every
// event the release allowed at that point can still be fired: a case keeps
// its policy version for life, so a bundled policy whose rules change must
// keep its earlier encoding for the cases raised under it.
func TestStoredCasesKeepRunning(t *testing.T) {
	e, err := policies.Engine()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "stored", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no stored cases under testdata/stored")
	}
	ctx := context.Background()
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.ToSlash(file[len("testdata/stored/"):]), ".json"), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c storedCase
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			if len(c.Points) != len(c.Entries) || len(c.Points) == 0 {
				t.Fatalf("%d heads for %d entries", len(c.Points), len(c.Entries))
			}
			for i, pt := range c.Points {
				h := pt.Head
				if err := e.Verify(ctx, h, engine.Entries(c.Entries[:i+1])); err != nil {
					t.Errorf("after entry %d (%s): Verify: %v", i+1, c.Entries[i].Event, err)
					continue
				}
				if _, err := e.Due(h, pt.At); err != nil {
					t.Errorf("after entry %d (%s): Due: %v", i+1, c.Entries[i].Event, err)
				}
				p, err := e.PolicyFor(h)
				if err != nil {
					t.Errorf("after entry %d (%s): %v", i+1, c.Entries[i].Event, err)
					continue
				}
				for _, r := range p.Roles {
					if _, err := e.Available(ctx, h, "someone", r.ID, pt.At); err != nil {
						t.Errorf("after entry %d (%s): Available to %s: %v", i+1, c.Entries[i].Event, r.ID, err)
					}
				}
				for _, a := range pt.Available {
					if _, _, err := e.Fire(ctx, h, engine.Event{Name: a.Event, Actor: "someone", Role: a.Role, At: pt.At}); err != nil {
						t.Errorf("after entry %d (%s): %s as %s, allowed when stored, is refused: %v", i+1, c.Entries[i].Event, a.Event, a.Role, err)
					}
				}
			}
		})
	}
}

// Every earlier encoding loads, and the bundled engine raises a new case
// under the current encoding of each policy, never under an earlier one.
func TestSupersededEncodings(t *testing.T) {
	older, diags := policies.Superseded()
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	if len(older) == 0 {
		t.Fatal("no earlier encodings under superseded/")
	}
	e, err := policies.Engine()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, p := range older {
		current, diags := policies.Load(p.ID)
		if err := diags.Err(); err != nil {
			t.Fatal(err)
		}
		if current.Version == p.Version {
			t.Errorf("%s: the earlier encoding %s has the current version string", p.File, p.Version)
		}
		h, _, err := e.Raise(context.Background(), p.ID, engine.Raise{CaseID: "new", Actor: "someone", Role: p.Start.Involves[0].ID, At: at})
		if err != nil {
			t.Fatal(err)
		}
		if h.Policy.Version != current.Version {
			t.Errorf("%s: a new case is raised under %q, want the current encoding %q", p.ID, h.Policy.Version, current.Version)
		}
		if got, ok := e.PolicyVersion(engine.PolicyRef{ID: p.ID, Version: p.Version}); !ok || got.File != p.File {
			t.Errorf("%s: the bundled engine does not run cases raised under %q", p.ID, p.Version)
		}
		name, _, err := policies.SourceVersion(engine.PolicyRef{ID: p.ID, Version: p.Version})
		if err != nil || name != p.File {
			t.Errorf("SourceVersion(%s, %q) = %q, %v; want %q", p.ID, p.Version, name, err, p.File)
		}
	}
	_, _, err = policies.SourceVersion(engine.PolicyRef{ID: "sefton", Version: "2020"})
	if want := `bundled policy sefton has no version "2020" (it has "2024-05-02")`; err == nil || err.Error() != want {
		t.Errorf("SourceVersion of an unknown version: %v, want %s", err, want)
	}
}
