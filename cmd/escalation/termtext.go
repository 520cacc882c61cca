package main

import (
	"fmt"
	"io"

	"github.com/safeguarding-partnerships/escalation/internal/termsafe"
)

// termPrintf is fmt.Fprintf for text a person reads: each string, error and
// fmt.Stringer argument goes through termsafe.Text first, so no value printed
// can move the cursor, rewrite the line or reverse the text after it.
func termPrintf(w io.Writer, format string, args ...any) (int, error) {
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			safe[i] = termsafe.Text(v)
		case error:
			safe[i] = termsafe.Text(v.Error())
		case fmt.Stringer:
			safe[i] = termsafe.Text(v.String())
		default:
			safe[i] = a
		}
	}
	return fmt.Fprintf(w, format, safe...)
}
