package calendar

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The published oracle data, vendored with its provenance in testdata/ (see
// testdata/README.md). Every date in it was read from a published source.

type ukOracle struct {
	Years    []int                        `json:"years"`
	Titles   map[string]map[string]string `json:"titles"`
	Notable  map[string]string            `json:"notable_non_bank_holidays"`
	Division map[Jurisdiction][]string    `json:"-"`
	Extra    map[string]json.RawMessage   `json:"extra_years_outside_main_range"`
}

type iomOracle struct {
	Main        []string          `json:"isle-of-man"`
	Years       []int             `json:"years"`
	Inferred    map[string]string `json:"inferred_not_in_main_list"`
	Notable     map[string]string `json:"notable_non_bank_holidays"`
	WeekendDays map[string]string `json:"weekend_nominal_dates_excluded"`
	Provisional struct {
		DatesWithoutTT []string          `json:"dates_without_tt"`
		TTCandidates   map[string]string `json:"tt_bank_holiday_candidates"`
	} `json:"provisional_2027"`
}

func loadUK(t *testing.T) ukOracle {
	t.Helper()
	raw, err := os.ReadFile("testdata/uk-bank-holidays.json")
	require.NoError(t, err)
	var o ukOracle
	require.NoError(t, json.Unmarshal(raw, &o))
	var divisions map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &divisions))
	o.Division = make(map[Jurisdiction][]string)
	for _, j := range []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland} {
		var dates []string
		require.NoError(t, json.Unmarshal(divisions[string(j)], &dates))
		require.NotEmpty(t, dates, j)
		o.Division[j] = dates
	}
	return o
}

func loadIoM(t *testing.T) iomOracle {
	t.Helper()
	raw, err := os.ReadFile("testdata/isle-of-man-bank-holidays.json")
	require.NoError(t, err)
	var o iomOracle
	require.NoError(t, json.Unmarshal(raw, &o))
	require.NotEmpty(t, o.Main)
	return o
}

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	require.NoError(t, err)
	return d
}

// assertYear checks that the weekdays off in year y are exactly want.
func assertYear(t *testing.T, c *Calendar, y int, want map[Date]bool) {
	t.Helper()
	for d := (Date{y, time.January, 1}); d.Year == y; d = d.AddDays(1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			assert.False(t, want[d], "%s: the data lists a weekend day %s", c.Jurisdiction(), d)
			continue
		}
		working, err := c.IsWorkingDay(d)
		require.NoError(t, err)
		if want[d] {
			assert.False(t, working, "%s: %s is a bank holiday in the published data", c.Jurisdiction(), d)
		} else {
			h, _ := c.Holiday(d)
			assert.True(t, working, "%s: %s (%s) is not a bank holiday in the published data", c.Jurisdiction(), d, h.Name)
		}
	}
}

func byYear(t *testing.T, dates []string) map[int]map[Date]bool {
	out := make(map[int]map[Date]bool)
	for _, s := range dates {
		d := mustDate(t, s)
		if out[d.Year] == nil {
			out[d.Year] = make(map[Date]bool)
		}
		out[d.Year][d] = true
	}
	return out
}

func TestUKBankHolidaysMatchPublishedData(t *testing.T) {
	o := loadUK(t)
	require.Equal(t, []int{2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027}, o.Years)
	for j, dates := range o.Division {
		t.Run(string(j), func(t *testing.T) {
			c, err := For(j)
			require.NoError(t, err)
			years := byYear(t, dates)
			for _, y := range o.Years {
				require.NotEmpty(t, years[y], "%s has no dates in %d", j, y)
				assertYear(t, c, y, years[y])
			}
			// Names follow gov.uk's titles (which use a typographic apostrophe).
			for _, s := range dates {
				h, ok := c.Holiday(mustDate(t, s))
				if assert.True(t, ok, s) {
					assert.Equal(t, strings.ReplaceAll(o.Titles[string(j)][s], "’", "'"), h.Name, s)
					assert.NotEmpty(t, h.Source, s)
				}
			}
		})
	}
}

