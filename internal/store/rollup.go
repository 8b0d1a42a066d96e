package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
	"recours/internal/figures"
)

// FigureRow is one count of the figures' rollup (table figures_rollup):
// the sum of the contributions of a Caf's files to a measure, for one
// value, on one day (internal/figures defines the measures and what a file
// contributes; Day is a figures.DayOf). The rollup is kept in the
// transaction that writes a file's row (Save, the history import, any
// create through GORM): each file adds its contributions, a change of the
// file subtracts its old ones and adds the new. So the figures of a
// Caf-year read tens of thousands of small rows instead of every file
// (SumFigures).
//
// A count may fall to zero and stay: readers skip those.
type FigureRow struct {
	Caf     string `gorm:"primaryKey;size:3"`
	Measure string `gorm:"primaryKey"`
	Day     int32  `gorm:"primaryKey;autoIncrement:false"`
	Value   string `gorm:"primaryKey"`
	N       int64  `gorm:"not null"`
}

// TableName names the rollup table.
func (FigureRow) TableName() string { return "figures_rollup" }

// figureFile is what the figures read of a file's row.
func figureFile(row *CaseRow) figures.File {
	return figures.File{Kind: domain.Kind(row.Kind), Caf: row.Caf, Channel: row.Channel, Benefit: row.Benefit,
		Reason: row.Reason, Origin: row.Origin, Outcome: row.Outcome, AckStatus: row.AckStatus,
		ReceivedAt: row.ReceivedAt, LegalDue: row.LegalDue, AnsweredAt: row.AnsweredAt, DecidedAt: row.DecidedAt,
		ClosedAt: row.ClosedAt, ImplicitRejectionAt: row.ImplicitRejectionAt,
		ElapsedDays: row.ElapsedDays, ElapsedDaysRaw: row.ElapsedDaysRaw, ReopenedAt: row.ReopenedAt,
		Merged: row.Status == string(domain.StatusMerged)}
}

// figureRows are the rollup's rows of the changes that are not zero, in
// the order of the table's key (so that concurrent writers lock the counts
// they share in one order).
func figureRows(c figures.Changes) []FigureRow {
	sorted := c.Sorted()
	out := make([]FigureRow, len(sorted))
	for i, k := range sorted {
		out[i] = FigureRow{Caf: k.Caf, Measure: string(k.Measure), Day: k.Day, Value: k.Value, N: k.N}
	}
	return out
}

// writeFigures adds the changes c to the rollup through tx, and empties c.
func writeFigures(tx *gorm.DB, c figures.Changes) error {
	rows := figureRows(c)
	clear(c)
	for chunk := range slices.Chunk(rows, 1000) {
		err := tx.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "caf"}, {Name: "measure"}, {Name: "day"}, {Name: "value"}},
			DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr("figures_rollup.n + excluded.n")}),
		}).Create(&chunk).Error
		if err != nil {
			return fmt.Errorf("store: figures: %w", err)
		}
	}
	return nil
}

// AfterCreate adds the contributions of a file's row created through GORM
// (tests, tools) to the rollup, in the same transaction. Save and the
// import skip this hook and write the rollup themselves.
func (r *CaseRow) AfterCreate(tx *gorm.DB) error {
	return writeFigures(tx, figures.Contributions(figureFile(r)))
}

// figureColumns are the columns of cases the rollup reads.
var figureColumns = []string{"id", "kind", "caf", "status", "channel", "benefit", "reason", "origin", "outcome",
	"received_at", "legal_due", "answered_at", "decided_at", "closed_at", "ack_status",
	"elapsed_days", "elapsed_days_raw", "implicit_rejection_at", "version"}

// lockRow reads the row of id that a write is to replace, with what the
// rollup and the write's rules need, locked (PostgreSQL: FOR UPDATE;
// SQLite writes one transaction at a time), so that the contributions
// subtracted are those of the row replaced. found is false when there is
// none yet.
func lockRow(tx *gorm.DB, id string) (old CaseRow, found bool, err error) {
	q := tx.Select(append(figureColumns, "write_run", "write_task")).Where("id = ?", id)
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	res := q.Limit(1).Find(&old)
	if res.Error != nil {
		return old, false, fmt.Errorf("store: case: %w", res.Error)
	}
	return old, res.RowsAffected == 1, nil
}

// saveRow writes a file's row, unless the row there is as new, and moves
// the rollup from the row it replaces to it, in tx. A row not there yet is
// inserted with ON CONFLICT DO NOTHING: when another transaction created
// it meanwhile, it is read again, locked.
func saveRow(tx *gorm.DB, row *CaseRow, upsert func(*gorm.DB, *CaseRow) *gorm.DB) error {
	tx = tx.Session(&gorm.Session{SkipHooks: true})
	for range 2 {
		old, found, err := lockRow(tx, row.ID)
		if err != nil {
			return err
		}
		f := figures.Changes{}
		if !found {
			ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
			if ins.Error != nil {
				return fmt.Errorf("store: case: %w", ins.Error)
			}
			if ins.RowsAffected == 0 {
				continue // created meanwhile by another transaction
			}
			f.Add(figureFile(row), 1)
			return writeFigures(tx, f)
		}
		if old.Version >= row.Version {
			return nil // the projection only moves forward
		}
		if err := upsert(tx, row).Error; err != nil {
			return fmt.Errorf("store: case: %w", err)
		}
		f.Add(figureFile(&old), -1)
		f.Add(figureFile(row), 1)
		return writeFigures(tx, f)
	}
	return fmt.Errorf("store: case %s: created and gone meanwhile", row.ID)
}

// RebuildRollup recomputes the rollup from every row of cases, in one
// transaction: for rows written around the store (a bulk COPY) and for
// repair. It reads cases in pages of the primary key.
func (s *Store) RebuildRollup(ctx context.Context) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Transaction(rebuildRollup)
}

// rebuildRollup empties the rollup and adds the contributions of every
// row of cases, through tx.
func rebuildRollup(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM figures_rollup").Error; err != nil {
		return fmt.Errorf("store: rebuild figures: %w", err)
	}
	const page = 20_000
	f := figures.Changes{}
	after := ""
	for {
		var rows []CaseRow
		if err := tx.Select(figureColumns).Where("id > ?", after).Order("id").Limit(page).Find(&rows).Error; err != nil {
			return fmt.Errorf("store: rebuild figures: %w", err)
		}
		for i := range rows {
			f.Add(figureFile(&rows[i]), 1)
		}
		if len(f) > 200_000 || len(rows) < page {
			if err := writeFigures(tx, f); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
