package diagram

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/prose"
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

// node is one box of the chart. Its first line is its title; a stage's
// other lines are its timescales, then the events that keep the case there.
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

// StageNodeID is the id of a stage's node in the chart, so that a page
// showing the chart can find the stage a node draws.
func StageNodeID(s *engine.Stage) string { return "stage_" + s.ID }

// OutcomeNodeID is the id of an outcome's node in the chart.
func OutcomeNodeID(o *engine.Outcome) string { return "outcome_" + o.ID }

func build(p *engine.Policy) graph {
	g := graph{title: fmt.Sprintf("%s (%s, version %s)", p.Title, p.Partnership, p.Version)}
	g.nodes = append(g.nodes, node{id: startID, kind: startNode, lines: []string{"Case raised"}})
	for _, s := range p.Stages {
		lines := append([]string{s.Title}, duties(p, s.Obligations)...)
		lines = append(lines, recorded(s.Transitions)...)
		g.nodes = append(g.nodes, node{id: StageNodeID(s), kind: stageNode, lines: lines})
	}
	for _, o := range p.Outcomes {
		kind := prose.Spaced(string(o.Kind))
		if o.Route != "" {
			kind += ": " + prose.Spaced(string(o.Route))
		}
		lines := []string{o.Title, "(" + kind + ")"}
		if len(o.Obligations) > 0 {
			lines = append(append(lines, "Still owed:"), duties(p, o.Obligations)...)
		}
		lines = append(lines, recorded(o.Transitions)...)
		g.nodes = append(g.nodes, node{id: OutcomeNodeID(o), kind: outcomeNode, lines: lines})
	}
	if p.Start != nil {
		g.edges = append(g.edges, edge{from: startID, to: StageNodeID(p.Start)})
	}
	for _, s := range p.Stages {
		for _, t := range s.Transitions {
			if t.ToStage == nil && t.ToOutcome == nil {
				continue // drawn inside the stage: a loop's label would cover it
			}
			g.edges = append(g.edges, edge{from: StageNodeID(s), to: target(t), lines: edgeLines(p, t)})
		}
	}
	if len(p.AnyStage) > 0 {
		any := node{id: anyStageID, kind: anyStageNode, lines: []string{"Any stage"}}
		for _, t := range p.AnyStage {
			if t.ToStage == nil && t.ToOutcome == nil {
				// Recorded wherever it is fired, without moving the case.
				any.lines = append(any.lines, "Recorded here: "+strings.Join(edgeLines(p, t), ", "))
				continue
			}
			g.edges = append(g.edges, edge{from: anyStageID, to: target(t), lines: edgeLines(p, t), dashed: true})
		}
		g.nodes = append(g.nodes, any)
	}
	return g
}

// target is the node a transition that moves the case leads to.
func target(t *engine.Transition) string {
	if t.ToStage != nil {
		return StageNodeID(t.ToStage)
	}
	return OutcomeNodeID(t.ToOutcome)
}

// recorded says which events are recorded at a stage (or after an
// outcome) without moving the case.
func recorded(ts []*engine.Transition) []string {
	var here []string
	for _, t := range ts {
		if t.ToStage == nil && t.ToOutcome == nil {
			here = append(here, prose.Event(t))
		}
	}
	if len(here) == 0 {
		return nil
	}
	return []string{"Recorded here: " + strings.Join(here, "; ")}
}

