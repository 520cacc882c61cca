package calendar

import (
	"fmt"
	"strings"
)

// Jurisdiction names a set of bank holidays. A policy names its jurisdiction;
// every deadline in it is counted in that jurisdiction's working days.
type Jurisdiction string

// The jurisdictions of DOMAIN.md.
const (
	EnglandAndWales Jurisdiction = "england-and-wales"
	Scotland        Jurisdiction = "scotland"
	NorthernIreland Jurisdiction = "northern-ireland"
	IsleOfMan       Jurisdiction = "isle-of-man"
)

// Jurisdictions returns every supported jurisdiction, sorted.
func Jurisdictions() []Jurisdiction {
	return []Jurisdiction{EnglandAndWales, IsleOfMan, NorthernIreland, Scotland}
}

// ParseJurisdiction returns the jurisdiction spelled exactly s. Anything else
// is an error that lists the valid names and suggests the nearest one.
func ParseJurisdiction(s string) (Jurisdiction, error) {
	all := Jurisdictions()
	names := make([]string, len(all))
	for i, j := range all {
		if string(j) == s {
			return j, nil
		}
		names[i] = string(j)
	}
	hint := ""
	if near, ok := nearest(s, names); ok {
		hint = fmt.Sprintf(" (did you mean %q?)", near)
	}
	return "", fmt.Errorf("calendar: unknown jurisdiction %q%s: use one of %s", s, hint, strings.Join(names, ", "))
}

// nearest returns the name closest to s, if it is close enough to be a
// plausible slip: a different case or spacing ("England and Wales"), or a
// few typing errors.
func nearest(s string, names []string) (string, bool) {
	norm := strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, "_", " "), "-", " "))), "-")
	norm = strings.ReplaceAll(norm, "&", "and")
	best, bestDist := "", 4
	for _, n := range names {
		if d := editDistance(norm, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best, best != ""
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	if len(a) > 64 { // no jurisdiction is this long; spare the quadratic work
		return len(a)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
