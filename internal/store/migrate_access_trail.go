package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// accessTrailKeyedMigration says how each entry of the access trail was
// chained: the entries already there were chained with an unkeyed SHA-256
// (ChainLegacy, the column's default), those written from now on with the
// trail's key (ChainKeyed), whose id they carry.
var accessTrailKeyedMigration = &gormigrate.Migration{
	ID: "202612090001_access_trail_keyed",
	Migrate: func(tx *gorm.DB) error {
		type accessRow struct {
			Chain string `gorm:"size:16;not null;default:'sha256'"`
			KeyID string `gorm:"size:8;not null;default:''"`
		}
		m := tx.Table("access_trail").Migrator()
		for _, col := range []string{"Chain", "KeyID"} {
			if m.HasColumn(&accessRow{}, col) {
				continue
			}
			if err := m.AddColumn(&accessRow{}, col); err != nil {
				return err
			}
		}
		return nil
	},
	Rollback: func(tx *gorm.DB) error {
		type accessRow struct {
			Chain string
			KeyID string
		}
		for _, col := range []string{"KeyID", "Chain"} {
			if err := tx.Table("access_trail").Migrator().DropColumn(&accessRow{}, col); err != nil {
				return err
			}
		}
		return nil
	},
}
