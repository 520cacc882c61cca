package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Feed is a published list of bank holidays by jurisdiction, such as
// ParseGovUKFeed reads from gov.uk. Each list holds weekdays, in date order.
type Feed map[Jurisdiction][]Holiday

// The divisions gov.uk publishes; the Isle of Man publishes no feed.
var govUKDivisions = []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland}

// ParseGovUKFeed reads the bank holidays gov.uk publishes at
// https://www.gov.uk/bank-holidays.json: for each of the three UK divisions,
// {"division", "events": [{"title", "date", "notes", "bunting"}]}. name is
// where the data came from, for errors and each day's Source. A day whose
// notes say "Substitute day" is a substitute; titles keep their words, with
// straight apostrophes as this package names holidays. Every problem is
// reported, each with its place in the data ("scotland.events[3].date").
func ParseGovUKFeed(name string, data []byte) (Feed, error) {
	var divisions map[string]json.RawMessage
	if err := json.Unmarshal(data, &divisions); err != nil {
		return nil, fmt.Errorf("calendar: %s is not gov.uk's bank holiday feed: %v", name, err)
	}
	source := "gov.uk/bank-holidays.json (" + name + ")"
	feed := Feed{}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("calendar: %s: %s", name, fmt.Sprintf(format, args...)))
	}
	keys := make([]string, 0, len(divisions))
	for k := range divisions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		j := Jurisdiction(key)
		if !slices.Contains(govUKDivisions, j) {
			fail("%q is not a division of the feed: gov.uk lists %s", key, divisionNames())
			continue
		}
		var div struct {
			Division string `json:"division"`
			Events   []struct {
				Title string `json:"title"`
				Date  string `json:"date"`
				Notes string `json:"notes"`
			} `json:"events"`
		}
		if err := json.Unmarshal(divisions[key], &div); err != nil {
			fail("%s: %v", key, err)
			continue
		}
		if div.Division != key {
			fail("%s.division is %q: it should name its own division", key, div.Division)
		}
		seen := map[Date]int{}
		days := make([]Holiday, 0, len(div.Events))
		for i, ev := range div.Events {
			at := fmt.Sprintf("%s.events[%d]", key, i)
			d, err := ParseDate(ev.Date)
			if err != nil {
				fail("%s.date: %s", at, strings.TrimPrefix(err.Error(), "calendar: "))
				continue
			}
			if strings.TrimSpace(ev.Title) == "" {
				fail("%s.title is empty", at)
				continue
			}
			if first, dup := seen[d]; dup {
				fail("%s.date: %s is already listed at %s.events[%d]", at, d, key, first)
				continue
			}
			seen[d] = i
			if isWeekend(d) {
				fail("%s.date: %s is a %s: the feed lists the weekday off, never a weekend", at, d, d.Weekday())
				continue
			}
			days = append(days, Holiday{
				Date:       d,
				Name:       strings.ReplaceAll(ev.Title, "’", "'"),
				Substitute: strings.Contains(strings.ToLower(ev.Notes), "substitute day"),
				Source:     source,
			})
		}
		sort.Slice(days, func(a, b int) bool { return days[a].Date.Before(days[b].Date) })
		feed[j] = days
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(feed) == 0 {
		return nil, fmt.Errorf("calendar: %s lists no division: gov.uk's feed lists %s", name, divisionNames())
	}
	return feed, nil
}

func divisionNames() string {
	names := make([]string, len(govUKDivisions))
	for i, j := range govUKDivisions {
		names[i] = string(j)
	}
	return strings.Join(names, ", ")
}

// WithFeed has the calendar take its bank holidays from a published list,
// such as a newer gov.uk feed than this release was checked against: for
// every year from the first to the last the feed lists for the calendar's
// jurisdiction, the feed's days replace the built-in ones, so a day moved by
// proclamation moves. Other years keep the built-in rules. Load a feed at
// least as new as this release's table (ProclaimedThrough), or it takes away
// days the table has. A calendar takes one feed.
func WithFeed(f Feed) Option {
	cp := make(Feed, len(f))
	for j, days := range f {
		cp[j] = append([]Holiday(nil), days...)
	}
	return func(cfg *config) error {
		if cfg.feed != nil {
			return errors.New("calendar: WithFeed was given twice: a calendar takes one feed")
		}
		cfg.feed = cp
		return nil
	}
}

// applyFeed replaces the bank holidays of the years the feed lists.
func (c *Calendar) applyFeed(f Feed) error {
	if f == nil {
		return nil
	}
	days, ok := f[c.j]
	if !ok {
		return fmt.Errorf("calendar: the feed has no %s division (it has %s)", c.j, feedDivisions(f))
	}
	if len(days) == 0 {
		return nil
	}
	from, to := days[0].Date.Year, days[0].Date.Year
	for _, h := range days {
		from, to = min(from, h.Date.Year), max(to, h.Date.Year)
	}
	kept := c.off[:0]
	for _, h := range c.off {
		if h.Date.Year < from || h.Date.Year > to {
			kept = append(kept, h)
			continue
		}
		k := h.Date.dayNumber() - c.firstDay
		c.working[k/64] |= 1 << (k % 64)
	}
	c.off = kept
	for _, h := range days {
		if err := checkFeedDay(h); err != nil {
			return err
		}
		k, err := c.index(h.Date)
		if errors.Is(err, ErrOutOfRange) {
			continue // a year the calendar does not answer for
		}
		if err != nil {
			return err
		}
		if !c.isWorking(k) {
			return fmt.Errorf("calendar: the feed lists %s twice", h.Date)
		}
		h.Kind = BankHoliday
		c.takeOff(k, h)
	}
	return nil
}

// checkFeedDay reports a day a feed built by hand cannot hold.
func checkFeedDay(h Holiday) error {
	switch {
	case !h.Date.valid():
		return fmt.Errorf("calendar: the feed lists %04d-%02d-%02d, which is not a date", h.Date.Year, int(h.Date.Month), h.Date.Day)
	case isWeekend(h.Date):
		return fmt.Errorf("calendar: the feed lists %s, a %s: a feed lists the weekday off", h.Date, h.Date.Weekday())
	case strings.TrimSpace(h.Name) == "":
		return fmt.Errorf("calendar: the feed lists %s without a name", h.Date)
	}
	return nil
}

func feedDivisions(f Feed) string {
	var names []string
	for j := range f {
		names = append(names, string(j))
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
