package figures

import (
	"time"

	"recours/internal/calendar"
)

// DayOf is the Paris calendar day of t, as the figures number days: the
// days since 1970-01-01 (DOMAIN.md, "Counting days": dates are
// Europe/Paris calendar dates).
func DayOf(t time.Time) int32 {
	y, m, d := t.In(calendar.Paris).Date()
	return DayNumber(y, m, d)
}

// DayNumber is the number of the calendar day y-m-d.
func DayNumber(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DayStart is the first instant of the day numbered day: 00:00 in
// Europe/Paris, in UTC. The instants t with DayOf(t) == day are those from
// DayStart(day) until DayStart(day+1).
func DayStart(day int32) time.Time {
	y, m, d := time.Unix(int64(day)*86400, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.Paris).UTC()
}
