package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paris returns the instant at the given wall-clock time in Europe/Paris.
func paris(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, Paris)
}

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func TestParisLocation(t *testing.T) {
	assert.Equal(t, "Europe/Paris", Paris.String())
	_, winter := paris(2026, time.January, 15, 12, 0).Zone()
	_, summer := paris(2026, time.July, 15, 12, 0).Zone()
	assert.Equal(t, 3600, winter)
	assert.Equal(t, 7200, summer)
}

func TestModeValid(t *testing.T) {
	assert.True(t, CalendarDays.Valid())
	assert.True(t, WorkingDays.Valid())
	assert.False(t, Mode("").Valid())
	assert.False(t, Mode("ouvrés").Valid())
}

func TestAddDays(t *testing.T) {
	tests := []struct {
		name string
		from time.Time
		n    int
		mode Mode
		want time.Time
	}{
		// Calendar days.
		{"zero returns from", paris(2026, time.April, 3, 10, 0), 0, CalendarDays, paris(2026, time.April, 3, 10, 0)},
		{"negative returns from", paris(2026, time.April, 3, 10, 0), -5, WorkingDays, paris(2026, time.April, 3, 10, 0)},
		{"calendar ignores holidays", paris(2026, time.April, 3, 10, 0), 3, CalendarDays, utc(2026, time.April, 6, 8, 0)},
		{"calendar across February", paris(2026, time.January, 31, 9, 0), 30, CalendarDays, utc(2026, time.March, 2, 8, 0)},
		{"calendar into leap day", paris(2028, time.February, 28, 9, 0), 1, CalendarDays, utc(2028, time.February, 29, 8, 0)},
		{"unknown mode counts calendar days", paris(2026, time.April, 3, 10, 0), 3, Mode(""), utc(2026, time.April, 6, 8, 0)},
		// DST: wall clock kept, so the UTC hour shifts.
		{"calendar across spring DST", paris(2026, time.March, 28, 10, 0), 1, CalendarDays, utc(2026, time.March, 29, 8, 0)},
		{"calendar across autumn DST", paris(2026, time.October, 24, 10, 0), 1, CalendarDays, utc(2026, time.October, 25, 9, 0)},
		{"working across spring DST", paris(2026, time.March, 27, 10, 0), 1, WorkingDays, utc(2026, time.March, 30, 8, 0)},
		{"working across autumn DST", paris(2026, time.October, 23, 10, 0), 1, WorkingDays, utc(2026, time.October, 26, 9, 0)},
		// Working days.
		{"working plain week", paris(2026, time.March, 2, 10, 0), 4, WorkingDays, utc(2026, time.March, 6, 9, 0)},
		{"working over weekend", paris(2026, time.March, 6, 10, 0), 1, WorkingDays, utc(2026, time.March, 9, 9, 0)},
		{"working from Saturday", paris(2026, time.March, 7, 10, 0), 1, WorkingDays, utc(2026, time.March, 9, 9, 0)},
		{"Easter Monday 6 April", paris(2026, time.April, 3, 10, 0), 1, WorkingDays, utc(2026, time.April, 7, 8, 0)},
		{"1 May (Friday)", paris(2026, time.April, 30, 10, 0), 1, WorkingDays, utc(2026, time.May, 4, 8, 0)},
		{"8 May (Friday)", paris(2026, time.May, 7, 10, 0), 1, WorkingDays, utc(2026, time.May, 11, 8, 0)},
		{"Ascension 14 May", paris(2026, time.May, 13, 10, 0), 1, WorkingDays, utc(2026, time.May, 15, 8, 0)},
		{"Whit Monday 25 May", paris(2026, time.May, 22, 10, 0), 1, WorkingDays, utc(2026, time.May, 26, 8, 0)},
		{"May bridges, 10 working days", paris(2026, time.April, 30, 10, 0), 10, WorkingDays, utc(2026, time.May, 19, 8, 0)},
		{"14 July (Tuesday)", paris(2026, time.July, 13, 10, 0), 1, WorkingDays, utc(2026, time.July, 15, 8, 0)},
		{"15 August on Saturday is not moved", paris(2026, time.August, 13, 10, 0), 2, WorkingDays, utc(2026, time.August, 17, 8, 0)},
		{"11 November (Wednesday)", paris(2026, time.November, 10, 10, 0), 1, WorkingDays, utc(2026, time.November, 12, 9, 0)},
		{"Christmas (Friday)", paris(2026, time.December, 24, 10, 0), 1, WorkingDays, utc(2026, time.December, 28, 9, 0)},
		{"Christmas and New Year 2027", paris(2026, time.December, 24, 10, 0), 5, WorkingDays, utc(2027, time.January, 4, 9, 0)},
		// 23:30 UTC on 13 May is already Ascension Day in Paris: the count
		// starts from the Paris date.
		{"Paris date, not UTC date", utc(2026, time.May, 13, 22, 30), 1, WorkingDays, utc(2026, time.May, 14, 22, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AddDays(tt.from, tt.n, tt.mode)
			assert.True(t, tt.want.Equal(got), "want %s, got %s", tt.want.UTC(), got)
			if tt.n > 0 {
				assert.Equal(t, time.UTC, got.Location())
			}
		})
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"31 January + 1 → 28 February", paris(2026, time.January, 31, 10, 0), 1, utc(2026, time.February, 28, 9, 0)},
		{"31 January + 1 in leap year → 29 February", paris(2028, time.January, 31, 10, 0), 1, utc(2028, time.February, 29, 9, 0)},
		{"31 August + 1 → 30 September", paris(2026, time.August, 31, 10, 0), 1, utc(2026, time.September, 30, 8, 0)},
		{"31 August + 2 → 31 October (CRPA)", paris(2026, time.August, 31, 10, 0), 2, utc(2026, time.October, 31, 9, 0)},
		{"31 December + 2 → 28 February", paris(2025, time.December, 31, 10, 0), 2, utc(2026, time.February, 28, 9, 0)},
		{"across spring DST keeps wall clock", paris(2026, time.March, 15, 10, 0), 2, utc(2026, time.May, 15, 8, 0)},
		{"over the year end", paris(2026, time.November, 30, 10, 0), 3, utc(2027, time.February, 28, 9, 0)},
		{"negative", paris(2026, time.March, 31, 10, 0), -1, utc(2026, time.February, 28, 9, 0)},
		{"zero", paris(2026, time.March, 31, 10, 0), 0, paris(2026, time.March, 31, 10, 0)},
		// 23:30 UTC on 31 January is already 1 February in Paris.
		{"uses Paris date", utc(2026, time.January, 31, 23, 30), 1, utc(2026, time.February, 28, 23, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AddMonths(tt.from, tt.n)
			assert.True(t, tt.want.Equal(got), "want %s, got %s", tt.want.UTC(), got)
		})
	}
}

