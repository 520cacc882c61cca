package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"
	"github.com/looplab/fsm"
	"github.com/qmuntal/stateless"
	rcal "github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

var ctx = context.Background()

// london is a time on Tuesday 22 December 2026 in Europe/London.
func london(day, hour int) time.Time {
	return time.Date(2026, 12, day, hour, 0, 0, 0, calendar.London())
}

// results holds each benchmark's ns/op, by name, for the summary.
var results = struct {
	sync.Mutex
	ns     map[string][]float64 // one per round
	rounds map[string]int
}{ns: map[string][]float64{}, rounds: map[string]int{}}

// record notes the ns/op of the run that is ending. The testing package
// starts each round of a benchmark (one per -count) with a one-iteration
// run, then runs it longer until it has timed enough: the last run of each
// round is the one it reports, and the one kept here. A round of one
// iteration (-benchtime=1x) times nothing worth a ratio, and is not kept.
func record(b *testing.B) {
	b.Helper()
	b.StopTimer()
	results.Lock()
	defer results.Unlock()
	name := b.Name()
	if b.N == 1 {
		results.rounds[name]++
		return
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	if runs := results.ns[name]; len(runs) < results.rounds[name] {
		results.ns[name] = append(runs, ns)
	} else {
		runs[len(runs)-1] = ns
	}
}

// pairs are the ratios the summary prints: the project's operation, and the
// peers it is set beside.
var pairs = []struct {
	op    string
	ours  string
	peers []string
}{
	{"BenchmarkFireGuardedTransition", "escalation", []string{"stateless", "looplab-fsm"}},
	{"BenchmarkWorkingDayDeadline", "escalation", []string{"rickar-cal"}},
	{"BenchmarkGuards", "escalation-available", []string{"cel-go"}},
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	return s[len(s)/2]
}

func TestMain(m *testing.M) {
	code := m.Run()
	results.Lock()
	defer results.Unlock()
	printed := false
	for _, p := range pairs {
		ours, ok := results.ns[p.op+"/"+p.ours]
		if !ok {
			continue
		}
		for _, peer := range p.peers {
			theirs, ok := results.ns[p.op+"/"+peer]
			if !ok {
				continue
			}
			if !printed {
				fmt.Println("\nratios (median ns/op of the project's operation over its peer's):")
				printed = true
			}
			fmt.Printf("%-32s %-22s %9.0f ns/op  %-12s %9.0f ns/op  %6.3gx\n",
				p.op[len("Benchmark"):], p.ours, median(ours), peer, median(theirs), median(ours)/median(theirs))
		}
	}
	os.Exit(code)
}

// sefton loads the bundled Sefton policy once.
var sefton = sync.OnceValues(func() (*engine.Policy, error) {
	p, diags := policies.Load("sefton")
	return p, diags.Err()
})

func seftonAtStep2(b *testing.B) (*engine.Policy, engine.Head) {
	p, err := sefton()
	if err != nil {
		b.Fatal(err)
	}
	h, _, err := p.Raise(ctx, engine.Raise{CaseID: "bench", Actor: "asha", Role: "practitioner", At: london(22, 10),
		Facts: map[string]any{"immediate_risk": true}})
	if err != nil {
		b.Fatal(err)
	}
	if h, _, err = p.Fire(ctx, h, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: london(22, 12)}); err != nil {
		b.Fatal(err)
	}
	return p, h
}

// BenchmarkFireGuardedTransition takes one guarded transition, Sefton's
// urgent_resolution from Step 2 to Step 4 when the child is at immediate
// risk.
//
// The project's Fire does much more than the state machines: it checks the
// actor's role and the revision, evaluates the CEL guard over the case's
// facts, computes the deadlines of Step 4's two obligations from the
// England and Wales calendar (one shortened by a second CEL guard), records
// an entry of who, what, when and why with the SHA-256 of it chained to the
// record, and returns a new immutable head. stateless and looplab/fsm move a
// state label after a Go guard function.
func BenchmarkFireGuardedTransition(b *testing.B) {
	b.Run("escalation", func(b *testing.B) {
		p, h := seftonAtStep2(b)
		ev := engine.Event{Name: "urgent_resolution", Actor: "lee", Role: "line_manager", At: london(23, 9)}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			next, _, err := p.Fire(ctx, h, ev)
			if err != nil || next.Stage != "step4" {
				b.Fatal(err, next.Stage)
			}
		}
		record(b)
	})
	immediateRisk := true
	b.Run("stateless", func(b *testing.B) {
		// The state is kept outside the machine, as a host keeps a case's,
		// so every firing starts at Step 2.
		sm := stateless.NewStateMachineWithExternalStorage(
			func(context.Context) (stateless.State, error) { return "step2", nil },
			func(context.Context, stateless.State) error { return nil },
			stateless.FiringImmediate)
		sm.Configure("step2").Permit("urgent_resolution", "step4", func(context.Context, ...any) bool { return immediateRisk })
		sm.Configure("step4")
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := sm.FireCtx(ctx, "urgent_resolution"); err != nil {
				b.Fatal(err)
			}
		}
		record(b)
	})
	b.Run("looplab-fsm", func(b *testing.B) {
		f := fsm.NewFSM("step2",
			fsm.Events{{Name: "urgent_resolution", Src: []string{"step1", "step2", "step3"}, Dst: "step4"}},
			fsm.Callbacks{"before_urgent_resolution": func(_ context.Context, e *fsm.Event) {
				if !immediateRisk {
					e.Cancel(errors.New("no immediate risk"))
				}
			}})
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			f.SetState("step2")
			if err := f.Event(ctx, "urgent_resolution"); err != nil {
				b.Fatal(err)
			}
		}
		record(b)
	})
}

