package cases

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
	mu       sync.Mutex
	checked  time.Time
	checking bool // a check is under way: the others take the last answer
	ok       bool
	err      error
}

// ErrNoWorker answers a write when no worker takes the files' tasks: it
// would wait for one, so it is refused at once and nothing is sent.
var ErrNoWorker = &domain.Error{Code: domain.EUNAVAILABLE, Message: DetailNoWorker}

// WorkersPolling reports whether a worker polled the files' task queue
// within pollerFresh; an error says Temporal did not answer. One request
// at a time asks Temporal, on its own deadline (a caller that hangs up
// does not make the answer an error), the others meanwhile take the last
// answer.
func (s *Service) WorkersPolling(ctx context.Context) (bool, error) {
	if s.WorkerInProcess {
		return true, nil
	}
	w := &s.workers
	w.mu.Lock()
	if w.checking || (!w.checked.IsZero() && time.Since(w.checked) < workerCheckEvery) {
		ok, err, first := w.ok, w.err, w.checked.IsZero()
		w.mu.Unlock()
		if first { // the first check is under way: wait for it
			return s.firstCheck(ctx)
		}
		return ok, err
	}
	w.checking = true
	w.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	resp, err := s.Temporal.DescribeTaskQueue(ctx, workflows.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	ok := false
	if err == nil {
		for _, p := range resp.GetPollers() {
			if time.Since(p.GetLastAccessTime().AsTime()) < pollerFresh {
				ok = true
				break
			}
		}
	}
	w.mu.Lock()
	w.checked, w.checking, w.ok, w.err = time.Now(), false, ok, err
	w.mu.Unlock()
	return ok, err
}

// firstCheck waits for the process's first check to end.
func (s *Service) firstCheck(ctx context.Context) (bool, error) {
	for {
		s.workers.mu.Lock()
		done, ok, err := !s.workers.checked.IsZero(), s.workers.ok, s.workers.err
		s.workers.mu.Unlock()
		if done {
			return ok, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// requireWorker returns ErrNoWorker when no worker polls, or Temporal's
// error when it does not answer.
func (s *Service) requireWorker(ctx context.Context) error {
	ok, err := s.WorkersPolling(ctx)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrNoWorker
	}
	return nil
}
