package calendar

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	good := map[string]Date{
		"2026-12-22": {2026, time.December, 22},
		"2024-02-29": {2024, time.February, 29},
		"2000-02-29": {2000, time.February, 29},
		"0001-01-01": {1, time.January, 1},
		"9999-12-31": {9999, time.December, 31},
	}
	for s, want := range good {
		got, err := ParseDate(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got)
		assert.Equal(t, s, got.String())
	}
	bad := map[string]string{
		"":            "YYYY-MM-DD",
		"2026-12-2":   "YYYY-MM-DD",
		"22/12/2026":  "YYYY-MM-DD",
		"2026-12-22T": "YYYY-MM-DD",
		"+026-12-22":  "digits only",
		"2026-1a-22":  "digits only",
		"2026-13-01":  "month 13 is not 01 to 12",
		"2026-00-01":  "month 0",
		"2026-02-29":  "February 2026 has 28 days",
		"1900-02-29":  "February 1900 has 28 days",
		"2026-04-31":  "April 2026 has 30 days",
		"2026-04-00":  "April 2026 has 30 days",
	}
	for s, msg := range bad {
		_, err := ParseDate(s)
		if assert.Error(t, err, s) {
			assert.Contains(t, err.Error(), msg, s)
		}
	}
}

func TestDateOfReadsLondon(t *testing.T) {
	// 23:30 UTC on 1 June is 00:30 on 2 June in London (BST).
	assert.Equal(t, Date{2026, 6, 2}, DateOf(time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC)))
	// In winter London is on UTC.
	assert.Equal(t, Date{2026, 12, 1}, DateOf(time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC)))
	assert.Equal(t, Date{}, DateOf(time.Time{}))
}

func TestDateStart(t *testing.T) {
	for _, d := range []Date{{2026, 3, 29}, {2026, 10, 25}, {2026, 7, 1}, {2026, 1, 1}} {
		s := d.Start()
		assert.Equal(t, London(), s.Location())
		h, m, sec := s.Clock()
		assert.Equal(t, [3]int{0, 0, 0}, [3]int{h, m, sec}, d)
		assert.Equal(t, d, DateOf(s))
	}
	// The day the clocks go forward is 23 hours long.
	assert.Equal(t, 23*time.Hour, Date{2026, 3, 30}.Start().Sub(Date{2026, 3, 29}.Start()))
	assert.True(t, Date{}.Start().IsZero())
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, 12, 22}
	assert.Equal(t, Date{2027, 1, 1}, d.AddDays(10))
	assert.Equal(t, Date{2026, 11, 30}, d.AddDays(-22))
	assert.Equal(t, Date{2024, 3, 1}, Date{2024, 2, 28}.AddDays(2))
	assert.Equal(t, Date{}, Date{}.AddDays(5))
	assert.Equal(t, time.Tuesday, d.Weekday())
	assert.Equal(t, time.Thursday, Date{1970, 1, 1}.Weekday())
	assert.Equal(t, time.Friday, Date{1969, 12, 26}.Weekday())
	assert.True(t, d.Before(Date{2026, 12, 23}))
	assert.True(t, d.After(Date{2025, 12, 31}))
	assert.Equal(t, 0, d.Compare(d))
	assert.Equal(t, -1, d.Compare(Date{2027, 1, 1}))
	assert.Equal(t, 1, d.Compare(Date{2026, 11, 30}))

	// The arithmetic agrees with the time package across four centuries.
	start := time.Date(1899, 12, 25, 12, 0, 0, 0, time.UTC)
	for n := 0; n < 146097; n += 13 {
		y, m, day := start.AddDate(0, 0, n).Date()
		got := Date{1899, 12, 25}.AddDays(n)
		require.Equal(t, Date{y, m, day}, got, n)
		require.Equal(t, start.AddDate(0, 0, n).Weekday(), got.Weekday(), n)
	}
}

func TestDateText(t *testing.T) {
	type record struct {
		Approved Date  `json:"approved"`
		Review   *Date `json:"review,omitempty"`
	}
	b, err := json.Marshal(record{Approved: Date{2026, 12, 22}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"approved":"2026-12-22"}`, string(b))

	b, err = json.Marshal(record{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"approved":""}`, string(b))

	var r record
	require.NoError(t, json.Unmarshal([]byte(`{"approved":"","review":"2027-01-04"}`), &r))
	assert.Equal(t, Date{}, r.Approved)
	assert.Equal(t, Date{2027, 1, 4}, *r.Review)

	err = json.Unmarshal([]byte(`{"approved":"2027-02-30"}`), &r)
	assert.ErrorContains(t, err, "February 2027 has 28 days")

	_, err = Date{2026, 2, 30}.MarshalText()
	assert.ErrorContains(t, err, "not a valid date")
}

// The clock table agrees with the time package on every date it covers, and
// at the instants around every clock change.
func TestClockTableMatchesTimePackage(t *testing.T) {
	lc := theClock()
	require.True(t, lc.usable)
	for dn := lc.firstDay - 2; dn < lc.firstDay+lc.days+2; dn++ {
		d := fromDayNumber(dn)
		want := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, London())
		got := d.Start()
		require.True(t, want.Equal(got), "%s: %s != %s", d, got, want)
		require.Equal(t, d, DateOf(got))
		require.Equal(t, d.AddDays(-1), DateOf(got.Add(-time.Nanosecond)))
	}
	// Around each change (01:00 UTC on the last Sundays of March and October).
	for y := 2000; y <= 2199; y++ {
		for _, m := range []time.Month{time.March, time.October} {
			change := time.Date(y, m+1, 1, 1, 0, 0, 0, time.UTC)
			for change.Weekday() != time.Sunday || change.Month() != m {
				change = change.AddDate(0, 0, -1)
			}
			for _, delta := range []time.Duration{-2 * time.Hour, -time.Nanosecond, 0, time.Hour, 23 * time.Hour} {
				at := change.Add(delta)
				y, m, d := at.In(London()).Date()
				require.Equal(t, Date{y, m, d}, DateOf(at), at)
			}
		}
	}
}
