package calendar

import (
	"fmt"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// rule is one bank holiday as a rickar/cal definition, with the authority
// for its dates. Proclaimed one-off days become rules too (see
// holidays_proclaimed.go), so every day off is computed the same way.
type rule struct {
	h      *cal.Holiday
	source string
}

const (
	sourceUK  = "gov.uk/bank-holidays (Banking and Financial Dealings Act 1971 and Royal Proclamations)"
	sourceIoM = "gov.im bank holidays (Bank Holidays Act 1989, Isle of Man)"
)

// Substitute-day rules, in rickar/cal's terms (the weekday of the nominal
// date, and how many days later the day off is). They follow the gov.uk
// naming: when Christmas Day is a Sunday, Boxing Day keeps Monday 26th and
// Christmas Day's substitute is Tuesday 27th (2016, 2022).
var (
	weekendToMonday = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}
	// For Christmas Day and Boxing Day: from a Saturday or a Sunday each
	// moves two days on, past the other's Monday.
	christmasPair = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 2}}
	// For Scotland's 2 January, which follows New Year's Day's substitute
	// (2023: New Year's Day Sunday, its substitute Monday 2nd, so 2nd
	// January moves to Tuesday 3rd).
	secondJanuary = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 2}, {Day: time.Monday, Offset: 1}}
)

// The regular holidays' names, as gov.uk titles them. A proclaimed day that
// moves a regular holiday names it (proclaimedDay.replaces).
const (
	nameNewYear       = "New Year's Day"
	name2ndJanuary    = "2nd January"
	nameStPatrick     = "St Patrick's Day"
	nameGoodFriday    = "Good Friday"
	nameEasterMonday  = "Easter Monday"
	nameEarlyMay      = "Early May bank holiday"
	nameSpring        = "Spring bank holiday"
	nameBoyne         = "Battle of the Boyne (Orangemen's Day)"
	nameTynwald       = "Tynwald Day"
	nameSummer        = "Summer bank holiday"
	nameStAndrew      = "St Andrew's Day"
	nameChristmas     = "Christmas Day"
	nameBoxing        = "Boxing Day"
	firstStAndrewYear = 2007 // St Andrew's Day Bank Holiday (Scotland) Act 2007
)

// regularRules returns j's recurring holidays. They are clones of
// rickar/cal's gb definitions where those fit (never the shared values
// themselves, which other code in the process may use), and new
// cal.Holiday values for the days gb lacks. Except is left empty here:
// build fills it from the proclaimed moves.
func regularRules(j Jurisdiction) []*cal.Holiday {
	fixed := func(name string, m time.Month, d int, observed []cal.AltDay) *cal.Holiday {
		return &cal.Holiday{Name: name, Type: cal.ObservanceBank, Month: m, Day: d, Observed: observed, Func: cal.CalcDayOfMonth}
	}
	clone := func(h *cal.Holiday, name string, observed []cal.AltDay) *cal.Holiday {
		// A non-nil Except replaces gb's own list (gb.EarlyMay excludes 2020).
		return h.Clone(&cal.Holiday{Name: name, Except: []int{}, Observed: observed})
	}
	newYear := clone(gb.NewYear, nameNewYear, weekendToMonday)
	goodFriday := clone(gb.GoodFriday, nameGoodFriday, nil)
	easterMonday := clone(gb.EasterMonday, nameEasterMonday, nil)
	earlyMay := clone(gb.EarlyMay, nameEarlyMay, nil)
	spring := clone(gb.SpringHoliday, nameSpring, nil)
	christmas := clone(gb.ChristmasDay, nameChristmas, christmasPair)
	boxing := clone(gb.BoxingDay, nameBoxing, christmasPair)

	switch j {
	case Scotland:
		stAndrew := fixed(nameStAndrew, time.November, 30, weekendToMonday)
		stAndrew.StartYear = firstStAndrewYear
		return []*cal.Holiday{
			newYear,
			fixed(name2ndJanuary, time.January, 2, secondJanuary),
			goodFriday, // no Easter Monday in Scotland
			earlyMay,
			spring,
			clone(gb.SummerHolidayScotland, nameSummer, nil), // first Monday of August
			stAndrew,
			christmas,
			boxing,
		}
	case NorthernIreland:
		return []*cal.Holiday{
			newYear,
			fixed(nameStPatrick, time.March, 17, weekendToMonday),
			goodFriday, easterMonday, earlyMay, spring,
			fixed(nameBoyne, time.July, 12, weekendToMonday),
			clone(gb.SummerHoliday, nameSummer, nil), // last Monday of August
			christmas, boxing,
		}
	case IsleOfMan:
		// England and Wales's days, plus Tynwald Day: 5 July, or the
		// following Monday when 5 July is at a weekend. The TT Bank Holiday
		// is proclaimed each year (holidays_proclaimed.go).
		return []*cal.Holiday{
			newYear, goodFriday, easterMonday, earlyMay, spring,
			fixed(nameTynwald, time.July, 5, weekendToMonday),
			clone(gb.SummerHoliday, nameSummer, nil),
			christmas, boxing,
		}
	}
	return []*cal.Holiday{
		newYear, goodFriday, easterMonday, earlyMay, spring,
		clone(gb.SummerHoliday, nameSummer, nil),
		christmas, boxing,
	}
}

// rulesFor returns every holiday rule of j: the regular ones, with the years
// in which a proclamation moved them excluded, and one rule per proclaimed
// day.
func rulesFor(j Jurisdiction) ([]rule, error) {
	source := sourceUK
	if j == IsleOfMan {
		source = sourceIoM
	}
	regular := regularRules(j)
	byName := make(map[string]*cal.Holiday, len(regular))
	rules := make([]rule, 0, len(regular)+len(proclaimed))
	for _, h := range regular {
		byName[h.Name] = h
		rules = append(rules, rule{h: h, source: source})
	}
	for _, p := range proclaimed {
		if !p.appliesIn(j) {
			continue
		}
		if p.replaces != "" {
			h, ok := byName[p.replaces]
			if !ok {
				return nil, fmt.Errorf("calendar: internal error: %s in %s replaces %q, which %s does not have", p.date, j, p.replaces, j)
			}
			h.Except = append(h.Except, p.date.Year)
		}
		src := p.source
		if j == IsleOfMan && p.iomSource != "" {
			src = p.iomSource
		}
		rules = append(rules, rule{h: p.holiday(), source: src})
	}
	return rules, nil
}
