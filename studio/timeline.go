package studio

import (
	"net/http"
	"time"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
	"github.com/safeguarding-partnerships/escalation/engine/timeline"
)

// Times are shown in Europe/London, as the command line shows them.
const (
	longDate    = "Mon 2 Jan 2006"
	longInstant = "Mon 2 Jan 2006 15:04 MST"
)

func longDateOf(d calendar.Date) string { return d.Start().Format(longDate) }

func longInstantOf(t time.Time) string { return t.In(calendar.London()).Format(longInstant) }

// TimelineRequest asks for the worst-case schedule of a case raised at
// Raised (YYYY-MM-DD[THH:MM] in Europe/London, or RFC 3339) with Facts.
type TimelineRequest struct {
	File   string         `json:"file"`
	Raised string         `json:"raised"`
	Facts  map[string]any `json:"facts"`
}

// TimelineView is the schedule as the page shows it.
type TimelineView struct {
	Raised   string          `json:"raised"`
	Holidays []HolidayView   `json:"holidays"` // the days off between the raise and the last due date
	Stages   []TimelineStage `json:"stages"`
	Last     string          `json:"last,omitempty"` // when the last duty is due, in words
	// Branches are stages the climb never reaches (only an any_stage route
	// leads there), with the routes that do: they have no dates.
	Branches []BranchView `json:"branches,omitempty"`
	// Outcomes are the outcomes that owe duties after the case ends there,
	// as if it ended there when the ladder does.
	Outcomes []TimelineOutcome `json:"outcomes,omitempty"`
}

// TimelineOutcome is an outcome's duties, from the case reaching it.
type TimelineOutcome struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Reached string `json:"reached"`
	Duties
}

// BranchView is a stage off the ladder and the events that lead to it.
type BranchView struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Routes []string `json:"routes"`
}

// OnlyIfView is a duty owed only once a milestone a case that stays
// unresolved never reaches.
type OnlyIfView struct {
	Obligation string `json:"obligation"`
	Title      string `json:"title"`
	Within     string `json:"within"`
	Milestone  string `json:"milestone"` // its title
}

// HolidayView is one day off: a bank holiday, or a day the policy declares
// (Kind "declared", with the Source it cites).
type HolidayView struct {
	Date   string `json:"date"`
	Long   string `json:"long"`
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"` // "" for a bank holiday
	Source string `json:"source,omitempty"`
}

// TimelineStage is one stage of the schedule.
type TimelineStage struct {
	ID      string       `json:"id"`
	Title   string       `json:"title"`
	Entered string       `json:"entered"`
	OnlyIf  []OnlyIfView `json:"only_if,omitempty"`
	Duties
}

// Duties are what a stage or an outcome owes: the dated deadlines, then
// the duties without one.
type Duties struct {
	Deadlines []DeadlineView `json:"deadlines"`
	Untimed   []string       `json:"untimed,omitempty"`
	// Urgent are the duties due as soon as possible, with no backstop.
	Urgent []string `json:"urgent,omitempty"`
	// ByCase count from a date the case has not given.
	ByCase []string `json:"by_case,omitempty"`
	// NotOwed are the duties whose condition the facts do not meet.
	NotOwed []string `json:"not_owed,omitempty"`
}

// DeadlineView is one due date, explained day by day.
type DeadlineView struct {
	Obligation string     `json:"obligation"`
	Title      string     `json:"title"`
	Within     string     `json:"within"`
	From       string     `json:"from"`
	Expedited  bool       `json:"expedited,omitempty"`
	Urgent     bool       `json:"urgent,omitempty"` // as soon as possible; this is its backstop
	Due        string     `json:"due"`              // in words: "by the end of Thu 24 Dec 2026"
	DueDate    string     `json:"due_date"`         // YYYY-MM-DD
	Steps      []StepView `json:"steps"`
}

