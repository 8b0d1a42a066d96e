package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPct_OneDecimalRoundedHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		n, d int64
		want float64
	}{
		{2, 3, 66.7}, {1, 3, 33.3}, {1, 6, 16.7}, {1, 8, 12.5}, {905, 1000, 90.5},
		// Exactly x.x5: up, where a float computation may go either way.
		{1, 16, 6.3}, {3, 16, 18.8}, {5, 16, 31.3}, {7, 80, 8.8}, {1, 80, 1.3},
		{1, 400, 0.3}, {19, 400, 4.8}, {1999, 2000, 100}, {2001, 2000, 100.1},
		// Just under x.x5: down.
		{6249, 100000, 6.2},
		// Negative (a change): away from zero.
		{-1, 16, -6.3}, {-1, 8, -12.5}, {-2, 3, -66.7}, {-1, 400, -0.3},
		{0, 7, 0}, {7, 7, 100}, {3, 2, 150},
	} {
		got := pct(c.n, c.d)
		if assert.NotNil(t, got, "%d/%d", c.n, c.d) {
			assert.Equal(t, c.want, *got, "%d/%d", c.n, c.d)
		}
	}
	assert.Nil(t, pct(0, 0), "a share over zero files is null")
	assert.Nil(t, pct(5, 0))
}

func TestChange_FromThePreviousCount(t *testing.T) {
	assert.Equal(t, 50.0, *change(3, 2))
	assert.Equal(t, -50.0, *change(1, 2))
	assert.Equal(t, 16.2, *change(86, 74)) // 16.216…
	assert.Equal(t, -100.0, *change(0, 4))
	assert.Equal(t, 0.0, *change(4, 4))
	assert.Nil(t, change(5, 0), "no change from nothing")
}

func TestPercentile_NearestRank(t *testing.T) {
	one := map[int64]int64{}
	for v := int64(1); v <= 10; v++ {
		one[v] = 1
	}
	for _, c := range []struct {
		name        string
		h           map[int64]int64
		median, p90 float64
	}{
		{"1 to 10, once each", one, 5, 9},
		{"one value", map[int64]int64{7: 1}, 7, 7},
		{"even count takes the lower middle", map[int64]int64{1: 1, 2: 1, 3: 2}, 2, 3},
		// 100 files: 50 in 3 days, 39 in 8, 10 in 12, 1 in 40.
		{"skewed", map[int64]int64{3: 50, 8: 39, 12: 10, 40: 1}, 3, 12},
		// 101 files: rank ⌈50.5⌉ = 51 is the first 8, rank ⌈90.9⌉ = 91 the first 12.
		{"skewed, one more", map[int64]int64{3: 50, 8: 40, 12: 10, 40: 1}, 8, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.median, *percentile(c.h, 50))
			assert.Equal(t, c.p90, *percentile(c.h, 90))
		})
	}
	assert.Nil(t, percentile(map[int64]int64{}, 50))
}

func TestDate_PeriodBoundsInParis(t *testing.T) {
	d, err := ParseDate("2021-03-31")
	assert.NoError(t, err)
	// Summer time since 28 March: midnight in Paris is 22:00 UTC.
	assert.Equal(t, "2021-03-30T22:00:00Z", d.Start().Format("2006-01-02T15:04:05Z07:00"))
	assert.Equal(t, "2021-03-31T22:00:00Z", d.AddDays(1).Start().Format("2006-01-02T15:04:05Z07:00"))
	jan, _ := ParseDate("2021-01-01")
	assert.Equal(t, "2020-12-31T23:00:00Z", jan.Start().Format("2006-01-02T15:04:05Z07:00"))
	assert.Equal(t, 89, jan.DaysUntil(d))
	assert.Equal(t, "2020-12-31", jan.AddDays(-1).String())
	_, err = ParseDate("2021-02-30")
	assert.Error(t, err)
}

func TestPrevious_SameLengthJustBefore(t *testing.T) {
	for _, c := range []struct{ from, to, prevFrom, prevTo string }{
		{"2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31"}, // a year after a leap year: the whole year before
		{"2021-03-01", "2021-03-31", "2021-02-01", "2021-02-28"}, // a month: the month before
		{"2021-01-01", "2021-03-31", "2020-10-01", "2020-12-31"}, // a quarter
		{"2021-01-01", "2023-12-31", "2018-01-01", "2020-12-31"},
		{"2021-03-31", "2021-03-31", "2021-03-30", "2021-03-30"}, // days
		{"2021-03-10", "2021-03-19", "2021-02-28", "2021-03-09"},
		{"2021-03-01", "2021-03-30", "2021-01-30", "2021-02-28"}, // not a whole month: 30 days
		{"2021-03-31", "2021-04-30", "2021-02-28", "2021-03-30"},
	} {
		from, _ := ParseDate(c.from)
		to, _ := ParseDate(c.to)
		pf, pt := Previous(from, to)
		assert.Equal(t, c.prevFrom, pf.String(), "%s..%s", c.from, c.to)
		assert.Equal(t, c.prevTo, pt.String(), "%s..%s", c.from, c.to)
	}
}
