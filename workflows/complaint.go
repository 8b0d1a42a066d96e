package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recours/activities"
	"recours/internal/domain"
	"recours/internal/store"
)

// Complaint owns one complaint from registration to closing.
func Complaint(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	w := &complaint{c: in.Case}
	if err := w.setup(ctx); err != nil {
		return domain.Case{}, err
	}
	return w.run(ctx, in.Actor)
}

type complaint struct {
	timer deadlineTimer
	c     domain.Case
	seq   int64 // seq of the last event
	saved int64 // seq of the last event written to the store
}

var acts *activities.Activities

func (w *complaint) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (domain.Case, error) {
		return w.c, nil
	}); err != nil {
		return err
	}
	// register answers the update-with-start of POST /complaints once the
	// file is in the store, so a GET right after the 201 finds it.
	if err := workflow.SetUpdateHandler(ctx, UpdateRegister, func(ctx workflow.Context) (domain.Case, error) {
		err := workflow.Await(ctx, func() bool { return w.saved >= 1 })
		return w.c.Clone(), err
	}); err != nil {
		return err
	}
	for _, a := range domain.ComplaintActions {
		err := workflow.SetUpdateHandlerWithOptions(ctx, string(a),
			func(ctx workflow.Context, req ActionRequest) (domain.Case, error) {
				ch, err := w.c.Apply(workflow.Now(ctx).UTC(), req.Actor, a, req.Args)
				if err != nil {
					return domain.Case{}, asApplicationError(err)
				}
				rec := w.record(ch)
				if err := w.save(ctx, rec); err != nil {
					return domain.Case{}, err
				}
				return rec.Case, nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ActionRequest) error {
				return asApplicationError(w.c.Check(req.Actor, a, req.Args))
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *complaint) run(ctx workflow.Context, actor string) (domain.Case, error) {
	created := domain.Change{Event: domain.Event{
		At: w.c.CreatedAt, Actor: actor, Action: "created", ToStatus: w.c.Status,
		Details: map[string]any{"channel": w.c.Channel, "received_at": w.c.ReceivedAt},
	}}
	if err := w.save(ctx, w.record(created)); err != nil {
		return w.c, err
	}
	version := workflow.GetVersion(ctx, changeOneTimerPerDeadline, workflow.DefaultVersion, 1)
	for {
		if w.c.Status.Final() {
			w.timer.stop()
			// Wait for a reopening; past the window the workflow completes.
			reopened, err := workflow.AwaitWithTimeout(ctx, ReopenWindow, func() bool { return !w.c.Status.Final() })
			if err != nil {
				return w.c, err
			}
			if !reopened {
				break
			}
			continue
		}
		if err := w.waitForClock(ctx, version); err != nil {
			return w.c, err
		}
		if changes := w.c.Tick(workflow.Now(ctx).UTC()); len(changes) > 0 {
			if err := w.save(ctx, w.record(changes...)); err != nil {
				return w.c, err
			}
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.c, err
	}
	return w.c, nil
}

// record numbers the changes and snapshots the file after them.
func (w *complaint) record(changes ...domain.Change) store.Record {
	for i := range changes {
		w.seq++
		changes[i].Event.Seq = w.seq
	}
	return store.Record{Case: w.c.Clone(), Changes: changes}
}

// save writes the record through a local activity, retried until the store
// answers: an action is in the history, so it must reach the projection.
func (w *complaint) save(ctx workflow.Context, rec store.Record) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		},
	})
	if err := workflow.ExecuteLocalActivity(ctx, acts.Save, rec).Get(ctx, nil); err != nil {
		return err
	}
	if last := rec.Changes[len(rec.Changes)-1].Event.Seq; last > w.saved {
		w.saved = last
	}
	return nil
}
