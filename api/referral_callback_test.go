package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

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
