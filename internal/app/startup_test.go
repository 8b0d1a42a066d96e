package app_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/cluster"
	"recours/internal/embedded"
	"recours/internal/messages"
	"recours/internal/testutil"
)

func temporalServer(t *testing.T) *embedded.Server {
	t.Helper()
	srv, err := embedded.Start(context.Background(), embedded.Config{DatabaseFile: filepath.Join(t.TempDir(), "temporal.db")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// serve and worker check their namespace at start, and wait for it a
// while (issue 11: the worker exited, and serve answered ready while every
// write failed); `recours temporal setup` creates it, and a second run
// changes nothing.
func TestDial_WaitsForTheNamespaceThatSetupCreates(t *testing.T) {
	srv := temporalServer(t)
	ctx := context.Background()
	_, err := app.Dial(ctx, srv.HostPort(), "recours-test", 2*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "recours temporal setup")

	did, err := app.SetupNamespace(ctx, srv.HostPort(), "recours-test", 72*time.Hour, time.Minute)
	require.NoError(t, err)
	assert.Contains(t, did, "created")
	c, err := app.Dial(ctx, srv.HostPort(), "recours-test", 2*time.Second)
	require.NoError(t, err)
	c.Close()
	did, err = app.SetupNamespace(ctx, srv.HostPort(), "recours-test", 72*time.Hour, time.Minute)
	require.NoError(t, err)
	assert.Contains(t, did, "already set up")
	did, err = app.SetupNamespace(ctx, srv.HostPort(), "recours-test", 96*time.Hour, time.Minute)
	require.NoError(t, err)
	assert.Contains(t, did, "retention set to 96h")
}

// Without any worker polling, the API says it is not ready, and a write is
// refused at once with 503 and Retry-After, having written nothing (issue
// 11: requests hung 20 s and /readyz said ready).
func TestAPI_WithoutWorkerIsNotReadyAndRefusesWrites(t *testing.T) {
	srv := temporalServer(t)
	ctx := context.Background()
	st, err := app.OpenStore(ctx, testutil.SQLiteURL(t), time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.SeedDemo(ctx))
	tc, err := app.Dial(ctx, srv.HostPort(), srv.Namespace(), 10*time.Second)
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	api, err := app.NewAPI(ctx, st, tc, 0)
	require.NoError(t, err)
	api.Limits = nil
	hs := httptest.NewServer(api.Handler())
	t.Cleanup(hs.Close)
	r := testutil.Attach(t, hs.URL, st)

	ready := r.Do("GET", "/readyz", "", nil)
	assert.Equal(t, 503, ready.Status)
	assert.Equal(t, "none polling", ready.Map(t)["checks"].(map[string]any)["workers"])
	assert.NotEmpty(t, ready.Header.Get("Retry-After"))

	before := r.Counts()
	began := time.Now()
	resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"), "Idempotency-Key", "k-1")
	assert.Less(t, time.Since(began), 5*time.Second, "a write waited for a worker")
	assert.Equal(t, 503, resp.Status, string(resp.Body))
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.Contains(t, resp.Map(t)["detail"], "aucun worker")
	after := r.Counts()
	assert.Equal(t, before.Cases, after.Cases)
	assert.Equal(t, before.Events, after.Events)

	// A worker comes: the API is ready and the same request goes through.
	w, _ := app.NewWorker(tc, st, nil, messages.Router{})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	require.Eventually(t, func() bool { return r.Do("GET", "/readyz", "", nil).Status == 200 }, 20*time.Second, 250*time.Millisecond)
	resp = r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"), "Idempotency-Key", "k-1")
	assert.Equal(t, 201, resp.Status, string(resp.Body))
}

// serve and worker wait for a database that comes up after them, and give
// up after their wait with the database named, without its password.
func TestOpenStore_WaitsForTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL")
	}
	pg := cluster.StartPostgres(t)
	url := pg.URL(pg.CreateDatabase(t, "recours"))
	pg.Stop(t)
	ctx := context.Background()
	_, err := app.OpenStore(ctx, strings.Replace(url, "postgres@", "postgres:s3cret@", 1), 2*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "127.0.0.1")
	assert.NotContains(t, err.Error(), "s3cret")

	// Each failed try is logged: once two are, OpenStore is waiting.
	tries := &countingHandler{Handler: slog.NewTextHandler(os.Stderr, nil), prefix: "waiting for the database at "}
	prev := slog.Default()
	slog.SetDefault(slog.New(tries))
	t.Cleanup(func() { slog.SetDefault(prev) })
	done := make(chan error, 1)
	go func() {
		st, err := app.OpenStore(ctx, url, time.Minute)
		if err == nil {
			_ = st.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return tries.n.Load() >= 2 }, 30*time.Second, 50*time.Millisecond,
		"OpenStore tried twice")
	pg.Start(t)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatal("OpenStore did not return once the database was up")
	}
}

// countingHandler counts the records whose message begins with prefix.
type countingHandler struct {
	slog.Handler
	prefix string
	n      atomic.Int32
}

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, h.prefix) {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}
