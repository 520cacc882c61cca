package engine

import "testing"

func TestTransitionDestination(t *testing.T) {
	stage, outcome := &Stage{ID: "step2"}, &Outcome{ID: "resolved"}
	for _, tc := range []struct {
		t    *Transition
		want string
	}{
		{nil, ""},
		{&Transition{}, ""},
		{&Transition{ToStage: stage}, "step2"},
		{&Transition{ToOutcome: outcome}, "resolved"},
	} {
		if got := tc.t.Destination(); got != tc.want {
			t.Errorf("%+v: Destination() = %q, want %q", tc.t, got, tc.want)
		}
	}
}
