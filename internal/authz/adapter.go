package authz

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"recours/internal/store"
	"recours/policies"
)

// Adapter is a Casbin persist.Adapter over the store.
// The roles' permissions (p rules) live in the casbin_rules table, seeded
// from policies/policy.csv; the grants (g rules: who holds which role in
// which Caf) are read from user_roles, where the users and roles
// administration keeps them with their trail, and are never written here.
//
// It is written here rather than taken from github.com/casbin/gorm-adapter:
// that module links github.com/glebarez/sqlite, whose driver registers the
// database/sql name "sqlite" that the embedded Temporal server's SQLite
// driver (modernc.org/sqlite) registers too, and database/sql panics on the
// second registration, at start.
type Adapter struct {
	st  *store.Store
	ctx context.Context
}

var _ persist.Adapter = (*Adapter)(nil)

// NewAdapter returns the adapter of st; ctx bounds its queries.
func NewAdapter(ctx context.Context, st *store.Store) *Adapter {
	return &Adapter{st: st, ctx: ctx}
}

// errGrants refuses to write a grant through Casbin: grants are made with
// store.GrantRole (the API's and the CLI's administration), which records
// them in the trail of grants.
var errGrants = errors.New("authz: role grants (g rules) are kept in user_roles: grant them through the users administration")

// LoadPolicy loads the permissions from casbin_rules and the grants from
// user_roles. A row that is no well-formed permission of the model fails
// the load: the policy in force stays as it was.
func (a *Adapter) LoadPolicy(m model.Model) error {
	rows, err := a.st.CasbinRules(a.ctx)
	if err != nil {
		return fmt.Errorf("authz: %w", err)
	}
	for _, r := range rows {
		if err := checkRule(m, r.Ptype, r.Fields()); err != nil {
			return fmt.Errorf("authz: casbin_rules row %d: %w", r.ID, err)
		}
		if err := persist.LoadPolicyArray(append([]string{r.Ptype}, r.Fields()...), m); err != nil {
			return fmt.Errorf("authz: casbin_rules row %d: %w", r.ID, err)
		}
	}
	grants, err := a.st.Grants(a.ctx)
	if err != nil {
		return fmt.Errorf("authz: grants: %w", err)
	}
	for _, g := range grants {
		if err := persist.LoadPolicyArray([]string{"g", g.Login, g.Role, g.Caf}, m); err != nil {
			return fmt.Errorf("authz: grant: %w", err)
		}
	}
	return nil
}

// checkRule accepts a permission (section p) with as many fields as the
// model's definition of its type.
func checkRule(m model.Model, ptype string, fields []string) error {
	if ptype == "" || ptype[:1] != "p" {
		return fmt.Errorf("rule type %q: only permissions (p) are kept in casbin_rules", ptype)
	}
	ast, ok := m["p"][ptype]
	if !ok {
		return fmt.Errorf("rule type %q is not in the model", ptype)
	}
	if len(fields) != len(ast.Tokens) {
		return fmt.Errorf("a %s rule has %d fields (%s), not %d", ptype, len(ast.Tokens), strings.Join(ast.Tokens, ", "), len(fields))
	}
	for _, f := range fields {
		if strings.TrimSpace(f) == "" {
			return fmt.Errorf("a %s rule has an empty field", ptype)
		}
	}
	return nil
}

// SavePolicy replaces the permissions of casbin_rules with the model's;
// the grants are not saved (they are user_roles').
func (a *Adapter) SavePolicy(m model.Model) error {
	var rows []store.CasbinRule
	for ptype, ast := range m["p"] {
		for _, rule := range ast.Policy {
			r, err := store.NewCasbinRule(ptype, rule)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	return a.st.ReplaceCasbinPermissions(a.ctx, rows)
}

// AddPolicy adds a permission to casbin_rules; adding one already there
// changes nothing.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	if sec != "p" {
		return errGrants
	}
	r, err := store.NewCasbinRule(ptype, rule)
	if err != nil {
		return err
	}
	return a.st.AddCasbinRule(a.ctx, &r)
}

// RemovePolicy removes a permission from casbin_rules.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	if sec != "p" {
		return errGrants
	}
	r, err := store.NewCasbinRule(ptype, rule)
	if err != nil {
		return err
	}
	return a.st.RemoveCasbinRule(a.ctx, r)
}

// RemoveFilteredPolicy removes the permissions whose fields from
// fieldIndex on are fieldValues (an empty value matches any).
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	if sec != "p" {
		return errGrants
	}
	return a.st.RemoveCasbinRules(a.ctx, ptype, fieldIndex, fieldValues...)
}

// FileRules returns the permissions of policies/policy.csv, each as its
// type then its fields.
func FileRules() ([][]string, error) {
	r := csv.NewReader(strings.NewReader(policies.Permissions))
	r.Comment, r.TrimLeadingSpace, r.FieldsPerRecord = '#', true, -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("authz: policy.csv: %w", err)
	}
	for _, row := range rows {
		if len(row) != 5 || row[0] != "p" {
			return nil, fmt.Errorf("authz: policy.csv: bad line %v", row)
		}
	}
	return rows, nil
}

// Seed fills casbin_rules from policies/policy.csv when it holds no
// permission (a new database) and reports whether it did; otherwise the
// table is the policy and is left as it is. Two processes seeding at once
// insert each rule once.
func Seed(ctx context.Context, st *store.Store) (bool, error) {
	rules, err := FileRules()
	if err != nil {
		return false, err
	}
	rows := make([]store.CasbinRule, 0, len(rules))
	for _, rule := range rules {
		r, err := store.NewCasbinRule(rule[0], rule[1:])
		if err != nil {
			return false, err
		}
		rows = append(rows, r)
	}
	seeded, err := st.SeedCasbinPermissions(ctx, rows)
	if err != nil {
		return false, fmt.Errorf("authz: seed casbin_rules: %w", err)
	}
	return seeded, nil
}
