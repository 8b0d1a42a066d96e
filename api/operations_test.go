package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gorm.io/gorm/logger"

	"recours/api"
	"recours/internal/store"
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

	// The public router serves no metrics: they have their own listener.
	assert.Equal(t, 404, r.Do("GET", "/metrics", "", nil).Status)
	require.NoError(t, r.API.RefreshMetrics(context.Background()))
	text := scrape(t, r.API.MetricsHandler())
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

// scrape reads h's metrics as Prometheus does, over HTTP.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// statements counts the statements a store runs (logger.Interface's
// Trace is called once for each).
type statements struct {
	logger.Interface
	n atomic.Int64
}

func (s *statements) Trace(context.Context, time.Time, func() (string, int64), error) { s.n.Add(1) }

// TestMetrics_AScrapeRunsNoQuery: the figures are read in the background;
// a scrape sends the last ones read and costs the database nothing.
func TestMetrics_AScrapeRunsNoQuery(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		counted := &statements{Interface: logger.Discard}
		srv := &api.Server{Store: st.WithLogger(counted)}
		assert.NotContains(t, scrape(t, srv.MetricsHandler()), "recours_cases{", "nothing before the figures are first read")
		require.NoError(t, srv.RefreshMetrics(context.Background()))
		assert.Positive(t, counted.n.Load(), "the refresh reads the database")
		counted.n.Store(0)
		for range 5 {
			text := scrape(t, srv.MetricsHandler())
			assert.Contains(t, text, `recours_deadline_events_total{event="legal_limit_passed"} 0`)
			assert.Contains(t, text, "recours_figures_read_timestamp_seconds ")
		}
		assert.Zero(t, counted.n.Load(), "a scrape runs no statement")
	})
}

// TestMetrics_KeptFreshInTheBackground: the figures are read at once,
// then every period, until the context ends.
func TestMetrics_KeptFreshInTheBackground(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		counted := &statements{Interface: logger.Discard}
		srv := &api.Server{Store: st.WithLogger(counted)}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { srv.KeepMetricsFresh(ctx, 20*time.Millisecond); close(done) }()
		require.Eventually(t, func() bool { return counted.n.Load() >= 6 }, 5*time.Second, 10*time.Millisecond,
			"read again and again")
		cancel()
		<-done
		assert.Contains(t, scrape(t, srv.MetricsHandler()), "recours_deadline_events_total")
	})
}
