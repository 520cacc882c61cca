package engine

// Hint returns the hint the loader gives for a misspelt name: `did you mean
// "x"?` for a near candidate, else the valid names. The scenario parser and
// the command-line tool use it, so every tool suggests names alike.
func Hint(name string, candidates []string) string {
	s := suggester{budget: suggestBudget}
	return s.hint(name, candidates)
}
