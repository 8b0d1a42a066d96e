// Package authz decides who may do what in which Caf, with Casbin: the
// model and the roles' permissions come from policies/, the grants (who
// holds which role where) from the store, reloaded without a restart.
package authz

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/policies"
)

// Objects and actions of the policy.
const (
	ObjCase      = "case"
	ObjComplaint = "complaint"
	ObjMediation = "mediation"
	ObjReferral  = "referral"
	ObjUser      = "user"
	ActManage    = "manage"
	ActRead      = "read"
	ActCreate    = "create"
)

// Grants is where the role grants come from.
type Grants interface {
	Grants(ctx context.Context) ([]store.GrantRow, error)
}

// Authorizer answers authorisation questions.
type Authorizer struct {
	mu     sync.RWMutex
	e      *casbin.Enforcer
	grants Grants
}

// New builds the authorizer and loads the grants.
func New(ctx context.Context, g Grants) (*Authorizer, error) {
	a := &Authorizer{grants: g}
	return a, a.Reload(ctx)
}

// Reload rebuilds the policy from policies/ and the current grants; the
// swap is atomic, so requests in flight see the old or the new policy.
func (a *Authorizer) Reload(ctx context.Context) error {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return fmt.Errorf("authz: %w", err)
	}
	r := csv.NewReader(strings.NewReader(policies.Permissions))
	r.Comment, r.TrimLeadingSpace, r.FieldsPerRecord = '#', true, -1
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("authz: permissions: %w", err)
	}
	for _, row := range rows {
		if len(row) != 5 || row[0] != "p" {
			return fmt.Errorf("authz: permissions: bad line %v", row)
		}
		if _, err := e.AddPolicy(row[1], row[2], row[3], row[4]); err != nil {
			return err
		}
	}
	grants, err := a.grants.Grants(ctx)
	if err != nil {
		return fmt.Errorf("authz: grants: %w", err)
	}
	for _, g := range grants {
		if _, err := e.AddGroupingPolicy(g.Login, g.Role, g.Caf); err != nil {
			return err
		}
	}
	a.mu.Lock()
	a.e = e
	a.mu.Unlock()
	return nil
}

func (a *Authorizer) enforcer() *casbin.Enforcer {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.e
}

// Can reports whether login may do act on obj in caf.
func (a *Authorizer) Can(login, caf, obj, act string) bool {
	ok, err := a.enforcer().Enforce(login, caf, obj, act)
	return err == nil && ok
}

// Roles returns the roles login holds in caf.
func (a *Authorizer) Roles(login, caf string) []domain.Role {
	names := a.enforcer().GetRolesForUserInDomain(login, caf)
	out := make([]domain.Role, len(names))
	for i, n := range names {
		out[i] = domain.Role(n)
	}
	return out
}

// Cafs returns the Cafs where login may do act on obj.
func (a *Authorizer) Cafs(login, obj, act string) []string {
	e := a.enforcer()
	domains, _ := e.GetDomainsForUser(login)
	var out []string
	for _, caf := range domains {
		if ok, _ := e.Enforce(login, caf, obj, act); ok {
			out = append(out, caf)
		}
	}
	return out
}

// Check answers a request on a file of caf: nil when allowed; ENOTFOUND
// when login holds no role in that Caf (the file's existence must not
// leak); EFORBIDDEN when it holds one that does not allow act.
func (a *Authorizer) Check(login, caf, obj, act string) error {
	if a.Can(login, caf, obj, act) {
		return nil
	}
	if len(a.Roles(login, caf)) == 0 {
		return domain.Errorf(domain.ENOTFOUND, "dossier introuvable")
	}
	return domain.Errorf(domain.EFORBIDDEN, "votre rôle ne permet pas cette action dans cette Caf")
}
