package diagram

import (
	"fmt"
	"io"
	"strings"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Format is a diagram format.
type Format string

// The formats Write draws.
const (
	Mermaid Format = "mermaid"
	DOT     Format = "dot"
)

// Formats lists the formats, for help text.
func Formats() []Format { return []Format{Mermaid, DOT} }

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("diagram: unknown format %q: use mermaid or dot", s)
}

// Write draws policy p in format f.
func Write(w io.Writer, p *engine.Policy, f Format) error {
	var draw func(graph) string
	switch f {
	case Mermaid:
		draw = graph.mermaid
	case DOT:
		draw = graph.dot
	default:
		_, err := ParseFormat(string(f))
		return err
	}
	_, err := io.WriteString(w, draw(build(p)))
	return err
}

type nodeKind uint8

const (
	startNode nodeKind = iota
	stageNode
	outcomeNode
	anyStageNode
)

type node struct {
	id    string
	kind  nodeKind
	lines []string
}

type edge struct {
	from, to string
	lines    []string
	dashed   bool
}

type graph struct {
	title string
	nodes []node
	edges []edge
}

// Node ids carry a prefix so that no stage or outcome id can collide with
// the chart's own nodes or with a Mermaid keyword such as "end".
const (
	startID    = "raised"
	anyStageID = "any_stage"
)

func stageID(s *engine.Stage) string     { return "stage_" + s.ID }
func outcomeID(o *engine.Outcome) string { return "outcome_" + o.ID }

func build(p *engine.Policy) graph {
	g := graph{title: fmt.Sprintf("%s (%s, version %s)", p.Title, p.Partnership, p.Version)}
	g.nodes = append(g.nodes, node{id: startID, kind: startNode, lines: []string{"Case raised"}})
	for _, s := range p.Stages {
		lines := []string{s.Title}
		for _, ob := range s.Obligations {
			lines = append(lines, ob.ID+": "+timescale(ob))
		}
		g.nodes = append(g.nodes, node{id: stageID(s), kind: stageNode, lines: lines})
	}
	for _, o := range p.Outcomes {
		kind := string(o.Kind)
		if o.Route != "" {
			kind += ": " + string(o.Route)
		}
		lines := []string{o.Title, "(" + kind + ")"}
		for _, ob := range o.Obligations {
			lines = append(lines, "then "+ob.ID+": "+timescale(ob))
		}
		g.nodes = append(g.nodes, node{id: outcomeID(o), kind: outcomeNode, lines: lines})
	}
	if p.Start != nil {
		g.edges = append(g.edges, edge{from: startID, to: stageID(p.Start)})
	}
	for _, s := range p.Stages {
		for _, t := range s.Transitions {
			g.edges = append(g.edges, edge{from: stageID(s), to: target(t, stageID(s)), lines: edgeLines(t)})
		}
	}
	for _, o := range p.Outcomes {
		for _, t := range o.Transitions {
			g.edges = append(g.edges, edge{from: outcomeID(o), to: outcomeID(o), lines: edgeLines(t)})
		}
	}
	if len(p.AnyStage) > 0 {
		g.nodes = append(g.nodes, node{id: anyStageID, kind: anyStageNode, lines: []string{"Any stage"}})
		for _, t := range p.AnyStage {
			g.edges = append(g.edges, edge{from: anyStageID, to: target(t, anyStageID), lines: edgeLines(t), dashed: true})
		}
	}
	return g
}

// target is the node a transition leads to: itself when it does not move
// the case.
func target(t *engine.Transition, self string) string {
	switch {
	case t.ToStage != nil:
		return stageID(t.ToStage)
	case t.ToOutcome != nil:
		return outcomeID(t.ToOutcome)
	}
	return self
}

func timescale(ob *engine.Obligation) string {
	var s string
	switch {
	case !ob.HasDeadline && ob.Urgent:
		s = "as soon as possible"
	case !ob.HasDeadline:
		s = "no timescale stated"
	default:
		s = ob.Within.String()
		switch ob.From.Kind {
		case engine.AnchorRaised:
			s += " from raised"
		case engine.AnchorMilestone:
			s += " from " + ob.From.Milestone.ID
		case engine.AnchorFact:
			s += " from " + ob.From.String()
		}
		if ob.Urgent {
			s = "as soon as possible, at the latest " + s
		}
	}
	for _, alt := range ob.Sooner {
		s += "; or sooner: " + alt.String()
	}
	if e := ob.Expedite; e != nil {
		s += "; expedite: " + e.Within.String() + " if " + e.When.Text
	}
	if ob.When != nil {
		s += "; only when " + ob.When.Text
	}
	return s
}

