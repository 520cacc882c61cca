package engine

import (
	"strings"
	"unicode"

	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

// identFor turns text into the identifier a policy lead probably meant:
// "Stage 1" becomes "stage_1".
func identFor(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	id := b.String()
	if id != "" && !(id[0] >= 'a' && id[0] <= 'z') {
		id = "x_" + id
	}
	return id
}

// didYouMean returns `; did you mean "x"?` when a candidate is close to name,
// for the runtime's messages (the loader's diagnostics put it in a Hint).
func didYouMean(name string, candidates []string) string { return suggest.DidYouMean(name, candidates) }
