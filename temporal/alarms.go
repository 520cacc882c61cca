package temporal

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// An alarm is a durable timer to one notice about one duty: its deadline
// (overdue) or, for cases raised with Options.Remind, the start of the last
// working day before it (reminder). Its key names the duty's visit (the
// obligation, its anchor and its deadline), so an alarm survives events that
// leave the duty as it was, and a duty owed anew (a stage entered again, a
// deadline brought forward) gets a new one.
type alarm struct {
	key    string
	kind   NoticeKind
	ob     string
	anchor time.Time
	due    time.Time
	at     time.Time
	cancel workflow.CancelFunc
}

// longestBreak bounds the search for the working day before a deadline:
// no calendar has a longer run of days off.
const longestBreak = 31

// wanted lists the alarms the duties call for, in the duties' order. Every
// deadline is the engine's (Duty.Due); nothing here counts days except the
// reminder's step back to the working day before the due date, on the
// policy's calendar.
func (r *run) wanted(duties []engine.Duty) []*alarm {
	var out []*alarm
	for _, d := range duties {
		if d.Status == engine.StatusMet || d.Status == engine.StatusWaiting || d.Due.IsZero() {
			continue
		}
		a := alarm{ob: d.Obligation.ID, anchor: d.Anchor, due: d.Due}
		if r.opts.Remind {
			if at, ok := r.remindAt(d); ok {
				rem := a
				rem.kind, rem.at = Reminder, at
				rem.key = rem.name()
				out = append(out, &rem)
			}
		}
		a.kind, a.at = Overdue, d.Due
		a.key = a.name()
		out = append(out, &a)
	}
	return out
}

func (a *alarm) name() string {
	return fmt.Sprintf("%s %s %d %d", a.kind, a.ob, a.anchor.UnixNano(), a.due.UnixNano())
}

// remindAt is the start of the last working day before the duty's due date,
// if that is after the duty started counting and before its deadline.
func (r *run) remindAt(d engine.Duty) (time.Time, bool) {
	cal := r.pol.Calendar()
	day := d.DueDate
	for range longestBreak {
		day = day.AddDays(-1)
		working, err := cal.IsWorkingDay(day)
		if err != nil {
			return time.Time{}, false
		}
		if working {
			at := day.Start()
			return at, at.After(d.Anchor) && at.Before(d.Due)
		}
	}
	return time.Time{}, false
}

// rearm brings the alarms in step with the duties: it cancels those no duty
// calls for any more (met, left behind, brought forward), forgets the
// notices handled for them, and arms those called for and not yet handled.
func (r *run) rearm(ctx workflow.Context, duties []engine.Duty) {
	want := r.wanted(duties)
	wanted := func(key string) bool {
		return slices.ContainsFunc(want, func(a *alarm) bool { return a.key == key })
	}
	handled := make(map[string]bool, len(r.handled))
	for _, a := range want {
		if r.handled[a.key] {
			handled[a.key] = true
		}
	}
	r.handled = handled
	r.alarms = slices.DeleteFunc(r.alarms, func(a *alarm) bool {
		if wanted(a.key) {
			return false
		}
		a.cancel()
		return true
	})
	for _, a := range want {
		armed := slices.ContainsFunc(r.alarms, func(b *alarm) bool { return b.key == a.key })
		if !armed && !r.handled[a.key] {
			r.arm(ctx, a)
		}
	}
}

// arm starts the alarm's timer in a coroutine of its own. When the timer
// fires and the duty still stands as it did (an event in the same workflow
// task may have met it), the notifier is called.
func (r *run) arm(ctx workflow.Context, a *alarm) {
	actx, cancel := workflow.WithCancel(ctx)
	a.cancel = cancel
	r.alarms = append(r.alarms, a)
	workflow.Go(actx, func(ctx workflow.Context) {
		if d := a.at.Sub(workflow.Now(ctx)); d > 0 {
			if workflow.NewTimer(ctx, d).Get(ctx, nil) != nil {
				return // cancelled: the duty no longer calls for it
			}
		}
		r.alarms = slices.DeleteFunc(r.alarms, func(b *alarm) bool { return b == a })
		r.handled[a.key] = true
		n, ok := r.notice(workflow.Now(ctx), a)
		if !ok {
			return
		}
		r.notifying++
		r.call(ctx, ActivityNotify, n)
		r.notifying--
		r.dirty = true
	})
}

// notice is the alarm's notice, if its duty still calls for it at now: an
// overdue duty for an overdue notice, one still pending for a reminder.
func (r *run) notice(now time.Time, a *alarm) (Notice, bool) {
	duties, err := r.pol.Due(r.head, now)
	if err != nil {
		return Notice{}, false
	}
	want := engine.StatusOverdue
	if a.kind == Reminder {
		want = engine.StatusPending
	}
	for _, d := range duties {
		if d.Obligation.ID != a.ob || !d.Anchor.Equal(a.anchor) || !d.Due.Equal(a.due) || d.Status != want {
			continue
		}
		n := Notice{
			Kind: a.kind, Case: r.head.ID, Policy: r.head.Policy, Stage: r.head.Stage, Outcome: r.head.Outcome,
			Obligation: d.Obligation.ID, Title: d.Obligation.Title, Due: d.Due, DueDate: d.DueDate, At: now,
		}
		if d.Obligation.Owner != nil {
			n.Owner = d.Obligation.Owner.ID
		}
		if d.Breach != nil {
			n.Breach = d.Breach.Message
			for _, role := range d.Breach.Notify {
				n.Notify = append(n.Notify, role.ID)
			}
		}
		return n, true
	}
	return Notice{}, false
}
