package importer

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"recours/internal/store"
)

// sqliteBatch is how many rows one INSERT writes (32 columns each, under
// SQLite's 32,766 parameters).
const sqliteBatch = 500

// importSQLite writes the valid rows in multi-row INSERTs, in one
// transaction under the store's write lock, leaving out the rows whose
// reference is already there (looked up first: no other write runs
// meanwhile), and adds the rows written to the figures' rollup. It returns
// how many rows were inserted.
func importSQLite(ctx context.Context, st *store.Store, rd *reader) (int64, error) {
	defer st.WriteLock()()
	var inserted int64
	err := st.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tx = tx.Session(&gorm.Session{SkipHooks: true}) // the rollup is written below
		batch := make([]store.CaseRow, 0, sqliteBatch)
		figures := store.Figures{}
		refs := make([]string, 0, sqliteBatch)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			refs = refs[:0]
			for i := range batch {
				refs = append(refs, *batch[i].Reference)
			}
			var there []string
			if err := tx.Model(&store.CaseRow{}).Where("caf = ? AND reference IN ?", rd.caf, refs).Pluck("reference", &there).Error; err != nil {
				return err
			}
			if len(there) > 0 {
				kept := batch[:0]
				for _, row := range batch {
					if !slices.Contains(there, *row.Reference) {
						kept = append(kept, row)
					}
				}
				batch = kept
			}
			if len(batch) == 0 {
				return nil
			}
			res := tx.Create(&batch)
			if res.Error != nil {
				return res.Error
			}
			inserted += res.RowsAffected
			for i := range batch {
				figures.Add(&batch[i], 1)
			}
			batch = batch[:0]
			if len(figures) > maxFigures {
				return figures.Write(tx)
			}
			return nil
		}
		for {
			row, ok := rd.next()
			if !ok {
				break
			}
			if rd.aborting() {
				continue
			}
			batch = append(batch, row.caseRow(rd.now))
			if len(batch) == sqliteBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if rd.err != nil {
			return rd.err
		}
		if rd.aborting() {
			return errAbort
		}
		if err := flush(); err != nil {
			return err
		}
		return figures.Write(tx)
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

func (row caseRow) caseRow(now time.Time) store.CaseRow {
	ref := row.reference
	return store.CaseRow{
		ID: row.id, Kind: row.kind, Caf: row.caf, Status: row.status, SLAStatus: row.sla,
		Channel: row.channel, Benefit: row.benefit, Reason: row.reason, Origin: row.origin, Outcome: row.outcome,
		ReceivedAt: row.received, TargetDue: row.targetDue, LegalDue: row.legalDue, AnsweredAt: row.answered,
		DecidedAt: row.decided, ClosedAt: row.closed, ElapsedDays: row.elapsed,
		ElapsedDaysRaw: row.elapsedRaw, PausedSeconds: row.pausedSeconds, ImplicitRejectionAt: row.implicitRejected,
		Imported: true, Reference: &ref, Version: 1, Data: "", CreatedAt: now, UpdatedAt: now,
	}
}