func TestDaysBetween(t *testing.T) {
	tests := []struct {
		name         string
		a, b         time.Time
		calendar     int
		workingCount int
	}{
		{"same instant", paris(2026, time.May, 4, 10, 0), paris(2026, time.May, 4, 10, 0), 0, 0},
		{"same date, different times", paris(2026, time.May, 4, 8, 0), paris(2026, time.May, 4, 18, 0), 0, 0},
		{"January to March", paris(2026, time.January, 1, 10, 0), paris(2026, time.March, 1, 9, 0), 59, 41},
		{"March back to January", paris(2026, time.March, 1, 9, 0), paris(2026, time.January, 1, 10, 0), -59, -41},
		{"Friday to Saturday", paris(2026, time.March, 6, 10, 0), paris(2026, time.March, 7, 10, 0), 1, 0},
		{"over Easter Monday", paris(2026, time.April, 3, 10, 0), paris(2026, time.April, 7, 10, 0), 4, 1},
		{"May bridges", paris(2026, time.April, 30, 10, 0), paris(2026, time.May, 19, 10, 0), 19, 10},
		{"May bridges, reversed", paris(2026, time.May, 19, 10, 0), paris(2026, time.April, 30, 10, 0), -19, -10},
		{"Christmas to New Year", paris(2026, time.December, 24, 10, 0), paris(2027, time.January, 4, 10, 0), 11, 5},
		{"Paris midnight into Ascension", utc(2026, time.May, 13, 21, 30), utc(2026, time.May, 13, 22, 30), 1, 0},
		{"Paris midnight into Friday", utc(2026, time.May, 14, 21, 30), utc(2026, time.May, 14, 22, 30), 1, 1},
		{"spring DST: 23 hours is one day", paris(2026, time.March, 28, 10, 0), paris(2026, time.March, 29, 10, 0), 1, 0},
		{"autumn DST: 24 hours within one day", paris(2026, time.October, 25, 0, 30), paris(2026, time.October, 25, 23, 30), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.calendar, DaysBetween(tt.a, tt.b, CalendarDays), "calendar")
			assert.Equal(t, tt.workingCount, DaysBetween(tt.a, tt.b, WorkingDays), "working")
		})
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"Monday", paris(2026, time.March, 2, 10, 0), true},
		{"Friday", paris(2026, time.March, 6, 10, 0), true},
		{"Saturday", paris(2026, time.March, 7, 10, 0), false},
		{"Sunday", paris(2026, time.March, 8, 10, 0), false},
		{"New Year (Thursday)", paris(2026, time.January, 1, 10, 0), false},
		{"Easter Monday", paris(2026, time.April, 6, 10, 0), false},
		{"Easter Tuesday", paris(2026, time.April, 7, 10, 0), true},
		{"1 May", paris(2026, time.May, 1, 10, 0), false},
		{"8 May", paris(2026, time.May, 8, 10, 0), false},
		{"Ascension", paris(2026, time.May, 14, 10, 0), false},
		{"Whit Monday", paris(2026, time.May, 25, 10, 0), false},
		{"14 July", paris(2026, time.July, 14, 10, 0), false},
		{"Monday after 15 August", paris(2026, time.August, 17, 10, 0), true},
		{"11 November", paris(2026, time.November, 11, 10, 0), false},
		{"Christmas", paris(2026, time.December, 25, 10, 0), false},
		{"Christmas Eve", paris(2026, time.December, 24, 10, 0), true},
		{"UTC Wednesday, Paris Ascension", utc(2026, time.May, 13, 22, 30), false},
		{"UTC Thursday, Paris Friday", utc(2026, time.May, 14, 22, 30), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsWorkingDay(tt.t))
		})
	}
}

