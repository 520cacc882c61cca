package temporal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/temporal/internal/recorded"
)

const historiesDir = "testdata/histories"

// replay replays one recorded history on the workflow over eng, as the run
// it was recorded from (the workflow reads its id: it is the case's).
func replay(t *testing.T, eng *engine.Engine, e recorded.Execution) error {
	t.Helper()
	f, err := os.Open(filepath.Join(historiesDir, e.File))
	require.NoError(t, err)
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	require.NoError(t, err)
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(NewWorkflow(eng).Run, workflow.RegisterOptions{Name: WorkflowName})
	return r.ReplayWorkflowHistoryWithOptions(quiet, h, worker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: e.WorkflowID, RunID: e.RunID},
	})
}

// executions lists the recorded histories, and checks the manifest names
// every history file there is.
func executions(t *testing.T) []recorded.Execution {
	t.Helper()
	es, err := recorded.ReadManifest(historiesDir)
	require.NoError(t, err, "no recorded histories: see internal/record")
	files, err := filepath.Glob(filepath.Join(historiesDir, "*.json"))
	require.NoError(t, err)
	var listed []string
	for _, e := range es {
		listed = append(listed, filepath.Join(historiesDir, e.File))
	}
	require.ElementsMatch(t, files, append(listed, filepath.Join(historiesDir, recorded.Manifest)))
	return es
}

// Every recorded history replays on today's workflow code and engine: a
// change that would break a running case fails here (see README.md,
// "Changing the workflow", to record them again).
func TestReplayRecordedHistories(t *testing.T) {
	eng, err := recorded.Engine("testdata/policies")
	require.NoError(t, err)
	for _, e := range executions(t) {
		t.Run(strings.TrimSuffix(e.File, ".json"), func(t *testing.T) {
			require.NoError(t, replay(t, eng, e))
		})
	}
}

// The replayer is not vacuous: a case's history replayed under another
// workflow id, or on a Sefton whose "discussed" event has gone (edited
// without a new version, as a host must never do), fails.
func TestReplayFailsWhenWhatTheCaseRanOnChanges(t *testing.T) {
	eng, err := recorded.Engine("testdata/policies")
	require.NoError(t, err)
	var events recorded.Execution
	for _, e := range executions(t) {
		if e.File == "events.json" {
			events = e
		}
	}
	require.NotEmpty(t, events.WorkflowID)

	t.Run("another workflow id", func(t *testing.T) {
		other := events
		other.WorkflowID = "ReplayId"
		require.ErrorContains(t, replay(t, eng, other), "TMPRL1100")
	})
	t.Run("a policy edited under running cases", func(t *testing.T) {
		src, err := os.ReadFile("testdata/policies/sefton.yaml")
		require.NoError(t, err)
		edited := strings.Replace(string(src), "- event: discussed", "- event: talked", 1)
		require.NotEqual(t, string(src), edited)
		p, diags := engine.Load("sefton.yaml", []byte(edited))
		require.NoError(t, diags.Err())
		edEng, err := engine.New(engine.WithPolicies(p))
		require.NoError(t, err)
		require.ErrorContains(t, replay(t, edEng, events), "TMPRL1100")
	})
}
