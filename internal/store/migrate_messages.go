package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// messagesMigration adds the messages to claimants, the overpayment
// notices and their disputes, and the Cafs' mediator contact and
// overpayment threshold. Its structs are frozen copies of the models as
// this migration shipped them.
var messagesMigration = &gormigrate.Migration{
	ID: "202611220003_messages_overpayments",
	Migrate: func(tx *gorm.DB) error {
		type organisation struct {
			Code                      string `gorm:"primaryKey;size:3"`
			MediatorContact           string
			OverpaymentThresholdCents int64 `gorm:"not null;default:150000"`
		}
		m := tx.Migrator()
		org := tx.Table("organisations")
		for _, col := range []string{"MediatorContact", "OverpaymentThresholdCents"} {
			if !m.HasColumn(&organisation{}, col) {
				if err := org.Migrator().AddColumn(&organisation{}, col); err != nil {
					return err
				}
			}
		}
		type claimantMessage struct {
			ID        uint   `gorm:"primaryKey"`
			Key       string `gorm:"uniqueIndex;size:200;not null"`
			CaseID    string `gorm:"index;size:36;not null"`
			Caf       string `gorm:"index;size:3;not null"`
			Kind      string `gorm:"not null"`
			Version   int    `gorm:"not null"`
			Channel   string
			Status    string `gorm:"not null"`
			Reference string
			SMS       string
			Attempts  int `gorm:"not null"`
			LastError string
			SentAt    *time.Time
			CreatedAt time.Time
			UpdatedAt time.Time
		}
		type overpayment struct {
			ID             string `gorm:"primaryKey;size:36"`
			Caf            string `gorm:"index:ix_overpayments_caf_created,priority:1;size:3;not null"`
			ClaimantNumber string `gorm:"index;size:7;not null"`
			Benefit        string `gorm:"not null"`
			AmountCents    int64  `gorm:"not null"`
			Large          bool   `gorm:"not null"`
			Status         string `gorm:"not null"`
			Explained      bool   `gorm:"not null"`
			CallResult     string
			CreatedBy      string    `gorm:"index"`
			CreatedAt      time.Time `gorm:"index:ix_overpayments_caf_created,priority:2"`
			CallDueAt      *time.Time
			SentAt         *time.Time
			Version        int64  `gorm:"not null"`
			Data           string `gorm:"not null"`
			UpdatedAt      time.Time
		}
		type overpaymentDispute struct {
			OverpaymentID string    `gorm:"primaryKey;size:36"`
			CaseID        string    `gorm:"primaryKey;size:36"`
			Kind          string    `gorm:"not null"`
			ReceivedAt    time.Time `gorm:"not null"`
		}
		for name, model := range map[string]any{"claimant_messages": &claimantMessage{},
			"overpayments": &overpayment{}, "overpayment_disputes": &overpaymentDispute{}} {
			if err := tx.Table(name).AutoMigrate(model); err != nil {
				return err
			}
		}
		// A database seeded before this migration gets the permissions on
		// notices that policies/policy.csv now holds (a new one is seeded
		// from the file whole).
		var seeded int64
		if err := tx.Model(&CasbinRule{}).Where("ptype = ?", "p").Count(&seeded).Error; err != nil || seeded == 0 {
			return err
		}
		rules := []CasbinRule{
			{Ptype: "p", V0: "gca", V1: "*", V2: "overpayment", V3: "create"},
			{Ptype: "p", V0: "gca", V1: "*", V2: "overpayment", V3: "read"},
			{Ptype: "p", V0: "gca", V1: "*", V2: "overpayment", V3: "explain"},
			{Ptype: "p", V0: "gca", V1: "*", V2: "overpayment", V3: "record_call"},
			{Ptype: "p", V0: "gca", V1: "*", V2: "overpayment", V3: "send"},
			{Ptype: "p", V0: "manager", V1: "*", V2: "overpayment", V3: "*"},
			{Ptype: "p", V0: "auditor", V1: "*", V2: "overpayment", V3: "read"},
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rules).Error
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("overpayment_disputes", "overpayments", "claimant_messages")
	},
}
