// Package diag is the project's one model of a problem found in a file: a
// Diagnostic has a severity, a position (file, line, column, and where it
// ends), a message, a hint saying what to do, and a stable code. Policy files,
// scenario files and closure files are all read by the same front end and
// report their problems as Diagnostics, as HCL's diagnostics serve every HCL
// syntax.
//
// Diagnostics is a list of them, and an error: like go/scanner's ErrorList,
// Err returns the errors sorted by position, as one error that says the first
// and how many more; errors.As recovers the list. Write renders a list as
// text, each with its source line and a caret under the column (^~~~ to the
// end of its range), for a terminal or a CI log.
//
// The engine package re-exports these types under their old names
// (engine.Diagnostic, engine.Pos, ...), so code written against them keeps
// compiling.
package diag
