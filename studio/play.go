package studio

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
)

// maxSteps bounds a played case: far more than any story, and replaying
// them all on every request stays cheap.
const maxSteps = 500

// PlayRequest is a case as the author plays it: raised, then the events
// fired so far. The server keeps no case: the page sends the whole story
// each time and the engine replays it, so reloading the policy replays the
// same story under the new rules.
type PlayRequest struct {
	File  string `json:"file"`
	Raise Act    `json:"raise"`
	Steps []Act  `json:"steps"`
	// View says whose view of the case to show: which events Role (acting
	// as By) may fire at At (default: the last act's time).
	View View `json:"view"`
}

// Act is the case being raised or an event fired on it. At is
// YYYY-MM-DD[THH:MM] in Europe/London, or RFC 3339.
type Act struct {
	Event  string                    `json:"event,omitempty"` // "" when raising
	At     string                    `json:"at"`
	By     string                    `json:"by"`
	Role   string                    `json:"role"`
	Agency string                    `json:"agency,omitempty"`
	Facts  map[string]any            `json:"facts,omitempty"`
	Forms  map[string]map[string]any `json:"forms,omitempty"`
	Note   string                    `json:"note,omitempty"`
}

// View is whose view of the case the page shows.
type View struct {
	Role string `json:"role"`
	By   string `json:"by"`
	At   string `json:"at"`
}

// PlayView is the case after the acts the engine accepted.
type PlayView struct {
	Accepted  int            `json:"accepted"` // how many steps were taken
	Refused   *RefusalView   `json:"refused,omitempty"`
	Stage     string         `json:"stage,omitempty"`
	Outcome   string         `json:"outcome,omitempty"`
	Title     string         `json:"title"` // of the stage or outcome
	At        string         `json:"at"`    // the view's time, in words
	Due       []DueView      `json:"due"`
	Available []ActionView   `json:"available"`
	Record    []EntryView    `json:"record"`
	Facts     map[string]any `json:"facts"`
}

// RefusalView is why the engine refused a step.
type RefusalView struct {
	Step    int      `json:"step"` // its index in Steps
	Event   string   `json:"event"`
	Message string   `json:"message"`
	Reasons []string `json:"reasons"` // scenario reason names: role_not_permitted, ...
}

// DueView is one duty of the current stage at the view's time.
type DueView struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Owner     string     `json:"owner,omitempty"`
	Status    string     `json:"status"`
	Within    string     `json:"within,omitempty"`
	Expedited bool       `json:"expedited,omitempty"`
	Due       string     `json:"due,omitempty"`
	DueDate   string     `json:"due_date,omitempty"`
	Met       string     `json:"met,omitempty"`
	Late      bool       `json:"late,omitempty"`
	Steps     []StepView `json:"steps,omitempty"`
}

// ActionView is an event of the current stage and whether the view's role
// may fire it now, and if not, why not.
type ActionView struct {
	Event   string   `json:"event"`
	Allowed bool     `json:"allowed"`
	To      string   `json:"to,omitempty"`
	Why     []string `json:"why,omitempty"`
	Forms   []string `json:"forms,omitempty"` // forms the event's transitions need complete
}

