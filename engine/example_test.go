package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
)

// casework loads the examples' policy: a small ladder of three stages.
func casework() (*engine.Policy, error) {
	src, err := os.ReadFile("testdata/casework.yaml")
	if err != nil {
		return nil, err
	}
	p, diags := engine.Load("casework.yaml", src)
	return p, diags.Err()
}

// A case raised on Tuesday 22 December 2026, escalated the next morning, and
// what it owes over Christmas.
func Example() {
	p, err := casework()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	london := calendar.London()

	c, err := p.Raise(ctx, engine.Raise{
		CaseID: "case-7", Actor: "asha", Role: "practitioner", Agency: "school",
		At: time.Date(2026, 12, 22, 10, 0, 0, 0, london),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err = p.Fire(ctx, c, engine.Event{
		Name: "escalate", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 23, 9, 0, 0, 0, london),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	duties, err := p.Due(c, time.Date(2026, 12, 29, 9, 0, 0, 0, london))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range duties {
		if d.Due.IsZero() {
			fmt.Printf("%s: %s (counts from a milestone not yet reached)\n", d.Obligation.ID, d.Status)
			continue
		}
		fmt.Printf("%s: %s, due by the end of %v\n", d.Obligation.ID, d.Status, d.DueDate)
	}

	// A practitioner cannot take the line manager's step.
	_, err = p.Fire(ctx, c, engine.Event{
		Name: "formally_escalate", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 29, 10, 0, 0, 0, london),
	})
	fmt.Println(errors.Is(err, engine.ErrRoleNotPermitted))
	for _, e := range c.History {
		fmt.Println(e)
	}
	// Output:
	// managers_meet: pending, due by the end of 2026-12-30
	// written_outcome: waiting (counts from a milestone not yet reached)
	// true
	// #1 2026-12-22T10:00:00Z raise by asha (practitioner): raised at stage1
	// #2 2026-12-23T09:00:00Z escalate by asha (practitioner): stage1 -> stage2
}

// The record of what each stage owed: the plan was agreed at Stage 1 before
// the case was escalated, and Stage 2's duties are still owed.
func ExampleCase_Visits() {
	p, err := casework()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, calendar.London()) }

	c, err := p.Raise(ctx, engine.Raise{CaseID: "case-8", Actor: "asha", Role: "practitioner", At: at(22, 10)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ev := range []engine.Event{
		{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: at(23, 9)},
		{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 10)},
	} {
		if c, err = p.Fire(ctx, c, ev); err != nil {
			fmt.Println(err)
			return
		}
	}
	const when = "Mon 2 Jan 15:04"
	for _, v := range c.Visits() {
		if v.Left.IsZero() {
			fmt.Printf("%s, since %s:\n", v.Stage, v.Entered.Format(when))
		} else {
			fmt.Printf("%s, %s to %s:\n", v.Stage, v.Entered.Format(when), v.Left.Format(when))
		}
		for _, o := range v.Obligations {
			switch {
			case !o.Met.IsZero():
				fmt.Printf("  %s: met %s\n", o.ID, o.Met.Format(when))
			case o.Due.IsZero():
				fmt.Printf("  %s: not met, no deadline yet\n", o.ID)
			default:
				fmt.Printf("  %s: not met, due before %s\n", o.ID, o.Due.Format(when))
			}
		}
	}
	// Output:
	// stage1, Tue 22 Dec 10:00 to Wed 23 Dec 10:00:
	//   agree_plan: met Wed 23 Dec 09:00
	// stage2, since Wed 23 Dec 10:00:
	//   managers_meet: not met, due before Thu 31 Dec 00:00
	//   written_outcome: not met, no deadline yet
}

// load loads a policy file for the examples.
func load(file string) (*engine.Policy, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	p, diags := engine.Load(file, src)
	return p, diags.Err()
}

// A revised procedure applies from 1 January 2027. A case raised in December
// 2026 under the first version keeps running under it after the revision is
// loaded; a case raised in January 2027 is raised under the revision, and a
// host can still raise a case under the version it names.
func ExampleEngine_versions() {
	ctx := context.Background()
	london := calendar.London()
	v2021, err := load("testdata/versions/v1.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	v2027, err := load("testdata/versions/v2.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}

	before, _ := engine.New(engine.WithPolicies(v2021))
	december, err := before.Raise(ctx, "riverside", engine.Raise{CaseID: "dec", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 30, 10, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The revision is loaded beside the first version, in any order.
	after, err := engine.New(engine.WithPolicies(v2027, v2021))
	if err != nil {
		fmt.Println(err)
		return
	}
	january, err := after.Raise(ctx, "riverside", engine.Raise{CaseID: "jan", Actor: "lee", Role: "practitioner",
		At: time.Date(2027, 1, 4, 10, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}
	named, err := after.RaiseVersion(ctx, engine.PolicyRef{ID: "riverside", Version: "2021"}, engine.Raise{CaseID: "late",
		Actor: "lee", Role: "practitioner", At: time.Date(2027, 1, 4, 11, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range []engine.Case{december, january, named} {
		duties, err := after.Due(c, time.Date(2027, 1, 4, 12, 0, 0, 0, london))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: version %s, agree_plan due by the end of %v\n", c.ID, c.Policy.Version, duties[0].DueDate)
	}
	december, err = after.Fire(ctx, december, engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner",
		At: time.Date(2027, 1, 5, 9, 0, 0, 0, london)})
	fmt.Println(december.Outcome, err)
	// Output:
	// dec: version 2021, agree_plan due by the end of 2027-01-04
	// jan: version 2027, agree_plan due by the end of 2027-01-05
	// late: version 2021, agree_plan due by the end of 2027-01-06
	// resolved <nil>
}
