package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// writtenAcknowledgmentsMigration rebuilds the figures' rollup once the
// acknowledgment figure counted only the written complaints (a complaint
// made by phone, at the desk or at an appointment owes no
// acknowledgment): the sums kept before counted them all.
var writtenAcknowledgmentsMigration = &gormigrate.Migration{
	ID:      "202612040001_figures_written_acknowledgments",
	Migrate: rebuildRollup,
	// The rollup of the rules before cannot be rebuilt by this code: a
	// rollback leaves the sums as they are.
	Rollback: func(*gorm.DB) error { return nil },
}
