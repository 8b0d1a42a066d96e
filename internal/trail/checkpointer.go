package trail

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"recours/internal/store"
)

// DefaultInterval is how often a process that writes the trail checkpoints
// its head (RECOURS_AUDIT_CHECKPOINT_INTERVAL): the most of the trail's
// end that could be removed unnoticed.
const DefaultInterval = 5 * time.Minute

// Checkpointer appends to Log a checkpoint of the trail's head whenever
// the head moved since the last one there.
type Checkpointer struct {
	Store *store.Store
	Key   []byte
	Log   Log
	// Writer names this process in its checkpoints; host and pid when
	// empty.
	Writer string
	Now    func() time.Time
}

// Step checkpoints the head if it moved since the log's last checkpoint,
// and says whether it did. The last checkpoint is read from the log each
// time: with several processes appending to one log, a head one of them
// recorded is not recorded again by the others (but for a race, which
// costs a line).
func (c *Checkpointer) Step(ctx context.Context) (bool, error) {
	head, err := c.Store.AccessTrailHead(ctx)
	if err != nil {
		return false, err
	}
	if head.ID == 0 {
		return false, nil
	}
	last, ok, err := c.Log.Last()
	if err != nil {
		return false, err
	}
	keyID := store.TrailKeyID(c.Key)
	if ok && last.LastID == head.ID && last.Hash == head.Hash && last.Count == head.Count && last.KeyID == keyID {
		return false, nil
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := c.Log.Append(NewCheckpoint(c.Key, head, now(), c.writer())); err != nil {
		return false, err
	}
	return true, nil
}

func (c *Checkpointer) writer() string {
	if c.Writer != "" {
		return c.Writer
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// Start runs Step at once, then every interval until the returned stop is called, which
// takes a last checkpoint, so that a process stopping leaves its last
// entries checkpointed, and returns once it is written. A failing step is
// logged and tried again at the next tick.
func (c *Checkpointer) Start(interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.step(ctx)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				last, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				c.step(last)
				return
			case <-t.C:
				c.step(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}

func (c *Checkpointer) step(ctx context.Context) {
	if _, err := c.Step(ctx); err != nil && ctx.Err() == nil {
		slog.Error("access trail checkpoint failed", "err", err)
	}
}
