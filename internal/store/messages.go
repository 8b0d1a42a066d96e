package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ClaimantMessage is one message written to a claimant (table
// claimant_messages): its idempotency key is unique, so a message is sent
// once whatever the retries; every attempt updates its row.
type ClaimantMessage struct {
	ID        uint   `gorm:"primaryKey"`
	Key       string `gorm:"uniqueIndex;size:200;not null"`
	CaseID    string `gorm:"index;size:36;not null"` // a file's or an overpayment notice's id
	Caf       string `gorm:"index;size:3;not null"`
	Kind      string `gorm:"not null"`
	Version   int    `gorm:"not null"`
	Channel   string
	Status    string `gorm:"not null"` // sending (an attempt under way), sent, failed, bounced
	Reference string
	SMS       string // the SMS complement's status, when one was sent
	Attempts  int    `gorm:"not null"`
	LastError string
	SentAt    *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName names the messages' table.
func (ClaimantMessage) TableName() string { return "claimant_messages" }

// MessageSending is the status of a message while an attempt hands it
// over: found by a later attempt, it means the previous one stopped before
// it could record what happened.
const MessageSending = "sending"

// Message returns the message with key, and whether there is one.
func (s *Store) Message(ctx context.Context, key string) (ClaimantMessage, bool, error) {
	var m ClaimantMessage
	err := s.db.WithContext(ctx).Where("key = ?", key).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, false, nil
	}
	return m, err == nil, err
}

// RecordMessageAttempt starts (claims) an attempt at m: the row is created
// by the first attempt; later ones count up and overwrite the status,
// except that a sent message stays sent.
func (s *Store) RecordMessageAttempt(ctx context.Context, m ClaimantMessage) error {
	now := time.Now().UTC()
	m.Attempts, m.CreatedAt, m.UpdatedAt = 1, now, now
	defer s.writeLock()()
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.Set{
			{Column: clause.Column{Name: "attempts"}, Value: gorm.Expr("claimant_messages.attempts + 1")},
			{Column: clause.Column{Name: "channel"}, Value: m.Channel},
			{Column: clause.Column{Name: "status"}, Value: m.Status},
			{Column: clause.Column{Name: "reference"}, Value: m.Reference},
			{Column: clause.Column{Name: "sms"}, Value: m.SMS},
			{Column: clause.Column{Name: "last_error"}, Value: m.LastError},
			{Column: clause.Column{Name: "sent_at"}, Value: m.SentAt},
			{Column: clause.Column{Name: "updated_at"}, Value: now},
		},
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "claimant_messages.status <> 'sent'"}}},
	}).Create(&m).Error
}

// SetMessageOutcome records what became of the attempt under way at m (no
// new attempt is counted); a sent message stays sent.
func (s *Store) SetMessageOutcome(ctx context.Context, m ClaimantMessage) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Model(&ClaimantMessage{}).
		Where("key = ? AND status <> ?", m.Key, "sent").
		Updates(map[string]any{"channel": m.Channel, "status": m.Status, "reference": m.Reference, "sms": m.SMS,
			"last_error": m.LastError, "sent_at": m.SentAt, "updated_at": time.Now().UTC()}).Error
}

// Messages lists the messages of a file or notice, oldest first.
func (s *Store) Messages(ctx context.Context, caseID string) ([]ClaimantMessage, error) {
	var out []ClaimantMessage
	err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&out).Error
	return out, err
}
