package calendar

import (
	"slices"
	"sort"
	"strings"

	"github.com/rickar/cal/v2"
)

// proclaimedDay is a one-off day off, or a regular holiday moved for one
// year, as proclaimed. These cannot be derived from a rule, so they are data,
// each with its source. A day proclaimed after this release reaches a host
// through WithClosures until the table is updated.
type proclaimedDay struct {
	date      Date
	name      string
	in        []Jurisdiction
	replaces  string // the regular holiday this day moves, for its year only
	source    string // the authority; for the Isle of Man, iomSource if set
	iomSource string
}

var (
	uk    = []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland}
	ukIoM = []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland, IsleOfMan}
	iom   = []Jurisdiction{IsleOfMan}
	scot  = []Jurisdiction{Scotland}
)

// Sources cited by several days.
const (
	govUKFeed = "gov.uk/bank-holidays.json (vendored copies: calendar/testdata/README.md)"
	iomNager  = "Nager.Date IsleOfManTest.cs @ 39125fd8"
)

// proclaimed lists every proclaimed day in the supported range, in date
// order.
//
// The Isle of Man's TT Bank Holiday (Senior Race Day) is proclaimed each year
// and has no rule: it moved to 28 August in 2020 and 27 August in 2021, and
// the published rules ("first Friday of June", "11 days after the Spring
// bank holiday") disagree with the official dates. The table ends with the
// last proclaimed day (2026); no TT day is assumed for later years. A host
// adds each new one with WithClosures once Tynwald proclaims it.
var proclaimed = []proclaimedDay{
	{date: Date{2002, 6, 3}, name: "Golden Jubilee bank holiday", in: uk,
		source: "Royal Proclamation under the Banking and Financial Dealings Act 1971 (Queen's Golden Jubilee)"},
	{date: Date{2002, 6, 4}, name: nameSpring, in: uk, replaces: nameSpring,
		source: "Royal Proclamation moving the Spring bank holiday from 27 May 2002 (Golden Jubilee)"},
	{date: Date{2011, 4, 29}, name: "Royal wedding bank holiday", in: uk,
		source: "Royal Proclamation under the Banking and Financial Dealings Act 1971 (wedding of Prince William and Catherine Middleton)"},
	{date: Date{2012, 6, 4}, name: nameSpring, in: uk, replaces: nameSpring,
		source: "Royal Proclamation moving the Spring bank holiday from 28 May 2012 (Diamond Jubilee); " + govUKFeed},
	{date: Date{2012, 6, 5}, name: "Queen's Diamond Jubilee", in: uk,
		source: "Royal Proclamation under the Banking and Financial Dealings Act 1971; " + govUKFeed},
	{date: Date{2018, 6, 8}, name: "TT Bank Holiday", in: iom,
		source: iomNager + "; officeholidays.com/holidays/isle-of-man/tt-bank-holiday"},
	{date: Date{2019, 6, 7}, name: "TT Bank Holiday", in: iom,
		source: iomNager + "; officeholidays.com/holidays/isle-of-man/tt-bank-holiday"},
	{date: Date{2020, 5, 8}, name: "Early May bank holiday (VE day)", in: ukIoM, replaces: nameEarlyMay,
		source:    "Royal Proclamation moving the Early May bank holiday from 4 May 2020 (VE Day 75th anniversary); " + govUKFeed,
		iomSource: "officeholidays.com 2019-06-21 (Isle of Man 2020 bank holidays); " + iomNager},
	{date: Date{2020, 8, 28}, name: "TT Bank Holiday (moved from 12 June)", in: iom,
		source: "BBC News, Isle of Man Senior Race Day holiday moved to 28 August 2020: feeds.bbci.co.uk/news/world-europe-isle-of-man-52620685; " + iomNager},
	{date: Date{2021, 8, 27}, name: "TT Bank Holiday (moved from 11 June)", in: iom,
		source: "BBC News 2021-04-22: www.bbc.co.uk/news/world-europe-isle-of-man-56849366"},
	{date: Date{2022, 6, 2}, name: nameSpring, in: ukIoM, replaces: nameSpring,
		source:    "Royal Proclamation moving the Spring bank holiday from 30 May 2022 (Platinum Jubilee); " + govUKFeed,
		iomSource: "www.gov.im/news/2021/jul/06/bank-holidays-in-the-isle-of-man-2022/"},
	{date: Date{2022, 6, 3}, name: "Platinum Jubilee bank holiday", in: ukIoM,
		source:    govUKFeed,
		iomSource: "www.gov.im/news/2021/jul/06/bank-holidays-in-the-isle-of-man-2022/"},
	{date: Date{2022, 6, 10}, name: "TT Bank Holiday", in: iom,
		source: "www.gov.im/news/2021/jul/06/bank-holidays-in-the-isle-of-man-2022/"},
	{date: Date{2022, 9, 19}, name: "Bank Holiday for the State Funeral of Queen Elizabeth II", in: ukIoM,
		source:    govUKFeed,
		iomSource: "gov.im news 2022-09-11 (websolutions.im/?p=17653)"},
	{date: Date{2023, 5, 8}, name: "Bank holiday for the coronation of King Charles III", in: ukIoM,
		source:    govUKFeed,
		iomSource: "www.gov.im/news/2022/nov/09/bank-holiday-to-mark-kings-coronation/"},
	{date: Date{2023, 6, 9}, name: "TT Bank Holiday", in: iom,
		source: "IOM Today 2022-10-25: www.iomtoday.co.im/news/government-announce-2023-bank-holidays-569583"},
	{date: Date{2024, 6, 7}, name: "TT Bank Holiday", in: iom,
		source: "FEDEE Isle of Man bank holidays 2024; vacanza/holidays test_isle_of_man.py (cites gov.im)"},
	{date: Date{2025, 6, 6}, name: "TT Bank Holiday", in: iom,
		source: "FEDEE Isle of Man bank holidays 2025; holidayapi.com/holidays/im/tt-bank-holiday; vacanza/holidays test_isle_of_man.py"},
	{date: Date{2026, 6, 5}, name: "TT Bank Holiday", in: iom,
		source: "IOM Today 2025-09-11: www.iomtoday.co.im/news/mark-your-calendars-2026-bank-holidays-announced-for-isle-of-man-831415; gov.im bank holidays page (scraped 2026-08-22)"},
	{date: Date{2026, 6, 15}, name: "World Cup bank holiday", in: scot,
		source: "Royal Proclamation of 4 February 2026 (Privy Council, Scotland bank holiday); gov.uk feed retrieved 2026-08-21; calendar/testdata/README.md"},
}

