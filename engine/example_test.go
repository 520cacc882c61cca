package engine_test

import (
	"context"
	"crypto/rand"
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
// what it owes over Christmas. The host keeps the head and appends each
// entry to the case's record.
func Example() {
	p, err := casework()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	london := calendar.London()

	h, first, err := p.Raise(ctx, engine.Raise{
		CaseID: "case-7", Actor: "asha", Role: "practitioner", Agency: "school",
		At: time.Date(2026, 12, 22, 10, 0, 0, 0, london),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	record := []*engine.Entry{first}
	h, en, err := p.Fire(ctx, h, engine.Event{
		Name: "escalate", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 23, 9, 0, 0, 0, london),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	record = append(record, en)
	duties, err := p.Due(h, time.Date(2026, 12, 29, 9, 0, 0, 0, london))
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
	_, _, err = p.Fire(ctx, h, engine.Event{
		Name: "formally_escalate", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 29, 10, 0, 0, 0, london),
	})
	fmt.Println(errors.Is(err, engine.ErrRoleNotPermitted))
	fmt.Println(h)
	for _, e := range record {
		fmt.Println(e)
	}
	fmt.Println("verified:", p.Verify(ctx, h, engine.Entries(record)) == nil)
	// Output:
	// managers_meet: pending, due by the end of 2026-12-30
	// written_outcome: waiting (counts from a milestone not yet reached)
	// true
	// case case-7 (casework 1, revision 2) at stage2
	// #1 2026-12-22T10:00:00Z raise by asha (practitioner): raised at stage1
	// #2 2026-12-23T09:00:00Z escalate by asha (practitioner): stage1 -> stage2
	// verified: true
}

// The record of what each stage owed: the plan was agreed at Stage 1 before
// the case was escalated, and Stage 2's duties are still owed.
func ExampleHead_Visits() {
	p, err := casework()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, calendar.London()) }

	h, en, err := p.Raise(ctx, engine.Raise{CaseID: "case-8", Actor: "asha", Role: "practitioner", At: at(22, 10)})
	if err != nil {
		fmt.Println(err)
		return
	}
	record := []*engine.Entry{en}
	for _, ev := range []engine.Event{
		{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: at(23, 9)},
		{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 10)},
	} {
		if h, en, err = p.Fire(ctx, h, ev); err != nil {
			fmt.Println(err)
			return
		}
		record = append(record, en)
	}
	visits, err := h.Visits(engine.Entries(record))
	if err != nil {
		fmt.Println(err)
		return
	}
	const when = "Mon 2 Jan 15:04"
	for _, v := range visits {
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

// A host that holds a secret key has every entry authenticated, and keeps
// each head's checkpoint somewhere its database's writers cannot reach.
// Someone who can write the database then cannot rewrite the record (they
// have no key), nor put the case back to an earlier genuine state (the
// checkpoint is ahead of it).
func ExamplePolicy_Verify() {
	key := make([]byte, engine.MinRecordKeyBytes) // in real use: from a secrets store, never from code
	if _, err := rand.Read(key); err != nil {
		fmt.Println(err)
		return
	}
	src, err := os.ReadFile("testdata/casework.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, diags := engine.Load("casework.yaml", src, engine.WithRecordKey(key))
	if err := diags.Err(); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, calendar.London()) }

	h, en, err := p.Raise(ctx, engine.Raise{CaseID: "case-9", Actor: "asha", Role: "practitioner", At: at(22, 10)})
	if err != nil {
		fmt.Println(err)
		return
	}
	record := []*engine.Entry{en}
	earlier, earlierRecord := h, record // a backup taken now
	h, en, err = p.Fire(ctx, h, engine.Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: at(23, 10)})
	if err != nil {
		fmt.Println(err)
		return
	}
	record = append(record, en)
	checkpoint := h.Checkpoint() // kept elsewhere with every write

	fmt.Println(p.Verify(ctx, h, engine.Entries(record), engine.WithCheckpoint(checkpoint)))

	// The database restored from the backup: a genuine, older case.
	fmt.Println(p.Verify(ctx, earlier, engine.Entries(earlierRecord)))
	fmt.Println(p.Verify(ctx, earlier, engine.Entries(earlierRecord), engine.WithCheckpoint(checkpoint)))

	// The whole record rewritten, as if someone else had raised the case, by
	// someone who has the engine but not the key, and given the MACs of the
	// genuine entries.
	unkeyed, _ := engine.Load("casework.yaml", src)
	fh, f1, _ := unkeyed.Raise(ctx, engine.Raise{CaseID: "case-9", Actor: "mallory", Role: "practitioner", At: at(22, 10)})
	fh, f2, _ := unkeyed.Fire(ctx, fh, engine.Event{Name: "escalate", Actor: "mallory", Role: "practitioner", At: at(23, 10)})
	f1.MAC, f2.MAC = record[0].MAC, record[1].MAC
	err = p.Verify(ctx, fh, engine.Entries([]*engine.Entry{f1, f2}))
	var re *engine.RecordError
	if errors.As(err, &re) {
		fmt.Println(re.Entry, re.How)
	}
	// Output:
	// <nil>
	// <nil>
	// case case-9: the case was rolled back: the record ends at entry 1, but the checkpoint kept elsewhere is at entry 2
	// 1 unauthenticated
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
	december, _, err := before.Raise(ctx, "riverside", engine.Raise{CaseID: "dec", Actor: "asha", Role: "practitioner",
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
	january, _, err := after.Raise(ctx, "riverside", engine.Raise{CaseID: "jan", Actor: "lee", Role: "practitioner",
		At: time.Date(2027, 1, 4, 10, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}
	named, _, err := after.RaiseVersion(ctx, engine.PolicyRef{ID: "riverside", Version: "2021"}, engine.Raise{CaseID: "late",
		Actor: "lee", Role: "practitioner", At: time.Date(2027, 1, 4, 11, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range []engine.Head{december, january, named} {
		duties, err := after.Due(c, time.Date(2027, 1, 4, 12, 0, 0, 0, london))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: version %s, agree_plan due by the end of %v\n", c.ID, c.Policy.Version, duties[0].DueDate)
	}
	december, _, err = after.Fire(ctx, december, engine.Event{Name: "resolve", Actor: "asha", Role: "practitioner",
		At: time.Date(2027, 1, 5, 9, 0, 0, 0, london)})
	fmt.Println(december.Outcome, err)
	// Output:
	// dec: version 2021, agree_plan due by the end of 2027-01-04
	// jan: version 2027, agree_plan due by the end of 2027-01-05
	// late: version 2021, agree_plan due by the end of 2027-01-06
	// resolved <nil>
}

// A host that kept an older version for its open cases, without the date its
// successor took over, adds it with WithSuperseded: the cases raised under it
// keep running on it, and no new case is raised under it.
func ExampleWithSuperseded() {
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
	december, _, err := before.Raise(ctx, "riverside", engine.Raise{CaseID: "dec", Actor: "asha", Role: "practitioner",
		At: time.Date(2026, 12, 30, 10, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}

	after, err := engine.New(engine.WithPolicies(v2027), engine.WithSuperseded(v2021))
	if err != nil {
		fmt.Println(err)
		return
	}
	january, _, err := after.Raise(ctx, "riverside", engine.Raise{CaseID: "jan", Actor: "lee", Role: "practitioner",
		At: time.Date(2027, 1, 4, 10, 0, 0, 0, london)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range []engine.Head{december, january} {
		duties, err := after.Due(c, time.Date(2027, 1, 4, 12, 0, 0, 0, london))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: version %s, agree_plan due by the end of %v\n", c.ID, c.Policy.Version, duties[0].DueDate)
	}
	_, _, err = after.Raise(ctx, "riverside", engine.Raise{CaseID: "late", Actor: "lee", Role: "practitioner",
		At: time.Date(2026, 12, 31, 10, 0, 0, 0, london)})
	fmt.Println("a new case in 2026:", errors.Is(err, engine.ErrNoVersionInForce))
	// Output:
	// dec: version 2021, agree_plan due by the end of 2027-01-04
	// jan: version 2027, agree_plan due by the end of 2027-01-05
	// a new case in 2026: true
}
