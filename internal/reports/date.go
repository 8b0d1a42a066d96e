package reports

import (
	"time"

	"recours/internal/calendar"
)

// Date is a calendar day in Europe/Paris, where the Cafs count their days:
// a period from..to runs from 00:00 Paris on from to 00:00 Paris the day
// after to.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return dateOf(t), nil
}

// DateOf is the day of t in Europe/Paris.
func DateOf(t time.Time) Date { return dateOf(t.In(calendar.Paris)) }

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String is the date as YYYY-MM-DD.
func (d Date) String() string { return d.utc().Format(time.DateOnly) }

// AddDays is the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return dateOf(d.utc().AddDate(0, 0, n)) }

// AddYears is the date n years later, as time.AddDate counts them.
func (d Date) AddYears(n int) Date { return dateOf(d.utc().AddDate(n, 0, 0)) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.utc().Before(e.utc()) }

// DaysUntil is the number of days from d to e (negative when e is before).
func (d Date) DaysUntil(e Date) int { return int(e.utc().Sub(d.utc()).Hours()) / 24 }

// Start is the first instant of the day: 00:00 in Europe/Paris, in UTC.
// Midnight always exists in Paris: the clocks change at 2 and 3 a.m.
func (d Date) Start() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, calendar.Paris).UTC()
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
