package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
)

// UpsertPartner creates the partner with code, or updates its name and
// callback secret.
func (s *Store) UpsertPartner(ctx context.Context, code, name, secret string) error {
	code = strings.TrimSpace(code)
	if code == "" || secret == "" {
		return domain.Errorf(domain.EINVALID, "un partenaire a un code et un secret de rappel")
	}
	p := Partner{Code: code, Name: name, CallbackSecret: secret}
	defer s.writeLock()()
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "callback_secret"}),
	}).Create(&p).Error
	if err != nil {
		return fmt.Errorf("store: partner: %w", err)
	}
	return nil
}

// PartnerSecret returns the secret that signs the decisions pushed to the
// partner with code, or ENOTFOUND.
func (s *Store) PartnerSecret(ctx context.Context, code string) (string, error) {
	var p Partner
	err := s.db.WithContext(ctx).Select("code", "callback_secret").Where("code = ?", code).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", domain.Errorf(domain.ENOTFOUND, "partenaire inconnu : %s", code)
	}
	if err != nil {
		return "", fmt.Errorf("store: partner secret: %w", err)
	}
	return p.CallbackSecret, nil
}

// RecordDeliveryAttempt writes one try at pushing a decision. A zero At is
// the current time.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, a DeliveryAttempt) error {
	a.ID = 0 // always a new row: attempts are appended, never rewritten
	if a.At.IsZero() {
		a.At = time.Now()
	}
	a.At = a.At.UTC()
	defer s.writeLock()()
	if err := s.db.WithContext(ctx).Create(&a).Error; err != nil {
		return fmt.Errorf("store: delivery attempt: %w", err)
	}
	return nil
}

// DeliveryAttempts lists the tries at pushing the file's decision, in the
// order they were made.
func (s *Store) DeliveryAttempts(ctx context.Context, caseID string) ([]DeliveryAttempt, error) {
	var out []DeliveryAttempt
	err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("attempt, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: delivery attempts: %w", err)
	}
	return out, nil
}
