package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// trailOf is the access trail of id (its own entries and the lists that
// named it), newest first.
func trailOf(t *testing.T, r *testutil.Recours, caf, id string) []store.AccessEntry {
	t.Helper()
	entries, _, err := r.Store.AccessEntries(context.Background(), store.AccessFilter{Cafs: []string{caf}, CaseID: id, Limit: 100})
	require.NoError(t, err)
	return entries
}

// traced reports whether actor has an entry on id's trail whose what
// begins with what.
func traced(entries []store.AccessEntry, actor, what string) bool {
	for _, e := range entries {
		if e.Actor == actor && strings.HasPrefix(e.What, what) {
			return true
		}
	}
	return false
}

// TestTrail_EveryReadOfClaimantDataIsTraced: the reads that used to escape
// the access trail (the list of overpayment notices, a file's messages,
// the referral read and the liaison's polling of its referrals) each
// leave an entry naming the files they returned.
func TestTrail_EveryReadOfClaimantDataIsTraced(t *testing.T) {
	r := testutil.Start(t, "")

	notice := r.Do("POST", "/api/v1/overpayments", "gca.demo", testutil.Overpayment("071", "120.00"))
	require.Equal(t, http.StatusCreated, notice.Status, "%s", notice.Body)
	noticeID := notice.Map(t)["id"].(string)
	require.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/overpayments?caf=071", "manager.demo", nil).Status)
	assert.True(t, traced(trailOf(t, r, "071", noticeID), "manager.demo", store.ListedPrefix), "the list of notices names the notice")

	file := createFile(t, r, "071")
	require.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/cases/"+file+"/messages", "manager.demo", nil).Status)
	assert.True(t, traced(trailOf(t, r, "071", file), "manager.demo", "messages"), "a file's messages")

	ref := "DDD-TRAIL-1"
	created := r.Do("POST", "/api/v1/referrals", "ddd.demo", referralBody(ref, ""))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	referral := created.Map(t)["id"].(string)
	require.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/referrals/"+url.PathEscape(ref), "ddd.demo", nil).Status)
	assert.True(t, traced(trailOf(t, r, "071", referral), "ddd.demo", "detail"), "the referral read")
	require.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/referrals", "ddd.demo", nil).Status)
	assert.True(t, traced(trailOf(t, r, "071", referral), "ddd.demo", store.ListedPrefix), "the liaison's polling")
}
