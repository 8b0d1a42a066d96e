package calendar

import (
	"time"
	_ "time/tzdata" // Europe/Paris is always available, even without system tzdata.

	"github.com/rickar/cal/v2/fr"
)

// Mode says how a Caf counts days.
type Mode string

const (
	// CalendarDays counts every day. It is the default.
	CalendarDays Mode = "calendar"
	// WorkingDays counts Monday to Friday, excluding French public holidays
	// (metropolitan France).
	WorkingDays Mode = "working"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool {
	return m == CalendarDays || m == WorkingDays
}

// Paris is the Europe/Paris location in which all dates are taken.
var Paris = loadParis()

func loadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		// Unreachable with time/tzdata embedded; kept as a safety net.
		return time.FixedZone("CET", 60*60)
	}
	return loc
}

// AddDays returns the instant n days after from, counted in mode, in UTC.
// The wall-clock time in Europe/Paris is kept across DST changes. In
// WorkingDays mode only working days are counted, so starting on a weekend
// or holiday the first counted day is the next working day. Any mode other
// than WorkingDays counts calendar days. n <= 0 returns from unchanged.
func AddDays(from time.Time, n int, mode Mode) time.Time {
	if n <= 0 {
		return from
	}
	offset := n
	if mode == WorkingDays {
		d := parisDate(from)
		for offset = 0; n > 0; {
			offset++
			if isWorkingDate(d.AddDate(0, 0, offset)) {
				n--
			}
		}
	}
	return from.In(Paris).AddDate(0, 0, offset).UTC()
}

// AddMonths returns the instant n months after from, on the same day of the
// month and wall-clock time in Europe/Paris, in UTC. When that day does not
// exist in the target month (31 January + 1 month) the last day of that
// month is used. n may be negative; n == 0 returns from unchanged.
func AddMonths(from time.Time, n int) time.Time {
	if n == 0 {
		return from
	}
	p := from.In(Paris)
	y, m, d := p.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d,
		p.Hour(), p.Minute(), p.Second(), p.Nanosecond(), Paris).UTC()
}

// EndOfDay is the last second of t's date in Europe/Paris, 23:59:59, in
// UTC: a deadline runs until the end of its last day (code de procédure
// civile art. 642), whatever the hour it started from.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.In(Paris).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, Paris).Add(-time.Second).UTC()
}

// StartOfDay is the first instant of t's date in Europe/Paris, in UTC.
func StartOfDay(t time.Time) time.Time {
	y, m, d := t.In(Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Paris).UTC()
}

// NextWorkingDay is t when its Europe/Paris date is a working day, and
// otherwise the same wall-clock time on the next working day (a deadline
// that would end on a Saturday, a Sunday or a public holiday runs to the
// next working day: code de procédure civile art. 642).
func NextWorkingDay(t time.Time) time.Time {
	p := t.In(Paris)
	for !isWorkingDate(parisDate(p)) {
		p = p.AddDate(0, 0, 1)
	}
	return p.UTC()
}

// DaysBetween counts the days from a to b in mode, using their dates in
// Europe/Paris. In calendar mode it is b's date minus a's date. In
// WorkingDays mode it is the number of working days d with
// date(a) < d <= date(b). The result is negative when b is before a.
func DaysBetween(a, b time.Time, mode Mode) int {
	da, db := parisDate(a), parisDate(b)
	sign := 1
	if db.Before(da) {
		da, db, sign = db, da, -1
	}
	days := int(db.Sub(da).Hours()) / 24 // both are UTC midnights: exact
	if mode != WorkingDays {
		return sign * days
	}
	count := 0
	for i := 1; i <= days; i++ {
		if isWorkingDate(da.AddDate(0, 0, i)) {
			count++
		}
	}
	return sign * count
}

// IsWorkingDay reports whether the Europe/Paris date of t is a working day:
// Monday to Friday and not a French public holiday.
func IsWorkingDay(t time.Time) bool {
	return isWorkingDate(parisDate(t))
}

// parisDate returns the Europe/Paris calendar date of t as midnight UTC, so
// that date arithmetic on it is free of DST effects.
func parisDate(t time.Time) time.Time {
	y, m, d := t.In(Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// isWorkingDate reports whether the date d (midnight UTC) is a working day.
func isWorkingDate(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !isHoliday(d)
}

// isHoliday reports whether the date d is a French public holiday. It calls
// Holiday.Calc directly rather than cal.Calendar.IsHoliday, whose cache is
// not safe for concurrent use.
func isHoliday(d time.Time) bool {
	y, m, day := d.Date()
	for _, h := range fr.Holidays {
		actual, observed := h.Calc(y)
		for _, t := range [...]time.Time{actual, observed} {
			if !t.IsZero() && t.Month() == m && t.Day() == day {
				return true
			}
		}
	}
	return false
}
