package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

var ctx = context.Background()

func loadTestPolicy(t testing.TB, name string) *Policy {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	p, diags := Load(name, src)
	require.NoError(t, diags.Err())
	return p
}

// london parses "2006-01-02 15:04" as Europe/London local time.
func london(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London())
	require.NoError(t, err)
	return v
}

// rec is a case as the tests hold it: its head and its whole record.
type rec struct {
	Head
	Entries []*Entry
}

func (c rec) record() iter.Seq2[*Entry, error] { return Entries(c.Entries) }

// last is the record's last entry.
func (c rec) last() *Entry { return c.Entries[len(c.Entries)-1] }

// then is c after an event: the next head, and the record with the new
// entry appended (in a slice of its own, so c's is never changed).
func (c rec) then(h Head, en *Entry) rec {
	return rec{Head: h, Entries: append(slices.Clip(c.Entries), en)}
}

// fireOn fires ev on c.
func fireOn(p *Policy, c rec, ev Event) (rec, error) {
	h, en, err := p.Fire(ctx, c.Head, ev)
	if err != nil {
		return rec{}, err
	}
	return c.then(h, en), nil
}

func raise(t testing.TB, p *Policy, when string, facts map[string]any) rec {
	t.Helper()
	h, en, err := p.Raise(ctx, Raise{CaseID: "case-1", Actor: "asha", Role: "practitioner", Agency: "school", At: london(t, when), Facts: facts})
	require.NoError(t, err)
	return rec{Head: h, Entries: []*Entry{en}}
}

func fire(t testing.TB, p *Policy, c rec, name, role, when string) rec {
	t.Helper()
	next, err := fireOn(p, c, Event{Name: name, Actor: role + "-person", Role: role, At: london(t, when)})
	require.NoError(t, err)
	return next
}

func duty(t testing.TB, p *Policy, c rec, id, when string) Duty {
	t.Helper()
	ds, err := p.Due(c.Head, london(t, when))
	require.NoError(t, err)
	for _, d := range ds {
		if d.Obligation.ID == id {
			return d
		}
	}
	t.Fatalf("no duty %q at stage %s", id, c.Stage)
	return Duty{}
}

func TestRaiseStartsTheFirstStageAndItsDeadlines(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)

	assert.Equal(t, "stage1", c.Stage)
	assert.Equal(t, int64(1), c.Revision)
	require.Len(t, c.Entries, 1)
	assert.Equal(t, RaiseEvent, c.Entries[0].Event)
	assert.Equal(t, "stage1", c.Entries[0].To)
	assert.Equal(t, c.Entries[0].Hash, c.Hash, "the head names its record's last entry")
	assert.True(t, c.Last.Equal(c.Entries[0].At))

	// 2 working days from Tue 22 Dec 2026: Wed 23 and Thu 24; Christmas
	// Day is Friday, so the plan is due by the end of Thursday.
	d := duty(t, p, c, "agree_plan", "2026-12-23 09:00")
	assert.Equal(t, StatusPending, d.Status)
	assert.Equal(t, "2026-12-24", d.DueDate.String())
	assert.True(t, d.Due.Equal(london(t, "2026-12-25 00:00")), "due %s", d.Due)
	assert.Equal(t, "2 working days", d.Within.String())
	assert.False(t, d.Expedited)

	late := duty(t, p, c, "agree_plan", "2026-12-25 00:00")
	assert.Equal(t, StatusOverdue, late.Status)
	require.NotNil(t, late.Breach)
	assert.Equal(t, "The plan is late.", late.Breach.Message)
}

func TestExpediteShortensTheDeadlineWhenItsConditionHolds(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"immediate_risk": true})
	d := duty(t, p, c, "agree_plan", "2026-12-22 11:00")
	assert.True(t, d.Expedited)
	assert.True(t, d.Within.Immediate)
	assert.Equal(t, "immediately", d.Within.String())
	assert.Equal(t, "2026-12-22", d.DueDate.String())
}

