package api

import (
	"context"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"recours/internal/domain"
	"recours/workflows"
)

// A worker polls the task queue without end, each poll lasting up to a
// minute (Temporal's long poll), and Temporal keeps the time of each
// poller's last poll: a worker whose last poll is older than pollerFresh
// is gone. The answer is kept workerCheckEvery, so that /readyz and the
// writes ask Temporal at most that often.
const (
	pollerFresh      = 70 * time.Second
	workerCheckEvery = 2 * time.Second
)

// workerWatch remembers the last answer to "does a worker poll?".
type workerWatch struct {
	mu      sync.Mutex
	checked time.Time
	ok      bool
	err     error
}

// errNoWorker answers a write when no worker takes the files' tasks: it
// would wait for one, so it is refused at once and nothing is sent.
var errNoWorker = &domain.Error{Code: domain.EUNAVAILABLE, Message: detailNoWorker}

// workersPolling reports whether a worker polled the files' task queue
// within pollerFresh; an error says Temporal did not answer.
func (s *Server) workersPolling(ctx context.Context) (bool, error) {
	if s.WorkerInProcess {
		return true, nil
	}
	w := &s.workers
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.checked.IsZero() && time.Since(w.checked) < workerCheckEvery {
		return w.ok, w.err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	resp, err := s.Temporal.DescribeTaskQueue(ctx, workflows.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	w.checked, w.ok, w.err = time.Now(), false, err
	if err == nil {
		for _, p := range resp.GetPollers() {
			if time.Since(p.GetLastAccessTime().AsTime()) < pollerFresh {
				w.ok = true
				break
			}
		}
	}
	return w.ok, w.err
}

// requireWorker returns errNoWorker when no worker polls, or Temporal's
// error when it does not answer.
func (s *Server) requireWorker(ctx context.Context) error {
	ok, err := s.workersPolling(ctx)
	switch {
	case err != nil:
		return err
	case !ok:
		return errNoWorker
	}
	return nil
}
