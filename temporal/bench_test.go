package temporal

import (
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// BenchmarkFireInTestEnvironment fires b.N events, a minute apart, on one
// case in the SDK's test environment: per event, the validator's and the
// handler's Fire, the entry's activity, and the alarms brought in step. The
// test environment's own bookkeeping is in the figure too; a server adds
// its round trips (see README.md for what was measured on one).
func BenchmarkFireInTestEnvironment(b *testing.B) {
	eng := bundledEngine(b)
	raised := london(2026, 12, 22, 9, 0)
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet)
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(raised)
	env.SetStartWorkflowOptions(startOptions(testCase, "test"))
	h := newHost()
	Register(env, eng, h, h)
	ev := engine.Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager"}
	failed := 0
	cb := &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   func(error) { failed++ },
		OnComplete: func(_ any, err error) { failed += errCount(err) },
	}
	// One callback at a time, each registering the next: the environment's
	// queue of callbacks is bounded.
	sent := 0
	var next func()
	next = func() {
		if sent == b.N {
			env.CancelWorkflow()
			return
		}
		sent++
		env.UpdateWorkflow(UpdateFire, "", cb, ev)
		env.RegisterDelayedCallback(next, time.Minute)
	}
	env.RegisterDelayedCallback(next, time.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	env.ExecuteWorkflow(WorkflowName, Input{Policy: "sefton", Raise: &engine.Raise{
		Actor: "asha", Role: "practitioner", Facts: map[string]any{"significant_harm_concern": true},
	}, Options: Options{MaxHistory: 1 << 30}})
	b.StopTimer()
	if failed > 0 || len(h.Record(testCase)) != b.N+1 {
		b.Fatalf("%d events failed; the record holds %d entries, want %d", failed, len(h.Record(testCase)), b.N+1)
	}
}

func errCount(err error) int {
	if err != nil {
		return 1
	}
	return 0
}