func TestDeadlinesCountFromTheirAnchors(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-23 09:00")
	require.Equal(t, "stage2", c.Stage)

	// from: raised — 4 working days from 22 Dec skip Christmas and the
	// Boxing Day substitute (Mon 28): 23, 24, 29, 30.
	assert.Equal(t, "2026-12-30", duty(t, p, c, "managers_meet", "2026-12-23 09:00").DueDate.String())

	// from: milestone — waits until the milestone is set, then counts from it.
	w := duty(t, p, c, "written_outcome", "2026-12-23 09:00")
	assert.Equal(t, StatusWaiting, w.Status)
	assert.True(t, w.Due.IsZero())

	c = fire(t, p, c, "formally_escalate", "line_manager", "2026-12-23 15:00")
	w = duty(t, p, c, "written_outcome", "2026-12-23 16:00")
	assert.Equal(t, StatusPending, w.Status)
	assert.Equal(t, "2026-12-29", w.DueDate.String())

	// A milestone keeps the first time it happened.
	c = fire(t, p, c, "formally_escalate", "line_manager", "2026-12-24 10:00")
	assert.True(t, c.Milestones["formally_escalated"].Equal(london(t, "2026-12-23 15:00")))
	assert.Equal(t, "2026-12-29", duty(t, p, c, "written_outcome", "2026-12-24 11:00").DueDate.String())
}

func TestHoursAreClockTime(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2027-03-27 12:00", map[string]any{"immediate_risk": true})
	c = fire(t, p, c, "expedite", "line_manager", "2027-03-27 12:00")
	require.Equal(t, "stage3", c.Stage)
	// The clocks go forward at 01:00 on 28 March 2027: 24 hours later is 13:00 local.
	d := duty(t, p, c, "respond", "2027-03-27 13:00")
	assert.True(t, d.Due.Equal(london(t, "2027-03-28 13:00")), "due %s", d.Due.In(calendar.London()))
	none := duty(t, p, c, "consider", "2027-03-27 13:00")
	assert.Equal(t, StatusPending, none.Status)
	assert.True(t, none.Due.IsZero(), "an obligation with no timescale never falls due")
}

