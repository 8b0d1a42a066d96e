package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/testutil"
)

// TestPolicy_ChangedInTheDatabaseReachesEveryProcess: the roles'
// permissions are rows of casbin_rules; a rule added, changed or removed
// directly in the database takes effect on another API process within
// seconds, without a restart.
func TestPolicy_ChangedInTheDatabaseReachesEveryProcess(t *testing.T) {
	r := testutil.Start(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A second API process on the same store: it polls the policy's
	// fingerprint every 3 s, and would reload regardless only after 10 min.
	other, err := app.NewAPI(ctx, r.Store, r.Client, 10*time.Minute)
	require.NoError(t, err)
	other.Limits = nil
	srv2 := httptest.NewServer(other.Handler())
	defer srv2.Close()

	seeded, err := r.Store.CasbinRules(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, seeded, "seeded from policies/policy.csv at start")

	summary := srv2.URL + "/api/v1/reports/summary?caf=071&from=2026-01-01&to=2026-01-31"
	list := srv2.URL + "/api/v1/cases?caf=071"
	gca, csu := r.Token("gca.demo"), r.Token("csu.demo")
	require.Equal(t, http.StatusForbidden, get(t, summary, gca), "a gca reads no figures")
	require.Equal(t, http.StatusForbidden, get(t, summary, csu))
	require.Equal(t, http.StatusOK, get(t, list, csu))
	eventually := func(url, token string, want int, msg string) {
		t.Helper()
		start := time.Now()
		require.Eventually(t, func() bool { return get(t, url, token) == want }, 10*time.Second, 100*time.Millisecond, msg)
		t.Logf("%s: %v", msg, time.Since(start).Round(100*time.Millisecond))
	}

	// Added.
	raw := r.SQL()
	exec := func(q string) {
		t.Helper()
		_, err := raw.Exec(q)
		require.NoError(t, err)
	}
	exec("INSERT INTO casbin_rules (ptype, v0, v1, v2, v3, v4, v5) VALUES ('p', 'gca', '*', 'report', 'read', '', '')")
	eventually(summary, gca, http.StatusOK, "a rule added in the table")

	// Changed in place: the rule now names the csu.
	exec("UPDATE casbin_rules SET v0 = 'csu' WHERE v0 = 'gca' AND v2 = 'report'")
	eventually(summary, csu, http.StatusOK, "a rule changed in the table")
	assert.Equal(t, http.StatusForbidden, get(t, summary, gca))

	// Removed: the csu reads files no more.
	exec("DELETE FROM casbin_rules WHERE v0 = 'csu' AND v2 = 'case' AND v3 = 'read'")
	eventually(list, csu, http.StatusForbidden, "a rule removed from the table")
	assert.Equal(t, http.StatusOK, get(t, list, gca), "the other rules stay")
}
