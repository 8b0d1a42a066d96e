package demo_test

import (
	"context"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/demo"
	"recours/internal/store"
	"recours/internal/testutil"
)

func TestSeed_AYearOfHistoryAndLiveFilesAtEveryStage(t *testing.T) {
	r := testutil.Start(t, "")
	u, err := url.Parse(r.URL)
	require.NoError(t, err)
	api := httputil.NewSingleHostReverseProxy(u)
	ctx := context.Background()

	res, err := demo.Seed(ctx, r.Store, api, demo.Options{})
	require.NoError(t, err)
	require.Len(t, res.History, 2)
	for _, rep := range res.History {
		assert.Empty(t, rep.Errors)
		assert.Equal(t, rep.Read, rep.Imported)
	}
	assert.Equal(t, 20, res.Live)
	assert.Equal(t, 3, res.Overpayments, "a standard notice, a large one waiting, a large one sent")

	year := time.Now().Year() - 1
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	count := func(where string, args ...any) int64 {
		var n int64
		require.NoError(t, r.Store.DB.Model(&store.CaseRow{}).Where(where, args...).Count(&n).Error)
		return n
	}
	handled := count("caf = '071' AND kind = 'complaint' AND imported AND answered_at >= ? AND answered_at < ?", from, to)
	assert.EqualValues(t, 8106, handled, "complaints handled last year, as the seed report")
	within10 := count("caf = '071' AND kind = 'complaint' AND imported AND answered_at >= ? AND answered_at < ? AND elapsed_days <= 10", from, to)
	assert.InDelta(t, 90.5, 100*float64(within10)/float64(handled), 0.05)
	mediations := count("caf = '071' AND kind = 'mediation' AND imported AND received_at >= ? AND received_at < ?", from, to)
	assert.EqualValues(t, 86, mediations)
	ddd := count("caf = '071' AND kind = 'mediation' AND imported AND received_at >= ? AND received_at < ? AND origin = 'defenseur_des_droits'", from, to)
	assert.InDelta(t, 21.3, 100*float64(ddd)/float64(mediations), 0.5)
	decided := count("caf = '071' AND kind = 'mediation' AND imported AND received_at >= ? AND received_at < ? AND outcome <> ''", from, to)
	maintained := count("caf = '071' AND kind = 'mediation' AND imported AND received_at >= ? AND received_at < ? AND outcome = 'maintained'", from, to)
	assert.InDelta(t, 51.3, 100*float64(maintained)/float64(decided), 0.05)
	housing := count("caf = '071' AND kind = 'mediation' AND imported AND received_at >= ? AND received_at < ? AND benefit = 'housing_aid'", from, to)
	assert.InDelta(t, 52.6, 100*float64(housing)/float64(mediations), 0.5)
	before := count("caf = '071' AND kind = 'complaint' AND imported AND answered_at >= ? AND answered_at < ?", from.AddDate(-1, 0, 0), from)
	assert.InDelta(t, -9.2, 100*float64(handled-before)/float64(before), 0.05, "change from the year before")

	statuses := map[string]map[string]bool{}
	var rows []store.CaseRow
	require.NoError(t, r.Store.DB.Where("NOT imported").Find(&rows).Error)
	for _, row := range rows {
		if statuses[row.Kind] == nil {
			statuses[row.Kind] = map[string]bool{}
		}
		statuses[row.Kind][row.Status] = true
	}
	for _, s := range []string{"open", "assigned", "in_progress", "awaiting_claimant", "answered", "closed", "escalated"} {
		assert.True(t, statuses["complaint"][s], "a live complaint %s", s)
	}
	for _, s := range []string{"received", "admitted", "awaiting_opinion", "in_study", "decided", "closed"} {
		assert.True(t, statuses["mediation"][s], "a live mediation file %s", s)
	}
	assert.EqualValues(t, 2, count("NOT imported AND ddd_reference <> ''"), "two referrals")
	assert.EqualValues(t, 1, count("NOT imported AND kind = 'mediation' AND parent_id <> ''"), "an escalated complaint's mediation")

	// The deadlines of the backdated files pass as their timers fire.
	require.Eventually(t, func() bool {
		return count("NOT imported AND kind = 'complaint' AND sla_status = 'overdue'") >= 2 &&
			count("NOT imported AND kind = 'complaint' AND sla_status = 'target_missed'") >= 2 &&
			count("NOT imported AND kind = 'complaint' AND sla_status = 'due_soon'") >= 1 &&
			count("NOT imported AND implicit_rejection_at IS NOT NULL") >= 1
	}, 20*time.Second, 200*time.Millisecond, "every deadline state")

	total := count("1 = 1")
	again, err := demo.Seed(ctx, r.Store, api, demo.Options{})
	require.NoError(t, err)
	assert.Equal(t, 0, again.Live, "the live files are there already")
	assert.Equal(t, 0, again.Overpayments, "the notices are there already")
	for _, rep := range again.History {
		assert.Equal(t, 0, rep.Imported)
		assert.Equal(t, rep.Read, rep.Unchanged)
	}
	assert.Equal(t, total, count("1 = 1"), "a second seed adds nothing")
}
