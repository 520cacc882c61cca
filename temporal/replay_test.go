package temporal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/temporal/internal/recorded"
)

// replay replays one recorded history on the workflow over eng.
func replay(t *testing.T, eng *engine.Engine, file string) error {
	t.Helper()
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(NewWorkflow(eng).Run, workflow.RegisterOptions{Name: WorkflowName})
	return r.ReplayWorkflowHistoryFromJSONFile(quiet, file)
}

func histories(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories: see internal/record")
	return files
}

// Every recorded history replays on today's workflow code and engine: a
// change that would break a running case fails here (see README.md,
// "Changing the workflow", to record them again).
func TestReplayRecordedHistories(t *testing.T) {
	eng, err := recorded.Engine("testdata/policies")
	require.NoError(t, err)
	for _, f := range histories(t) {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			require.NoError(t, replay(t, eng, f))
		})
	}
}

// The replayer is not vacuous: the same histories on a Sefton whose
// "discussed" event has gone (edited without a new version, as a host must
// never do) fail to replay.
func TestReplayFailsWhenAPolicyChangesUnderRunningCases(t *testing.T) {
	src, err := os.ReadFile("testdata/policies/sefton.yaml")
	require.NoError(t, err)
	edited := strings.Replace(string(src), "- event: discussed", "- event: talked", 1)
	require.NotEqual(t, string(src), edited)
	p, diags := engine.Load("sefton.yaml", []byte(edited))
	require.NoError(t, diags.Err())
	eng, err := engine.New(engine.WithPolicies(p))
	require.NoError(t, err)
	err = replay(t, eng, "testdata/histories/events.json")
	require.Error(t, err)
	t.Log(err)
}
