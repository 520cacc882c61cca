// Package calendar answers "by when?" for UK safeguarding-partnership
// escalation procedures: which days are working days in a jurisdiction, and
// when an act that a procedure allows "within 2 working days", "within 24
// hours" or "immediately" after an event falls due. Every deadline in the
// library is computed here, by the rules under Working days and Deadlines
// below.
//
// # Jurisdictions
//
// A policy names one Jurisdiction: england-and-wales, scotland,
// northern-ireland or isle-of-man. Each has its own bank holidays:
//
//   - England and Wales: New Year's Day, Good Friday, Easter Monday, the
//     Early May, Spring and Summer bank holidays, Christmas Day and Boxing
//     Day.
//   - Scotland: as England and Wales without Easter Monday, plus 2nd
//     January and St Andrew's Day (from 2007), with the Summer bank
//     holiday on the first Monday of August.
//   - Northern Ireland: as England and Wales, plus St Patrick's Day and the
//     Battle of the Boyne.
//   - Isle of Man: as England and Wales, plus Tynwald Day (5 July, or the
//     following Monday when 5 July is at a weekend) and the TT Bank Holiday.
//
// A holiday that falls at a weekend gives a substitute weekday, named as
// gov.uk names it: when Christmas Day is a Sunday, Boxing Day keeps Monday
// and Christmas Day's substitute is the Tuesday. The recurring holidays are
// rickar/cal rules (clones of its gb package where they fit). Days that no
// rule gives are a table with a source for each: the 2002 and 2012
// jubilees, the 2011 royal wedding, the 2020 VE Day move, the 2022 Platinum
// Jubilee and State Funeral, the 2023 coronation, Scotland's 2026 World Cup
// bank holiday and each year's proclaimed TT Bank Holiday.
//
// The TT Bank Holiday has no rule (it moved to late August in 2020 and
// 2021, and the published rules disagree with the official dates). The
// table ends with the last proclaimed day, 5 June 2026: no TT day is
// assumed for 2027 or later, so until the table is updated a policy declares
// each new one (WithDaysOff), or a host adds it with WithClosures.
// ProclaimedThrough says how far the table has been checked against each
// jurisdiction's published list, and Unproclaimed names the yearly
// proclaimed days a calendar has no date for in a year.
//
// # Updating the proclaimed days
//
// When gov.uk or gov.im publishes a new year's list, or a one-off day is
// proclaimed:
//
//  1. Add each new day to proclaimed in holidays_proclaimed.go, with the
//     jurisdictions it applies in, the regular holiday it moves (if any), and
//     its source: the proclamation or the published list, with its address.
//  2. Add the year's published dates to the oracle data in testdata (its
//     README says how each file was assembled) and raise the years the data
//     tests expect.
//  3. Set checkedThrough[j] in holidays_proclaimed.go to the year now
//     checked.
//
// TestProclaimedTableIsCurrent reads the real clock and fails once the
// current year passes checkedThrough for any jurisdiction, saying which
// days to add. Until a release has them, a policy declares them or a host
// loads gov.uk's newer feed (WithFeed).
//
// # Declared days off
//
// WithDaysOff declares days off on top of a jurisdiction's bank holidays,
// each with a name and a source: an area outside the four that keeps one of
// their calendars plus its own days (Guernsey and Jersey: England and
// Wales's bank holidays and Liberation Day, 9 May), a day proclaimed after
// this release, or days a partnership does not work. A day off is a single
// weekday (Date), a range of days (From, To: 29 to 31 December 2026), or a
// Yearly rule: a fixed date, which moves to the next weekday not already
// off when it falls at a weekend (the substitute rule of every jurisdiction
// here), or the nth weekday of a month. New reports every mistake as a
// *DayOffError naming the day and the part at fault; a day that repeats one
// of the jurisdiction's own holidays is listed by Duplicates instead, so
// that a calendar keeps building when a later release adds the day. The
// policy language's calendar key (policies/LANGUAGE.md) declares them in
// YAML.
//
// # Published feeds
//
// ParseGovUKFeed reads the bank holidays gov.uk publishes for the three UK
// divisions (https://www.gov.uk/bank-holidays.json), and WithFeed has a
// calendar take its bank holidays from it for the years it lists, so a host
// can load a newer list than this release ships.
//
// # Working days
//
// A working day is Monday to Friday, except the jurisdiction's bank
// holidays (on the day off, so the substitute, not the weekend date), the
// declared days off and any closure days the host supplies. Holiday and
// Holidays report the days off with their names, whether each is a
// substitute, the source of its date and its Kind (bank holiday, declared or
// closure). AddWorkingDays(d, n) is the nth working day strictly after d;
// WorkingDaysBetween counts the working days in (from, to], so the two agree.
//
// # Deadlines
//
// Due and Deadline take the instant t of the event and a Within:
//
//   - "within N working days": day 1 is the first working day strictly
//     after t's local date in Europe/London, and the act is due by the end of
//     day N. The deadline instant is 00:00 local time on the next calendar
//     day. An event on a Saturday, or at 23:00 on a Friday, has day 1 on the
//     following working Monday.
//   - N = 0, and "immediately" or "without delay" (N = 0 marked Immediate):
//     by the end of t's date if it is a working day, else of the next one.
//   - "within N hours": t plus N hours of elapsed time, ignoring weekends and
//     holidays and correct across the clock changes.
//
// The date of t is always read in Europe/London, whatever t's own location.
// The Isle of Man keeps the same clock.
//
// # Explanations
//
// Deadline returns the same instant as Due with the last date on which the
// act is on time and, for working days, one Step per date from the
// trigger's date to that date: counted ("day 2") or not, and why ("Sat",
// "Christmas Day", "Boxing Day (substitute day)", "closure: Council
// Christmas closure"), with the source of a declared day or closure. Its
// String method prints them for a policy lead.
//
// # Closures
//
// WithClosures adds a host's own days off, such as a council's Christmas
// closure, and proclaimed days newer than this release. ParseClosures reads
// them from YAML (ParseClosuresNode from a part of a larger file, such as a
// scenario's) through the project's YAML front end, reporting every mistake
// as a diag.Diagnostic (file:line:column, with a hint), as policy and
// scenario files do. Closures come after
// the declared days: a closure on a day already off changes nothing. With
// builds a calendar from another's days off plus more: a policy's declared
// days on top of a host's closures.
//
// # Supported range
//
// Calendars answer for 2000 to 2199 (the Isle of Man from 2018, the first
// year of its published data: its TT days cannot be known before). A query
// outside the range returns an error wrapping ErrOutOfRange, never a guess.
// Years after the data's last holiday follow the rules; a one-off day
// proclaimed later reaches a calendar through WithDaysOff, WithClosures or
// WithFeed until the table here is updated.
//
// # Speed and concurrency
//
// A host recomputes every open case's deadlines each night, so a Calendar
// is built once (For shares one per jurisdiction) into tables: a bit per
// day saying whether it is a working day (declared days, feeds and closures
// included, so they cost nothing per query), and a running count of working
// days before each run of 64 days. Counting working days is a lookup and a
// popcount; adding them also scans forward a word of 64 days at a time (a
// few words for any timescale a procedure uses), never day by day. Dates
// are converted to and from Europe/London through a table of the clock
// changes built once from the embedded zone data. Due does not allocate. A
// Calendar is immutable after New and safe for concurrent use without
// locks.
package calendar
