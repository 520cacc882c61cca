// gencases stores, for every bundled scenario, the case it tells as it
// stood after every act, under this commit's bundled policies: one JSON file
// per scenario with the record once and the head after each entry (a stored
// case after act n is the first n entries and the n-th head). It was run at
// 234036f, the last release before the bundled policies were re-encoded:
//
//	git worktree add --detach /tmp/old 234036f
//	mkdir /tmp/old/cmd/gencases && cp gencases.go /tmp/old/cmd/gencases/main.go
//	(cd /tmp/old && go run ./cmd/gencases OUT)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/policies"
)

type act struct {
	Event string `json:"event"`
	Role  string `json:"role"`
}

type point struct {
	Head      engine.Head `json:"head"`
	At        time.Time   `json:"at"`
	Available []act       `json:"available"`
}

type stored struct {
	Scenario string          `json:"scenario"`
	Commit   string          `json:"commit"`
	Entries  []*engine.Entry `json:"entries"`
	Points   []point         `json:"points"` // points[i] is the head after entries[:i+1]
}

func main() {
	ctx := context.Background()
	out := os.Args[1]
	err := fs.WalkDir(policies.Scenarios(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".yaml") {
			return err
		}
		src, _ := fs.ReadFile(policies.Scenarios(), name)
		f, diags := scenario.Parse(name, src)
		if err := diags.Err(); err != nil {
			return err
		}
		p, diags := policies.Load(f.Policy)
		if err := diags.Err(); err != nil {
			return err
		}
		h, e, err := p.Raise(ctx, engine.Raise{CaseID: "stored", Actor: f.Raised.By, Role: f.Raised.Role, Agency: f.Raised.Agency,
			At: f.Raised.At, Facts: f.Raised.Facts, Forms: f.Raised.Forms, Note: f.Raised.Note})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		s := stored{Scenario: name, Commit: "234036f"}
		add := func(h engine.Head, e *engine.Entry) {
			at := h.Last.Add(time.Minute)
			pt := point{Head: h, At: at}
			for _, r := range p.Roles {
				acts, err := p.Available(ctx, h, "someone", r.ID, at)
				if err != nil {
					panic(err)
				}
				for _, a := range acts {
					if !a.Allowed {
						continue
					}
					// Kept only if it really fires with nothing more given.
					if _, _, err := p.Fire(ctx, h, engine.Event{Name: a.Event, Actor: "someone", Role: r.ID, At: at}); err == nil {
						pt.Available = append(pt.Available, act{a.Event, r.ID})
					}
				}
			}
			s.Entries = append(s.Entries, e)
			s.Points = append(s.Points, pt)
		}
		add(h, e)
		for _, st := range f.Steps {
			next, e, err := p.Fire(ctx, h, engine.Event{Name: st.Event, Actor: st.By, Role: st.Role, Agency: st.Agency,
				At: st.At, Facts: st.Facts, Forms: st.Forms, Note: st.Note})
			if err != nil {
				continue // a refusal the story expects: the case stays as it was
			}
			h = next
			add(h, e)
		}
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		dst := filepath.Join(out, strings.TrimSuffix(name, ".yaml")+".json")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, append(b, '\n'), 0o644)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