// 2015–2017 come from older verbatim copies and 2028 from a reformatted one
// (provisional); outside the main range, but still published dates.
func TestUKBankHolidaysMatchPublishedExtraYears(t *testing.T) {
	o := loadUK(t)
	for _, j := range []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland} {
		t.Run(string(j), func(t *testing.T) {
			var extra map[string]struct{ Title string }
			require.NoError(t, json.Unmarshal(o.Extra[string(j)], &extra))
			var dates []string
			for s := range extra {
				dates = append(dates, s)
			}
			years := byYear(t, dates)
			require.Len(t, years, 4)
			c, err := For(j)
			require.NoError(t, err)
			for _, y := range []int{2015, 2016, 2017, 2028} {
				assertYear(t, c, y, years[y])
			}
		})
	}
}

func TestUKNotableNonBankHolidays(t *testing.T) {
	o := loadUK(t)
	require.NotEmpty(t, o.Notable)
	for s, why := range o.Notable {
		for _, j := range []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland} {
			c, err := For(j)
			require.NoError(t, err)
			working, err := c.IsWorkingDay(mustDate(t, s))
			require.NoError(t, err)
			assert.True(t, working, "%s %s: %s", j, s, why)
		}
	}
}

func TestIsleOfManMatchesPublishedData(t *testing.T) {
	o := loadIoM(t)
	c, err := For(IsleOfMan)
	require.NoError(t, err)
	years := byYear(t, o.Main)
	// 2018 is incomplete in the data: Good Friday and Easter Monday were not
	// found in an Isle of Man source. They are the England and Wales dates,
	// and the Isle of Man follows England and Wales plus TT and Tynwald Day,
	// so the inference is accepted.
	require.Len(t, o.Inferred, 2)
	for s := range o.Inferred {
		years[2018][mustDate(t, s)] = true
	}
	require.Equal(t, []int{2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026}, o.Years)
	for _, y := range o.Years {
		t.Run(strconv.Itoa(y), func(t *testing.T) { assertYear(t, c, y, years[y]) })
	}
}

// 2027 has no Isle of Man list yet. The days shared with England and Wales
// and Tynwald Day follow from rules; the TT Bank Holiday is not assumed on
// either candidate date, so both are working days until a host adds the
// proclaimed one with WithClosures.
func TestIsleOfMan2027AssumesNoTTDay(t *testing.T) {
	o := loadIoM(t)
	c, err := For(IsleOfMan)
	require.NoError(t, err)
	want := make(map[Date]bool)
	for _, s := range o.Provisional.DatesWithoutTT {
		want[mustDate(t, s)] = true
	}
	require.Len(t, want, 9)
	assertYear(t, c, 2027, want)
	require.Len(t, o.Provisional.TTCandidates, 2)
	for s := range o.Provisional.TTCandidates {
		working, err := c.IsWorkingDay(mustDate(t, s))
		require.NoError(t, err)
		assert.True(t, working, s)
	}
}

func TestIsleOfManNegativesAndWeekendNominalDates(t *testing.T) {
	o := loadIoM(t)
	c, err := For(IsleOfMan)
	require.NoError(t, err)
	require.NotEmpty(t, o.Notable)
	for s, why := range o.Notable {
		working, err := c.IsWorkingDay(mustDate(t, s))
		require.NoError(t, err)
		assert.True(t, working, "%s: %s", s, why)
	}
	// The data lists weekday days off only; a nominal date at a weekend is
	// not a day off, its substitute is.
	require.NotEmpty(t, o.WeekendDays)
	for s := range o.WeekendDays {
		d := mustDate(t, s)
		assert.Contains(t, []time.Weekday{time.Saturday, time.Sunday}, d.Weekday(), s)
		_, ok := c.Holiday(d)
		assert.False(t, ok, s)
	}
}

