package calendar

import (
	"fmt"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"strings"
)

// Jurisdiction names a set of bank holidays. A policy names its jurisdiction;
// every deadline in it is counted in that jurisdiction's working days.
type Jurisdiction string

// The jurisdictions: the UK's three sets of bank holidays, and the Isle of
// Man's.
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
	if len(norm) > 64 { // no jurisdiction is this long; spare the quadratic work
		return "", false
	}
	best, bestDist := "", 4
	for _, n := range names {
		if d := suggest.Distance([]rune(norm), []rune(n)); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best, best != ""
}
