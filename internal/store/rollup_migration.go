package store

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// figuresRollupV1 is the rollup table as migration 202611220002 creates
// it (FigureRow is its current shape).
type figuresRollupV1 struct {
	Caf     string `gorm:"primaryKey;size:3"`
	Measure string `gorm:"primaryKey"`
	Day     int32  `gorm:"primaryKey;autoIncrement:false"`
	Value   string `gorm:"primaryKey"`
	N       int64  `gorm:"not null"`
}

func (figuresRollupV1) TableName() string { return "figures_rollup" }

// reportIndexes are the covering indexes of cases that served the figures
// before the rollup (declared in CaseRow's tags, so the initial migration
// still creates them on a new database, and this one drops them): every
// file written paid for them, and the history import most of all.
var reportIndexes = []string{"ix_cases_received", "ix_cases_answered", "ix_cases_mediations", "ix_cases_implicit_rejection"}

// figuresRollupMigration creates the figures' rollup and fills it from
// the files already there, drops the figures' covering indexes of cases,
// and indexes the live files by Caf and id for the lists (which the first
// of those indexes served for a Caf with few files); imported history is
// found by Caf through (caf, reference), so that the import writes one
// index less.
var figuresRollupMigration = &gormigrate.Migration{
	ID: "202611220002_figures_rollup",
	Migrate: func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&figuresRollupV1{}); err != nil {
			return err
		}
		for _, ix := range reportIndexes {
			if err := tx.Exec("DROP INDEX IF EXISTS " + ix).Error; err != nil {
				return fmt.Errorf("drop %s: %w", ix, err)
			}
		}
		if err := tx.Exec("CREATE INDEX IF NOT EXISTS ix_cases_caf_id ON cases (caf, id) WHERE NOT imported").Error; err != nil {
			return err
		}
		return rebuildRollup(tx)
	},
	Rollback: func(tx *gorm.DB) error {
		if err := tx.Exec("DROP INDEX IF EXISTS ix_cases_caf_id").Error; err != nil {
			return err
		}
		for _, ix := range reportIndexes {
			if err := tx.Migrator().CreateIndex(&CaseRow{}, ix); err != nil {
				return fmt.Errorf("create %s: %w", ix, err)
			}
		}
		return tx.Migrator().DropTable(&figuresRollupV1{})
	},
}
