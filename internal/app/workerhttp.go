package app

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"

	"recours/activities"
	"recours/internal/store"
)

// WorkerHealth serves a worker's /healthz, /readyz and /metrics, for the
// orchestrator and for Prometheus. Running is set once the worker polls.
type WorkerHealth struct {
	Store    *store.Store
	Temporal client.Client
	Acts     *activities.Activities
	Running  atomic.Bool
}

// Handler routes the worker's three endpoints.
func (h *WorkerHealth) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(h.Acts.Alarm.Collectors()...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// readyz answers 200 when the worker polls, the database answers and
// Temporal answers; 503 with what is missing otherwise. A worker whose
// saves keep failing is not ready either: its files wait for the database.
func (h *WorkerHealth) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"worker": "ok", "database": "ok", "temporal": "ok", "saves": "ok"}
	ok := true
	if !h.Running.Load() {
		checks["worker"], ok = "not started", false
	}
	if err := h.Store.Ping(ctx); err != nil {
		checks["database"], ok = "unreachable", false
	}
	if _, err := h.Temporal.CheckHealth(ctx, nil); err != nil {
		checks["temporal"], ok = "unreachable", false
	}
	if h.Acts.Alarm.Failing() > 0 {
		checks["saves"], ok = "failing", false
	}
	if !ok {
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "checks": checks})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "checks": checks})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
