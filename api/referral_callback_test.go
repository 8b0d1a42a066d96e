package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// A callback URL names one of the submitting partner's hosts, an IP
// address only if it is on the list itself, and no credentials: anything
// else is refused at intake, naming the field, and writes nothing.
func TestReferral_CallbackHostMustBeOnThePartnersList(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	require.NoError(t, r.Store.SetPartnerCallbackHosts(ctx, store.DemoPartner, []string{"ddd.example.fr", "*.delegations.example.fr", "127.0.0.1"}))

	for i, tt := range []struct {
		name, url string
		status    int
		message   string
	}{
		{"a host not on the list", "https://evil.example.com/decisions", 422, "hôte de rappel non autorisé pour ce partenaire : evil.example.com"},
		{"a host that only begins like one on the list", "https://ddd.example.fr.evil.example.com/cb", 422, "ddd.example.fr.evil.example.com"},
		{"the domain of a wildcard itself", "https://delegations.example.fr/cb", 422, "delegations.example.fr"},
		{"the cloud metadata address", "http://169.254.169.254/latest/meta-data/", 422, "169.254.169.254"},
		{"a private address", "https://10.0.0.5/cb", 422, "une adresse IP n'est acceptée que si elle figure dans la liste"},
		{"IPv6 loopback, only IPv4 on the list", "http://[::1]:8080/cb", 422, "::1"},
		{"credentials in the URL", "https://liaison:s3cret@ddd.example.fr/cb", 400, "identifiants"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, refs := r.Counts(), referralRows(t, r)
			resp := r.Do("POST", "/api/v1/referrals", "ddd.demo", referralBody(fmt.Sprintf("DDD-CB-NO-%d", i), tt.url))
			p := testutil.AssertProblem(t, resp, tt.status)
			require.Len(t, p.Errors, 1, "%s", resp.Body)
			assert.Equal(t, "callback_url", p.Errors[0].Field)
			assert.Contains(t, p.Errors[0].Message, tt.message)
			assert.NotContains(t, string(resp.Body), "s3cret", "the answer never repeats a credential")
			assert.Equal(t, before, r.Counts(), "nothing written")
			assert.Equal(t, refs, referralRows(t, r), "no referral recorded")
		})
	}
	for i, u := range []string{"https://ddd.example.fr/decisions", "https://nord.delegations.example.fr:8443/cb?x=1", "http://127.0.0.1:9/cb"} {
		resp := r.Do("POST", "/api/v1/referrals", "ddd.demo", referralBody(fmt.Sprintf("DDD-CB-OK-%d", i), u))
		require.Equal(t, http.StatusCreated, resp.Status, "%s: %s", u, resp.Body)
		assert.Equal(t, u, resp.Map(t)["callback_url"], "the partner sees its own URL whole")
	}
}

// An agent sees of a referral's callback URL its scheme and host only:
// not the path or query that carry the partner's token, neither in the
// file, nor in a list, a search, an action's answer or the timeline of a
// delivery that failed. The partner's own referral read is unchanged.
func TestReferral_AgentsSeeOnlyTheCallbacksOrigin(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	const token = "partner-token-4242"
	callback := hook.URL + "/hooks/ddd-nord?token=" + token
	hidden := func(t *testing.T, what string, resp testutil.Response) {
		t.Helper()
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", what, resp.Body)
		assert.NotContains(t, string(resp.Body), token, what)
		assert.NotContains(t, string(resp.Body), "/hooks/", what)
	}

	created := r.Do("POST", "/api/v1/referrals", "ddd.demo", referralBody("DDD-CB-ORIGIN", callback))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	assert.Equal(t, callback, created.Map(t)["callback_url"], "the partner's own submission answers its URL")
	id := created.Map(t)["id"].(string)

	file := r.Do("GET", "/api/v1/cases/"+id, "mediator.demo", nil)
	hidden(t, "the file", file)
	assert.Equal(t, hook.URL, file.Map(t)["callback_url"], "scheme and host")
	hidden(t, "a list", r.Do("GET", "/api/v1/cases?kind=mediation", "mediator.demo", nil))
	hidden(t, "a search", r.Do("GET", "/api/v1/cases?q=DDD-CB-ORIGIN", "mediator.demo", nil))
	resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/admit", "mediator.demo", map[string]any{"no_court_case": true})
	hidden(t, "an action's answer", resp)

	// The partner takes this host off its list before the decision: the
	// delivery is refused, and the timeline tells the agents where, in
	// part.
	require.NoError(t, r.Store.SetPartnerCallbackHosts(ctx, store.DemoPartner, []string{"localhost"}))
	resp = r.Do("POST", "/api/v1/cases/"+id+"/actions/decide", "mediator.demo", map[string]any{"outcome": "maintained", "explanation": explanation})
	hidden(t, "the decision's answer", resp)
	var failed map[string]any
	require.Eventually(t, func() bool {
		for _, ev := range timeline(t, r, id) {
			if ev["action"] == "callback_failed" {
				failed = ev
				return true
			}
		}
		return false
	}, 30*time.Second, 200*time.Millisecond, "the refused delivery is on the timeline")
	hidden(t, "the timeline", r.Do("GET", "/api/v1/cases/"+id+"/events", "manager.demo", nil))
	details := failed["details"].(map[string]any)
	assert.Equal(t, hook.URL, details["url"])
	assert.Contains(t, details["error"], "hôte de rappel non autorisé pour ce partenaire")
	assert.Zero(t, calls.Load(), "nothing sent to a host off the list")
	attempts, err := r.Store.DeliveryAttempts(ctx, id)
	require.NoError(t, err)
	require.Len(t, attempts, 1, "refused for good: not retried")
	assert.Equal(t, hook.URL, attempts[0].URL)

	poll := r.Do("GET", "/api/v1/referrals/DDD-CB-ORIGIN", "ddd.demo", nil)
	require.Equal(t, http.StatusOK, poll.Status, "%s", poll.Body)
	assert.Equal(t, "decided", poll.Map(t)["status"])
	assert.Equal(t, "maintained", poll.Map(t)["outcome"])
}
