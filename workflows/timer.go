package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// changeOneTimerPerDeadline versions the clock loop. Version
// DefaultVersion started a new timer after every action; version 1 keeps
// one timer per deadline instant and replaces it only when that instant
// moves, so an action that does not move a deadline adds no timer to the
// history. Files started before the change replay the old loop.
const changeOneTimerPerDeadline = "one-timer-per-deadline"

// waitForClock waits until an action changed the file or its next deadline
// is due.
func (w *file) waitForClock(ctx workflow.Context, version workflow.Version) error {
	seen := w.seq
	changed := func() bool { return w.seq != seen }
	next, ok := w.c.NextTimer()
	if version == workflow.DefaultVersion {
		var err error
		if !ok {
			err = workflow.Await(ctx, changed)
		} else if d := next.Sub(workflow.Now(ctx)); d > 0 {
			_, err = workflow.AwaitWithTimeout(ctx, d, changed)
		}
		return err
	}
	w.timer.set(ctx, next, ok)
	return workflow.Await(ctx, func() bool { return changed() || w.timer.ready() })
}

// deadlineTimer is one durable timer for the file's next deadline.
type deadlineTimer struct {
	at     time.Time
	due    bool // the instant had passed when set: no timer needed
	f      workflow.Future
	cancel workflow.CancelFunc
}

// set aims the timer at the instant at (none when ok is false), keeping
// the running timer when it already aims there.
func (t *deadlineTimer) set(ctx workflow.Context, at time.Time, ok bool) {
	if ok && t.f != nil && !t.ready() && at.Equal(t.at) {
		return
	}
	t.stop()
	if !ok {
		return
	}
	t.at = at
	d := at.Sub(workflow.Now(ctx))
	if d <= 0 {
		t.due = true
		return
	}
	tctx, cancel := workflow.WithCancel(ctx)
	t.f, t.cancel = workflow.NewTimer(tctx, d), cancel
}

// ready reports whether the instant aimed at has come.
func (t *deadlineTimer) ready() bool { return t.due || (t.f != nil && t.f.IsReady()) }

// stop cancels the running timer, if any.
func (t *deadlineTimer) stop() {
	if t.cancel != nil && t.f != nil && !t.f.IsReady() {
		t.cancel()
	}
	t.f, t.cancel, t.due = nil, nil, false
}
