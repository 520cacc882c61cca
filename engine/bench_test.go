package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"
	"github.com/stretchr/testify/require"
)

// Benchmarks on the bundled policies, as a host runs them. Each names what
// it measures; BenchmarkGuardEval and BenchmarkGuardEvalBareCEL are a pair.

func loadBundled(tb testing.TB, id string) *Policy {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("..", "policies", id+".yaml"))
	require.NoError(tb, err)
	p, diags := Load(id+".yaml", src)
	require.NoError(tb, diags.Err())
	return p
}

// seftonAtStep2 is a Sefton case at Step 2 with the child at immediate risk,
// its summary log filled in: four entries.
func seftonAtStep2(tb testing.TB, p *Policy) rec {
	h, en, err := p.Raise(ctx, Raise{CaseID: "bench", Actor: "asha", Role: "practitioner", At: london(tb, "2026-12-22 10:00"),
		Facts: map[string]any{"immediate_risk": true}})
	require.NoError(tb, err)
	c := rec{Head: h, Entries: []*Entry{en}}
	c = fire(tb, p, c, "discussed", "practitioner", "2026-12-22 11:00")
	c = fire(tb, p, c, "escalate", "practitioner", "2026-12-22 12:00")
	c, err = fireOn(p, c, Event{Name: "plan_agreed", Actor: "lee", Role: "line_manager", At: london(tb, "2026-12-22 13:00"),
		Forms: map[string]map[string]any{"agency_escalation_summary_log": {
			"date_escalated": "2026-12-22", "manager": "Lee", "agency": "School", "other_agency": "Police",
			"child_initials": "AB", "disagreement": "Whether the threshold for a referral is met."}}})
	require.NoError(tb, err)
	return c
}

// BenchmarkFireGuardedIntoTimedStage fires Sefton's urgent_resolution from
// Step 2: a guarded any_stage transition into Step 4, whose two obligations
// get their deadlines from the calendar (one expedited by a second guard),
// recorded in one hashed entry.
func BenchmarkFireGuardedIntoTimedStage(b *testing.B) {
	p := loadBundled(b, "sefton")
	c := seftonAtStep2(b, p)
	ev := Event{Name: "urgent_resolution", Actor: "lee", Role: "line_manager", At: london(b, "2026-12-23 09:00")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _, err := p.Fire(ctx, c.Head, ev)
		if err != nil || next.Stage != "step4" || next.Obligations[1].Due.IsZero() {
			b.Fatal(err, next.Stage)
		}
	}
}

