package importer

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/store"
)

// sqliteBatch is how many rows one INSERT writes (32 columns each, under
// SQLite's 32,766 parameters).
const sqliteBatch = 500

// importSQLite writes the valid rows in multi-row INSERTs … ON CONFLICT DO
// NOTHING, in one transaction under the store's write lock. It returns how
// many rows were inserted.
func importSQLite(ctx context.Context, st *store.Store, rd *reader) (int64, error) {
	defer st.WriteLock()()
	var inserted int64
	err := st.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		batch := make([]store.CaseRow, 0, sqliteBatch)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&batch)
			if res.Error != nil {
				return res.Error
			}
			inserted += res.RowsAffected
			batch = batch[:0]
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
		return flush()
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
		Imported: true, Reference: &ref, Version: 1, Data: row.data, CreatedAt: now, UpdatedAt: now,
	}
}
