package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// The days off of the property test, written once as Go values (the API's
// input) and once as the policy's YAML, so that the two paths share nothing
// but the meaning.
var (
	propertyDaysOff = []calendar.DayOff{
		{Name: "Liberation Day", Yearly: calendar.Yearly{Month: time.May, Day: 9}},
		{Name: "Training day", Yearly: calendar.Yearly{Month: time.October, Nth: 2, Weekday: time.Wednesday}},
		{Name: "New Year's Eve", Yearly: calendar.Yearly{Month: time.December, Day: 31}},
		{Name: "Winter closure", From: calendar.Date{Year: 2027, Month: time.December, Day: 23}, To: calendar.Date{Year: 2028, Month: time.January, Day: 4}},
		{Name: "Jubilee", Date: calendar.Date{Year: 2029, Month: time.June, Day: 15}},
	}
	propertyCalendarYAML = `calendar:
  days_off:
    - {name: Liberation Day, yearly: 9 May, source: {file: p.txt}}
    - {name: Training day, yearly: second Wednesday of October, source: {file: p.txt}}
    - {name: New Year's Eve, yearly: 31 December, source: {file: p.txt}}
    - {name: Winter closure, from: 2027-12-23, to: 2028-01-04, source: {file: p.txt}}
    - {name: Jubilee, date: 2029-06-15, source: {file: p.txt}}
`
	propertyClosures = []calendar.Holiday{
		{Date: calendar.Date{Year: 2026, Month: time.November, Day: 20}, Name: "Office move"},
		{Date: calendar.Date{Year: 2031, Month: time.February, Day: 3}, Name: "Systems upgrade"},
	}
	propertyClosuresYAML = "- {date: 2026-11-20, name: Office move}\n- {date: 2031-02-03, name: Systems upgrade}\n"
)

// propertyMaxN is the largest timescale the test counts; the policy has one
// obligation per N from 0.
const propertyMaxN = 12

// The Go API, the command line (due --policy --closures) and the scenarios
// (test --closures) give the same due dates for the same declared days and
// closures, for triggers on random dates and times over ten years.
func TestDeclaredDaysAgreeAcrossAPICLIAndScenarios(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	t.Logf("seed %d", seed)

	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	closures := filepath.Join(dir, "closures.yaml")
	require.NoError(t, os.WriteFile(policy, []byte(propertyPolicy()), 0o644))
	require.NoError(t, os.WriteFile(closures, []byte(propertyClosuresYAML), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "scenarios"), 0o755))

	api, err := calendar.New(calendar.EnglandAndWales, calendar.WithDaysOff(propertyDaysOff...), calendar.WithClosures(propertyClosures...))
	require.NoError(t, err)

	start := calendar.Date{Year: 2026, Month: time.January, Day: 1}
	const triggers = 30
	for k := range triggers {
		day := start.AddDays(rng.IntN(3652))
		at := fmt.Sprintf("%sT%02d:%02d", day, 9+rng.IntN(12), rng.IntN(60)) // never in the hour the clocks skip
		if k == 0 {
			at = "2026-11-19T10:00" // the day before a closure, to show below that the closures count
		}
		trigger, err := time.ParseInLocation("2006-01-02T15:04", at, calendar.London())
		require.NoError(t, err)

		due := make([]string, propertyMaxN+1)
		for n := range due {
			d, err := api.Due(trigger, calendar.Within{N: n, Unit: calendar.WorkingDays})
			require.NoError(t, err)
			due[n] = calendar.DateOf(d.Add(-time.Nanosecond)).String()
		}
		// The command line, for a few timescales of each trigger.
		for _, n := range []int{0, 1 + rng.IntN(propertyMaxN)} {
			var stdout, stderr bytes.Buffer
			code := run([]string{"due", "--policy", policy, "--closures", closures, "--from", at, "--within", fmt.Sprintf("%d working days", n), "--format", "json"}, &stdout, &stderr)
			require.Equal(t, exitOK, code, stderr.String())
			var out struct {
				DueDate string `json:"due_date"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &out))
			require.Equal(t, due[n], out.DueDate, "seed %d: due --from %s --within %d working days", seed, at, n)
		}
		// A scenario raised at the trigger expects the API's date for every
		// timescale.
		var expect strings.Builder
		for n, d := range due {
			fmt.Fprintf(&expect, "    within_%d: %s\n", n, d)
		}
		story := fmt.Sprintf("scenario: raised at %s\npolicy: ../policy.yaml\nraised: {at: %s, by: asha, role: practitioner}\nexpect:\n  due:\n%s",
			at, at, expect.String())
		require.NoError(t, os.WriteFile(filepath.Join(dir, "scenarios", fmt.Sprintf("s%02d.yaml", k)), []byte(story), 0o644))
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"test", "--closures", closures, filepath.Join(dir, "scenarios")}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "seed %d\n%s%s", seed, stdout.String(), stderr.String())
	require.Contains(t, stdout.String(), fmt.Sprintf("%d passed, 0 failed\n", triggers))

	// Without --closures the first story, raised the day before a closure,
	// fails: the closures were counted.
	stdout.Reset()
	require.Equal(t, exitFail, run([]string{"test", filepath.Join(dir, "scenarios")}, &stdout, &stderr))
	require.Contains(t, stdout.String(), "FAIL "+filepath.ToSlash(filepath.Join(dir, "scenarios", "s00.yaml")))
}

// propertyPolicy is a policy with the property test's days off and one
// obligation for each timescale from 0 to propertyMaxN working days.
func propertyPolicy() string {
	var obligations strings.Builder
	for n := 0; n <= propertyMaxN; n++ {
		fmt.Fprintf(&obligations, "      within_%d: {title: Within %d, owner: practitioner, within: %d working days, source: {file: p.txt}}\n", n, n, n)
	}
	return `language: escalation/v1
id: property
title: Property test
partnership: Test Partnership
version: "1"
jurisdiction: england-and-wales
` + propertyCalendarYAML + `scope: [children]
documents:
  - file: p.txt
roles:
  practitioner: {title: Practitioner, source: {file: p.txt}}
start: only
stages:
  only:
    title: The only stage
    source: {file: p.txt}
    involves: [practitioner]
    obligations:
` + obligations.String() + `    transitions:
      - {event: resolve, to: resolved, roles: [practitioner]}
outcomes:
  resolved: {kind: resolved, title: Resolved}
`
}