func edgeLines(t *engine.Transition) []string {
	lines := []string{t.Event, "by " + ids(t.Roles, func(r *engine.Role) string { return r.ID })}
	if t.When != nil {
		lines = append(lines, "when "+t.When.Text)
	}
	if len(t.Only) > 0 {
		lines = append(lines, "only at "+ids(t.Only, stageName))
	}
	if len(t.Except) > 0 {
		lines = append(lines, "not at "+ids(t.Except, stageName))
	}
	return lines
}

func stageName(s *engine.Stage) string { return s.ID }

func ids[T any](xs []T, id func(T) string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return strings.Join(out, ", ")
}

func (g graph) mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	fmt.Fprintf(&b, "  %%%% %s\n", mermaidComment(g.title))
	var outcomes []string
	for _, n := range g.nodes {
		label := `"` + mermaidText(n.lines) + `"`
		switch n.kind {
		case startNode:
			fmt.Fprintf(&b, "  %s((%s))\n", n.id, label)
		case stageNode:
			fmt.Fprintf(&b, "  %s[%s]\n", n.id, label)
		case outcomeNode:
			fmt.Fprintf(&b, "  %s([%s])\n", n.id, label)
			outcomes = append(outcomes, n.id)
		case anyStageNode:
			fmt.Fprintf(&b, "  %s{{%s}}\n", n.id, label)
		}
	}
	for _, e := range g.edges {
		arrow := "-->"
		if e.dashed {
			arrow = "-.->"
		}
		if len(e.lines) == 0 {
			fmt.Fprintf(&b, "  %s %s %s\n", e.from, arrow, e.to)
			continue
		}
		fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", e.from, arrow, mermaidText(e.lines), e.to)
	}
	if len(outcomes) > 0 {
		b.WriteString("  classDef outcome fill:#eef5ea,stroke:#3c763d\n")
		fmt.Fprintf(&b, "  class %s outcome\n", strings.Join(outcomes, ","))
	}
	return b.String()
}

// mermaidText escapes the lines of a quoted Mermaid label with entity codes
// and joins them with line breaks: the quote that would end the label, the
// # that starts an entity code, the characters HTML reads as markup, the |
// that ends an edge label and the backtick that starts a Markdown string.
func mermaidText(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString("<br/>")
		}
		for _, r := range l {
			switch r {
			case '"', '#', '&', '<', '>', '|', '`':
				fmt.Fprintf(&b, "#%d;", r)
			case '\n', '\r', '\t':
				b.WriteByte(' ')
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// mermaidComment keeps a comment on one line.
func mermaidComment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (g graph) dot() string {
	var b strings.Builder
	b.WriteString("digraph policy {\n")
	fmt.Fprintf(&b, "  label=%s;\n  labelloc=t;\n  rankdir=TB;\n", dotString([]string{g.title}))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for _, n := range g.nodes {
		var attrs string
		switch n.kind {
		case startNode:
			attrs = "shape=circle"
		case stageNode:
			attrs = "shape=box, style=rounded"
		case outcomeNode:
			attrs = "shape=ellipse, peripheries=2, style=filled, fillcolor=\"#eef5ea\""
		case anyStageNode:
			attrs = "shape=hexagon, style=dashed"
		}
		fmt.Fprintf(&b, "  %s [label=%s, %s];\n", n.id, dotString(n.lines), attrs)
	}
	for _, e := range g.edges {
		var attrs []string
		if len(e.lines) > 0 {
			attrs = append(attrs, "label="+dotString(e.lines))
		}
		if e.dashed {
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) == 0 {
			fmt.Fprintf(&b, "  %s -> %s;\n", e.from, e.to)
			continue
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return b.String()
}

// dotString quotes lines as one DOT string, with \n between them. Quotes
// and backslashes are escaped, so text such as \l in a guard stays text.
func dotString(lines []string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, l := range lines {
		if i > 0 {
			b.WriteString(`\n`)
		}
		for _, r := range l {
			switch r {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '\n', '\r', '\t':
				b.WriteByte(' ')
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
