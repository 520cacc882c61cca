// Command escalation is the tool policy leads and CI pipelines use to work
// with safeguarding escalation policies without writing Go: it validates
// policy and scenario files, runs scenarios, draws and documents policies,
// and computes deadlines and worst-case schedules.
//
//	escalation validate [--format text|json|github] [--strict] [--today YYYY-MM-DD] PATH...
//	escalation test [--format text|json] [--closures FILE] [PATH...]
//	escalation fmt [--check] [--diff] PATH...
//	escalation diagram POLICY [--format mermaid|dot]
//	escalation doc POLICY [--today YYYY-MM-DD]
//	escalation timeline POLICY --raised TIME [--fact NAME=VALUE]... [--closures FILE] [--format text|json]
//	escalation holidays [--jurisdiction J | --policy POLICY] [--closures FILE] [--from YEAR] [--to YEAR] [--format text|json]
//	escalation due [--jurisdiction J | --policy POLICY] [--closures FILE] --from TIME --within "N working days" [--format text|json]
//	escalation policies [--format text|json] [--today YYYY-MM-DD]
//	escalation schema
//	escalation version [--format text|json]
//	escalation studio [--addr 127.0.0.1:PORT] [--closures FILE] [DIR]
//	escalation case raise POLICY DIR --actor NAME --role ROLE --at TIME [--fact NAME=VALUE]... [--form FORM.FIELD=VALUE]... [--key-file FILE]
//	escalation case fire DIR EVENT --actor NAME --role ROLE --at TIME [--revision N] [--dry-run] [--key-file FILE]
//	escalation case due|available|verify|show|rebuild DIR
//	escalation case migrate FILE DIR
//
// A POLICY is a bundled policy id (see escalation policies) or the path of
// a policy file. TIME is RFC 3339, YYYY-MM-DDTHH:MM in Europe/London, or
// YYYY-MM-DD, which means 09:00 that day in Europe/London. Flags may come
// before or after the other arguments. Each command's --help gives its flags,
// its JSON shape and an example.
//
// A file with a folder named "scenarios" in its path, or with a top-level
// scenario: key, is a scenario file; one in a folder named "trace" a
// traceability matrix (engine/trace); any other YAML file a policy file.
// validate checks all three; test runs the scenarios in a folder and below
// it, the scenarios that name a policy file, or a bundled policy's; fmt lays
// out policy and scenario files. A policy file's matrix is trace/ID.yaml in
// its folder; doc shows its coverage.
//
// Deadlines count in the policy's calendar: its jurisdiction's bank holidays
// and the days off it declares. --closures FILE adds a host's closure days
// (calendar.ParseClosures' format); holidays and due count in a
// jurisdiction's calendar, or with --policy in a policy's. The calendar is
// built the way the library builds it (calendar.New, engine.Policy.WithClosures),
// so the command line, the scenarios and a host agree on every date.
//
// The case family runs a case through the engine from the shell. A case is a
// folder of two files: head.json, the engine's head, which every act replaces
// whole through a new file renamed over it, and record.jsonl, one entry a line,
// which acts only append to. An act appends and syncs its entry before it
// replaces the head, under a lock on the record, after checking that the
// record ends at the head; so a command that stops half way leaves a record one
// entry ahead of its head, which case rebuild catches up, and never a head
// whose entry is lost (casefiles.go). DIR "-" stands for no folder: the head
// comes on standard input, nothing is written, and the host stores the head
// and entry printed.
//
// Results go to standard output, including validate's and test's reports;
// problems that stop a command go to standard error. The exit code is 0 on
// success, 1 when the input is invalid or a scenario fails (and, with
// --strict, when validate finds warnings), and 2 when the command line is
// wrong, including a path or policy id that names nothing.
package main
