package studio

import (
	"strconv"
	"strings"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/diagram"
)

// PolicyView is one policy file as the page shows it. Only File and Loaded
// are set for a file that does not load (its problems say why).
type PolicyView struct {
	File         string        `json:"file"`
	Loaded       bool          `json:"loaded"`
	ID           string        `json:"id,omitempty"`
	Title        string        `json:"title,omitempty"`
	Partnership  string        `json:"partnership,omitempty"`
	Version      string        `json:"version,omitempty"`
	Jurisdiction string        `json:"jurisdiction,omitempty"`
	Mermaid      string        `json:"mermaid,omitempty"` // diagram's Mermaid flowchart
	Nodes        []NodeView    `json:"nodes,omitempty"`   // what each stage or outcome node of the chart holds
	Roles        []Named       `json:"roles,omitempty"`
	Facts        []FactView    `json:"facts,omitempty"`
	Stages       []Named       `json:"stages,omitempty"`
	Forms        []FormView    `json:"forms,omitempty"`
	Notes        []string      `json:"notes,omitempty"`
	Sources      []SourceView  `json:"sources,omitempty"`
	Documents    []string      `json:"documents,omitempty"`
	Outcomes     []OutcomeKind `json:"outcomes,omitempty"`
}

// Named is an element's id and title.
type Named struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// FactView is a declared fact, for the timeline's and the player's inputs.
type FactView struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Values      []string `json:"values,omitempty"`
	Default     any      `json:"default,omitempty"`
	Description string   `json:"description"`
	Personal    bool     `json:"personal,omitempty"`
}

// FormView is a form and its fields, for the player's inputs.
type FormView struct {
	ID     string      `json:"id"`
	Title  string      `json:"title"`
	Fields []FieldView `json:"fields"`
}

// FieldView is one form field; Stages lists the stages whose section it is
// in (none: it is the form's own).
type FieldView struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Values   []string `json:"values,omitempty"`
	Required bool     `json:"required,omitempty"`
	Stages   []string `json:"stages,omitempty"`
}

// OutcomeKind is an outcome's id, title and kind.
type OutcomeKind struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
}

// NodeView is what clicking a node of the chart shows: a stage's roles,
// duties with their timescales, records, forms and ways out, or an
// outcome's records, each with the procedure's words it cites.
type NodeView struct {
	Node        string           `json:"node"` // the chart's node id
	Kind        string           `json:"kind"` // "stage" or "outcome"
	ID          string           `json:"id"`
	Title       string           `json:"title"`
	Description string           `json:"description,omitempty"`
	Roles       []Named          `json:"roles,omitempty"`
	Duties      []DutyView       `json:"duties,omitempty"`
	Records     []RecordView     `json:"records,omitempty"`
	Forms       []Named          `json:"forms,omitempty"`
	Transitions []TransitionView `json:"transitions,omitempty"`
	Sources     []SourceView     `json:"sources,omitempty"`
	Line        int              `json:"line"`
}

// DutyView is an obligation and its timescale in words.
type DutyView struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Owner    string `json:"owner,omitempty"`
	Within   string `json:"within"`
	From     string `json:"from"`
	Expedite string `json:"expedite,omitempty"`
}

// RecordView is something the procedure requires to be written down.
type RecordView struct {
	Text string `json:"text"`
	Form string `json:"form,omitempty"`
}

// TransitionView is a way out of a stage.
type TransitionView struct {
	Event string   `json:"event"`
	To    string   `json:"to,omitempty"` // "" for an event that stays
	Roles []string `json:"roles"`
	When  string   `json:"when,omitempty"`
	Note  string   `json:"note,omitempty"`
	Any   bool     `json:"any,omitempty"` // an any_stage transition
}

// SourceView is one citation: what it supports, the document and its words,
// or an assumption.
type SourceView struct {
	What       string `json:"what"`
	File       string `json:"file,omitempty"`
	Quote      string `json:"quote,omitempty"`
	Assumption string `json:"assumption,omitempty"`
	Line       int    `json:"line,omitempty"`
}

func policyView(file string, p *engine.Policy) PolicyView {
	v := PolicyView{File: file}
	if p == nil {
		return v
	}
	var chart strings.Builder
	if err := diagram.Write(&chart, p, diagram.Mermaid); err == nil {
		v.Mermaid = chart.String()
	}
	v.Loaded, v.ID, v.Title, v.Partnership, v.Version = true, p.ID, p.Title, p.Partnership, p.Version
	v.Jurisdiction = string(p.Jurisdiction)
	for _, r := range p.Roles {
		v.Roles = append(v.Roles, Named{r.ID, r.Title})
	}
	for _, f := range p.Facts {
		v.Facts = append(v.Facts, FactView{ID: f.ID, Type: string(f.Type), Values: f.Values, Default: f.Default, Description: f.Description, Personal: f.Personal})
	}
	for _, d := range p.Documents {
		v.Documents = append(v.Documents, d.File)
	}
	for _, n := range p.Notes {
		v.Notes = append(v.Notes, n.Text)
	}
	for _, f := range p.Forms {
		v.Forms = append(v.Forms, formView(f))
	}
	for _, s := range p.Stages {
		v.Stages = append(v.Stages, Named{s.ID, s.Title})
		v.Nodes = append(v.Nodes, stageNode(p, s))
	}
	for _, o := range p.Outcomes {
		v.Outcomes = append(v.Outcomes, OutcomeKind{o.ID, o.Title, string(o.Kind)})
		v.Nodes = append(v.Nodes, outcomeNode(o))
	}
	v.Sources = sources(nil, "Policy", &p.Meta)
	return v
}

