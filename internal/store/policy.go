package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CasbinRule is one rule of the authorisation policy, in the shape Casbin
// adapters store them: the rule's type (p) and its fields in order (for p:
// role, Caf or *, object, action). Only the roles' permissions live here,
// seeded from policies/policy.csv; who holds which role where (the g rules)
// comes from user_roles, whose every change is in the trail of grants.
// Changing a row changes the policy of every API process within seconds
// (they poll PolicyFingerprint).
type CasbinRule struct {
	ID    uint   `gorm:"primaryKey"`
	Ptype string `gorm:"size:8;not null;uniqueIndex:ux_casbin_rule,priority:1"`
	V0    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule,priority:2"`
	V1    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule,priority:3"`
	V2    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule,priority:4"`
	V3    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule,priority:5"`
	V4    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule,priority:6"`
	V5    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule,priority:7"`
}

// TableName names the table of the policy's rules.
func (CasbinRule) TableName() string { return "casbin_rules" }

// Fields returns the rule's fields, without the trailing empty ones.
func (r CasbinRule) Fields() []string {
	f := []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
	for len(f) > 0 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return f
}

// NewCasbinRule builds the row of a rule of type ptype with fields (six at
// most).
func NewCasbinRule(ptype string, fields []string) (CasbinRule, error) {
	if len(fields) > 6 {
		return CasbinRule{}, fmt.Errorf("store: a policy rule has six fields at most, not %d", len(fields))
	}
	var v [6]string
	copy(v[:], fields)
	return CasbinRule{Ptype: ptype, V0: v[0], V1: v[1], V2: v[2], V3: v[3], V4: v[4], V5: v[5]}, nil
}

// PolicyFingerprint changes whenever the authorisation policy may have:
// a role granted or revoked (the trail of grants, and the count of grants
// for those made without it, such as the demo seed), or any rule of
// casbin_rules added, changed or removed, through Recours or directly in
// the database. API processes poll it to reload their policy without a
// restart; the rules are a few dozen rows, so reading them is cheap.
func (s *Store) PolicyFingerprint(ctx context.Context) (string, error) {
	grants, err := s.PolicyVersion(ctx)
	if err != nil {
		return "", err
	}
	var held int64
	if err := s.db.WithContext(ctx).Model(&UserRole{}).Count(&held).Error; err != nil {
		return "", err
	}
	var rules []CasbinRule
	if err := s.db.WithContext(ctx).Order("id").Find(&rules).Error; err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00", grants, held)
	for _, r := range rules {
		fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00", r.ID, r.Ptype, r.V0, r.V1, r.V2, r.V3, r.V4, r.V5)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CasbinRules returns every rule of casbin_rules, in the order of their
// ids.
func (s *Store) CasbinRules(ctx context.Context) ([]CasbinRule, error) {
	var rows []CasbinRule
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: casbin_rules: %w", err)
	}
	return rows, nil
}

// AddCasbinRule adds r to casbin_rules, and sets its ID; adding a rule
// already there changes nothing (and leaves r.ID zero).
func (s *Store) AddCasbinRule(ctx context.Context, r *CasbinRule) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(r).Error
}

// UpdateCasbinRule changes the rule r.ID into r.
func (s *Store) UpdateCasbinRule(ctx context.Context, r CasbinRule) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Model(&CasbinRule{}).Where("id = ?", r.ID).
		Select("ptype", "v0", "v1", "v2", "v3", "v4", "v5").Updates(&r).Error
}

// DeleteCasbinRule removes the rule id.
func (s *Store) DeleteCasbinRule(ctx context.Context, id uint) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Delete(&CasbinRule{}, id).Error
}

// RemoveCasbinRule removes the rules equal to r (type and six fields).
func (s *Store) RemoveCasbinRule(ctx context.Context, r CasbinRule) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Where("ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ?",
		r.Ptype, r.V0, r.V1, r.V2, r.V3, r.V4, r.V5).Delete(&CasbinRule{}).Error
}

// RemoveCasbinRules removes the rules of type ptype whose fields from
// fieldIndex on are fieldValues (an empty value matches any).
func (s *Store) RemoveCasbinRules(ctx context.Context, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > 6 {
		return fmt.Errorf("store: filter on fields %d to %d: six fields at most", fieldIndex, fieldIndex+len(fieldValues)-1)
	}
	q := s.db.WithContext(ctx).Where("ptype = ?", ptype)
	for i, v := range fieldValues {
		if v != "" {
			q = q.Where(fmt.Sprintf("v%d = ?", fieldIndex+i), v)
		}
	}
	defer s.writeLock()()
	return q.Delete(&CasbinRule{}).Error
}

// ReplaceCasbinPermissions replaces the permissions (the rules of a type
// p…) of casbin_rules with rows, in one transaction.
func (s *Store) ReplaceCasbinPermissions(ctx context.Context, rows []CasbinRule) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("ptype LIKE ?", "p%").Delete(&CasbinRule{}).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	})
}

// SeedCasbinPermissions writes rows to casbin_rules when it holds no
// permission (a new database), and reports whether it did; otherwise the
// table is left as it is. Two processes seeding at once insert each rule
// once.
func (s *Store) SeedCasbinPermissions(ctx context.Context, rows []CasbinRule) (bool, error) {
	defer s.writeLock()()
	seeded := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&CasbinRule{}).Where("ptype LIKE ?", "p%").Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		seeded = true
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	})
	return seeded, err
}
