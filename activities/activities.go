package activities

import (
	"context"
	"log/slog"

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
}

// Save writes a file's new state, its events and its queue entries. It is
// run as a local activity by the workflow that owns the file; a retry
// writes nothing twice (see store.Save).
func (a *Activities) Save(ctx context.Context, r store.Record) error {
	if err := a.Store.Save(ctx, r); err != nil {
		// The file's id and seq only: a file's content never reaches the logs.
		slog.WarnContext(ctx, "saving a file failed, will retry", "case_id", r.Case.ID, "err", err)
		return err
	}
	if r.Changes[0].Event.Seq == 1 && r.Case.OverpaymentID != "" {
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

// SaveOverpayment writes an overpayment notice's state and the
// notifications it raised; a retry writes nothing twice.
func (a *Activities) SaveOverpayment(ctx context.Context, o domain.Overpayment, notes []domain.Notification) error {
	if err := a.Store.SaveOverpayment(ctx, o, notes); err != nil {
		slog.WarnContext(ctx, "saving an overpayment notice failed, will retry", "id", o.ID, "err", err)
		return err
	}
	if a.Saved != nil {
		a.Saved(o.ID)
	}
	return nil
}
