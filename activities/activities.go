package activities

import (
	"context"
	"log/slog"

	"recours/internal/store"
)

// Activities carries what the side effects need.
type Activities struct {
	Store *store.Store
	// Saved, if set, is told each file saved (see internal/notify).
	Saved func(caseID string)
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
	if a.Saved != nil {
		a.Saved(r.Case.ID)
	}
	return nil
}