// The table of proclaimed days must be kept current: this test reads the
// real clock on purpose, and fails once the current year passes the last
// year the table has been checked for, so that a stale table is noticed.
func TestProclaimedTableIsCurrent(t *testing.T) {
	for _, msg := range staleTable(time.Now().In(London()).Year()) {
		t.Error(msg)
	}
}

// staleTable says, for each jurisdiction whose table ends before year now,
// exactly what to update.
func staleTable(now int) []string {
	var out []string
	for _, j := range Jurisdictions() {
		through := ProclaimedThrough(j)
		if now <= through {
			continue
		}
		what := "any day proclaimed for " + strconv.Itoa(through+1) + " (a one-off bank holiday, or a regular one moved), from gov.uk/bank-holidays.json"
		if j == IsleOfMan {
			what = strconv.Itoa(through+1) + "'s TT Bank Holiday, and any other day proclaimed for it, from the gov.im bank holidays list"
		}
		out = append(out, fmt.Sprintf("%s: the table of proclaimed days covers up to %d, and it is now %d. "+
			"Add %s to proclaimed in calendar/holidays_proclaimed.go, each with its source; "+
			"add the year's published dates to calendar/testdata (see its README); "+
			"then set checkedThrough[%s] to %d. See \"Updating the proclaimed days\" in calendar/doc.go.",
			j, through, now, what, j, now))
	}
	return out
}

func TestStaleTableMessage(t *testing.T) {
	assert.Empty(t, staleTable(2026))
	msgs := staleTable(2027)
	require.Len(t, msgs, 1)
	assert.Equal(t, "isle-of-man: the table of proclaimed days covers up to 2026, and it is now 2027. "+
		"Add 2027's TT Bank Holiday, and any other day proclaimed for it, from the gov.im bank holidays list to proclaimed in calendar/holidays_proclaimed.go, each with its source; "+
		"add the year's published dates to calendar/testdata (see its README); "+
		"then set checkedThrough[isle-of-man] to 2027. See \"Updating the proclaimed days\" in calendar/doc.go.", msgs[0])
	assert.Len(t, staleTable(2028), 4)
	assert.Contains(t, staleTable(2028)[0], "england-and-wales: the table of proclaimed days covers up to 2027, and it is now 2028. Add any day proclaimed for 2028")
}

func TestUnproclaimed(t *testing.T) {
	iom := forJ(t, IsleOfMan)
	assert.Equal(t, 2026, ProclaimedThrough(IsleOfMan))
	for _, y := range []int{2018, 2020, 2021, 2026} {
		assert.Empty(t, iom.Unproclaimed(y), y)
	}
	assert.Equal(t, []string{"TT Bank Holiday"}, iom.Unproclaimed(2027))
	assert.Empty(t, iom.Unproclaimed(2017), "before the range")
	assert.Empty(t, iom.Unproclaimed(2200), "after the range")
	for _, j := range []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland} {
		assert.Empty(t, forJ(t, j).Unproclaimed(2030), j)
	}

	// Declared, or given as a closure, under its name: then it is known.
	declared, err := New(IsleOfMan, WithDaysOff(DayOff{Name: "TT Bank Holiday 2027", Date: Date{2027, 6, 4}}))
	require.NoError(t, err)
	assert.Empty(t, declared.Unproclaimed(2027))
	assert.Equal(t, []string{"TT Bank Holiday"}, declared.Unproclaimed(2028))
	closure, err := New(IsleOfMan, WithClosures(Holiday{Date: Date{2027, 6, 4}, Name: "tt bank holiday"}))
	require.NoError(t, err)
	assert.Empty(t, closure.Unproclaimed(2027))
	other, err := New(IsleOfMan, WithDaysOff(DayOff{Name: "Senior Race Day", Date: Date{2027, 6, 4}}))
	require.NoError(t, err)
	assert.Equal(t, []string{"TT Bank Holiday"}, other.Unproclaimed(2027), "only the name the table uses counts")
}
