// Package recorded loads the policies the recorded histories' cases run on
// (testdata/policies): the recorder's worker runs on them, and the replayer
// replays on them, as a host's workers keep every version their running
// cases were raised under.
package recorded

import (
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