func formView(f *engine.Form) FormView {
	fv := FormView{ID: f.ID, Title: f.Title}
	field := func(fd *engine.Field, stages []string) FieldView {
		return FieldView{ID: fd.ID, Title: fd.Title, Type: string(fd.Type), Values: fd.Values, Required: fd.Required, Stages: stages}
	}
	for _, fd := range f.Fields {
		fv.Fields = append(fv.Fields, field(fd, nil))
	}
	for _, sec := range f.Sections {
		stages := ids(sec.Stages, func(s *engine.Stage) string { return s.ID })
		for _, fd := range sec.Fields {
			fv.Fields = append(fv.Fields, field(fd, stages))
		}
	}
	return fv
}

func stageNode(p *engine.Policy, s *engine.Stage) NodeView {
	n := NodeView{Node: diagram.StageNodeID(s), Kind: "stage", ID: s.ID, Title: s.Title, Description: s.Description, Line: s.Pos.Line}
	n.Sources = sources(n.Sources, "Stage "+s.ID, &s.Meta)
	for _, r := range s.Involves {
		n.Roles = append(n.Roles, Named{r.ID, r.Title})
		n.Sources = sources(n.Sources, "Role "+r.ID, &r.Meta)
	}
	for _, ob := range s.Obligations {
		d := DutyView{ID: ob.ID, Title: ob.Title, Within: timescaleWords(ob), From: fromWords(ob.From)}
		if ob.Owner != nil {
			d.Owner = ob.Owner.ID
		}
		if e := ob.Expedite; e != nil {
			d.Expedite = e.Within.String() + " when " + e.When.Text
		}
		n.Duties = append(n.Duties, d)
		n.Sources = sources(n.Sources, "Duty "+ob.ID, &ob.Meta)
	}
	n.Records = records(s.Records)
	for i, r := range s.Records {
		n.Sources = sources(n.Sources, "Record "+strconv.Itoa(i+1), &r.Meta)
	}
	for _, f := range s.Forms {
		n.Forms = append(n.Forms, Named{f.ID, f.Title})
	}
	add := func(t *engine.Transition, any bool) {
		tv := TransitionView{Event: t.Event, Roles: ids(t.Roles, func(r *engine.Role) string { return r.ID }), Note: t.Note, Any: any}
		switch {
		case t.ToStage != nil:
			tv.To = t.ToStage.ID
		case t.ToOutcome != nil:
			tv.To = t.ToOutcome.ID
		}
		if t.When != nil {
			tv.When = t.When.Text
		}
		n.Transitions = append(n.Transitions, tv)
		n.Sources = sources(n.Sources, "Event "+t.Event, &t.Meta)
	}
	for _, t := range s.Transitions {
		add(t, false)
	}
	for _, t := range p.AnyStage {
		if t.AppliesIn(s) {
			add(t, true)
		}
	}
	return n
}

func outcomeNode(o *engine.Outcome) NodeView {
	n := NodeView{Node: diagram.OutcomeNodeID(o), Kind: "outcome", ID: o.ID, Title: o.Title, Description: string(o.Kind), Line: o.Pos.Line}
	if o.Route != "" {
		n.Description += ": " + string(o.Route)
	}
	n.Records = records(o.Records)
	n.Sources = sources(n.Sources, "Outcome "+o.ID, &o.Meta)
	for i, r := range o.Records {
		n.Sources = sources(n.Sources, "Record "+strconv.Itoa(i+1), &r.Meta)
	}
	return n
}

func records(rs []*engine.Record) []RecordView {
	var out []RecordView
	for _, r := range rs {
		rv := RecordView{Text: r.Text}
		if r.Form != nil {
			rv.Form = r.Form.ID
		}
		out = append(out, rv)
	}
	return out
}

// sources appends an element's citations and assumption.
func sources(out []SourceView, what string, m *engine.Meta) []SourceView {
	for _, s := range m.Sources {
		out = append(out, SourceView{What: what, File: s.File, Quote: s.Quote, Line: s.Pos.Line})
	}
	if m.Assumption != "" {
		out = append(out, SourceView{What: what, Assumption: m.Assumption, Line: m.Pos.Line})
	}
	return out
}

// fromWords says what a deadline counts from.
func fromWords(a engine.Anchor) string {
	switch a.Kind {
	case engine.AnchorRaised:
		return "from the case being raised"
	case engine.AnchorMilestone:
		return "from milestone " + a.Milestone.ID
	}
	return "from entering the stage"
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}
