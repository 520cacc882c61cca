package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type feedEvent struct {
	Title   string `json:"title"`
	Date    string `json:"date"`
	Notes   string `json:"notes"`
	Bunting bool   `json:"bunting"`
}

type feedDivision struct {
	Division string      `json:"division"`
	Events   []feedEvent `json:"events"`
}

// govUKFeedFromOracle writes the vendored published data
// (testdata/uk-bank-holidays.json, merged from copies of gov.uk's feed) back
// in the feed's own format, with gov.uk's titles and typographic
// apostrophes. The merged data keeps no notes, so no day is marked a
// substitute here (TestParseGovUKFeedDays reads the notes).
func govUKFeedFromOracle(t *testing.T, o ukOracle, skip map[string]bool, years ...int) []byte {
	t.Helper()
	in := map[int]bool{}
	for _, y := range years {
		in[y] = true
	}
	feed := map[string]feedDivision{}
	for j, dates := range o.Division {
		div := feedDivision{Division: string(j), Events: []feedEvent{}}
		for _, s := range dates {
			d := mustDate(t, s)
			if !in[d.Year] || skip[string(j)+" "+s] {
				continue
			}
			div.Events = append(div.Events, feedEvent{Title: o.Titles[string(j)][s], Date: s})
		}
		feed[string(j)] = div
	}
	out, err := json.MarshalIndent(feed, "", "  ")
	require.NoError(t, err)
	return out
}

// A calendar that takes its bank holidays from the vendored feed agrees with
// the built-in one on every day of the years the feed lists.
func TestGovUKFeedMatchesBuiltInCalendar(t *testing.T) {
	o := loadUK(t)
	data := govUKFeedFromOracle(t, o, nil, o.Years...)
	require.Contains(t, string(data), "New Year’s Day", "gov.uk's own titles")
	feed, err := ParseGovUKFeed("uk-bank-holidays.json", data)
	require.NoError(t, err)
	require.Len(t, feed, 3)
	for _, j := range []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland} {
		c, err := New(j, WithFeed(feed))
		require.NoError(t, err)
		builtIn := forJ(t, j)
		from, to := Date{o.Years[0], 1, 1}, Date{o.Years[len(o.Years)-1], 12, 31}
		got, err := c.Holidays(from, to)
		require.NoError(t, err)
		want, err := builtIn.Holidays(from, to)
		require.NoError(t, err)
		require.Len(t, got, len(want), j)
		for i := range want {
			assert.Equal(t, want[i].Date, got[i].Date, j)
			assert.Equal(t, want[i].Name, got[i].Name, j)
			assert.Equal(t, BankHoliday, got[i].Kind)
			assert.Equal(t, "gov.uk/bank-holidays.json (uk-bank-holidays.json)", got[i].Source)
		}
		n, err := c.WorkingDaysBetween(from, to)
		require.NoError(t, err)
		m, err := builtIn.WorkingDaysBetween(from, to)
		require.NoError(t, err)
		assert.Equal(t, m, n, j)
	}
}

// A newer feed than the library's table wins for the years it lists: a day
// it adds is off, a day it leaves out (moved by proclamation) is not, and
// the years it does not list keep the built-in rules.
func TestGovUKFeedReplacesTheYearsItLists(t *testing.T) {
	o := loadUK(t)
	// 2027 as a later feed might give it: Early May moved from Monday 3 May
	// to Friday 7 May, and a one-off day on Friday 2 July.
	data := govUKFeedFromOracle(t, o, map[string]bool{"england-and-wales 2027-05-03": true}, 2026, 2027)
	var feed map[string]feedDivision
	require.NoError(t, json.Unmarshal(data, &feed))
	ew := feed["england-and-wales"]
	ew.Events = append(ew.Events,
		feedEvent{Title: "Early May bank holiday", Date: "2027-05-07", Notes: ""},
		feedEvent{Title: "Bank holiday for a national event", Date: "2027-07-02", Notes: ""})
	feed["england-and-wales"] = ew
	data, err := json.Marshal(feed)
	require.NoError(t, err)

	parsed, err := ParseGovUKFeed("bank-holidays.json", data)
	require.NoError(t, err)
	c, err := New(EnglandAndWales, WithFeed(parsed))
	require.NoError(t, err)
	for d, off := range map[Date]bool{
		{2027, 5, 3}: false, {2027, 5, 7}: true, {2027, 7, 2}: true,
		{2028, 5, 1}: true, {2025, 5, 5}: true, {2029, 12, 25}: true, // built-in years
	} {
		working, err := c.IsWorkingDay(d)
		require.NoError(t, err)
		assert.Equal(t, !off, working, d)
	}
	h, _ := c.Holiday(Date{2027, 7, 2})
	assert.Equal(t, "Bank holiday for a national event", h.Name)

	// Declared days and closures still come on top.
	withDays, err := c.With(WithDaysOff(liberationDay))
	require.NoError(t, err)
	h, ok := withDays.Holiday(Date{2027, 5, 10})
	require.True(t, ok)
	assert.Equal(t, "Liberation Day", h.Name)
}

