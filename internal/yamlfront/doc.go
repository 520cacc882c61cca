// Package yamlfront is the project's YAML front end: every YAML file the
// project reads (policies, scenario files, closure lists) goes through it, so
// each gets the same limits, the same positions and the same diagnostics.
//
// # Model
//
// A File is one file being read: its bytes, indexed by line as the YAML
// parser counts them (internal/source), and the diagnostics found in it so far
// (diag.Diagnostic). Read parses the file's one YAML document within limits
// that keep hostile input cheap (its size, nesting depth, and the nodes
// reached through aliases) and reports a YAML syntax error at the line and
// column where the file stops being valid, with a hint for the usual causes.
// The reader of each kind of file then walks the returned tree and reports
// what is wrong with it through the same File: ErrorAt and WarnAt place a
// diagnostic at a node, underlining a value on one line.
//
// Positions go both ways: Pos and Span give where a node is, and
// ValueOffsets maps each character of a scalar's value to where it is written
// (through quotes, escapes and folded lines), so that a problem inside a
// value, such as a CEL guard's misspelt name, is shown at its own column.
//
// The File drops exact repeats (a node reached through two aliases is checked
// twice) and stops after MaxReported diagnostics of each severity, saying so
// once.
package yamlfront
