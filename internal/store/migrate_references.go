package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// referencesSearchMigration gives files their human reference and what a
// search matches: the reference's number, the claimant's name, email and
// phone as searched (domain.NameKey, EmailKey, PhoneKey), with their
// indexes; the counters of the references' series on SQLite; and fills
// them for the files already there (backfillReferences). On PostgreSQL a
// name is matched anywhere in its key through a trigram index (pg_trgm, a
// trusted extension: the database's owner may create it). Its structs are
// frozen copies of the models as this migration shipped them.
var referencesSearchMigration = &gormigrate.Migration{
	ID: "202612080001_references_search",
	Migrate: func(tx *gorm.DB) error {
		type caseRow struct {
			ID        string `gorm:"primaryKey"`
			RefNumber int64  `gorm:"not null;default:0"`
			NameKey   string `gorm:"not null;default:''"`
			EmailKey  string `gorm:"not null;default:''"`
			PhoneKey  string `gorm:"not null;default:''"`
		}
		type referenceCounter struct {
			Caf    string `gorm:"primaryKey;size:3"`
			Letter string `gorm:"primaryKey;size:1"`
			Year   int    `gorm:"primaryKey"`
			Last   int64  `gorm:"not null"`
		}
		m := tx.Table("cases").Migrator()
		for _, col := range []string{"RefNumber", "NameKey", "EmailKey", "PhoneKey"} {
			if !m.HasColumn(&caseRow{}, col) {
				if err := m.AddColumn(&caseRow{}, col); err != nil {
					return err
				}
			}
		}
		if !tx.Migrator().HasTable("reference_counters") {
			if err := tx.Table("reference_counters").Migrator().CreateTable(&referenceCounter{}); err != nil {
				return err
			}
		}
		sqlite := tx.Dialector.Name() == "sqlite"
		indexes := []string{
			"CREATE INDEX IF NOT EXISTS ix_cases_ref_number ON cases (ref_number) WHERE ref_number > 0",
			"CREATE INDEX IF NOT EXISTS ix_cases_email_key ON cases (email_key) WHERE email_key <> ''",
			"CREATE INDEX IF NOT EXISTS ix_cases_phone_key ON cases (phone_key) WHERE phone_key <> ''",
		}
		if !sqlite {
			indexes = append(indexes, "CREATE EXTENSION IF NOT EXISTS pg_trgm",
				"CREATE INDEX IF NOT EXISTS ix_cases_name_trgm ON cases USING gin (name_key gin_trgm_ops) WHERE name_key <> ''")
		}
		for _, sql := range indexes {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return backfillReferences(tx, sqlite)
	},
	Rollback: func(tx *gorm.DB) error {
		for _, sql := range []string{"DROP INDEX IF EXISTS ix_cases_name_trgm", "DROP INDEX IF EXISTS ix_cases_phone_key",
			"DROP INDEX IF EXISTS ix_cases_email_key", "DROP INDEX IF EXISTS ix_cases_ref_number"} {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return tx.Migrator().DropTable("reference_counters")
	},
}
