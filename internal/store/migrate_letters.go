package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// letterMentionsMigration adds what the letters must say of the Caf and of
// who signs them (CRPA L212-1, R112-5): the Cafs' address, contact,
// service in charge and default signatory, the agents' function, and each
// Caf's own recourse routes; and the files' first reopening, that the
// figures count. Its structs are frozen copies of the models
// as this migration shipped them.
var letterMentionsMigration = &gormigrate.Migration{
	ID: "202612070001_letter_mentions",
	Migrate: func(tx *gorm.DB) error {
		type organisation struct {
			Code              string `gorm:"primaryKey;size:3"`
			Address           string
			Contact           string
			ServiceName       string
			SignatoryName     string
			SignatoryFunction string
		}
		type user struct {
			ID       uint `gorm:"primaryKey"`
			Function string
		}
		type caseRow struct {
			ID         string `gorm:"primaryKey"`
			ReopenedAt *time.Time
		}
		if !tx.Table("cases").Migrator().HasColumn(&caseRow{}, "ReopenedAt") {
			if err := tx.Table("cases").Migrator().AddColumn(&caseRow{}, "ReopenedAt"); err != nil {
				return err
			}
		}
		type recourseRoute struct {
			Caf       string `gorm:"primaryKey;size:3"`
			Benefit   string `gorm:"primaryKey;size:32"`
			Body      string `gorm:"not null"`
			Address   string
			Months    int `gorm:"not null"`
			RunsFrom  string
			Then      string `gorm:"not null"`
			Source    string `gorm:"not null"`
			UpdatedBy string `gorm:"not null"`
			UpdatedAt time.Time
		}
		m := tx.Migrator()
		for table, cols := range map[string][]string{
			"organisations": {"Address", "Contact", "ServiceName", "SignatoryName", "SignatoryFunction"},
			"users":         {"Function"},
		} {
			var model any = &organisation{}
			if table == "users" {
				model = &user{}
			}
			for _, col := range cols {
				if !tx.Table(table).Migrator().HasColumn(model, col) {
					if err := tx.Table(table).Migrator().AddColumn(model, col); err != nil {
						return err
					}
				}
			}
		}
		if !m.HasTable("recourse_routes") {
			return tx.Table("recourse_routes").Migrator().CreateTable(&recourseRoute{})
		}
		return nil
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("recourse_routes")
	},
}
