package suggest

import (
	"strconv"
	"strings"
)

// Budget bounds the edit-distance work of one Suggester (in matrix cells), so
// that a hostile file with many bad references and many ids cannot make "did
// you mean" quadratic. Real files use a tiny fraction of it.
const Budget = 10_000_000

// maxLen is the longest name worth suggesting for: nothing a file names is
// this long, and longer names would only cost time.
const maxLen = 64

// Suggester finds the nearest candidate to a misspelt name, within a budget
// shared by every lookup one file makes. The zero value has no budget; use
// New.
type Suggester struct {
	budget int
}

// New returns a Suggester with the full Budget.
func New() Suggester { return Suggester{budget: Budget} }

// Nearest returns the candidate nearest to name, if one is near enough to be
// a plausible slip: a different case, or up to one edit in three characters
// (insertions, deletions, substitutions and swaps of neighbours). Ties go to
// the earlier candidate. Nothing is suggested once the budget is spent.
func (s *Suggester) Nearest(name string, candidates []string) (string, bool) {
	a := []rune(strings.ToLower(name))
	if len(a) == 0 || len(a) > maxLen {
		return "", false
	}
	limit := max(1, len(a)/3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		b := []rune(strings.ToLower(c))
		if c == name || abs(len(a)-len(b)) >= bestDist || len(b) > maxLen {
			continue
		}
		if s.budget -= len(a) * len(b); s.budget < 0 {
			return "", false
		}
		if d := Distance(a, b); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, best != ""
}

// Hint returns `did you mean "x"?` for the nearest candidate, or else a list
// of the candidates when there are few enough to read.
func (s *Suggester) Hint(name string, candidates []string) string {
	if c, ok := s.Nearest(name, candidates); ok {
		return "did you mean " + strconv.Quote(c) + "?"
	}
	return Choices(candidates)
}

// Hint is the hint every tool gives for a misspelt name, with a budget of
// its own: `did you mean "x"?` for a near candidate, else the valid names.
func Hint(name string, candidates []string) string {
	s := New()
	return s.Hint(name, candidates)
}

// DidYouMean returns `; did you mean "x"?` when a candidate is close to
// name, to end a runtime error's message; "" otherwise.
func DidYouMean(name string, candidates []string) string {
	s := New()
	if c, ok := s.Nearest(name, candidates); ok {
		return "; did you mean " + strconv.Quote(c) + "?"
	}
	return ""
}

// Choices lists the valid names (the first dozen of many), if there are any.
func Choices(candidates []string) string {
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