func TestFireRefusesWithTheReason(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	stage1 := raise(t, p, "2026-12-22 10:00", nil)
	stage2 := fire(t, p, stage1, "escalate", "practitioner", "2026-12-22 11:00")
	stage3, err := fireOn(p, stage2, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-22 12:00"),
		Facts: map[string]any{"dispute_area": "threshold"},
		Forms: map[string]map[string]any{"escalation_form": {"child_initials": "AB"}}})
	require.NoError(t, err)
	require.Equal(t, "stage3", stage3.Stage)
	closed := fire(t, p, stage1, "withdraw", "practitioner", "2026-12-22 11:00")

	tests := []struct {
		name   string
		c      rec
		ev     Event
		want   []error
		detail string
	}{
		{"unknown event, with a suggestion", stage1, Event{Name: "escalat", Role: "practitioner"}, []error{ErrUnknownEvent}, `did you mean "escalate"`},
		{"event of another stage", stage1, Event{Name: "formally_escalate", Role: "line_manager"}, []error{ErrUnknownEvent}, "events here: plan_agreed, resolve, escalate, withdraw, expedite, complain"},
		{"any_stage event excluded here", stage3, Event{Name: "complain", Role: "practitioner"}, []error{ErrUnknownEvent}, ""},
		{"role not permitted", stage1, Event{Name: "plan_agreed", Role: "line_manager"}, []error{ErrRoleNotPermitted}, `"line_manager" may not; it is for practitioner`},
		{"obligation outstanding", stage1, Event{Name: "resolve", Role: "practitioner"}, []error{ErrObligationsOutstanding}, "agree_plan"},
		{"every transition of the name refused", stage1, Event{Name: "escalate", Role: "line_manager"}, []error{ErrRoleNotPermitted, ErrGuardFalse}, `"agree_plan" in overdue`},
		{"form incomplete", stage2, Event{Name: "resolve", Role: "line_manager"}, []error{ErrFormsIncomplete}, "escalation_form needs child_initials"},
		{"form section of this stage incomplete", stage3, Event{Name: "decide", Role: "senior_manager", Facts: map[string]any{"referral_date": "2026-12-01"}}, []error{ErrFormsIncomplete}, "escalation_form needs response"},
		{"guard reads an unset date", stage3, Event{Name: "decide", Role: "senior_manager", Forms: map[string]map[string]any{"escalation_form": {"response": "agreed"}}}, []error{ErrGuardFalse}, `guard "referral_date <= now"`},
		{"closed case", closed, Event{Name: "resolve", Role: "practitioner"}, []error{ErrCaseClosed}, `outcome "withdrawn"`},
		{"stale revision", stage1, Event{Name: "plan_agreed", Role: "practitioner", Revision: 7}, []error{ErrStaleRevision}, "revision 7 was expected"},
		{"unknown fact", stage1, Event{Name: "plan_agreed", Role: "practitioner", Facts: map[string]any{"imediate_risk": true}}, []error{ErrInvalidInput}, `did you mean "immediate_risk"`},
		{"role the policy does not have", stage1, Event{Name: "plan_agreed", Role: "practitoner"}, []error{ErrInvalidInput}, `role: "practitoner" is not a role of policy casework; did you mean "practitioner"?`},
		{"enum value not allowed", stage1, Event{Name: "plan_agreed", Role: "practitioner", Facts: map[string]any{"dispute_area": "money"}}, []error{ErrInvalidInput}, "must be one of other, threshold, information_sharing"},
		{"bad email on a form", stage2, Event{Name: "resolve", Role: "line_manager", Forms: map[string]map[string]any{"escalation_form": {"contact": "nobody"}}}, []error{ErrInvalidInput}, "forms.escalation_form.contact: must be an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.ev
			ev.Actor = "someone"
			ev.At = tt.c.Last.Add(time.Hour)
			_, _, err := p.Fire(ctx, tt.c.Head, ev)
			require.Error(t, err)
			for _, want := range tt.want {
				assert.ErrorIs(t, err, want)
			}
			assert.Contains(t, err.Error(), tt.detail)
		})
	}

	t.Run("time earlier than the last event", func(t *testing.T) {
		_, _, err := p.Fire(ctx, stage2.Head, Event{Name: "withdraw", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 10:30")})
		assert.ErrorIs(t, err, ErrTimeBeforeLastEvent)
	})
	t.Run("case of another policy version", func(t *testing.T) {
		other := stage1.Head
		other.Policy.Version = "0"
		_, _, err := p.Fire(ctx, other, Event{Name: "plan_agreed", Actor: "a", Role: "practitioner", At: london(t, "2026-12-23 10:00")})
		assert.ErrorIs(t, err, ErrPolicyMismatch)
	})
}

func TestOverdueObligationOpensWhatThePolicySays(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	_, _, err := p.Fire(ctx, c.Head, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-24 23:59")})
	require.ErrorIs(t, err, ErrGuardFalse, "not yet overdue")
	// The overdue obligation does not move the case by itself…
	assert.Equal(t, StatusOverdue, duty(t, p, c, "agree_plan", "2026-12-29 09:00").Status)
	assert.Equal(t, "stage1", c.Stage)
	// …but it lets the line manager escalate.
	c = fire(t, p, c, "escalate", "line_manager", "2026-12-29 09:00")
	assert.Equal(t, "stage2", c.Stage)
	assert.Equal(t, `"agree_plan" in overdue`, c.Entries[1].Guard)
}

func TestMetObligationsAndLateness(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "plan_agreed", "practitioner", "2026-12-29 09:00")
	d := duty(t, p, c, "agree_plan", "2026-12-29 10:00")
	assert.Equal(t, StatusMet, d.Status)
	assert.True(t, d.Late)
	c = fire(t, p, c, "resolve", "practitioner", "2026-12-29 10:00")
	assert.Equal(t, "resolved", c.Outcome)
	assert.True(t, c.Closed())
	ds, err := p.Due(c.Head, london(t, "2026-12-30 10:00"))
	require.NoError(t, err)
	assert.Empty(t, ds, "a closed case owes nothing")
}

func TestDutyExplainsItsDeadline(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-23 09:00")
	dl, err := duty(t, p, c, "managers_meet", "2026-12-23 10:00").Explain()
	require.NoError(t, err)
	assert.Equal(t, "2026-12-30", dl.DueDate.String())
	var skipped []string
	for _, s := range dl.Steps {
		if !s.Counted {
			skipped = append(skipped, s.Date.String()+" "+s.Reason)
		}
	}
	assert.Contains(t, strings.Join(skipped, "\n"), "2026-12-25 Christmas Day")
	_, err = duty(t, p, c, "written_outcome", "2026-12-23 10:00").Explain()
	assert.Error(t, err, "a waiting obligation has no deadline yet")
}

func TestAvailableSaysWhatAndWhyNot(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	acts, err := p.Available(ctx, c.Head, "lee", "line_manager", london(t, "2026-12-23 10:00"))
	require.NoError(t, err)
	got := map[string]bool{}
	for _, a := range acts {
		got[a.Event] = a.Allowed
		if !a.Allowed {
			require.NotNil(t, a.Refused, a.Event)
		}
	}
	assert.Equal(t, map[string]bool{
		"plan_agreed": false, "resolve": false, "escalate": false,
		"withdraw": true, "expedite": false, "complain": false,
	}, got)

	acts, err = p.Available(ctx, c.Head, "lee", "line_manager", london(t, "2026-12-29 10:00"))
	require.NoError(t, err)
	for _, a := range acts {
		if a.Event == "escalate" {
			assert.True(t, a.Allowed, "the overdue plan lets the manager escalate")
			assert.Equal(t, "stage2", a.Transition.ToStage.ID)
		}
	}
}

func TestFireDoesNotChangeTheHeadItWasGiven(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", nil)
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-22 11:00")
	before, err := json.Marshal(c.Head)
	require.NoError(t, err)
	a := fire(t, p, c, "formally_escalate", "line_manager", "2026-12-22 12:00")
	b, err := fireOn(p, c, Event{Name: "met", Actor: "x", Role: "line_manager", At: london(t, "2026-12-22 13:00"), Facts: map[string]any{"meetings": 2}})
	require.NoError(t, err)
	after, err := json.Marshal(c.Head)
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after))
	assert.Equal(t, "formally_escalate", a.last().Event)
	assert.Equal(t, "met", b.last().Event)
	assert.Equal(t, a.last().Prev, b.last().Prev, "both follow the same entry")
	assert.NotEqual(t, a.last().Hash, b.last().Hash)
	require.NoError(t, p.Verify(ctx, a.Head, a.record()))
	require.NoError(t, p.Verify(ctx, b.Head, b.record()))
}

