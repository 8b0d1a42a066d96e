package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// Tying an account to a partner organisation is for a national
// administrator (the admin role in every Caf): a Caf's administrator is
// refused and nothing is created; it still creates its agents' accounts.
func TestAdmin_OnlyANationalAdministratorTiesAnAccountToAPartner(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	liaison := map[string]any{"login": "ddd.nord", "name": "Liaison du Nord", "partner": store.DemoPartner}

	p := testutil.AssertProblem(t, r.Do("POST", "/api/v1/admin/users", "admin.demo", liaison), http.StatusForbidden)
	assert.Contains(t, p.Detail, "administrateur national")
	_, err := r.Store.UserByLogin(ctx, "ddd.nord")
	assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "no account created")
	agent := r.Do("POST", "/api/v1/admin/users", "admin.demo", map[string]any{"login": "agent.caf", "name": "Agent de la Caf"})
	require.Equal(t, http.StatusCreated, agent.Status, "%s", agent.Body)

	cafs, err := r.Store.OrganisationCodes(ctx)
	require.NoError(t, err)
	require.Greater(t, len(cafs), 1)
	for _, caf := range cafs {
		require.NoError(t, r.Store.Grant(ctx, "nat.admin", "Administration nationale", caf, domain.RoleAdmin))
	}
	for _, caf := range cafs[1:] {
		require.NoError(t, r.Store.Grant(ctx, "almost.admin", "Presque nationale", caf, domain.RoleAdmin))
	}
	require.NoError(t, r.API.Authz.Reload(ctx))

	testutil.AssertProblem(t, r.Do("POST", "/api/v1/admin/users", "almost.admin", liaison), http.StatusForbidden)
	created := r.Do("POST", "/api/v1/admin/users", "nat.admin", liaison)
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	assert.Equal(t, store.DemoPartner, created.Map(t)["partner"])
	u, err := r.Store.UserByLogin(ctx, "ddd.nord")
	require.NoError(t, err)
	assert.Equal(t, store.DemoPartner, u.Partner)
	unknown := map[string]any{"login": "ddd.x", "name": "X", "partner": "ddd-inconnu"}
	assert.Equal(t, http.StatusBadRequest, r.Do("POST", "/api/v1/admin/users", "nat.admin", unknown).Status)
	assert.False(t, strings.Contains(string(created.Body), store.DemoPartnerSecret))
}
