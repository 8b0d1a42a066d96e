package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/testutil"
)

func TestOperations_HealthReadinessAndMetrics(t *testing.T) {
	r := testutil.Start(t, "")
	assert.Equal(t, 200, r.Do("GET", "/healthz", "", nil).Status)
	ready := r.Do("GET", "/readyz", "", nil)
	assert.Equal(t, 200, ready.Status, string(ready.Body))

	body := testutil.Complaint("071")
	// Received 16 days ago: target and legal limit already passed.
	body["received_at"] = time.Now().UTC().Add(-16 * 24 * time.Hour).Format(time.RFC3339)
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
	require.Equal(t, 201, created.Status, string(created.Body))
	require.Eventually(t, func() bool {
		return r.Do("GET", "/api/v1/cases/"+created.Map(t)["id"].(string), "manager.demo", nil).Map(t)["sla_status"] == "overdue"
	}, 10*time.Second, 100*time.Millisecond)
	r.Do("GET", "/api/v1/cases/not-a-file", "manager.demo", nil)

	m := r.Do("GET", "/metrics", "", nil)
	require.Equal(t, 200, m.Status)
	text := string(m.Body)
	for _, want := range []string{
		`recours_http_requests_total{method="POST",route="/api/v1/complaints",status="201"} 1`,
		`recours_http_requests_total{method="GET",route="/api/v1/cases/:id",status="404"} 1`,
		`recours_cases{kind="complaint",sla_status="overdue",status="open"} 1`,
		`recours_deadline_events_total{event="legal_limit_passed"} 1`,
		`recours_deadline_events_total{event="target_missed"} 1`,
		`recours_deadline_events_total{event="implicit_rejection"} 0`,
	} {
		assert.True(t, strings.Contains(text, want), "metrics lack %s", want)
	}
	assert.NotContains(t, text, "1234567", "no claimant number in the metrics")
}

func TestOperations_ReadinessFailsWhenTheDatabaseIsDown(t *testing.T) {
	r := testutil.Start(t, "")
	require.NoError(t, r.Store.Close())
	resp := r.Do("GET", "/readyz", "", nil)
	assert.Equal(t, 503, resp.Status)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.Equal(t, "unreachable", resp.Map(t)["checks"].(map[string]any)["database"])
}
