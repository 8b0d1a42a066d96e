package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// writeTaskMigration keeps, on each file's row and event and each
// overpayment notice, the workflow run and task that wrote it, so that a
// later attempt of the same event replaces one written by a task that
// never completed (see Record.Task).
var writeTaskMigration = &gormigrate.Migration{
	ID: "202612030002_write_run_and_task",
	Migrate: func(tx *gorm.DB) error {
		type written struct {
			WriteRun  string `gorm:"size:64;not null;default:''"`
			WriteTask int64  `gorm:"not null;default:0"`
		}
		for table, cols := range map[string][]string{
			"cases": {"WriteRun", "WriteTask"}, "case_events": {"WriteTask"}, "overpayments": {"WriteRun", "WriteTask"},
		} {
			m := tx.Table(table).Migrator()
			for _, col := range cols {
				if m.HasColumn(&written{}, col) {
					continue
				}
				if err := m.AddColumn(&written{}, col); err != nil {
					return err
				}
			}
		}
		return nil
	},
	Rollback: func(tx *gorm.DB) error {
		type written struct {
			WriteRun  string
			WriteTask int64
		}
		for table, cols := range map[string][]string{
			"cases": {"WriteRun", "WriteTask"}, "case_events": {"WriteTask"}, "overpayments": {"WriteRun", "WriteTask"},
		} {
			for _, col := range cols {
				if err := tx.Table(table).Migrator().DropColumn(&written{}, col); err != nil {
					return err
				}
			}
		}
		return nil
	},
}
