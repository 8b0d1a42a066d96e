package store

import (
	"context"
	"fmt"
	"time"
)

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