func TestHeadSurvivesJSON(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"meetings": 1, "agencies": []string{"police", "school"}, "referral_date": "2026-12-01"})
	c = fire(t, p, c, "escalate", "practitioner", "2026-12-22 11:00")
	stored := storeRecord(t, c)
	require.NoError(t, p.Verify(ctx, stored.Head, stored.record()), "a stored case verifies after a JSON round trip")
	next, err := fireOn(p, stored, Event{Name: "met", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-22 12:00")})
	require.NoError(t, err, "guards read facts read back from JSON")
	require.NoError(t, p.Verify(ctx, next.Head, next.record()))
}

func TestPersonalDataStaysOutOfStringsAndLogs(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	const name = "Jo Bloggs"
	c := raise(t, p, "2026-12-22 10:00", map[string]any{"child_name": name})
	c, err := fireOn(p, c, Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 11:00"), Note: "spoke to " + name})
	require.NoError(t, err)
	c, err = fireOn(p, c, Event{Name: "met", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-22 11:30"),
		Facts: map[string]any{"meetings": 1}, Forms: map[string]map[string]any{"escalation_form": {"child_initials": "JB"}}})
	require.NoError(t, err)

	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("case", "case", c.Head, "entry", c.Entries[1], "met", c.Entries[2])
	out := logs.String() + c.String() + c.Entries[0].String() + c.Entries[1].String() + c.Entries[2].String()
	assert.NotContains(t, out, name)
	assert.NotContains(t, out, "JB")
	assert.Contains(t, out, "case-1")

	_, _, err = p.Fire(ctx, c.Head, Event{Name: "withdraw", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 12:00"), Facts: map[string]any{"child_name": 42}})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.NotContains(t, err.Error(), "42")

	// Nor in what Verify says of a head that was changed.
	edited := c.Head
	edited.Facts = maps.Clone(c.Facts)
	edited.Facts["child_name"] = "Someone Else"
	err = p.Verify(ctx, edited, c.record())
	require.ErrorIs(t, err, ErrHistoryTampered)
	assert.Equal(t, "case case-1: the head differs from its record: its facts.child_name is not what the record rebuilds", err.Error())
}

// A form belongs to the stages that use it: its data is refused anywhere
// else, so a later stage's form cannot be filled in early by mistake. The
// event that moves the case to a stage may bring that stage's forms.
func TestFormDataIsRefusedAtAStageThatDoesNotUseTheForm(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	stage1 := raise(t, p, "2026-12-22 10:00", nil)
	form := map[string]map[string]any{"escalation_form": {"child_initials": "AB"}}
	at := london(t, "2026-12-22 11:00")

	for _, ev := range []Event{
		{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: at, Forms: form},
		{Name: "withdraw", Actor: "asha", Role: "practitioner", At: at, Forms: form},
	} {
		_, _, err := p.Fire(ctx, stage1.Head, ev)
		require.ErrorIs(t, err, ErrInvalidInput, ev.Name)
		var in *InputError
		require.ErrorAs(t, err, &in)
		assert.Equal(t, "forms.escalation_form", in.Path)
		assert.Equal(t, "forms.escalation_form: is not a form of stage stage1 (it uses none)", err.Error())
	}
	_, _, err := p.Raise(ctx, Raise{CaseID: "c", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 10:00"), Forms: form})
	require.ErrorIs(t, err, ErrInvalidInput, "the start stage does not use the form either")

	// Stage 2 lists the form: the escalation into it may bring its data,
	// and any event there may.
	stage2, err := fireOn(p, stage1, Event{Name: "escalate", Actor: "asha", Role: "practitioner", At: at, Forms: form})
	require.NoError(t, err)
	assert.Equal(t, "AB", stage2.Forms["escalation_form"]["child_initials"])
	_, err = fireOn(p, stage2, Event{Name: "formally_escalate", Actor: "lee", Role: "line_manager", At: london(t, "2026-12-22 12:00"),
		Forms: map[string]map[string]any{"escalation_form": {"contact": "lee@example.org"}}})
	require.NoError(t, err)
}

// The bug this rule fixes: Sefton's Step 2 log was accepted at Step 1.
func TestBundledStep2FormIsRefusedAtStep1(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "policies", "sefton.yaml"))
	require.NoError(t, err)
	p, diags := Load("sefton.yaml", src)
	require.NoError(t, diags.Err())
	h, _, err := p.Raise(ctx, Raise{CaseID: "c", Actor: "asha", Role: "practitioner", At: london(t, "2026-12-22 10:00")})
	require.NoError(t, err)
	log := map[string]map[string]any{"agency_escalation_summary_log": {"child_initials": "AB"}}
	report := map[string]map[string]any{"report_to_sscp": {"child_initials": "AB"}}
	at := london(t, "2026-12-22 11:00")
	for _, tt := range []struct {
		ev   Event
		want string
	}{
		{Event{Name: "plan_agreed", Role: "practitioner", Forms: log},
			"forms.agency_escalation_summary_log: is not a form of stage step1 (it uses none)"},
		{Event{Name: "escalate", Role: "practitioner", Forms: report},
			"forms.report_to_sscp: is a form of neither stage step1 (it uses none) nor stage step2, which the event moves the case to (it uses agency_escalation_summary_log)"},
	} {
		ev := tt.ev
		ev.Actor, ev.At = "asha", at
		_, _, err := p.Fire(ctx, h, ev)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.EqualError(t, err, tt.want)
	}

	h, _, err = p.Fire(ctx, h, Event{Name: "escalate", Actor: "lee", Role: "line_manager", At: at, Forms: log})
	require.NoError(t, err, "the line manager logs the case as they escalate it")
	_, _, err = p.Fire(ctx, h, Event{Name: "plan_agreed", Actor: "lee", Role: "line_manager", At: at, Forms: report})
	assert.EqualError(t, err, "forms.report_to_sscp: is not a form of stage step2 (it uses agency_escalation_summary_log)")
	_, _, err = p.Fire(ctx, h, Event{Name: "plan_agreed", Actor: "lee", Role: "line_manager", At: at, Forms: log})
	assert.NoError(t, err)
}

func TestRaiseValidatesItsInput(t *testing.T) {
	p := loadTestPolicy(t, "casework.yaml")
	at := london(t, "2026-12-22 10:00")
	for _, r := range []Raise{
		{Actor: "a", Role: "practitioner", At: at},
		{CaseID: "c", Role: "practitioner", At: at},
		{CaseID: "c", Actor: "a", Role: "practitioner"},
		{CaseID: "c", Actor: "a", Role: "practitoner", At: at},
		{CaseID: "c", Actor: "a", Role: "practitioner", At: at, Facts: map[string]any{"meetings": "two"}},
		{CaseID: "c", Actor: "a", Role: "practitioner", At: at, Forms: map[string]map[string]any{"escalation_from": {}}},
	} {
		_, _, err := p.Raise(ctx, r)
		assert.ErrorIs(t, err, ErrInvalidInput, "%+v", r)
	}
}

// versionTwo is casework.yaml as version 2, in force from 1 January 2027,
// whose first duty is due in 1 working day instead of 2.
func versionTwo(t testing.TB, src []byte) []byte {
	t.Helper()
	v2 := bytes.Replace(src, []byte(`version: "1"`), []byte("version: \"2\"\nin_force_from: 2027-01-01"), 1)
	v2 = bytes.Replace(v2, []byte("language: escalation/v1\n"), []byte("language: escalation/v1.1\n"), 1)
	v2 = bytes.Replace(v2, []byte("within: 2 working days\n        expedite"), []byte("within: 1 working day\n        expedite"), 1)
	require.NotEqual(t, src, v2)
	return v2
}

// twoVersions loads casework.yaml as version 1 and as version 2, and gives
// the source.
func twoVersions(t *testing.T) (v1, v2 *Policy, src []byte) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "casework.yaml"))
	require.NoError(t, err)
	v1, diags := Load("v1.yaml", src)
	require.NoError(t, diags.Err())
	v2, diags = Load("v2.yaml", versionTwo(t, src))
	require.NoError(t, diags.Err())
	return v1, v2, src
}

func TestEngineRoutesCasesToTheirPolicyVersion(t *testing.T) {
	v1, v2, _ := twoVersions(t)
	assert.Equal(t, calendar.Date{Year: 2027, Month: 1, Day: 1}, v2.InForceFrom)

	e, err := New(WithPolicies(v1))
	require.NoError(t, err)
	old, _, err := e.Raise(ctx, "casework", Raise{CaseID: "old", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 10:00")})
	require.NoError(t, err)

	// The order the versions are added in does not matter.
	for _, order := range [][]*Policy{{v1, v2}, {v2, v1}} {
		e, err = New(WithPolicies(order...))
		require.NoError(t, err)
		assert.Equal(t, []string{"casework"}, e.Policies())
		latest, _ := e.Policy("casework")
		assert.Same(t, v2, latest, "Policy gives the latest version")
		before, _, err := e.Raise(ctx, "casework", Raise{CaseID: "before", Actor: "a", Role: "practitioner", At: london(t, "2026-12-31 23:59")})
		require.NoError(t, err)
		assert.Equal(t, "1", before.Policy.Version, "raised the day before version 2 applies")
		fresh, _, err := e.Raise(ctx, "casework", Raise{CaseID: "new", Actor: "a", Role: "practitioner", At: london(t, "2027-01-01 00:00")})
		require.NoError(t, err)
		assert.Equal(t, "2", fresh.Policy.Version, "raised on the day version 2 applies")

		oldDue, err := e.Due(old, london(t, "2027-01-04 11:00"))
		require.NoError(t, err)
		newDue, err := e.Due(fresh, london(t, "2027-01-04 11:00"))
		require.NoError(t, err)
		assert.Equal(t, "2026-12-24", oldDue[0].DueDate.String(), "the old case keeps its version's timescale")
		assert.Equal(t, "2027-01-04", newDue[0].DueDate.String())
	}

	_, _, err = e.Raise(ctx, "casewrk", Raise{CaseID: "x", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 10:00")})
	assert.ErrorIs(t, err, ErrUnknownPolicy)
	assert.ErrorContains(t, err, `did you mean "casework"`)
	got, ok := e.PolicyVersion(PolicyRef{ID: "casework", Version: "1"})
	assert.True(t, ok)
	assert.Same(t, v1, got)
	_, err = New(WithPolicies(v1, v1))
	assert.Error(t, err)
	stray := old
	stray.Policy.Version = "9"
	_, _, err = e.Fire(ctx, stray, Event{Name: "withdraw", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 11:00")})
	assert.True(t, errors.Is(err, ErrPolicyMismatch))
}

func TestEngineVersionsInForce(t *testing.T) {
	v1, v2, src := twoVersions(t)
	undated, diags := Load("v3.yaml", bytes.Replace(src, []byte(`version: "1"`), []byte(`version: "3"`), 1))
	require.NoError(t, diags.Err())
	sameDay, diags := Load("v4.yaml", bytes.Replace(versionTwo(t, src), []byte(`version: "2"`), []byte(`version: "4"`), 1))
	require.NoError(t, diags.Err())

	_, err := New(WithPolicies(v1, undated))
	assert.ErrorIs(t, err, ErrVersionConflict, "two versions in force from the start")
	assert.ErrorContains(t, err, "versions 1 and 3 are both in force from the start")
	_, err = New(WithPolicies(v2, v1, sameDay))
	assert.ErrorIs(t, err, ErrVersionConflict)
	assert.ErrorContains(t, err, "versions 2 and 4 are both in force from 2027-01-01")

	e, err := New(WithPolicies(v2))
	require.NoError(t, err)
	_, ok := e.PolicyInForce("casework", calendar.Date{Year: 2026, Month: 12, Day: 31})
	assert.False(t, ok, "no version is in force before the only one applies")
	p, ok := e.PolicyInForce("casework", calendar.Date{Year: 2027, Month: 1, Day: 1})
	assert.True(t, ok)
	assert.Same(t, v2, p)
	_, _, err = e.Raise(ctx, "casework", Raise{CaseID: "early", Actor: "a", Role: "practitioner", At: london(t, "2026-12-31 23:59")})
	assert.ErrorIs(t, err, ErrNoVersionInForce)
	assert.ErrorContains(t, err, "its earliest version, 2, is in force from 2027-01-01")
	_, _, err = e.Raise(ctx, "casework", Raise{CaseID: "no-time", Actor: "a", Role: "practitioner"})
	assert.ErrorIs(t, err, ErrInvalidInput)

	// A host may raise under a version it names, whatever is in force.
	e, err = New(WithPolicies(v1, v2))
	require.NoError(t, err)
	c, _, err := e.RaiseVersion(ctx, PolicyRef{ID: "casework", Version: "1"}, Raise{CaseID: "late", Actor: "a", Role: "practitioner", At: london(t, "2027-02-01 10:00")})
	require.NoError(t, err)
	assert.Equal(t, "1", c.Policy.Version)
	_, _, err = e.RaiseVersion(ctx, PolicyRef{ID: "casework", Version: "7"}, Raise{CaseID: "x", Actor: "a", Role: "practitioner", At: london(t, "2027-02-01 10:00")})
	assert.ErrorIs(t, err, ErrUnknownPolicy)
	assert.ErrorContains(t, err, "casework has no version \"7\" (it has 1, 2)")
	_, _, err = e.RaiseVersion(ctx, PolicyRef{ID: "casewrk", Version: "1"}, Raise{CaseID: "x", Actor: "a", Role: "practitioner", At: london(t, "2027-02-01 10:00")})
	assert.ErrorContains(t, err, `did you mean "casework"`)
}

// A superseded version runs the cases raised under it, and no new case: a
// host that kept an older version without the date its successor took over
// adds it so, instead of relying on the order it loads them in.
func TestEngineSupersededVersions(t *testing.T) {
	v1, _, src := twoVersions(t)
	current, diags := Load("v3.yaml", bytes.Replace(src, []byte(`version: "1"`), []byte(`version: "3"`), 1))
	require.NoError(t, diags.Err())
	old, err := New(WithPolicies(v1))
	require.NoError(t, err)
	c, _, err := old.Raise(ctx, "casework", Raise{CaseID: "old", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 10:00")})
	require.NoError(t, err)

	for _, opts := range [][]Option{
		{WithPolicies(current), WithSuperseded(v1)},
		{WithSuperseded(v1), WithPolicies(current)},
	} {
		e, err := New(opts...)
		require.NoError(t, err, "both undated, but only one in force")
		assert.Equal(t, []string{"casework"}, e.Policies())
		latest, _ := e.Policy("casework")
		assert.Same(t, current, latest)
		fresh, _, err := e.Raise(ctx, "casework", Raise{CaseID: "new", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 11:00")})
		require.NoError(t, err)
		assert.Equal(t, "3", fresh.Policy.Version, "new cases are raised under the version in force")
		got, ok := e.PolicyVersion(PolicyRef{ID: "casework", Version: "1"})
		assert.True(t, ok)
		assert.Same(t, v1, got)
		next, _, err := e.Fire(ctx, c, Event{Name: "withdraw", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 12:00")})
		require.NoError(t, err, "the old case runs on its version")
		assert.Equal(t, "1", next.Policy.Version)
		named, _, err := e.RaiseVersion(ctx, PolicyRef{ID: "casework", Version: "1"}, Raise{CaseID: "named", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 13:00")})
		require.NoError(t, err, "a host may still name it")
		assert.Equal(t, "1", named.Policy.Version)
	}

	_, err = New(WithPolicies(v1), WithSuperseded(v1))
	assert.ErrorContains(t, err, "policy casework version 1 was added twice")
	e, err := New(WithSuperseded(v1))
	require.NoError(t, err)
	assert.Empty(t, e.Policies(), "no version in force, so no new case")
	_, _, err = e.Raise(ctx, "casework", Raise{CaseID: "x", Actor: "a", Role: "practitioner", At: london(t, "2026-12-22 10:00")})
	assert.ErrorIs(t, err, ErrUnknownPolicy)
	_, err = New(WithSuperseded(nil))
	assert.Error(t, err)
}
