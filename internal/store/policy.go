package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	if err := s.DB.WithContext(ctx).Model(&UserRole{}).Count(&held).Error; err != nil {
		return "", err
	}
	var rules []CasbinRule
	if err := s.DB.WithContext(ctx).Order("id").Find(&rules).Error; err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00", grants, held)
	for _, r := range rules {
		fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00", r.ID, r.Ptype, r.V0, r.V1, r.V2, r.V3, r.V4, r.V5)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
