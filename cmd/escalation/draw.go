package main

import (
	"flag"

	"github.com/safeguarding-partnerships/escalation/engine/diagram"
	"github.com/safeguarding-partnerships/escalation/engine/document"
)

func diagramCommand() *command {
	c := &command{
		name:    "diagram",
		args:    "POLICY [--format mermaid|dot]",
		operand: "POLICY",
		nargs:   [2]int{1, 1},
		summary: "draw a policy as a flowchart (Mermaid or Graphviz DOT)",
		about: `Draws the policy's ladder as a flowchart: its stages with their timescales,
its outcomes, and every transition labelled with its event, the roles that
may fire it and its condition. Transitions allowed at any stage leave an
"Any stage" node as dashed lines. Mermaid renders in GitHub Markdown inside
a mermaid code block; DOT renders with Graphviz (dot -Tsvg).`,
		example: "escalation diagram sefton --format dot | dot -Tsvg > sefton.svg",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fs, string(diagram.Mermaid), string(diagram.DOT))
		return func(e *env, args []string) int {
			p, code := e.loadPolicy(c, args[0])
			if p == nil {
				return code
			}
			if err := diagram.Write(e.stdout, p, diagram.Format(format.value)); err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}

func docCommand() *command {
	c := &command{
		name:    "doc",
		args:    "POLICY",
		operand: "POLICY",
		nargs:   [2]int{1, 1},
		summary: "write a policy as a Markdown document to sign off",
		about: `Writes the policy as a Markdown document generated from the policy file:
its roles, each stage of the ladder with who is involved, what must happen
by when, what must be recorded and the ways out, a table of timescales with
running totals, its forms (personal data marked), outcomes and notes. Every
source is quoted beside what it supports, and every assumption is listed at
the end for the partnership to confirm.`,
		example: "escalation doc sefton > sefton.md",
	}
	c.setup = func(*flag.FlagSet) func(*env, []string) int {
		return func(e *env, args []string) int {
			p, code := e.loadPolicy(c, args[0])
			if p == nil {
				return code
			}
			if err := document.Write(e.stdout, p); err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}
