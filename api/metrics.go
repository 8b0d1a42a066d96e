package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"recours/internal/domain"
	"recours/internal/store"
)

// MetricsRefresh is how often an API process reads the database-wide
// figures of the metrics (files by status, deadlines passed): a scrape
// reads the last figures read, never the database.
const MetricsRefresh = 30 * time.Second

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	files    *fileFigures
}

func newMetrics(st *store.Store) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recours_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "recours_http_request_duration_seconds", Help: "HTTP request durations by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		files: &fileFigures{st: st},
	}
	m.reg.MustRegister(m.requests, m.duration, m.files,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// metricsOf is the server's metrics, made on first use: by the router,
// the metrics listener or the refresh, whichever comes first.
func (s *Server) metricsOf() *metrics {
	s.metricsOnce.Do(func() { s.metrics = newMetrics(s.Store) })
	return s.metrics
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// MetricsHandler serves the Prometheus metrics. It is for the metrics
// listener (--metrics-listen, loopback by default), never the public
// router: the figures of every Caf are for the operators.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metricsOf().reg, promhttp.HandlerOpts{})
}

// RefreshMetrics reads the database-wide figures once.
func (s *Server) RefreshMetrics(ctx context.Context) error {
	return s.metricsOf().files.refresh(ctx)
}

// KeepMetricsFresh reads the database-wide figures now, then every
// period, until ctx ends.
func (s *Server) KeepMetricsFresh(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if err := s.RefreshMetrics(ctx); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "reading the figures of the metrics failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// fileFigures are the files by kind, status and SLA status, and the
// deadlines passed, as last read from the projection. They are the
// database's, not the process's: every API process reports the same
// values, so a dashboard aggregates them across processes with max (or
// reads one), never sum.
type fileFigures struct {
	st *store.Store

	mu     sync.Mutex
	cases  []store.Count
	events map[string]int64
	at     time.Time // when read; zero: not yet
}

var (
	casesDesc = prometheus.NewDesc("recours_cases",
		"Files by kind, status and SLA status (overdue files are sla_status=\"overdue\"), read from the database every 30 s; "+
			"the same in every API process: aggregate with max, not sum.",
		[]string{"kind", "status", "sla_status"}, nil)
	clockDesc = prometheus.NewDesc("recours_deadline_events_total",
		"Deadlines passed, from the timelines: acknowledgment missed, target missed, legal limit passed, implicit rejection; "+
			"read from the database every 30 s, the same in every API process: aggregate with max, not sum.",
		[]string{"event"}, nil)
	figuresAtDesc = prometheus.NewDesc("recours_figures_read_timestamp_seconds",
		"When recours_cases and recours_deadline_events_total were last read from the database (Unix time).", nil, nil)
	clockEvents = []string{domain.ClockDeadlineMissed, domain.ClockTargetMissed, domain.ClockLegalLimitPassed, domain.ClockImplicitRejection}
)

// refresh reads the figures; on failure the last ones stay, their
// timestamp telling how old they are.
func (f *fileFigures) refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	counts, err := f.st.CountCases(ctx)
	if err != nil {
		return err
	}
	events, err := f.st.CountEvents(ctx, clockEvents)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.cases, f.events, f.at = counts, events, time.Now()
	f.mu.Unlock()
	return nil
}

func (*fileFigures) Describe(ch chan<- *prometheus.Desc) {
	ch <- casesDesc
	ch <- clockDesc
	ch <- figuresAtDesc
}

// Collect sends the figures last read: a scrape costs no query.
func (f *fileFigures) Collect(ch chan<- prometheus.Metric) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.at.IsZero() {
		return // not read yet: nothing rather than zeros
	}
	for _, n := range f.cases {
		ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.GaugeValue, float64(n.N), n.Kind, n.Status, n.SLAStatus)
	}
	for event, n := range f.events {
		ch <- prometheus.MustNewConstMetric(clockDesc, prometheus.CounterValue, float64(n), event)
	}
	ch <- prometheus.MustNewConstMetric(figuresAtDesc, prometheus.GaugeValue, float64(f.at.UnixNano())/1e9)
}
