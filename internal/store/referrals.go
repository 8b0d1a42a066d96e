package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
)

// CreateReferral records the first submission of a Défenseur des droits
// reference. It returns the earlier record when the reference was
// submitted before (created false).
func (s *Store) CreateReferral(ctx context.Context, r Referral) (Referral, bool, error) {
	r.CreatedAt = time.Now().UTC()
	unlock := s.writeLock()
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	unlock()
	if res.Error != nil {
		return r, false, fmt.Errorf("store: referral: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return r, true, nil
	}
	prev, err := s.Referral(ctx, r.DDDReference)
	return prev, false, err
}

// Referral returns the record of a reference, or ENOTFOUND.
func (s *Store) Referral(ctx context.Context, ref string) (Referral, error) {
	var r Referral
	err := s.db.WithContext(ctx).Where("ddd_reference = ?", ref).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.Errorf(domain.ENOTFOUND, "saisine inconnue")
	}
	return r, err
}

// ReferredMediation returns the mediation of caf that the claimant took to
// the Défenseur des droits under ref, if any: the file a referral with
// that reference continues.
func (s *Store) ReferredMediation(ctx context.Context, caf, ref string) (domain.Case, bool, error) {
	var row CaseRow
	err := s.db.WithContext(ctx).Where("caf = ? AND ddd_reference = ? AND kind = ? AND status = ?",
		caf, ref, string(domain.KindMediation), string(domain.StatusReferredToDDD)).Order("id").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Case{}, false, nil
	}
	if err != nil {
		return domain.Case{}, false, err
	}
	c, err := decodeCase(row)
	return c, err == nil, err
}

// ReferralFilter selects a partner's referrals changed after a time.
type ReferralFilter struct {
	Partner string
	Cafs    []string
	Since   time.Time
	// After is the position of the last item of the previous page.
	AfterTime time.Time
	AfterID   string
	Limit     int
}

// ReferralFiles lists the files of a partner's referrals changed after
// Since, oldest change first, and whether more follow.
func (s *Store) ReferralFiles(ctx context.Context, f ReferralFilter) ([]domain.Case, bool, error) {
	if len(f.Cafs) == 0 {
		return nil, false, nil
	}
	q := s.db.WithContext(ctx).Model(&CaseRow{}).
		Joins("JOIN referrals ON referrals.case_id = cases.id").
		Where("referrals.partner = ? AND cases.caf IN ? AND cases.updated_at > ?", f.Partner, f.Cafs, f.Since)
	if f.AfterID != "" {
		q = q.Where("(cases.updated_at > ? OR (cases.updated_at = ? AND cases.id > ?))", f.AfterTime, f.AfterTime, f.AfterID)
	}
	var rows []CaseRow
	if err := q.Order("cases.updated_at, cases.id").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("store: referrals: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	out, err := decodeCases(rows)
	return out, more, err
}

// Link is a file of a chain (domain.Link).
type Link = domain.Link

// Chain returns every file linked to id through parent_id, from the root
// down, or nil when the file stands alone.
func (s *Store) Chain(ctx context.Context, id string) ([]Link, error) {
	db := s.db.WithContext(ctx).Model(&CaseRow{}).Select("id, COALESCE(reference, '') AS reference, kind, status, parent_id")
	var cur Link
	if err := db.Where("id = ?", id).Take(&cur).Error; err != nil {
		return nil, err
	}
	root := cur
	for i := 0; root.ParentID != "" && i < 20; i++ {
		var up Link
		if err := s.db.WithContext(ctx).Model(&CaseRow{}).Select("id, COALESCE(reference, '') AS reference, kind, status, parent_id").
			Where("id = ?", root.ParentID).Take(&up).Error; err != nil {
			break // a parent outside the store: the chain starts here
		}
		root = up
	}
	chain := []Link{root}
	for i := 0; i < len(chain) && len(chain) < 100; i++ {
		var children []Link
		if err := s.db.WithContext(ctx).Model(&CaseRow{}).Select("id, COALESCE(reference, '') AS reference, kind, status, parent_id").
			Where("parent_id = ?", chain[i].ID).Order("id").Find(&children).Error; err != nil {
			return nil, err
		}
		chain = append(chain, children...)
	}
	if len(chain) == 1 {
		return nil, nil
	}
	return chain, nil
}

// SetPartner ties a user to a partner organisation.
func (s *Store) SetPartner(ctx context.Context, login, partner string) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Model(&User{}).Where("login = ?", normalise(login)).Update("partner", partner).Error
}

// PriorFile is one of the claimant's other files (domain.PriorFile).
type PriorFile = domain.PriorFile

// PriorFiles lists the claimant's other files in caf, newest first (at
// most 50).
func (s *Store) PriorFiles(ctx context.Context, caf, claimant, exclude string) ([]PriorFile, error) {
	var out []PriorFile
	err := s.db.WithContext(ctx).Model(&CaseRow{}).
		Select("id, COALESCE(reference, '') AS reference, kind, status, sla_status, received_at, answered_at").
		Where("caf = ? AND claimant_number = ? AND id <> ? AND imported = ?", caf, claimant, exclude, false).
		Order("id DESC").Limit(50).Scan(&out).Error
	return out, err
}