// StepView is one date of a working-day count: counted as day N, or not
// counted and why (a weekend, a bank holiday by name, the trigger date).
type StepView struct {
	Date    string `json:"date"`
	Counted bool   `json:"counted"`
	Day     int    `json:"day,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	var req TimelineRequest
	if !readJSON(w, r, &req) {
		return
	}
	p, ok := s.policy(w, req.File)
	if !ok {
		return
	}
	raised, err := scenario.ParseTime(req.Raised)
	if err != nil {
		writeError(w, http.StatusBadRequest, "raised: %v", err)
		return
	}
	sched, err := timeline.WorstCase(p, raised, timeline.WithFacts(req.Facts))
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	view, err := timelineView(sched)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// policy finds a policy of the current snapshot that loads, by file name.
func (s *Server) policy(w http.ResponseWriter, file string) (*engine.Policy, bool) {
	p, ok := s.snap.Load().hosted[file]
	if !ok {
		writeError(w, http.StatusNotFound, "%q is not a policy file in the studio's folder that loads: see Problems", file)
	}
	return p, ok
}

func timelineView(sched *timeline.Schedule) (TimelineView, error) {
	v := TimelineView{Raised: longInstantOf(sched.Raised), Holidays: []HolidayView{}, Stages: []TimelineStage{}}
	var last *timeline.Deadline
	for _, st := range sched.Stages {
		ts := TimelineStage{ID: st.Stage.ID, Title: st.Stage.Title, Entered: longInstantOf(st.Entered),
			Duties: duties(st.Deadlines, st.Untimed, st.ByCase, st.NotOwed)}
		if l := st.Latest(); l != nil && (last == nil || l.Due.After(last.Due)) {
			last = l
		}
		for _, ob := range st.OnlyIf {
			ov := OnlyIfView{Obligation: ob.ID, Title: ob.Title, Within: timescaleWords(ob), Milestone: ob.From.Milestone.Title}
			ts.OnlyIf = append(ts.OnlyIf, ov)
		}
		v.Stages = append(v.Stages, ts)
	}
	for _, b := range sched.Branches {
		bv := BranchView{ID: b.Stage.ID, Title: b.Stage.Title}
		for _, t := range b.Via {
			bv.Routes = append(bv.Routes, t.Event)
		}
		v.Branches = append(v.Branches, bv)
	}
	lastOwed := last
	for _, o := range sched.Outcomes {
		v.Outcomes = append(v.Outcomes, TimelineOutcome{ID: o.Outcome.ID, Title: o.Outcome.Title, Reached: longInstantOf(o.Reached),
			Duties: duties(o.Deadlines, o.Untimed, o.ByCase, o.NotOwed)})
		for i := range o.Deadlines {
			if d := &o.Deadlines[i]; lastOwed == nil || d.Due.After(lastOwed.Due) {
				lastOwed = d
			}
		}
	}
	if last != nil {
		v.Last = last.Obligation.ID + " at " + last.Obligation.Stage.ID + ", due " + dueWords(last.Deadline)
	}
	if lastOwed == nil {
		return v, nil
	}
	hs, err := sched.Policy.Calendar().Holidays(calendar.DateOf(sched.Raised), lastOwed.DueDate)
	if err != nil {
		return v, err
	}
	for _, h := range hs {
		name := h.Name
		if h.Substitute {
			name += " (substitute day)"
		}
		hv := HolidayView{Date: h.Date.String(), Long: longDateOf(h.Date), Name: name}
		if h.Kind != calendar.BankHoliday {
			hv.Kind, hv.Source = h.Kind.String(), h.Source
		}
		v.Holidays = append(v.Holidays, hv)
	}
	return v, nil
}

// timescaleWords is an obligation's timescale in words, or that it has none.
func timescaleWords(ob *engine.Obligation) string {
	switch {
	case ob.Urgent && ob.HasDeadline:
		return "as soon as possible, at the latest " + ob.Within.String()
	case ob.Urgent:
		return "as soon as possible"
	case !ob.HasDeadline:
		return timeline.NoTimescale
	}
	return ob.Within.String()
}

func duties(deadlines []timeline.Deadline, untimed, byCase, notOwed []*engine.Obligation) Duties {
	ds := Duties{Deadlines: []DeadlineView{}}
	for i := range deadlines {
		ds.Deadlines = append(ds.Deadlines, deadlineView(&deadlines[i]))
	}
	for _, ob := range untimed {
		if ob.Urgent {
			ds.Urgent = append(ds.Urgent, ob.ID)
		} else {
			ds.Untimed = append(ds.Untimed, ob.ID)
		}
	}
	for _, ob := range byCase {
		ds.ByCase = append(ds.ByCase, ob.ID)
	}
	for _, ob := range notOwed {
		ds.NotOwed = append(ds.NotOwed, ob.ID)
	}
	return ds
}

func deadlineView(d *timeline.Deadline) DeadlineView {
	return DeadlineView{
		Obligation: d.Obligation.ID, Title: d.Obligation.Title, Within: d.Within.String(), From: d.From.String(),
		Expedited: d.Expedited, Urgent: d.Obligation.Urgent, Due: dueWords(d.Deadline), DueDate: d.DueDate.String(), Steps: steps(d.Deadline),
	}
}

// dueWords says when a deadline falls: by the end of a day for working
// days, at an instant for hours.
func dueWords(d calendar.Deadline) string {
	if d.Within.Unit == calendar.Hours {
		return "by " + longInstantOf(d.Due)
	}
	return "by the end of " + longDateOf(d.DueDate)
}

func steps(d calendar.Deadline) []StepView {
	out := make([]StepView, len(d.Steps))
	for i, st := range d.Steps {
		out[i] = StepView{Date: longDateOf(st.Date), Counted: st.Counted, Day: st.Day, Reason: st.Reason}
	}
	return out
}
