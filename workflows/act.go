package workflows

import (
	"go.temporal.io/sdk/workflow"

	"recours/internal/domain"
)

// act performs an action. It waits until the file's creation is saved, so
// that an action arriving with the file's first workflow task comes after
// it on the timeline; then it makes the change under the write turn: the
// file an action opens (escalate, reorient) is started and saved first,
// then the file's own change is saved, and only then does the file take
// it. An error at any step leaves the file as it was.
func (w *file) act(ctx workflow.Context, a domain.Action, req ActionRequest) (domain.Case, error) {
	if err := workflow.Await(ctx, func() bool { return w.saved >= 1 }); err != nil {
		return domain.Case{}, err
	}
	err := w.change(ctx, func(c *domain.Case) ([]domain.Change, error) {
		now := workflow.Now(ctx).UTC()
		opens := a == domain.ActionEscalate || a == domain.ActionReorient
		if opens {
			req.Args.LinkedID = newFileID(ctx)
		}
		before := c.Clone()
		ch, err := c.Apply(now, req.Actor, a, req.Args)
		if err != nil {
			return nil, asApplicationError(err)
		}
		if opens {
			if err := w.open(ctx, linkedFile(before, a, req, now), req.Actor.Login); err != nil {
				return nil, err
			}
		}
		return []domain.Change{ch}, nil
	})
	if err != nil {
		return domain.Case{}, err
	}
	out := w.c.Clone()
	w.afterAction(ctx, a, req.Actor.Login)
	return out, nil
}

// actUnordered is how files started before changeSavedBeforeApplied
// perform an action, kept for their histories to replay: the change is
// applied, then saved.
func (w *file) actUnordered(ctx workflow.Context, a domain.Action, req ActionRequest) (domain.Case, error) {
	// The state changes before it is saved: a resync waits for the end.
	w.unsaved++
	defer func() { w.unsaved-- }()
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
	w.afterAction(ctx, a, req.Actor.Login)
	return rec.Case, nil
}

// afterAction starts what an action sends out: the decision to the
// partner, the message to the claimant.
func (w *file) afterAction(ctx workflow.Context, a domain.Action, actor string) {
	if a == domain.ActionDecide && w.c.CallbackURL != "" {
		w.deliverDecision(ctx)
	}
	if kind, ok := messageFor(w.c, a, w.rules); ok && w.messages {
		w.sendMessage(ctx, kind, actor)
	}
}

// resync writes the file to the store as the workflow holds it, its whole
// timeline (an event the store lost is written again, with its queue
// entries) and nothing beyond: the repair of `recours check consistency`.
func (w *file) resync(ctx workflow.Context) (domain.Case, error) {
	release, err := w.turn.take(ctx, func() bool { return w.saved >= 1 && w.unsaved == 0 })
	if err != nil {
		return domain.Case{}, err
	}
	defer release()
	if err := saveRecord(ctx, orderedRecord(ctx, w.c, w.seq, w.timeline)); err != nil {
		return domain.Case{}, err
	}
	return w.c.Clone(), nil
}
