// Package authz decides who may do what in which Caf, with Casbin: the
// model comes from policies/model.conf, the roles' permissions from the
// casbin_rules table (seeded from policies/policy.csv) and the grants from
// user_roles, both through Adapter; the policy is reloaded without a
// restart when either changes.
package authz

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

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
	// ObjRecourse is a Caf's table of recourse routes, that its letters name.
	ObjRecourse = "recourse"
	ActManage   = "manage"
	ActRead     = "read"
	ActCreate   = "create"
)

// reloadTimeout bounds a reload's queries.
const reloadTimeout = 30 * time.Second

// Authorizer answers authorisation questions.
type Authorizer struct {
	mu sync.RWMutex
	e  *casbin.Enforcer
	st *store.Store
}

// New seeds the permissions from policies/ when the database has none,
// and builds the authorizer from the database.
func New(ctx context.Context, st *store.Store) (*Authorizer, error) {
	seeded, err := Seed(ctx, st)
	if err != nil {
		return nil, err
	}
	if seeded {
		slog.Info("authorisation policy seeded from policies/policy.csv")
	}
	a := &Authorizer{st: st}
	return a, a.Reload(ctx)
}

// Reload rebuilds the policy from the database: the permissions of
// casbin_rules and the current grants. The swap is atomic, so requests in
// flight see the old or the new policy; on failure the old one stays.
func (a *Authorizer) Reload(ctx context.Context) error {
	// A reload runs to its end even when the request that asked for it
	// ends (and a *gin.Context, reused once its handler returns, is not
	// handed to database/sql), within a bound of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reloadTimeout)
	defer cancel()
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewEnforcer(m, NewAdapter(ctx, a.st))
	if err != nil {
		return fmt.Errorf("authz: %w", err)
	}
	// The enforcer only reads: nothing may write to the tables through it.
	e.EnableAutoSave(false)
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
