package activities

import (
	"context"
	"time"

	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
)

// Activities carries what the side effects need.
type Activities struct {
	Store *store.Store
	// Saved, if set, is told each file saved (see internal/notify).
	Saved func(caseID string)
	// Messages sends what is written to claimants (see internal/messages).
	Messages messages.Router
	// Alarm watches the saves that keep failing.
	Alarm SaveAlarm
	// AllowPrivateCallbacks lets decisions reach internal addresses
	// (loopback, private ranges): only the embedded default, whose demo
	// partner listens on this machine, sets it. Production refuses them
	// on the address dialled.
	AllowPrivateCallbacks bool
}

// Save writes a file's new state, its events and its queue entries. It is
// run as a local activity by the workflow that owns the file, retried
// until it succeeds; a retry writes nothing twice (see store.Save). A save
// failing for over a minute is logged as an error and counted in the
// worker's metrics.
func (a *Activities) Save(ctx context.Context, r store.Record) error {
	if err := a.Store.Save(ctx, r); err != nil {
		a.Alarm.failed(ctx, r.Case.ID, r.Since, err)
		return err
	}
	a.Alarm.saved(r.Case.ID)
	if len(r.Changes) > 0 && r.Changes[0].Event.Seq == 1 && r.Case.OverpaymentID != "" {
		// The first record of a file that disputes an overpayment notice.
		if err := a.Store.LinkDispute(ctx, r.Case); err != nil {
			return err
		}
	}
	if a.Saved != nil {
		a.Saved(r.Case.ID)
	}
	return nil
}

// AwaitSaved returns once the file id is in the store: the file an action
// opens is saved by its own workflow, and the action answers when it is
// readable. Run as a local activity, retried like a save.
func (a *Activities) AwaitSaved(ctx context.Context, id string) error {
	for {
		ok, err := a.Store.HasCase(ctx, id)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// SaveOverpayment writes an overpayment notice's state and the
// notifications it raised, as the workflow run and task made them (0: a
// notice started before tasks were kept); a retry writes nothing twice.
func (a *Activities) SaveOverpayment(ctx context.Context, o domain.Overpayment, notes []domain.Notification, run string, task int64) error {
	if err := a.Store.SaveOverpayment(ctx, o, notes, run, task); err != nil {
		a.Alarm.failed(ctx, o.ID, time.Time{}, err)
		return err
	}
	a.Alarm.saved(o.ID)
	if a.Saved != nil {
		a.Saved(o.ID)
	}
	return nil
}
