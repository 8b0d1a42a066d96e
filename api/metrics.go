package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"recours/internal/domain"
	"recours/internal/store"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
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
	}
	m.reg.MustRegister(m.requests, m.duration, casesCollector{st},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// casesCollector counts the files by kind, status and SLA status from the
// projection at each scrape, so every API process reports the same truth.
type casesCollector struct{ st *store.Store }

var (
	casesDesc = prometheus.NewDesc("recours_cases",
		"Files by kind, status and SLA status (overdue files are sla_status=\"overdue\").",
		[]string{"kind", "status", "sla_status"}, nil)
	clockDesc = prometheus.NewDesc("recours_deadline_events_total",
		"Deadlines passed, from the timelines: acknowledgment missed, target missed, legal limit passed, implicit rejection.",
		[]string{"event"}, nil)
	clockEvents = []string{domain.ClockDeadlineMissed, domain.ClockTargetMissed, domain.ClockLegalLimitPassed, domain.ClockImplicitRejection}
)

func (casesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- casesDesc; ch <- clockDesc }

func (cc casesCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := cc.st.CountCases(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(casesDesc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.GaugeValue, float64(n.N), n.Kind, n.Status, n.SLAStatus)
	}
	events, err := cc.st.CountEvents(ctx, clockEvents)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(clockDesc, err)
		return
	}
	for event, n := range events {
		ch <- prometheus.MustNewConstMetric(clockDesc, prometheus.CounterValue, float64(n), event)
	}
}
