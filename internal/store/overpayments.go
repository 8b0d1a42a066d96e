package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
	"recours/internal/figures"
)

// OverpaymentRow is the projection of an overpayment notice (table
// overpayments), written by its workflow; Data holds the whole notice.
type OverpaymentRow struct {
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
	Version        int64 `gorm:"not null"`
	// WriteRun and WriteTask are the workflow run and task that last wrote
	// the row (see Record.Task); empty for rows written before they were
	// kept.
	WriteRun  string `gorm:"size:64;not null;default:''"`
	WriteTask int64  `gorm:"not null;default:0"`
	Data      string `gorm:"not null"`
	UpdatedAt time.Time
}

// TableName names the notices' table.
func (OverpaymentRow) TableName() string { return "overpayments" }

// OverpaymentDispute links a notice to a later complaint or mediation
// about it (table overpayment_disputes).
type OverpaymentDispute struct {
	OverpaymentID string    `gorm:"primaryKey;size:36"`
	CaseID        string    `gorm:"primaryKey;size:36"`
	Kind          string    `gorm:"not null"`
	ReceivedAt    time.Time `gorm:"not null"`
}

// TableName names the links' table.
func (OverpaymentDispute) TableName() string { return "overpayment_disputes" }

// SaveOverpayment writes a notice's state and the notifications it raised.
// A notice of the workflow run run and task task (its history length; 0
// for notices started before the rule) is written in order, one save at a
// time, so it replaces what the store holds unless a later task of the
// same run wrote it, and the queue entries a lost task raised go.
// Otherwise it is written unless a newer state is there. A retry writes
// nothing twice.
func (s *Store) SaveOverpayment(ctx context.Context, o domain.Overpayment, notes []domain.Notification, run string, task int64) error {
	data, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("store: encode overpayment: %w", err)
	}
	row := OverpaymentRow{ID: o.ID, Caf: o.Caf, ClaimantNumber: o.Claimant.Number, Benefit: string(o.Benefit),
		AmountCents: o.AmountCents, Large: o.Large, Status: string(o.Status), Explained: o.Explanation != nil,
		CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt, CallDueAt: o.CallDueAt, SentAt: o.SentAt,
		Version: int64(len(o.Events)), WriteRun: run, WriteTask: task, Data: string(data), UpdatedAt: o.UpdatedAt}
	if o.Call != nil {
		row.CallResult = o.Call.Result
	}
	defer s.writeLock()()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		newer := "overpayments.version < excluded.version"
		if task > 0 {
			var old OverpaymentRow
			q := tx.Select("id", "write_run", "write_task").Where("id = ?", o.ID)
			if tx.Dialector.Name() == "postgres" {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			res := q.Limit(1).Find(&old)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 && old.WriteRun == run && old.WriteTask > task {
				return nil // a later workflow task wrote the notice
			}
			newer = "true"
			// A lost task's queue entries: beyond the notice's state, or at
			// its last event for recipients this write does not notify.
			if err := tx.Where("case_id = ? AND seq > ?", o.ID, row.Version).Delete(&Notification{}).Error; err != nil {
				return err
			}
			at := tx.Where("case_id = ? AND seq = ?", o.ID, row.Version)
			if len(notes) > 0 {
				kept := make([]string, len(notes))
				for i, n := range notes {
					kept[i] = n.Recipient
				}
				at = at.Where("recipient NOT IN ?", kept)
			}
			if err := at.Delete(&Notification{}).Error; err != nil {
				return err
			}
		}
		err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "explained", "call_result", "sent_at",
				"version", "write_run", "write_task", "data", "updated_at"}),
			Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: newer}}},
		}).Create(&row).Error
		if err != nil {
			return err
		}
		for _, n := range notes {
			nr := Notification{CaseID: o.ID, Seq: row.Version, Recipient: n.Recipient, Caf: o.Caf,
				Kind: n.Kind, Message: n.Message, DueAt: n.DueAt, CreatedAt: o.UpdatedAt}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&nr).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// Overpayment returns the notice with id, or ENOTFOUND.
func (s *Store) Overpayment(ctx context.Context, id string) (domain.Overpayment, error) {
	var row OverpaymentRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Overpayment{}, domain.Errorf(domain.ENOTFOUND, "notification de trop-perçu inconnue")
	}
	if err != nil {
		return domain.Overpayment{}, err
	}
	var o domain.Overpayment
	if err := json.Unmarshal([]byte(row.Data), &o); err != nil {
		return o, fmt.Errorf("store: decode overpayment %s: %w", id, err)
	}
	return o, nil
}

// Overpayments lists the notices of the Cafs (all when cafs is empty),
// newest first, at most limit.
func (s *Store) Overpayments(ctx context.Context, cafs []string, status string, limit int) ([]domain.Overpayment, error) {
	q := s.db.WithContext(ctx).Model(&OverpaymentRow{}).Order("created_at DESC, id DESC").Limit(limit)
	if len(cafs) > 0 {
		q = q.Where("caf IN ?", cafs)
	}
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var rows []OverpaymentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Overpayment, 0, len(rows))
	for _, r := range rows {
		var o domain.Overpayment
		if err := json.Unmarshal([]byte(r.Data), &o); err != nil {
			return nil, fmt.Errorf("store: decode overpayment %s: %w", r.ID, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// LinkDispute records that file c disputes the notice it names; a repeat
// changes nothing.
func (s *Store) LinkDispute(ctx context.Context, c domain.Case) error {
	if c.OverpaymentID == "" {
		return nil
	}
	d := OverpaymentDispute{OverpaymentID: c.OverpaymentID, CaseID: c.ID, Kind: string(c.Kind), ReceivedAt: c.ReceivedAt}
	defer s.writeLock()()
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&d).Error
}

// RecentOverpayment is the notice a new complaint or mediation about an
// overpayment disputes when none is named: the claimant's only notice for
// that benefit sent (or created) in the 60 days before at.
func (s *Store) RecentOverpayment(ctx context.Context, caf, number string, benefit domain.Benefit, at time.Time) (string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&OverpaymentRow{}).
		Where("caf = ? AND claimant_number = ? AND benefit = ? AND created_at >= ? AND created_at <= ?",
			caf, number, string(benefit), at.AddDate(0, 0, -DisputeWindowDays), at).
		Limit(2).Pluck("id", &ids).Error
	if err != nil || len(ids) != 1 {
		return "", err
	}
	return ids[0], nil
}

// DisputeWindowDays is how long after a notice a complaint or mediation
// about its benefit is taken for its dispute: the window of the figures
// (figures.DisputeWindowDays).
const DisputeWindowDays = figures.DisputeWindowDays