// BenchmarkFireByRecordLength fires the same guarded event on Sefton cases
// whose records are 1, 100 and 10,000 entries long: the cost must not grow.
func BenchmarkFireByRecordLength(b *testing.B) {
	p := loadBundled(b, "sefton")
	h, _, err := p.Raise(ctx, Raise{CaseID: "bench", Actor: "asha", Role: "practitioner", At: london(b, "2026-12-22 10:00"),
		Facts: map[string]any{"significant_harm_concern": true}})
	require.NoError(b, err)
	refer := Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager", At: london(b, "2026-12-22 11:00")}
	for _, n := range []int64{1, 100, 10000} {
		for h.Revision < n {
			h, _, err = p.Fire(ctx, h, refer)
			require.NoError(b, err)
		}
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, _, err := p.Fire(ctx, h, refer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// gloucestershireAtStage2 is a threshold dispute at Gloucestershire's Stage 2,
// where five events apply and three are guarded.
func gloucestershireAtStage2(tb testing.TB, p *Policy) rec {
	h, en, err := p.Raise(ctx, Raise{CaseID: "bench", Actor: "asha", Role: "practitioner", At: london(tb, "2026-12-22 10:00"),
		Facts: map[string]any{"dispute_area": "threshold"}})
	require.NoError(tb, err)
	c := rec{Head: h, Entries: []*Entry{en}}
	c = fire(tb, p, c, "escalate", "practitioner", "2026-12-22 11:00")
	c = fire(tb, p, c, "escalate", "line_manager", "2026-12-22 12:00")
	require.Equal(tb, "stage2", c.Stage)
	return c
}

// BenchmarkAvailable lists what the second tier manager may do at
// Gloucestershire's Stage 2: five events, three guarded, two of them refused
// (with their reasons) until the Service Manager MASH is involved.
func BenchmarkAvailable(b *testing.B) {
	p := loadBundled(b, "gloucestershire")
	c := gloucestershireAtStage2(b, p)
	at := london(b, "2026-12-22 13:00")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		acts, err := p.Available(ctx, c.Head, "sam", "second_tier_manager", at)
		if err != nil || len(acts) != 5 {
			b.Fatal(err, len(acts))
		}
	}
}

// staffordshireFormallyEscalated is a Staffordshire case at Stage 3 once the
// matter is formally escalated, with a meeting found necessary: five entries.
func staffordshireFormallyEscalated(tb testing.TB, p *Policy) rec {
	h, en, err := p.Raise(ctx, Raise{CaseID: "bench", Actor: "kai", Role: "practitioner", At: london(tb, "2026-11-02 09:00")})
	require.NoError(tb, err)
	c := rec{Head: h, Entries: []*Entry{en}}
	c = fire(tb, p, c, "escalate", "practitioner", "2026-11-02 15:00")
	c = fire(tb, p, c, "escalate", "line_manager", "2026-11-03 10:00")
	c, err = fireOn(p, c, Event{Name: "formally_escalate", Actor: "lou", Role: "line_manager", At: london(tb, "2026-11-03 11:00"),
		Facts: map[string]any{"meeting_necessary": true},
		Forms: map[string]map[string]any{"formal_escalation_form": {
			"date": "2026-11-03", "child_name": "Max Example", "child_dob": "2014-03-03", "practitioner": "Kai Turner",
			"agency_team": "Early Help", "summary_of_concerns": "The level of need.", "requested_action": "An assessment."}}})
	require.NoError(tb, err)
	return c
}

// meetingGuarded is the guard of Staffordshire's Stage 3 meeting_needed,
// which reads a milestone and a fact.
func meetingGuarded(tb testing.TB, p *Policy) *Guard {
	s, _ := p.Stage("stage3")
	for _, t := range s.Transitions {
		if t.Event == "meeting_needed" {
			require.Equal(tb, `"formally_escalated" in milestones && meeting_necessary`, t.When.Text)
			return t.When
		}
	}
	tb.Fatal("no meeting_needed at stage3")
	return nil
}

// BenchmarkGuardEval evaluates Staffordshire's Stage 3 meeting_needed guard
// as the engine does, from a head: both sides of the && are read, the first
// a milestone, the second a fact.
func BenchmarkGuardEval(b *testing.B) {
	p := loadBundled(b, "staffordshire-stoke")
	c := staffordshireFormallyEscalated(b, p)
	g := meetingGuarded(b, p)
	at := london(b, "2026-11-03 14:00")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		act := newActivation(activation{p: p, facts: c.Facts, role: "senior_manager", actor: "mo", stage: c.Stage,
			now: at, raised: c.Raised, entered: c.Entered, milestones: c.Milestones, obligations: c.Obligations})
		ok, err := g.Eval(ctx, act)
		act.release()
		if err != nil || !ok {
			b.Fatal(err, ok)
		}
	}
}

// BenchmarkGuardEvalBareCEL evaluates the same expression in cel-go alone,
// with its variables prepared once as Go values: the floor for
// BenchmarkGuardEval.
func BenchmarkGuardEvalBareCEL(b *testing.B) {
	g := meetingGuarded(b, loadBundled(b, "staffordshire-stoke"))
	env, err := cel.NewEnv(cel.Variable("meeting_necessary", cel.BoolType),
		cel.Variable("milestones", cel.MapType(cel.StringType, cel.TimestampType)))
	require.NoError(b, err)
	ast, iss := env.Compile(g.Text)
	require.NoError(b, iss.Err())
	prg, err := env.Program(ast)
	require.NoError(b, err)
	act, err := interpreter.NewActivation(map[string]any{
		"meeting_necessary": true,
		"milestones":        map[string]time.Time{"formally_escalated": london(b, "2026-11-03 11:00")},
	})
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, _, err := prg.Eval(act)
		if err != nil || out.Value() != true {
			b.Fatal(err, out)
		}
	}
}

// BenchmarkHeadDecode reads the stored head of the Sefton case at Step 2, as
// a host does before every event: through encoding/json, which checks the
// whole text before the head's own reader reads it, and by calling the
// head's reader (which checks as it reads) directly.
func BenchmarkHeadDecode(b *testing.B) {
	p := loadBundled(b, "sefton")
	data, err := json.Marshal(seftonAtStep2(b, p).Head)
	require.NoError(b, err)
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var h Head
			if err := json.Unmarshal(data, &h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UnmarshalJSON", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var h Head
			if err := h.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// sefton50 is a Sefton case with 50 entries.
func sefton50(tb testing.TB, p *Policy) rec {
	c := seftonAtStep2(tb, p)
	c, err := fireOn(p, c, Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager", At: london(tb, "2026-12-22 14:00"),
		Facts: map[string]any{"significant_harm_concern": true}})
	require.NoError(tb, err)
	at := london(tb, "2026-12-22 14:00")
	for len(c.Entries) < 50 {
		at = at.Add(10 * time.Minute)
		c, err = fireOn(p, c, Event{Name: "refer_to_childrens_social_care", Actor: "lee", Role: "line_manager", At: at})
		require.NoError(tb, err)
	}
	return c
}

// BenchmarkReplay50 rebuilds a 50-entry Sefton case's head from its record.
func BenchmarkReplay50(b *testing.B) {
	p := loadBundled(b, "sefton")
	c := sefton50(b, p)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Replay(ctx, c.record()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify50 verifies the same case: the replay, and the head compared
// with the rebuilt one.
func BenchmarkVerify50(b *testing.B) {
	p := loadBundled(b, "sefton")
	c := sefton50(b, p)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Verify(ctx, c.Head, c.record()); err != nil {
			b.Fatal(err)
		}
	}
}
