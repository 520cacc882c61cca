package temporal

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// A Sefton case raised on Tuesday 22 December 2026 and escalated the
// morning after each step's deadline, run in the SDK's test environment,
// which skips time: each notice arrives at the deadline the engine gives,
// with Christmas Day, Boxing Day's substitute and New Year's Day not
// counted.
func Example_noticesOverChristmas() {
	eng, err := policies.Engine()
	if err != nil {
		fmt.Println(err)
		return
	}
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet)
	env := s.NewTestWorkflowEnvironment()
	raised := time.Date(2026, 12, 22, 9, 0, 0, 0, calendar.London())
	env.SetStartTime(raised)
	env.SetStartWorkflowOptions(startOptions("case-42", "cases"))
	h := newHost()
	Register(env, eng, h, h)
	for _, a := range seftonLadder() {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateFire, "", &testsuite.TestUpdateCallback{
				OnAccept: func() {}, OnReject: func(error) {}, OnComplete: func(any, error) {},
			}, a.ev)
		}, a.at.Sub(raised))
	}
	env.RegisterDelayedCallback(env.CancelWorkflow, 60*24*time.Hour)
	env.ExecuteWorkflow(WorkflowName, Input{Policy: "sefton", Raise: &engine.Raise{Actor: "asha", Role: "practitioner", Agency: "school"}})

	for _, n := range h.Notices() {
		fmt.Printf("%-5s %-7s %-23s due by the end of %s, sent %s\n", n.Stage, n.Kind, n.Obligation,
			n.DueDate.Start().Format("Mon 2 Jan"), n.At.In(calendar.London()).Format("Mon 2 Jan 15:04"))
	}
	// Output:
	// step1 overdue discuss                 due by the end of Tue 22 Dec, sent Wed 23 Dec 00:00
	// step1 overdue agree_plan              due by the end of Thu 24 Dec, sent Fri 25 Dec 00:00
	// step2 overdue managers_agree_plan     due by the end of Wed 30 Dec, sent Thu 31 Dec 00:00
	// step3 overdue contact_head_of_service due by the end of Thu 31 Dec, sent Fri 1 Jan 00:00
	// step3 overdue heads_agree_plan        due by the end of Mon 4 Jan, sent Tue 5 Jan 00:00
	// step4 overdue decide                  due by the end of Mon 11 Jan, sent Tue 12 Jan 00:00
	// step4 overdue convene_meeting         due by the end of Tue 12 Jan, sent Wed 13 Jan 00:00
}