// duties lists a stage's (or an outcome's) obligations with their
// timescales, grouped under what they count from when that is not the stage
// being entered, so that a milestone's title is written once.
func duties(p *engine.Policy, obs []*engine.Obligation) []string {
	var lines []string
	group := ""
	for _, ob := range obs {
		from := ""
		switch {
		case !ob.HasDeadline:
		case ob.From.Kind == engine.AnchorRaised:
			from = "From the raise:"
		case ob.From.Kind == engine.AnchorMilestone:
			from = "From “" + ob.From.Milestone.Title + "”:"
		case ob.From.Kind == engine.AnchorFact:
			from = "From the " + prose.Spaced(ob.From.Fact.ID) + ":"
		}
		if from != group && from != "" {
			lines = append(lines, from)
		}
		group = from
		line := "• " + timescale(p, ob) + ": " + ob.Title
		if ob.When != nil {
			line += " (only " + when(p, ob.When) + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

func timescale(p *engine.Policy, ob *engine.Obligation) string {
	var s string
	switch {
	case !ob.HasDeadline && ob.Urgent:
		s = "as soon as possible"
	case !ob.HasDeadline:
		s = "no timescale stated"
	case ob.Urgent:
		s = "as soon as possible, at the latest " + ob.Within.String()
	default:
		s = ob.Within.String()
	}
	for _, alt := range ob.Sooner {
		s += " (or sooner: " + sooner(alt) + ")"
	}
	if e := ob.Expedite; e != nil {
		s += " (" + e.Within.String() + " " + when(p, e.When) + ")"
	}
	return s
}

// sooner says a whichever_sooner deadline in words.
func sooner(alt *engine.Alternative) string {
	switch {
	case alt.By != nil:
		return "by the date in " + prose.Spaced(alt.By.ID)
	case alt.From.Kind == engine.AnchorFact:
		return alt.Within.String() + " from the date in " + prose.Spaced(alt.From.Fact.ID)
	case alt.From.Kind == engine.AnchorMilestone:
		return alt.Within.String() + " from “" + alt.From.Milestone.Title + "”"
	case alt.From.Kind == engine.AnchorRaised:
		return alt.Within.String() + " from the raise"
	}
	return alt.Within.String()
}

// when writes a guard in words where it can, else as written.
func when(p *engine.Policy, g *engine.Guard) string {
	if w, ok := prose.Guard(p, g); ok {
		if strings.HasPrefix(w, "once ") {
			return w
		}
		return "when " + w
	}
	return "when " + g.Text
}

func edgeLines(p *engine.Policy, t *engine.Transition) []string {
	lines := []string{prose.Event(t), "by " + titles(t.Roles, func(r *engine.Role) string { return r.Title })}
	if t.When != nil {
		lines = append(lines, when(p, t.When))
	}
	if len(t.Only) > 0 {
		lines = append(lines, "only at "+titles(t.Only, stageTitle))
	}
	if len(t.Except) > 0 {
		lines = append(lines, "not at "+titles(t.Except, stageTitle))
	}
	return lines
}

func stageTitle(s *engine.Stage) string { return s.Title }

func titles[T any](xs []T, title func(T) string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = title(x)
	}
	return strings.Join(out, " or ")
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

// dotWidth is how many characters a line of a DOT label may have before it
// wraps, so that the drawing keeps to a page's width.
const dotWidth = 34

func (g graph) dot() string {
	var b strings.Builder
	b.WriteString("digraph policy {\n")
	fmt.Fprintf(&b, "  label=%s;\n  labelloc=t;\n  rankdir=TB;\n  newrank=true;\n  nodesep=0.25;\n  ranksep=0.45;\n", dotString(wrap([]string{g.title}, 2*dotWidth)))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	var outcomes []string
	for _, n := range g.nodes {
		var attrs string
		switch n.kind {
		case startNode:
			attrs = "shape=circle"
		case stageNode:
			attrs = "shape=box, style=rounded"
		case outcomeNode:
			attrs = outcomeStyle
			outcomes = append(outcomes, n.id)
		case anyStageNode:
			continue // drawn in its cluster below
		}
		fmt.Fprintf(&b, "  %s [label=%s, %s];\n", n.id, dotString(wrap(n.lines, dotWidth)), attrs)
	}
	if len(outcomes) > 0 {
		fmt.Fprintf(&b, "  { rank=sink; %s; }\n", strings.Join(outcomes, "; "))
	}
	for _, n := range g.nodes {
		if n.kind == anyStageNode {
			b.WriteString("  subgraph cluster_any_stage {\n    label=\"Routes open at more than one stage\";\n    style=dashed;\n    fontname=\"Helvetica\";\n    fontsize=10;\n")
			fmt.Fprintf(&b, "    %s [label=%s, shape=box, style=\"dashed,rounded\"];\n  }\n", n.id, dotString(wrap(n.lines, dotWidth)))
		}
	}
	for _, e := range g.edges {
		var attrs []string
		if len(e.lines) > 0 {
			attrs = append(attrs, "label="+dotString(wrap(e.lines, dotWidth)))
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
	b.WriteString(legend)
	b.WriteString("}\n")
	return b.String()
}

const outcomeStyle = "shape=ellipse, peripheries=2, style=filled, fillcolor=\"#eef5ea\""

// legend explains the shapes and the dashed lines, in a box of its own.
const legend = `  subgraph cluster_legend {
    label="Legend";
    fontname="Helvetica";
    fontsize=10;
    legend_stage [label="Stage: its timescales, then the\nevents recorded without moving on", shape=box, style=rounded];
    legend_outcome [label="Outcome: the case ends", ` + outcomeStyle + `];
    legend_from [label="", shape=point];
    legend_to [label="", shape=point];
    legend_from -> legend_to [label="dashed: a route open at more\nthan one stage (see its label)", style=dashed];
    legend_stage -> legend_outcome [label="an event, who may fire it,\nand when", style=solid];
  }
`

// wrap breaks each line at spaces so that none is longer than width,
// unless one word is.
func wrap(lines []string, width int) []string {
	var out []string
	for _, l := range lines {
		cur := ""
		for _, w := range strings.Fields(l) {
			switch {
			case cur == "":
				cur = w
			case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) > width:
				out = append(out, cur)
				cur = w
			default:
				cur += " " + w
			}
		}
		out = append(out, cur)
	}
	return out
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