func TestWithFeedErrors(t *testing.T) {
	o := loadUK(t)
	feed, err := ParseGovUKFeed("f.json", govUKFeedFromOracle(t, o, nil, 2026))
	require.NoError(t, err)
	_, err = New(IsleOfMan, WithFeed(feed))
	assert.ErrorContains(t, err, "the feed has no isle-of-man division (it has england-and-wales, northern-ireland, scotland)")
	_, err = New(Scotland, WithFeed(feed), WithFeed(feed))
	assert.ErrorContains(t, err, "WithFeed was given twice")

	for msg, days := range map[string][]Holiday{
		"the feed lists 2026-12-26, a Saturday":          {{Date: Date{2026, 12, 26}, Name: "x"}},
		"the feed lists 2026-02-30, which is not a date": {{Date: Date{2026, 2, 30}, Name: "x"}},
		"the feed lists 2026-12-29 without a name":       {{Date: Date{2026, 12, 29}}},
		"the feed lists 2026-12-29 twice":                {{Date: Date{2026, 12, 29}, Name: "x"}, {Date: Date{2026, 12, 29}, Name: "y"}},
	} {
		_, err := New(EnglandAndWales, WithFeed(Feed{EnglandAndWales: days}))
		assert.ErrorContains(t, err, msg)
	}
	// Days outside the calendar's range are left out; an empty list changes
	// nothing.
	c, err := New(EnglandAndWales, WithFeed(Feed{EnglandAndWales: {{Date: Date{1999, 12, 27}, Name: "Boxing Day"}}}))
	require.NoError(t, err)
	working, err := c.IsWorkingDay(Date{2000, 12, 26})
	require.NoError(t, err)
	assert.False(t, working)
	c, err = New(EnglandAndWales, WithFeed(Feed{EnglandAndWales: nil}))
	require.NoError(t, err)
	assert.Equal(t, forJ(t, EnglandAndWales).off, c.off)
}

func TestParseGovUKFeedErrors(t *testing.T) {
	event := func(title, date string) string {
		return fmt.Sprintf(`{"title": %q, "date": %q, "notes": "", "bunting": true}`, title, date)
	}
	division := func(name string, events ...string) string {
		return fmt.Sprintf(`%q: {"division": %q, "events": [%s]}`, name, name, strings.Join(events, ","))
	}
	cases := map[string]string{
		`[]`: "f.json is not gov.uk's bank holiday feed",
		`{}`: "f.json lists no division: gov.uk's feed lists england-and-wales, scotland, northern-ireland",
		`{"wales": {"division": "wales", "events": []}}`:                `"wales" is not a division of the feed`,
		`{"scotland": {"division": "england-and-wales", "events": []}}`: `scotland.division is "england-and-wales"`,
		`{"scotland": []}`: "f.json: scotland: json: cannot unmarshal",
		"{" + division("scotland", event("x", "2026-13-01")) + "}":                           "scotland.events[0].date: \"2026-13-01\" is not a date",
		"{" + division("scotland", event("", "2026-12-29")) + "}":                            "scotland.events[0].title is empty",
		"{" + division("scotland", event("x", "2026-12-26")) + "}":                           "scotland.events[0].date: 2026-12-26 is a Saturday",
		"{" + division("scotland", event("a", "2026-12-29"), event("b", "2026-12-29")) + "}": "scotland.events[1].date: 2026-12-29 is already listed at scotland.events[0]",
	}
	for src, msg := range cases {
		f, err := ParseGovUKFeed("f.json", []byte(src))
		assert.Nil(t, f, src)
		assert.ErrorContains(t, err, msg, src)
	}
	// Every problem is reported.
	_, err := ParseGovUKFeed("f.json", []byte("{"+division("scotland", event("", "2026-12-29"), event("x", "2026-12-26"))+"}"))
	require.Error(t, err)
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 2)
	assert.False(t, errors.Is(err, ErrOutOfRange))
}

// The feed's notes mark substitute days; titles get straight apostrophes.
func TestParseGovUKFeedDays(t *testing.T) {
	feed, err := ParseGovUKFeed("f.json", []byte(`{"northern-ireland": {"division": "northern-ireland", "events": [
		{"title": "Battle of the Boyne (Orangemen’s Day)", "date": "2026-07-13", "notes": "Substitute day", "bunting": false},
		{"title": "St Patrick’s Day", "date": "2026-03-17", "notes": "", "bunting": true}]}}`))
	require.NoError(t, err)
	src := "gov.uk/bank-holidays.json (f.json)"
	assert.Equal(t, Feed{NorthernIreland: {
		{Date: Date{2026, 3, 17}, Name: "St Patrick's Day", Source: src},
		{Date: Date{2026, 7, 13}, Name: "Battle of the Boyne (Orangemen's Day)", Substitute: true, Source: src},
	}}, feed)
}
