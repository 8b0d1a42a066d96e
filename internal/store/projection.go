package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"recours/internal/domain"
)

// Projection is what the store holds of a live file: its row and the
// extent of its timeline, for `recours check consistency`.
type Projection struct {
	Case    domain.Case
	Version int64 // the seq of the last event the row was written at
	Events  int64 // how many events the timeline holds
	MaxSeq  int64 // the highest seq among them
}

// Projection returns what the store holds of the file id; found is false
// when it has no row.
func (s *Store) Projection(ctx context.Context, id string) (p Projection, found bool, err error) {
	var opts *sql.TxOptions
	if !s.sqlite { // SQLite's transaction reads one instant already
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row CaseRow
		err := tx.Where("id = ?", id).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: case: %w", err)
		}
		found = true
		if p.Case, err = decodeCase(row); err != nil {
			return err
		}
		p.Version = row.Version
		var ext struct{ N, Max int64 }
		err = tx.Model(&EventRow{}).Select("count(*) AS n, coalesce(max(seq), 0) AS max").
			Where("case_id = ?", id).Scan(&ext).Error
		if err != nil {
			return fmt.Errorf("store: events: %w", err)
		}
		p.Events, p.MaxSeq = ext.N, ext.Max
		return nil
	}, opts)
	return p, found, err
}

// OpenFileIDs pages through the ids of the live files (history left out)
// not yet in a final status, in id order after after.
func (s *Store) OpenFileIDs(ctx context.Context, after string, limit int) ([]string, error) {
	var final []string
	for _, st := range []domain.Status{domain.StatusClosed, domain.StatusWithdrawn, domain.StatusEscalated,
		domain.StatusReoriented, domain.StatusReferredToDDD} {
		if st.Final() {
			final = append(final, string(st))
		}
	}
	var ids []string
	err := s.db.WithContext(ctx).Model(&CaseRow{}).Where("NOT imported AND id > ? AND status NOT IN ?", after, final).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: open files: %w", err)
	}
	return ids, nil
}
