// Package recorded loads the policies the recorded histories' cases run on
// (testdata/policies): the recorder's worker runs on them, and the replayer
// replays on them, as a host's workers keep every version their running
// cases were raised under.
package recorded

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Engine loads every policy file in dir.
func Engine(dir string) (*engine.Engine, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no policy files in %s", dir)
	}
	var ps []*engine.Policy
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p, diags := engine.Load(f, src)
		if err := diags.Err(); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return engine.New(engine.WithPolicies(ps...))
}

// Manifest is the file, beside the histories, that says which workflow run
// each history is of. The replayer needs the workflow's id as well as its
// history: a case's id is its workflow's, and the workflow reads it, so a
// history replayed under another id (the SDK's "ReplayId") decides otherwise.
const Manifest = "executions.json"

// Execution is one recorded history: its file, and the run it is of.
type Execution struct {
	File       string `json:"file"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

// ReadManifest reads the executions recorded in dir.
func ReadManifest(dir string) ([]Execution, error) {
	b, err := os.ReadFile(filepath.Join(dir, Manifest))
	if err != nil {
		return nil, err
	}
	var out []Execution
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, Manifest), err)
	}
	return out, nil
}

// WriteManifest writes the executions recorded in dir.
func WriteManifest(dir string, es []Execution) error {
	b, err := json.MarshalIndent(es, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, Manifest), append(b, '\n'), 0o644)
}
