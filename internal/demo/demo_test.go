package demo_test

import (
	"context"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/demo"
	"recours/internal/domain"
	"recours/internal/reports"
	"recours/internal/store"
	"recours/internal/testutil"
)

func TestSeed_AYearOfHistoryAndLiveFilesAtEveryStage(t *testing.T) {
	r := testutil.Start(t, "")
	u, err := url.Parse(r.URL)
	require.NoError(t, err)
	api := httputil.NewSingleHostReverseProxy(u)
	ctx := context.Background()

	// One instant for the seed and for the year read below: the history is
	// of the years before its year in Paris, also on New Year's Eve.
	now := time.Now()
	res, err := demo.Seed(ctx, r.Store, api, demo.Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Len(t, res.History, 2)
	for _, rep := range res.History {
		assert.Empty(t, rep.Errors)
		assert.Equal(t, rep.Read, rep.Imported)
	}
	assert.Equal(t, 20, res.Live)
	assert.Equal(t, 3, res.Overpayments, "a standard notice, a large one waiting, a large one sent")

	// Last year's figures, as a manager reads them, are the seed report's
	// (the live files were received and acted on this year).
	year := now.In(calendar.Paris).Year() - 1
	sum, err := reports.Compute(ctx, r.Store, []string{"071"},
		reports.Date{Year: year, Month: time.January, Day: 1}, reports.Date{Year: year, Month: time.December, Day: 31})
	require.NoError(t, err)
	c, m := sum.Complaints, sum.Mediations
	assert.EqualValues(t, 8106, c.Handled, "complaints handled last year, as the seed report")
	assert.InDelta(t, 90.5, *c.Within10DaysPct, 0.05)
	assert.EqualValues(t, 86, m.Count)
	assert.InDelta(t, 21.3, *m.OriginPct["defenseur_des_droits"], 0.5)
	assert.InDelta(t, 51.3, *m.OutcomePct["maintained"], 0.05)
	assert.InDelta(t, 52.6, *m.BenefitPct["housing_aid"], 0.5)
	assert.InDelta(t, -9.2, *c.HandledChangePct, 0.05, "change from the year before")

	// live are the live files of the demo Caf, count those that match.
	live := func() []domain.Case {
		files, _, err := r.Store.Cases(ctx, store.CaseFilter{Cafs: []string{demo.Caf}, Live: true, Limit: 1000})
		require.NoError(t, err)
		return files
	}
	count := func(match func(domain.Case) bool) int64 {
		var n int64
		for _, f := range live() {
			if match(f) {
				n++
			}
		}
		return n
	}
	statuses := map[domain.Kind]map[domain.Status]bool{}
	for _, f := range live() {
		if statuses[f.Kind] == nil {
			statuses[f.Kind] = map[domain.Status]bool{}
		}
		statuses[f.Kind][f.Status] = true
	}
	for _, s := range []domain.Status{"open", "assigned", "in_progress", "awaiting_claimant", "answered", "closed", "escalated"} {
		assert.True(t, statuses[domain.KindComplaint][s], "a live complaint %s", s)
	}
	for _, s := range []domain.Status{"received", "admitted", "awaiting_opinion", "in_study", "decided", "closed"} {
		assert.True(t, statuses[domain.KindMediation][s], "a live mediation file %s", s)
	}
	assert.EqualValues(t, 2, count(func(f domain.Case) bool { return f.DDDReference != "" }), "two referrals")
	assert.EqualValues(t, 1, count(func(f domain.Case) bool { return f.Kind == domain.KindMediation && f.ParentID != "" }),
		"an escalated complaint's mediation")

	complaintsIn := func(sla domain.SLAStatus) int64 {
		return count(func(f domain.Case) bool { return f.Kind == domain.KindComplaint && f.SLAStatus == sla })
	}
	// The deadlines of the backdated files pass as their timers fire.
	require.Eventually(t, func() bool {
		return complaintsIn(domain.SLAOverdue) >= 2 && complaintsIn(domain.SLATargetMissed) >= 2 &&
			complaintsIn(domain.SLADueSoon) >= 1 &&
			count(func(f domain.Case) bool { return f.ImplicitRejectionAt != nil }) >= 1
	}, 20*time.Second, 200*time.Millisecond, "every deadline state")

	total := func() int64 {
		counts, err := r.Store.CountCases(ctx)
		require.NoError(t, err)
		var n int64
		for _, c := range counts {
			n += c.N
		}
		return n
	}
	before := total()
	again, err := demo.Seed(ctx, r.Store, api, demo.Options{})
	require.NoError(t, err)
	assert.Equal(t, 0, again.Live, "the live files are there already")
	assert.Equal(t, 0, again.Overpayments, "the notices are there already")
	for _, rep := range again.History {
		assert.Equal(t, 0, rep.Imported)
		assert.Equal(t, rep.Read, rep.Unchanged)
	}
	assert.Equal(t, before, total(), "a second seed adds nothing")
}
