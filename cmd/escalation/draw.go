package main

import (
	"flag"
	"fmt"
	"runtime/debug"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"

	"github.com/safeguarding-partnerships/escalation/engine/diagram"
	"github.com/safeguarding-partnerships/escalation/engine/document"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
)

func diagramCommand() *command {
	c := &command{
		name:    "diagram",
		args:    "POLICY [--format mermaid|dot]",
		operand: "POLICY",
		nargs:   [2]int{1, 1},
		summary: "draw a policy as a flowchart (Mermaid or Graphviz DOT)",
		about: `Draws the policy's ladder as a flowchart: its stages with their duties and
timescales and the events recorded there, its outcomes, and every transition
that moves a case labelled with its event, the titles of the roles that may
fire it and its condition (in words where the policy describes its parts).
Transitions allowed at more than one stage leave an "Any stage" box as
dashed lines. Mermaid renders in GitHub Markdown inside a mermaid code
block; DOT renders with Graphviz (dot -Tsvg), with its labels wrapped to fit
a page and a legend.`,
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
		args:    "POLICY [--today YYYY-MM-DD]",
		operand: "POLICY",
		nargs:   [2]int{1, 1},
		summary: "write a policy as a Markdown document to sign off",
		about: `Writes the policy as a Markdown document generated from the policy file, for
a partnership to check against its published procedure and sign: a document
control block (the policy's id and version, the policy file's SHA-256, the
date it was generated and the tool that did it, approval and review dates), a
sign-off table, the ladder as a Mermaid flowchart, the traceability matrix's
coverage, its roles, each stage of the ladder with who is involved, what
must happen by when, what must be recorded and the ways out (conditions in
words where the policy describes their parts), a table of timescales with
running totals, its forms (personal data marked), outcomes and notes, the
traceability matrix itself, and every assumption, for the partnership to
confirm. Every source is quoted beside what it supports.

The document is dated --today (by default today, in Europe/London), and a
review date before then is flagged as passed. A bundled policy's matrix is
bundled with it; a policy file's is trace/ID.yaml in its folder, checked
against its document beside it. The document renders with pandoc
(pandoc -f gfm -o policy.html).`,
		example: "escalation doc sefton > sefton.md",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		today := todayFlag(fs)
		return func(e *env, args []string) int {
			p, code := e.loadPolicy(c, args[0])
			if p == nil {
				return code
			}
			opts := []document.Option{document.WithGenerated(today.or(e)), document.WithTool(toolVersion())}
			if src := policyBytes(args[0]); src != nil {
				opts = append(opts, document.WithFile(src))
			}
			if t := matrixOf(args[0], p); t != nil {
				if t.matrix == nil {
					fmt.Fprintf(e.stderr, "escalation %s: the traceability matrix does not read:\n", c.name)
					_ = engine.WriteDiagnostics(e.stderr, t.problems, func(string) []byte { return t.src })
					return exitFail
				}
				opts = append(opts, document.WithTrace(t.matrix, t.problems))
			}
			if err := document.Write(e.stdout, p, opts...); err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}

// policyBytes are the bytes of the policy file a POLICY argument names.
func policyBytes(arg string) []byte {
	if isPolicyID(arg) && isBundled(arg) {
		_, src, _ := policies.Source(arg)
		return src
	}
	src, err := safefile.Read(arg, engine.DefaultMaxBytes)
	if err != nil {
		return nil
	}
	return src
}

// toolVersion names this build, from what the Go toolchain recorded in it.
func toolVersion() string {
	return "escalation " + describeBuild(debug.ReadBuildInfo()).Version
}