// starts are instants around which the round-trip properties are checked:
// DST changes, times close to Paris midnight and wall-clock times that do
// not exist (or exist twice) on DST days.
var starts = []time.Time{
	paris(2026, time.January, 31, 10, 0),
	paris(2026, time.March, 28, 2, 30),
	paris(2026, time.March, 29, 3, 30),
	paris(2026, time.October, 24, 2, 30),
	paris(2026, time.December, 31, 23, 59),
	utc(2026, time.May, 13, 22, 30),
	utc(2028, time.February, 28, 23, 0),
}

func TestAddDaysRoundTrip(t *testing.T) {
	for _, start := range starts {
		for n := 0; n <= 400; n++ {
			got := AddDays(start, n, CalendarDays)
			require.Equal(t, n, DaysBetween(start, got, CalendarDays), "calendar: %s + %d = %s", start, n, got)
			require.Equal(t, -n, DaysBetween(got, start, CalendarDays), "calendar reversed: %s + %d", start, n)

			got = AddDays(start, n, WorkingDays)
			require.Equal(t, n, DaysBetween(start, got, WorkingDays), "working: %s + %d = %s", start, n, got)
			if n > 0 {
				require.True(t, IsWorkingDay(got), "working: %s + %d = %s is not a working day", start, n, got)
			}
		}
	}
}

func FuzzAddDaysCalendar(f *testing.F) {
	for _, s := range starts {
		f.Add(s.Unix(), 61)
	}
	f.Fuzz(func(t *testing.T, sec int64, n int) {
		// Keep to years 1970–2200 and n in 0..400.
		start := time.Unix(sec%(230*365*86400), 0)
		if start.Unix() < 0 {
			start = time.Unix(-start.Unix(), 0)
		}
		n %= 401
		if n < 0 {
			n = -n
		}
		got := AddDays(start, n, CalendarDays)
		if d := DaysBetween(start, got, CalendarDays); d != n {
			t.Fatalf("DaysBetween(%s, AddDays(_, %d)) = %d", start, n, d)
		}
	})
}

func TestEndOfDayIsTheLastSecondOfTheParisDate(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 3, 17, 15, 0, 0, 0, Paris), "2026-03-17T23:59:59+01:00"},
		{time.Date(2026, 3, 17, 23, 30, 0, 0, time.UTC), "2026-03-18T23:59:59+01:00"}, // already the 18th in Paris
		{time.Date(2026, 3, 29, 1, 0, 0, 0, Paris), "2026-03-29T23:59:59+02:00"},      // the day summer time starts
		{time.Date(2026, 10, 25, 12, 0, 0, 0, Paris), "2026-10-25T23:59:59+01:00"},    // the day it ends
	} {
		assert.Equal(t, c.want, EndOfDay(c.at).In(Paris).Format(time.RFC3339), "%s", c.at)
	}
}

func TestNextWorkingDaySkipsWeekendsAndHolidays(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, Paris) }
	for _, c := range []struct{ from, want time.Time }{
		{at(2026, time.May, 12), at(2026, time.May, 12)}, // a Tuesday
		{at(2026, time.May, 1), at(2026, time.May, 4)},   // Fête du Travail, then the weekend
		{at(2026, time.May, 14), at(2026, time.May, 15)}, // Ascension
		{at(2026, time.May, 23), at(2026, time.May, 26)}, // Saturday, Sunday, Whit Monday
		{at(2026, time.October, 31), at(2026, time.November, 2)},
	} {
		got := NextWorkingDay(c.from.UTC())
		assert.True(t, c.want.Equal(got), "from %s: got %s, want %s", c.from, got.In(Paris), c.want)
		assert.True(t, IsWorkingDay(got))
	}
}
