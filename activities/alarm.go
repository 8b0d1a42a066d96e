package activities

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SaveAlarmAfter is how long a file's save may keep failing before it is
// logged as an error and counted as failing: the store is away, and what
// the workflow holds waits to reach it.
const SaveAlarmAfter = time.Minute

// SaveAlarm tracks the files whose save keeps failing, for the logs and
// the worker's metrics. The zero value is ready.
type SaveAlarm struct {
	mu      sync.Mutex
	failing map[string]time.Time // file id → since when
	errors  uint64
}

// failed notes a failed attempt at saving the file id, first tried at
// since (the workflow's clock; zero when unknown).
func (s *SaveAlarm) failed(ctx context.Context, id string, since time.Time, err error) {
	now := time.Now()
	s.mu.Lock()
	if s.failing == nil {
		s.failing = map[string]time.Time{}
	}
	first, ok := s.failing[id]
	if !ok || (!since.IsZero() && since.Before(first)) {
		first = now
		if !since.IsZero() && since.Before(now) {
			first = since
		}
		s.failing[id] = first
	}
	s.errors++
	s.mu.Unlock()
	// The file's id only: a file's content never reaches the logs.
	if d := now.Sub(first); d >= SaveAlarmAfter {
		slog.ErrorContext(ctx, "saving a file has failed for over a minute: the database does not take the writes; retrying",
			"case_id", id, "failing_for", d.Round(time.Second).String(), "err", err)
		return
	}
	slog.WarnContext(ctx, "saving a file failed, will retry", "case_id", id, "err", err)
}

// saved notes that the file id was saved.
func (s *SaveAlarm) saved(id string) {
	s.mu.Lock()
	delete(s.failing, id)
	s.mu.Unlock()
}

// Failing counts the files whose save has failed for SaveAlarmAfter or
// more.
func (s *SaveAlarm) Failing() int {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, since := range s.failing {
		if now.Sub(since) >= SaveAlarmAfter {
			n++
		}
	}
	return n
}

// Collectors are the alarm's metrics.
func (s *SaveAlarm) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "recours_saves_failing",
			Help: "Files of this worker whose save has been failing for a minute or more (the database does not take the writes).",
		}, func() float64 { return float64(s.Failing()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "recours_save_errors_total",
			Help: "Failed attempts at saving a file, each retried.",
		}, func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(s.errors)
		}),
	}
}
