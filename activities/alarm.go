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
	failing map[string]failure // by file id
	errors  uint64
}

// failure is a file whose saves fail: since when, and the last try.
type failure struct{ since, last time.Time }

// saveAlarmStale is how long after its last failed try a file stops
// counting: its workflow task went to another worker, or it was saved.
const saveAlarmStale = 30 * time.Second

// failed notes a failed attempt at saving the file id, first tried at
// since (the workflow's clock; zero when unknown).
func (s *SaveAlarm) failed(ctx context.Context, id string, since time.Time, err error) {
	now := time.Now()
	s.mu.Lock()
	if s.failing == nil {
		s.failing = map[string]failure{}
	}
	f, ok := s.failing[id]
	if !ok || now.Sub(f.last) > saveAlarmStale {
		f.since = now
	}
	if !since.IsZero() && since.Before(f.since) {
		f.since = since
	}
	f.last = now
	s.failing[id] = f
	first := f.since
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
// more and was tried lately; it forgets those tried no more.
func (s *SaveAlarm) Failing() int {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, f := range s.failing {
		switch {
		case now.Sub(f.last) > saveAlarmStale:
			delete(s.failing, id)
		case now.Sub(f.since) >= SaveAlarmAfter:
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
