package policies_test

import (
	"context"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// TestScenarios runs every bundled scenario file, one subtest per file,
// failing with the runner's own messages ("file:line: expected X, got Y").
func TestScenarios(t *testing.T) {
	all := policies.Scenarios()
	var files []string
	err := fs.WalkDir(all, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files under policies/scenarios")
	}
	loaded := map[string]*engine.Policy{}
	resolve := func(ref, _ string) (*engine.Policy, error) {
		if p, ok := loaded[ref]; ok {
			return p, nil
		}
		p, diags := policies.Load(ref)
		if err := diags.Err(); err != nil {
			return nil, err
		}
		loaded[ref] = p
		return p, nil
	}
	for _, name := range files {
		t.Run(strings.TrimSuffix(name, path.Ext(name)), func(t *testing.T) {
			src, err := fs.ReadFile(all, name)
			if err != nil {
				t.Fatal(err)
			}
			f, diags := scenario.Parse("policies/scenarios/"+name, src)
			for _, d := range diags {
				t.Errorf("%s: hint: %s", d.Error(), d.Hint)
			}
			if f == nil {
				return
			}
			res := scenario.Run(context.Background(), f, scenario.WithResolver(resolve))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			for _, fail := range res.Failures {
				t.Error(fail)
			}
			if res.NotRun > 0 {
				t.Errorf("%d expectations did not run", res.NotRun)
			}
		})
	}
}
