package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// plot is what a parsed scenario says, without where it says it: each
// step's expectations as a sorted list, since formatting may order them.
func plot(f *File) string {
	steps := append([]Step{f.Raised}, f.Steps...)
	out := fmt.Sprintf("%s|%s|", f.Title, f.Policy)
	for _, s := range steps {
		var expect []string
		for _, e := range s.Expect {
			e.Pos = engine.Pos{}
			expect = append(expect, fmt.Sprintf("%+v", e))
		}
		slices.Sort(expect)
		s.Pos, s.Expect = engine.Pos{}, nil
		out += fmt.Sprintf("%+v %v\n", s, expect)
	}
	return out
}

// Formatting every scenario the project has keeps the story: idempotent, and
// it parses to the same steps and expectations (or fails as before).
func TestFormatKeepsTheStory(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../policies/scenarios/*/*.yaml", "../../examples/newarea/scenarios/*.yaml", "testdata/*.yaml", "testdata/*/*.yaml"} {
		more, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, more...)
	}
	require.Greater(t, len(files), 50)
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			out, ds := Format(file, src)
			if ds.HasErrors() {
				_, pds := Parse(file, src)
				assert.True(t, pds.HasErrors(), "only a file that does not parse fails to format: %v", ds)
				return
			}
			again, ds := Format(file, out)
			require.False(t, ds.HasErrors(), "%v", ds)
			assert.Equal(t, string(out), string(again), "idempotent")
			before, bds := Parse(file, src)
			after, ads := Parse(file, out)
			require.Equal(t, before == nil, after == nil, "parses before: %v; after: %v", bds, ads)
			if before != nil {
				assert.Equal(t, plot(before), plot(after))
			}
		})
	}
}

// The expectations' order names each kind of expectation once.
func TestExpectOrderCoversEveryKind(t *testing.T) {
	assert.ElementsMatch(t, expectKeys, expectOrder)
}
