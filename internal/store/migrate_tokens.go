package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// tokenMakerMigration records who made each token (api_tokens.created_by;
// empty for the tokens made before it was recorded, which nothing can
// tell now) and which token a grants trail entry is about
// (grant_events.token_id). Its structs are
// frozen copies of the columns as this migration shipped them.
var tokenMakerMigration = &gormigrate.Migration{
	ID: "202612090005_token_created_by",
	Migrate: func(tx *gorm.DB) error {
		type apiToken struct {
			CreatedBy string `gorm:"not null;default:''"`
		}
		type grantEvent struct {
			TokenID *uint
		}
		if m := tx.Table("api_tokens").Migrator(); !m.HasColumn(&apiToken{}, "CreatedBy") {
			if err := m.AddColumn(&apiToken{}, "CreatedBy"); err != nil {
				return err
			}
		}
		if m := tx.Table("grant_events").Migrator(); !m.HasColumn(&grantEvent{}, "TokenID") {
			if err := m.AddColumn(&grantEvent{}, "TokenID"); err != nil {
				return err
			}
		}
		return nil
	},
}