// EntryView is one entry of the case's record.
type EntryView struct {
	Seq   int    `json:"seq"`
	At    string `json:"at"`
	Actor string `json:"actor"`
	Role  string `json:"role"`
	Event string `json:"event"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Guard string `json:"guard,omitempty"`
	Note  string `json:"note,omitempty"`
}

// played is a story replayed: the case's head after each accepted act, and
// its record.
type played struct {
	p       *engine.Policy
	cases   []engine.Head // after the raise, then after each accepted step
	record  []*engine.Entry
	times   []time.Time
	refused *RefusalView
}

// replay raises the case and fires the steps in order, stopping at the
// first the engine refuses. An error is a request the engine cannot start
// (an unreadable time, a refused raise).
func replay(ctx context.Context, p *engine.Policy, req *PlayRequest) (*played, error) {
	if len(req.Steps) > maxSteps {
		return nil, errors.New("too many steps: a played case may have at most 500")
	}
	at, err := parseAt("raise.at", req.Raise.At)
	if err != nil {
		return nil, err
	}
	c, en, err := p.Raise(ctx, engine.Raise{
		CaseID: scenario.CaseID, Actor: req.Raise.By, Role: req.Raise.Role, Agency: req.Raise.Agency,
		At: at, Facts: req.Raise.Facts, Forms: req.Raise.Forms, Note: req.Raise.Note,
	})
	if err != nil {
		return nil, errors.New("the case cannot be raised: " + err.Error())
	}
	pl := &played{p: p, cases: []engine.Head{c}, record: []*engine.Entry{en}, times: []time.Time{at}}
	for i, st := range req.Steps {
		at, err := parseAt("steps["+strconv.Itoa(i)+"].at", st.At)
		if err != nil {
			return nil, err
		}
		next, en, err := p.Fire(ctx, c, engine.Event{
			Name: st.Event, Actor: st.By, Role: st.Role, Agency: st.Agency,
			At: at, Facts: st.Facts, Forms: st.Forms, Note: st.Note,
		})
		if err != nil {
			pl.refused = &RefusalView{Step: i, Event: st.Event, Message: err.Error(), Reasons: reasons(err)}
			break
		}
		c = next
		pl.cases = append(pl.cases, c)
		pl.record = append(pl.record, en)
		pl.times = append(pl.times, at)
	}
	return pl, nil
}

func parseAt(field, s string) (time.Time, error) {
	t, err := scenario.ParseTime(s)
	if err != nil {
		return time.Time{}, errors.New(field + ": " + err.Error())
	}
	return t, nil
}

// reasons names the scenario refusal reasons an error matches.
func reasons(err error) []string {
	var names []string
	for _, r := range scenario.Reasons {
		if errors.Is(err, r.Err) {
			names = append(names, r.Name)
		}
	}
	return names
}

func (s *Server) play(w http.ResponseWriter, r *http.Request) {
	var req PlayRequest
	if !readJSON(w, r, &req) {
		return
	}
	p, ok := s.policy(w, req.File)
	if !ok {
		return
	}
	pl, err := replay(r.Context(), p, &req)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	view, err := pl.view(r.Context(), req.View)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// view shows the last case from a role's point of view.
func (pl *played) view(ctx context.Context, v View) (PlayView, error) {
	c := pl.cases[len(pl.cases)-1]
	at := pl.times[len(pl.times)-1]
	if v.At != "" {
		t, err := parseAt("view.at", v.At)
		if err != nil {
			return PlayView{}, err
		}
		at = t
	}
	out := PlayView{
		Accepted: len(pl.cases) - 1, Refused: pl.refused, Stage: c.Stage, Outcome: c.Outcome, At: longInstantOf(at),
		Due: []DueView{}, Available: []ActionView{}, Record: []EntryView{}, Facts: c.Facts,
	}
	if c.Closed() {
		if o, ok := pl.p.Outcome(c.Outcome); ok {
			out.Title = o.Title
		}
	} else if st, ok := pl.p.Stage(c.Stage); ok {
		out.Title = st.Title
	}
	duties, err := pl.p.Due(c, at)
	if err != nil {
		return out, err
	}
	for _, d := range duties {
		out.Due = append(out.Due, dueView(d))
	}
	if v.Role != "" {
		by := v.By
		if by == "" {
			by = v.Role
		}
		actions, err := pl.p.Available(ctx, c, by, v.Role, at)
		if err != nil {
			return out, err
		}
		for _, a := range actions {
			out.Available = append(out.Available, actionView(pl.p, c, a))
		}
	}
	for _, en := range pl.record {
		out.Record = append(out.Record, EntryView{
			Seq: en.Seq, At: longInstantOf(en.At), Actor: en.Actor, Role: en.Role, Event: en.Event,
			From: en.From, To: en.To, Guard: en.Guard, Note: en.Note,
		})
	}
	return out, nil
}

func dueView(d engine.Duty) DueView {
	v := DueView{ID: d.Obligation.ID, Title: d.Obligation.Title, Status: string(d.Status), Expedited: d.Expedited, Late: d.Late}
	if d.Obligation.Owner != nil {
		v.Owner = d.Obligation.Owner.ID
	}
	if !d.Within.IsZero() {
		v.Within = d.Within.String()
	}
	if !d.Met.IsZero() {
		v.Met = longInstantOf(d.Met)
	}
	if !d.Due.IsZero() {
		v.DueDate = d.DueDate.String()
		if dl, err := d.Explain(); err == nil {
			v.Due, v.Steps = dueWords(dl), steps(dl)
		}
	}
	return v
}

// actionView says where an event would take the case, or why it may not be
// fired: one reason for each transition of that name.
func actionView(p *engine.Policy, c engine.Head, a engine.Action) ActionView {
	v := ActionView{Event: a.Event, Allowed: a.Allowed}
	if t := a.Transition; t != nil {
		switch {
		case t.ToStage != nil:
			v.To = t.ToStage.ID
		case t.ToOutcome != nil:
			v.To = t.ToOutcome.ID
		}
	}
	var refused *engine.RefusedError
	switch {
	case errors.As(a.Refused, &refused) && len(refused.Reasons) > 0:
		for _, r := range refused.Reasons {
			v.Why = append(v.Why, r.String())
		}
	case a.Refused != nil:
		v.Why = append(v.Why, a.Refused.Error())
	}
	if st, ok := p.Stage(c.Stage); ok {
		seen := map[string]bool{}
		for _, t := range append(append([]*engine.Transition(nil), st.Transitions...), p.AnyStage...) {
			if t.Event != a.Event || !t.AppliesIn(st) {
				continue
			}
			for _, f := range t.Forms {
				if !seen[f.ID] {
					seen[f.ID] = true
					v.Forms = append(v.Forms, f.ID)
				}
			}
		}
	}
	return v
}
