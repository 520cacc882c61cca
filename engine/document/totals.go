package document

import (
	"strconv"

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

// offset is how many working days after the case is raised a stage is
// entered on the worst-case walk.
type offset struct {
	days    int
	known   bool     // false after a timescale in hours
	skipped []string // earlier stages that state no timescale, left out
}

// runningTotals walks the ladder as the timeline package does (see the
// package documentation), counting working days instead of dates.
func runningTotals(p *engine.Policy) []totalRow {
	var rows []totalRow
	at := offset{known: true}
	entered := make(map[string]offset, len(p.Stages))
	for _, s := range p.Stages {
		entered[s.ID] = at
		next, timed := offset{days: at.days, known: at.known}, false
		for _, ob := range s.Obligations {
			row := totalRow{stage: s, ob: ob}
			if !ob.HasDeadline {
				row.total = withinPlain(ob)
				rows = append(rows, row)
				continue
			}
			timed = true
			total, ok := obligationTotal(p, s, ob, at, entered)
			switch {
			case ob.From.Kind == engine.AnchorFact:
				row.total = "not given: counts from a date the case gives"
			case ob.Within.Unit == calendar.Hours:
				row.total = ob.Within.String() + ": not counted in working days"
			case !ok && ob.From.Kind == engine.AnchorMilestone && (timeline.SetBy(p, ob.From.Milestone).During || ob.From.Milestone.PerVisit && timeline.SetIn(p, ob.From.Milestone, s).During):
				row.total = "not given: " + ob.Within.String() + " after `" + ob.From.Milestone.ID + "`, which an event during a stage sets"
			case !ok:
				row.total = "not given: an earlier timescale is in hours"
			case ob.From.Kind == engine.AnchorRaised:
				row.total = "from raised: " + strconv.Itoa(total.days)
			default:
				row.total = strconv.Itoa(total.days) + leftOut(total.skipped)
			}
			if ok && len(ob.Sooner) > 0 {
				row.total += ", or sooner"
			}
			rows = append(rows, row)
			switch {
			case !ok:
				next.known = false
			case total.days >= next.days:
				next.days, next.skipped = total.days, total.skipped
			}
		}
		if !timed {
			if len(s.Obligations) == 0 {
				rows = append(rows, totalRow{stage: s, total: timeline.NoTimescale})
			}
			next.skipped = append(append([]string(nil), at.skipped...), s.ID)
		}
		at = next
	}
	return rows
}

// obligationTotal is the running total at which an obligation with a
// working-day timescale is due; false when it cannot be given in working
// days.
func obligationTotal(p *engine.Policy, s *engine.Stage, ob *engine.Obligation, at offset, entered map[string]offset) (offset, bool) {
	if ob.Within.Unit == calendar.Hours || ob.From.Kind == engine.AnchorFact {
		return offset{}, false
	}
	base := at
	switch ob.From.Kind {
	case engine.AnchorRaised:
		base = offset{known: true}
	case engine.AnchorMilestone:
		set := timeline.SetBy(p, ob.From.Milestone)
		if ob.From.Milestone.PerVisit {
			set = timeline.SetIn(p, ob.From.Milestone, s)
		}
		if set.During {
			// Set by an event during a stage: the table cannot say on which
			// day, so it gives no running total rather than a wrong one.
			return offset{}, false
		}
		if set.Stage != nil && set.Stage.Index <= s.Index {
			base = entered[set.Stage.ID]
		}
	}
	if !base.known {
		return offset{}, false
	}
	return offset{days: base.days + ob.Within.N, known: true, skipped: base.skipped}, true
}

func leftOut(stages []string) string {
	if len(stages) == 0 {
		return ""
	}
	return " (leaves out " + codes(stages) + ": " + timeline.NoTimescale + ")"
}
