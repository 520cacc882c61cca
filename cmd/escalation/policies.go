package main

import (
	"flag"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

func policiesCommand() *command {
	c := &command{
		name:    "policies",
		args:    "[--format text|json] [--today YYYY-MM-DD]",
		nargs:   [2]int{0, 0},
		summary: "list the bundled policies and their review dates",
		about: `Lists the bundled policies: id, title, version, jurisdiction and review date,
and whether the review date has passed (on --today, by default today). Then
it warns about each policy whose calendar has no date for a day proclaimed
each year (the Isle of Man's TT Bank Holiday) in the twelve months from
--today: until the policy declares it, deadlines count it as a working day.

Earlier encodings of a policy are bundled too, unchanged, for the cases
raised under them: new cases are raised under the version listed, and a
case keeps the version it was raised under.

JSON: [{"schema", "id", "title", "version", "jurisdiction", "review_due",
"review_passed", "calendar_warnings", "superseded"}], by id; "review_due" is
null when the policy states none; "superseded" lists the versions kept only
for the cases raised under them.`,
		example: "escalation policies --format json",
	}
	c.setup = func(fset *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fset, "text", "json")
		today := todayFlag(fset)
		return func(e *env, _ []string) int {
			day := today.or(e)
			ps, diags := policies.All(engine.WithToday(day))
			older, ds := policies.Superseded()
			diags = append(diags, ds...)
			kept := map[string][]string{}
			for _, p := range older {
				kept[p.ID] = append(kept[p.ID], p.Version)
			}
			code := exitOK
			if diags.HasErrors() {
				fmt.Fprintf(e.stderr, "escalation %s: some bundled policies do not load:\n", c.name)
				_ = engine.WriteDiagnostics(e.stderr, diags.Errors(), bundledSource)
				code = exitFail
			}
			type row struct {
				Schema       int      `json:"schema"` // in each item: the output is a list
				ID           string   `json:"id"`
				Title        string   `json:"title"`
				Version      string   `json:"version"`
				Jurisdiction string   `json:"jurisdiction"`
				ReviewDue    *string  `json:"review_due"`
				ReviewPassed bool     `json:"review_passed"`
				Warnings     []string `json:"calendar_warnings"`
				Superseded   []string `json:"superseded"`
			}
			warnings := calendarWarnings(diags)
			rows := make([]row, len(ps))
			for i, p := range ps {
				rows[i] = row{Schema: jsonSchema, ID: p.ID, Title: p.Title, Version: p.Version, Jurisdiction: string(p.Jurisdiction), Warnings: []string{}, Superseded: append([]string{}, kept[p.ID]...)}
				for _, d := range warnings[p.File] {
					rows[i].Warnings = append(rows[i].Warnings, d.Message)
				}
				if !p.ReviewDue.IsZero() {
					due := p.ReviewDue.String()
					rows[i].ReviewDue = &due
					rows[i].ReviewPassed = p.ReviewDue.Before(day)
				}
			}
			if format.value == "json" {
				if err := writeJSON(e.stdout, rows); err != nil {
					return e.fail(c, "%v", err)
				}
				return code
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTITLE\tVERSION\tJURISDICTION\tREVIEW DUE")
			for _, r := range rows {
				review := "not stated"
				if r.ReviewDue != nil {
					review = *r.ReviewDue
					if r.ReviewPassed {
						review += " (passed)"
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Title, r.Version, r.Jurisdiction, review)
			}
			if err := tw.Flush(); err != nil {
				return e.fail(c, "%v", err)
			}
			for _, r := range rows {
				if len(r.Superseded) > 0 {
					fmt.Fprintf(e.stdout, "%s also runs the cases raised under %s\n", r.ID, strings.Join(quoted(r.Superseded), ", "))
				}
			}
			for _, r := range rows {
				for _, w := range r.Warnings {
					fmt.Fprintf(e.stdout, "warning: %s: %s\n", r.ID, w)
				}
			}
			return code
		}
	}
	return c
}

// quoted quotes each version, as they may hold commas.
func quoted(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Quote(v)
	}
	return out
}

// calendarWarnings picks the warnings about a policy's calendar out of the
// diagnostics, by policy file.
func calendarWarnings(ds engine.Diagnostics) map[string]engine.Diagnostics {
	out := map[string]engine.Diagnostics{}
	for _, d := range ds {
		if d.Severity == engine.SeverityWarning && d.Code == "unproclaimed-day" {
			out[d.Pos.File] = append(out[d.Pos.File], d)
		}
	}
	return out
}

// bundledSource returns a bundled policy file's bytes by its file name, to
// quote its lines in diagnostics.
func bundledSource(file string) []byte {
	b, _ := fs.ReadFile(policies.FS(), file)
	return b
}

func schemaCommand() *command {
	c := &command{
		name:    "schema",
		args:    "",
		nargs:   [2]int{0, 0},
		summary: "print the policy files' JSON Schema, for editors",
		about: `Prints the JSON Schema of policy files. Editors that read it (such as VS Code
with the YAML extension) complete keys and flag mistakes as you type. The
repository keeps a copy in policies/policy.schema.json.`,
		example: "escalation schema > policies/policy.schema.json",
	}
	c.setup = func(*flag.FlagSet) func(*env, []string) int {
		return func(e *env, _ []string) int {
			if _, err := e.stdout.Write(engine.JSONSchema()); err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}