// checkedThrough is, for each jurisdiction, the last year whose published
// list of bank holidays the table above has been checked against (gov.uk's
// feed for the UK, gov.im's list for the Isle of Man; calendar/testdata).
// Updating the table (doc.go, "Updating the proclaimed days") raises it; a
// test fails once the current year passes it.
var checkedThrough = map[Jurisdiction]int{
	EnglandAndWales: 2027,
	Scotland:        2027,
	NorthernIreland: 2027,
	IsleOfMan:       2026,
}

// annualDays are the days proclaimed anew each year, which no rule gives:
// a calendar lacks one for a year until the table, a declared day or a
// closure gives it.
var annualDays = []struct {
	name string
	in   Jurisdiction
}{
	{"TT Bank Holiday", IsleOfMan},
}

// ProclaimedThrough returns the last year for which this release's table of
// proclaimed days has been checked against j's published list of bank
// holidays. Later years follow the rules alone: a day proclaimed for them
// (a one-off, or the Isle of Man's TT Bank Holiday) reaches a calendar
// through WithDaysOff, WithClosures or WithFeed until the table is updated.
func ProclaimedThrough(j Jurisdiction) int { return checkedThrough[j] }

// Unproclaimed returns the names of the days proclaimed anew each year in
// c's jurisdiction for which c has no date in year: for an Isle of Man
// calendar in a year after the table ends, the TT Bank Holiday, unless a
// declared day, closure or feed day of that year is named for it. Deadlines
// in such a year count the day as a working day.
func (c *Calendar) Unproclaimed(year int) []string {
	if year < c.first.Year || year > c.last.Year {
		return nil
	}
	lo := sort.Search(len(c.off), func(k int) bool { return c.off[k].Date.Year >= year })
	hi := sort.Search(len(c.off), func(k int) bool { return c.off[k].Date.Year > year })
	var missing []string
	for _, a := range annualDays {
		if a.in != c.j {
			continue
		}
		known := slices.ContainsFunc(c.off[lo:hi], func(h Holiday) bool {
			return strings.Contains(strings.ToLower(h.Name), strings.ToLower(a.name))
		})
		if !known {
			missing = append(missing, a.name)
		}
	}
	return missing
}

func (p proclaimedDay) appliesIn(j Jurisdiction) bool { return slices.Contains(p.in, j) }

// holiday returns p as a rickar/cal rule that occurs in p's year only.
func (p proclaimedDay) holiday() *cal.Holiday {
	return &cal.Holiday{
		Name:      p.name,
		Type:      cal.ObservanceBank,
		StartYear: p.date.Year,
		EndYear:   p.date.Year,
		Month:     p.date.Month,
		Day:       p.date.Day,
		Func:      cal.CalcDayOfMonth,
	}
}
