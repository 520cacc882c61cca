package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseYearly(t *testing.T) {
	cases := map[string]Yearly{
		"9 May":                      {Month: time.May, Day: 9},
		"May 9":                      {Month: time.May, Day: 9},
		" 09  may ":                  {Month: time.May, Day: 9},
		"31 Dec":                     {Month: time.December, Day: 31},
		"first Monday of June":       {Month: time.June, Nth: 1, Weekday: time.Monday},
		"2nd tue in March":           {Month: time.March, Nth: 2, Weekday: time.Tuesday},
		"third Wednesday of October": {Month: time.October, Nth: 3, Weekday: time.Wednesday},
		"4th Thursday of November":   {Month: time.November, Nth: 4, Weekday: time.Thursday},
		"LAST MONDAY OF AUGUST":      {Month: time.August, Nth: Last, Weekday: time.Monday},
	}
	for s, want := range cases {
		got, err := ParseYearly(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, s)
		back, err := ParseYearly(got.String())
		require.NoError(t, err, "%s -> %s", s, got)
		assert.Equal(t, got, back)
	}
	assert.Equal(t, "first Monday of June", cases["first Monday of June"].String())
	assert.Equal(t, "last Monday of August", cases["LAST MONDAY OF AUGUST"].String())
	assert.Equal(t, "9 May", cases["May 9"].String())
	assert.Equal(t, "", Yearly{}.String())
}

func TestParseYearlyErrors(t *testing.T) {
	cases := map[string]string{
		"":                         `cannot read yearly day ""`,
		"9th May":                  "cannot read yearly day",
		"May":                      "cannot read yearly day",
		"2026-05-09":               "cannot read yearly day",
		"9 Mayday":                 "cannot read yearly day",
		"100 May":                  "cannot read yearly day",
		"fifth Monday of June":     "cannot read yearly day",
		"first Monday after June":  "cannot read yearly day",
		"first Funday of June":     "cannot read yearly day",
		"32 May":                   "May has no day 32",
		"31 April":                 "April has no day 31",
		"0 May":                    "May has no day 0",
		"29 February":              "29 February is not in every year",
		"first Saturday of June":   "a Saturday is never a working day",
		"last sunday of September": "a Sunday is never a working day",
	}
	for s, msg := range cases {
		y, err := ParseYearly(s)
		assert.ErrorContains(t, err, msg, s)
		assert.True(t, y.IsZero(), s)
	}
	assert.ErrorContains(t, Yearly{Month: time.May, Day: 9, Nth: 1}.check(), "not both")
	assert.ErrorContains(t, Yearly{Month: time.May}.check(), "give a day of the month or an nth weekday")
	assert.ErrorContains(t, Yearly{Month: 13, Day: 1}.check(), "month 13 is not 1 to 12")
	assert.ErrorContains(t, Yearly{Month: time.May, Nth: 5, Weekday: time.Monday}.check(), "5 is not an nth weekday")
	assert.ErrorContains(t, Yearly{Month: time.May, Nth: 1, Weekday: 7}.check(), "weekday 7")
	assert.ErrorContains(t, Yearly{}.check(), "no yearly day given")
}

// in is checked against the calendar of every month of 2026 to 2028: the
// date it gives has the weekday asked for, in the week asked for.
func TestYearlyIn(t *testing.T) {
	for year := 2026; year <= 2028; year++ {
		for m := time.January; m <= time.December; m++ {
			for wd := time.Monday; wd <= time.Friday; wd++ {
				for _, nth := range []int{1, 2, 3, 4, Last} {
					d := Yearly{Month: m, Nth: nth, Weekday: wd}.in(year)
					require.Equal(t, wd, d.Weekday())
					require.Equal(t, Date{year, m, d.Day}, d)
					if nth == Last {
						require.Greater(t, d.Day+7, daysIn(year, m), "%d %s last %s", year, m, wd)
					} else {
						require.Equal(t, nth, (d.Day-1)/7+1, "%d %s %d %s", year, m, nth, wd)
					}
				}
			}
		}
	}
	assert.Equal(t, Date{2026, 6, 1}, Yearly{Month: time.June, Nth: 1, Weekday: time.Monday}.in(2026))
	assert.Equal(t, Date{2026, 8, 31}, Yearly{Month: time.August, Nth: Last, Weekday: time.Monday}.in(2026))
	assert.Equal(t, Date{2027, 5, 9}, Yearly{Month: time.May, Day: 9}.in(2027))
}
