// Package termsafe renders text read from a file someone else may have
// written (a case's record or head, a scenario, a policy) for a terminal, so
// that what a person reads is what the file holds.
//
// A record can carry an actor's name or a fact's value that holds an escape
// sequence (ESC [ ... to move the cursor or colour the rest of the screen,
// OSC 8 to make text a link to somewhere else), a carriage return that
// writes over the start of its line, or a Unicode bidi control (U+202E
// RIGHT-TO-LEFT OVERRIDE) that shows the characters after it in reverse.
// Text escapes each of them as Go writes it in a quoted string (\x1b,
// \u202e), so it is seen rather than obeyed; printable text, letters beyond
// ASCII included ("Siân", "Zoë"), is left as it is. Unsafe says which runes
// those are, for a writer that replaces them some other way.
//
// JSON output needs none of this: encoding/json escapes control characters,
// and a bidi control in a JSON string is valid JSON that a program reads as
// it was written.
package termsafe
