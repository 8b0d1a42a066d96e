package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// The recourse period a letter names ends on the same date two months
// after the decision's notification, or the last day of a shorter month
// (art. 641 CPC), or the next working day (art. 642); never on a date Go's
// month overflow makes up.
func TestRecourseEnd_CountsMonthsAsTheCodeDoes(t *testing.T) {
	for _, c := range []struct {
		notified, want string
	}{
		{"2026-12-31", "2027-03-01"}, // 28 February 2027 is a Sunday
		{"2027-12-31", "2028-02-29"},
		{"2026-12-30", "2027-03-01"},
		{"2026-03-12", "2026-05-12"},
		{"2026-03-31", "2026-06-01"}, // 31 May 2026 is a Sunday
		{"2026-03-01", "2026-05-04"}, // 1 May is a public holiday, then the weekend
		{"2025-12-31", "2026-03-02"}, // 28 February 2026 is a Saturday
		{"2026-08-31", "2026-11-02"}, // 31 October: Saturday; 1 November: Sunday and All Saints
	} {
		end, ok := domain.RecourseEnd(c.notified, domain.RecourseMonths)
		require.True(t, ok)
		assert.Equal(t, c.want, end.In(calendar.Paris).Format(time.DateOnly), "notified %s", c.notified)
		assert.Equal(t, "23:59:59", end.In(calendar.Paris).Format(time.TimeOnly))
	}
	_, ok := domain.RecourseEnd("", 2)
	assert.False(t, ok, "no notification date, no last day")
	_, ok = domain.RecourseEnd("10/02/2026", 2)
	assert.False(t, ok)
}

// A Caf mediation suspends the claimant's recourse deadline from the notice
// of admissibility to the recommendations (CSS L217-7-1): the whole days
// left at the start run again from the end.
func TestResumedRecourseEnd_GivesBackTheDaysLeft(t *testing.T) {
	paris := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, calendar.Paris) }
	end, _ := domain.RecourseEnd("2026-02-10", 2) // 10 April 2026
	s := domain.AppealSuspension{From: paris(2026, 3, 5, 16)}
	got, ok := domain.ResumedRecourseEnd(end, s, paris(2026, 3, 12, 10))
	require.True(t, ok)
	// 36 days were left on 5 March (to 10 April); from 12 March: 17 April.
	assert.Equal(t, "2026-04-17", got.In(calendar.Paris).Format(time.DateOnly))
	// Resumed so that the end falls on a Sunday: the next working day.
	got, _ = domain.ResumedRecourseEnd(end, s, paris(2026, 3, 13, 10)) // 18 April: Saturday
	assert.Equal(t, "2026-04-20", got.In(calendar.Paris).Format(time.DateOnly))
	// A suspension that began after the deadline suspended nothing.
	_, ok = domain.ResumedRecourseEnd(end, domain.AppealSuspension{From: paris(2026, 4, 11, 9)}, paris(2026, 5, 1, 9))
	assert.False(t, ok)
}

func TestNationalRecourseRoutes_FollowTheBenefit(t *testing.T) {
	for b, want := range map[domain.Benefit]string{
		"family_allowance": "commission de recours amiable", "paje": "commission de recours amiable",
		"aah": "commission de recours amiable", "other": "commission de recours amiable",
		"rsa": "président du conseil départemental", "ppa": "recours administratif préalable",
		"housing_aid": "recours administratif préalable",
	} {
		r := domain.NationalRecourseRoute(b)
		assert.Contains(t, r.Body, want, b)
		assert.Equal(t, 2, r.Months)
		assert.NotEmpty(t, r.Source)
		require.NoError(t, r.Validate(), b)
	}
	assert.Equal(t, domain.CourtSocial, domain.NationalRecourseRoute("family_allowance").Then)
	assert.Equal(t, domain.CourtAdministrative, domain.NationalRecourseRoute("rsa").Then)
	assert.Equal(t, domain.CourtAdministrative, domain.NationalRecourseRoute("housing_aid").Then)
	assert.Len(t, domain.NationalRecourseRoutes(), len(domain.Benefits))

	bad := domain.RecourseRoute{Benefit: "tickets", Months: 0, Address: "a\x00b"}
	err := bad.Validate()
	require.Error(t, err)
	fields := map[string]bool{}
	for _, f := range err.(*domain.Error).Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{"benefit", "body", "then", "source", "months", "address"} {
		assert.True(t, fields[f], f)
	}
	assert.Error(t, domain.CheckPostalAddress("address", "1\n2\n3\n4\n5\n6\n7"), "seven lines")
	assert.NoError(t, domain.CheckPostalAddress("address", "12 rue des Écoles\n07200 Aubenas"))
}