// BenchmarkWorkingDayDeadline finds the end of the 11th working day after
// Tuesday 22 December 2026 in England and Wales: Sefton's Step 4 decision.
//
// The project's calendar also applies the procedure's rules on top of the
// day count (day 1 is the first working day after the trigger's local date;
// the deadline is the instant the next day starts, in London time), and its
// holidays include the substitute days and one-off days (jubilees, the
// 2022 state funeral, the 2023 coronation) for each jurisdiction. rickar/cal
// counts working days from its gb list of national holidays.
func BenchmarkWorkingDayDeadline(b *testing.B) {
	start := london(22, 10)
	b.Run("escalation", func(b *testing.B) {
		c, err := calendar.For(calendar.EnglandAndWales)
		if err != nil {
			b.Fatal(err)
		}
		w := calendar.Within{N: 11, Unit: calendar.WorkingDays}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.Due(start, w); err != nil {
				b.Fatal(err)
			}
		}
		record(b)
	})
	b.Run("rickar-cal", func(b *testing.B) {
		c := rcal.NewBusinessCalendar()
		c.AddHoliday(gb.Holidays...)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if d := c.WorkdaysFrom(start, 11); d.Before(start) {
				b.Fatal(d)
			}
		}
		record(b)
	})
}

// stageGuards are the guards of the events that apply at a stage.
func stageGuards(p *engine.Policy, s *engine.Stage) []string {
	var guards []string
	for _, ts := range [][]*engine.Transition{s.Transitions, p.AnyStage} {
		for _, t := range ts {
			if t.When != nil && t.AppliesIn(s) {
				guards = append(guards, t.When.Text)
			}
		}
	}
	return guards
}

// BenchmarkGuards answers what a second tier manager may do at
// Gloucestershire's Stage 2, where five events apply and two are guarded
// (escalating waits for the Service Manager MASH through requires, not a
// guard).
//
// The project's Available, for each of the five events, checks the role,
// the obligations a transition requires, the forms it needs and its guard,
// with each obligation's status worked out at the time asked, and explains
// every refusal. cel-go alone evaluates the two guards, compiled once,
// over variables prepared once as Go values.
func BenchmarkGuards(b *testing.B) {
	b.Run("escalation-available", func(b *testing.B) {
		p, diags := policies.Load("gloucestershire")
		if err := diags.Err(); err != nil {
			b.Fatal(err)
		}
		h, _, err := p.Raise(ctx, engine.Raise{CaseID: "bench", Actor: "asha", Role: "practitioner", At: london(22, 10),
			Facts: map[string]any{"dispute_area": "threshold"}})
		for _, ev := range []engine.Event{
			{Name: "escalate", Actor: "asha", Role: "practitioner", At: london(22, 11)},
			{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(22, 12)},
		} {
			if err != nil {
				break
			}
			h, _, err = p.Fire(ctx, h, ev)
		}
		if err != nil {
			b.Fatal(err)
		}
		at := london(22, 13)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			acts, err := p.Available(ctx, h, "sam", "second_tier_manager", at)
			if err != nil || len(acts) != 5 {
				b.Fatal(err, len(acts))
			}
		}
		record(b)
	})
	b.Run("cel-go", func(b *testing.B) {
		p, diags := policies.Load("gloucestershire")
		if err := diags.Err(); err != nil {
			b.Fatal(err)
		}
		s, _ := p.Stage("stage2")
		guards := stageGuards(p, s)
		if len(guards) != 2 {
			b.Fatalf("Gloucestershire's Stage 2 has %d guards, not 2: %q", len(guards), guards)
		}
		env, err := cel.NewEnv(cel.Variable("dispute_area", cel.StringType), cel.Variable("immediate_risk", cel.BoolType))
		if err != nil {
			b.Fatal(err)
		}
		var prgs []cel.Program
		for _, g := range guards {
			ast, iss := env.Compile(g)
			if iss.Err() != nil {
				b.Fatal(iss.Err())
			}
			prg, err := env.Program(ast)
			if err != nil {
				b.Fatal(err)
			}
			prgs = append(prgs, prg)
		}
		act, err := interpreter.NewActivation(map[string]any{"dispute_area": "threshold", "immediate_risk": false})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for _, prg := range prgs {
				if _, _, err := prg.Eval(act); err != nil {
					b.Fatal(err)
				}
			}
		}
		record(b)
	})
}
