package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recours/activities"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
)

// Complaint owns one complaint from registration to closing.
func Complaint(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	return runFile(ctx, in)
}

// Mediation owns one mediation file (a Défenseur des droits referral
// included) from receipt to closing.
func Mediation(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	return runFile(ctx, in)
}

func runFile(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	w := &file{c: in.Case}
	w.messages = workflow.GetVersion(ctx, changeClaimantMessages, workflow.DefaultVersion, 1) >= 1
	if err := w.setup(ctx); err != nil {
		return domain.Case{}, err
	}
	return w.run(ctx, in.Actor)
}

// file is the state of one file's workflow, whatever its kind.
type file struct {
	timer      deadlineTimer
	c          domain.Case
	seq        int64 // seq of the last event
	saved      int64 // seq of the last event written to the store
	delivering bool  // a decision is being pushed to a partner
	messages   bool  // the file writes to the claimant (changeClaimantMessages)
	sending    int   // messages to the claimant under way
}

var acts *activities.Activities

func (w *file) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (domain.Case, error) {
		return w.c, nil
	}); err != nil {
		return err
	}
	// register answers the API once the file is in the store, so a GET
	// right after the 201 finds it.
	if err := workflow.SetUpdateHandler(ctx, UpdateRegister, func(ctx workflow.Context) (domain.Case, error) {
		err := workflow.Await(ctx, func() bool { return w.saved >= 1 })
		return w.c.Clone(), err
	}); err != nil {
		return err
	}
	for _, a := range domain.Actions(w.c.Kind) {
		err := workflow.SetUpdateHandlerWithOptions(ctx, string(a),
			func(ctx workflow.Context, req ActionRequest) (domain.Case, error) { return w.act(ctx, a, req) },
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ActionRequest) error {
				return asApplicationError(w.c.Check(workflow.Now(ctx).UTC(), req.Actor, a, req.Args))
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

// act performs an action: the file it opens (escalate, reorient) is saved
// and started first, then the file's own change is saved.
func (w *file) act(ctx workflow.Context, a domain.Action, req ActionRequest) (domain.Case, error) {
	now := workflow.Now(ctx).UTC()
	opens := a == domain.ActionEscalate || a == domain.ActionReorient
	if opens {
		req.Args.LinkedID = newFileID(ctx)
	}
	before := w.c.Clone()
	ch, err := w.c.Apply(now, req.Actor, a, req.Args)
	if err != nil {
		return domain.Case{}, asApplicationError(err)
	}
	if opens {
		if err := w.open(ctx, linkedFile(before, a, req, now), req.Actor.Login); err != nil {
			w.c = before // nothing happened: the caller may retry
			return domain.Case{}, err
		}
	}
	rec := w.record(ch)
	if err := w.save(ctx, rec); err != nil {
		return domain.Case{}, err
	}
	if a == domain.ActionDecide && w.c.CallbackURL != "" {
		w.deliverDecision(ctx)
	}
	if kind, ok := messageFor(w.c, a); ok && w.messages {
		w.sendMessage(ctx, kind)
	}
	return rec.Case, nil
}

func (w *file) run(ctx workflow.Context, actor string) (domain.Case, error) {
	if err := w.save(ctx, w.record(w.c.Created(actor))); err != nil {
		return w.c, err
	}
	if w.messages {
		w.sendMessage(ctx, messages.KindAcknowledgment)
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
	if err := workflow.Await(ctx, func() bool { return !w.delivering && w.sending == 0 && workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.c, err
	}
	return w.c, nil
}

// record numbers the changes and snapshots the file after them.
func (w *file) record(changes ...domain.Change) store.Record {
	for i := range changes {
		w.seq++
		changes[i].Event.Seq = w.seq
	}
	return store.Record{Case: w.c.Clone(), Changes: changes}
}

// save writes the record through a local activity, retried until the store
// answers: an action is in the history, so it must reach the projection.
func (w *file) save(ctx workflow.Context, rec store.Record) error {
	if err := saveRecord(ctx, rec); err != nil {
		return err
	}
	if last := rec.Changes[len(rec.Changes)-1].Event.Seq; last > w.saved {
		w.saved = last
	}
	return nil
}

func saveRecord(ctx workflow.Context, rec store.Record) error {
	return workflow.ExecuteLocalActivity(saving(ctx), acts.Save, rec).Get(ctx, nil)
}

// saving sets the options of the local activities that write to the
// store: retried without end, as what they write is in the history.
func saving(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		},
	})
}
