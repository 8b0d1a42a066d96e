package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// The file page's timeline names the callback a delivery failed on by its
// scheme and host only: never the path or query carrying the partner's
// token.
func TestUI_FailedDeliveryShowsTheCallbacksOriginOnly(t *testing.T) {
	r := testutil.Start(t, "")
	hook := httptest.NewServer(http.NotFoundHandler())
	defer hook.Close()
	const token = "partner-token-4343"
	body := map[string]any{
		"ddd_reference": "DDD-UI-CB", "caf": "071",
		"claimant": map[string]any{"number": "1234567", "name": "Jeanne Martin"},
		"benefit":  "housing_aid", "reason": "overpayment_not_understood",
		"subject": "Trop-perçu d'aide au logement", "facts": "La réclamante conteste le trop-perçu.",
		"response_expected_by": time.Now().AddDate(0, 1, 0).Format(time.DateOnly),
		"callback_url":         hook.URL + "/hooks/ddd?token=" + token,
	}
	created := r.Do("POST", "/api/v1/referrals", "ddd.demo", body)
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	id := created.Map(t)["id"].(string)
	r.Act(t, "mediator.demo", id, "admit", map[string]any{"no_court_case": true})
	// Off the partner's list by the time of the decision: refused.
	require.NoError(t, r.Store.SetPartnerCallbackHosts(context.Background(), store.DemoPartner, []string{"localhost"}))
	r.Act(t, "mediator.demo", id, "decide", map[string]any{"outcome": "maintained",
		"explanation": "Après examen de votre dossier, la décision de la Caf est maintenue : vos ressources dépassent le plafond."})
	require.Eventually(t, func() bool {
		events, err := r.Store.Events(context.Background(), id)
		require.NoError(t, err)
		for _, ev := range events {
			if ev.Action == "callback_failed" {
				return true
			}
		}
		return false
	}, 30*time.Second, 200*time.Millisecond)

	page := uiSignIn(t, r, "mediator.demo").get("/ui/dossiers/" + id)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, hook.URL)
	assert.NotContains(t, page.Body, token)
	assert.NotContains(t, page.Body, "/hooks/ddd")
}
