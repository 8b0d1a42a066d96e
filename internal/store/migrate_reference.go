package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// referencePerCafMigration makes an imported file's reference unique
// within its Caf, not across all: each Caf's previous system numbered its
// own files, and two Cafs may well have used the same references. The
// import is idempotent by (caf, reference).
var referencePerCafMigration = &gormigrate.Migration{
	ID: "202611220004_reference_per_caf",
	Migrate: func(tx *gorm.DB) error {
		for _, sql := range []string{
			"CREATE UNIQUE INDEX IF NOT EXISTS ux_cases_caf_reference ON cases (caf, reference)",
			"DROP INDEX IF EXISTS idx_cases_reference",
		} {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	},
	Rollback: func(tx *gorm.DB) error {
		for _, sql := range []string{
			"CREATE UNIQUE INDEX IF NOT EXISTS idx_cases_reference ON cases (reference)",
			"DROP INDEX IF EXISTS ux_cases_caf_reference",
		} {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	},
}
