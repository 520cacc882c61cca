package engine

import (
	"fmt"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"strconv"
	"strings"
	"unicode"
)

// suggestBudget bounds the edit-distance work of one load (in matrix cells),
// so that a hostile file with many bad references and many ids cannot make
// "did you mean" quadratic. Real policies use a tiny fraction of it.
const suggestBudget = 10_000_000

// maxSuggestLen is the longest name worth suggesting for: nothing in a
// policy is this long, and longer names would only cost time.
const maxSuggestLen = 64

// suggester finds the nearest candidate to a misspelt name.
type suggester struct {
	budget int
}

// suggest returns the candidate nearest to name, if one is near enough to be
// a plausible slip: a different case, or up to one edit in three characters
// (insertions, deletions, substitutions and swaps of neighbours). Ties go to
// the earlier candidate.
func (s *suggester) suggest(name string, candidates []string) (string, bool) {
	a := []rune(strings.ToLower(name))
	if len(a) == 0 || len(a) > maxSuggestLen {
		return "", false
	}
	limit := max(1, len(a)/3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		b := []rune(strings.ToLower(c))
		if c == name || abs(len(a)-len(b)) >= bestDist || len(b) > maxSuggestLen {
			continue
		}
		if s.budget -= len(a) * len(b); s.budget < 0 {
			return "", false
		}
		if d := suggest.Distance(a, b); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, best != ""
}

// hint returns `did you mean "x"?` for the nearest candidate, or else a list
// of the candidates when there are few enough to read.
func (s *suggester) hint(name string, candidates []string) string {
	if c, ok := s.suggest(name, candidates); ok {
		return "did you mean " + strconv.Quote(c) + "?"
	}
	return choices(candidates)
}

// choices lists the valid names (the first dozen of many), if there are any.
func choices(candidates []string) string {
	const most = 12
	var shown []string
	n := 0
	for _, c := range candidates {
		if c == "" {
			continue // an element whose id is itself in error
		}
		if n++; n <= most {
			shown = append(shown, c)
		}
	}
	switch {
	case n == 0:
		return ""
	case n > most:
		return "use one of: " + strings.Join(shown, ", ") + ", … (" + strconv.Itoa(n) + " in all)"
	}
	return "use one of: " + strings.Join(shown, ", ")
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

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

// Hint returns the hint the loader gives for a misspelt name: `did you mean
// "x"?` for a near candidate, else the valid names. The scenario parser and
// the command-line tool use it, so every tool suggests names alike.
func Hint(name string, candidates []string) string {
	s := suggester{budget: suggestBudget}
	return s.hint(name, candidates)
}

// didYouMean returns `; did you mean "x"?` when a candidate is close to name,
// for the runtime's messages (the loader's diagnostics put it in a Hint).
func didYouMean(name string, candidates []string) string {
	s := suggester{budget: suggestBudget}
	if c, ok := s.suggest(name, candidates); ok {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}
