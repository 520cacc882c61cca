package document

import (
	"strconv"
	"strings"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

// totalRow is one row of the timescales table: an obligation (nil for a
// stage without any) and its running total, in words.
type totalRow struct {
	stage *engine.Stage
	ob    *engine.Obligation
	total string
}

// offset is how many working days after the case is raised something
// happens on the worst-case walk.
type offset struct {
	days    int
	known   bool     // false after a timescale in hours
	skipped []string // the titles of earlier stages that state no timescale, left out
}

func (o offset) plus(n int) offset {
	return offset{days: o.days + n, known: o.known, skipped: o.skipped}
}

// later is the later of two offsets; an unknown one makes it unknown.
func later(a, b offset) offset {
	switch {
	case !a.known || !b.known:
		return offset{}
	case b.days > a.days:
		return b
	}
	return a
}

// runningTotals walks timeline.Ladder as timeline.WorstCase does (see the
// package documentation), counting working days instead of dates.
func runningTotals(p *engine.Policy) []totalRow {
	rungs, _ := timeline.Ladder(p)
	var rows []totalRow
	at := offset{known: true}
	set := map[*engine.Milestone]offset{}
	for _, r := range rungs {
		for m := range set {
			if m.PerVisit {
				delete(set, m) // entering a stage clears them
			}
		}
		if r.Via != nil {
			mark(set, r.Via.Sets, at)
		}
		totals := map[*engine.Obligation]offset{}
		fix := func() {
			for _, ob := range r.Owed {
				if _, done := totals[ob]; done || !ob.HasDeadline {
					continue
				}
				if t, ok := obligationTotal(ob, at, set); ok {
					totals[ob] = t
				}
			}
		}
		fix()
		next := at
		for _, a := range r.Acts {
			when := at
			if a.Meets != nil {
				if t, ok := totals[a.Meets]; ok {
					when = t
				}
			} else {
				for _, t := range totals {
					when = later(when, t)
				}
			}
			mark(set, a.Transition.Sets, when)
			fix()
		}
		timed := false
		for _, ob := range r.Stage.Obligations {
			row := totalRow{stage: r.Stage, ob: ob}
			t, owed := totals[ob]
			switch {
			case !ob.HasDeadline:
				row.total = withinPlain(ob)
			case ob.From.Kind == engine.AnchorFact:
				row.total = "not given: counts from " + factDate(ob.From.Fact)
			case !owed:
				row.total = "owed only once “" + text(ob.From.Milestone.Title) + "”, which a case that stays unresolved does not reach"
			default:
				timed = true
				next = later(next, t)
				row.total = totalWords(ob, t)
			}
			rows = append(rows, row)
		}
		if len(r.Stage.Obligations) == 0 {
			rows = append(rows, totalRow{stage: r.Stage, total: timeline.NoTimescale})
		}
		if !timed {
			next.skipped = append(append([]string(nil), at.skipped...), r.Stage.Title)
		}
		at = next
	}
	return rows
}

func mark(set map[*engine.Milestone]offset, ms []*engine.Milestone, at offset) {
	for _, m := range ms {
		if _, ok := set[m]; !ok {
			set[m] = at
		}
	}
}

// obligationTotal is the running total at which an owed obligation is due
// (unknown after hours), or false while its milestone is not yet set.
func obligationTotal(ob *engine.Obligation, at offset, set map[*engine.Milestone]offset) (offset, bool) {
	base := at
	switch ob.From.Kind {
	case engine.AnchorRaised:
		base = offset{known: true}
	case engine.AnchorFact:
		return offset{}, false // a date the case gives: no running total
	case engine.AnchorMilestone:
		m, ok := set[ob.From.Milestone]
		if !ok {
			return offset{}, false
		}
		base = m
	}
	if ob.Within.Unit == calendar.Hours {
		return offset{}, true
	}
	return base.plus(ob.Within.N), true
}

func totalWords(ob *engine.Obligation, t offset) string {
	if t.known && len(ob.Sooner) > 0 {
		ob := *ob
		ob.Sooner = nil
		return totalWords(&ob, t) + ", or sooner"
	}
	switch {
	case ob.Within.Unit == calendar.Hours:
		return ob.Within.String() + ": not counted in working days"
	case !t.known:
		return "not given: an earlier timescale is in hours"
	case ob.From.Kind == engine.AnchorRaised:
		return "from raised: " + strconv.Itoa(t.days)
	}
	return strconv.Itoa(t.days) + leftOut(t.skipped)
}

func leftOut(stages []string) string {
	if len(stages) == 0 {
		return ""
	}
	quoted := make([]string, len(stages))
	for i, s := range stages {
		quoted[i] = "“" + text(s) + "”"
	}
	return " (leaves out " + strings.Join(quoted, ", ") + ": " + timeline.NoTimescale + ")"
}
