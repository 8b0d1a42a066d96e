package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/testutil"
)

// TestAdmin_UsersAndRoles: an administrator creates an account, grants it
// a role in its Caf (at once usable, here and on another API process),
// revokes it; every change is in the trail of grants; nobody else may.
func TestAdmin_UsersAndRoles(t *testing.T) {
	r := testutil.Start(t, "")
	// A second API process on the same store, polling the policy's version.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	other, err := app.NewAPI(ctx, r.Store, r.Client, time.Minute)
	require.NoError(t, err)
	other.Limits = nil
	srv2 := httptest.NewServer(other.Handler())
	defer srv2.Close()

	created := r.Do("POST", "/api/v1/admin/users", "admin.demo", map[string]any{"login": "Nadia.GCA", "name": "Nadia Benali", "email": "nadia.benali@caf.example"})
	require.Equal(t, 201, created.Status, string(created.Body))
	assert.Equal(t, "nadia.gca", created.Map(t)["login"])
	assert.Equal(t, 409, r.Do("POST", "/api/v1/admin/users", "admin.demo", map[string]any{"login": "nadia.gca", "name": "X"}).Status)
	assert.Equal(t, 400, r.Do("POST", "/api/v1/admin/users", "admin.demo", map[string]any{"login": "a b", "name": "X"}).Status)
	assert.Equal(t, "nadia.benali@caf.example", created.Map(t)["email"])

	// One email, one account, in any case: a colleague's address is
	// refused, so nobody signs in as them, nor locks them out.
	taken := testutil.AssertProblem(t, r.Do("POST", "/api/v1/admin/users", "admin.demo",
		map[string]any{"login": "marc.gca", "name": "Marc", "email": "Nadia.Benali@CAF.example"}), 409)
	require.Len(t, taken.Errors, 1)
	assert.Equal(t, "email", taken.Errors[0].Field)
	assert.Contains(t, taken.Errors[0].Message, "déjà celle d'un autre compte")
	for _, bad := range []string{"Nadia <nadia@caf.example>", "nadia", "a@b.example, c@d.example", strings.Repeat("a", 250) + "@caf.example"} {
		invalid := testutil.AssertProblem(t, r.Do("POST", "/api/v1/admin/users", "admin.demo",
			map[string]any{"login": "marc.gca", "name": "Marc", "email": bad}), 400)
		if assert.NotEmpty(t, invalid.Errors, bad) {
			assert.Equal(t, "email", invalid.Errors[0].Field, bad)
		}
	}

	assert.Equal(t, 403, r.Do("GET", "/api/v1/cases", "nadia.gca", nil).Status, "no role yet")
	grant := r.Do("POST", "/api/v1/admin/users/nadia.gca/roles", "admin.demo", map[string]any{"caf": "071", "role": "gca"})
	require.Equal(t, 201, grant.Status, string(grant.Body))
	assert.Equal(t, 200, r.Do("POST", "/api/v1/admin/users/nadia.gca/roles", "admin.demo", map[string]any{"caf": "071", "role": "gca"}).Status, "already held")
	assert.Equal(t, 200, r.Do("GET", "/api/v1/cases", "nadia.gca", nil).Status, "effective at once on this process")
	require.Eventually(t, func() bool {
		return get(t, srv2.URL+"/api/v1/cases", r.Token("nadia.gca")) == 200
	}, 10*time.Second, 200*time.Millisecond, "effective on the other process without a restart")

	assert.Equal(t, 403, r.Do("POST", "/api/v1/admin/users/nadia.gca/roles", "admin.demo", map[string]any{"caf": "074", "role": "gca"}).Status, "not an admin of 074")
	assert.Equal(t, 403, r.Do("POST", "/api/v1/admin/users/nadia.gca/roles", "manager.demo", map[string]any{"caf": "071", "role": "manager"}).Status)
	assert.Equal(t, 400, r.Do("POST", "/api/v1/admin/users/nadia.gca/roles", "admin.demo", map[string]any{"caf": "071", "role": "king"}).Status)
	assert.Equal(t, 404, r.Do("POST", "/api/v1/admin/users/nobody/roles", "admin.demo", map[string]any{"caf": "071", "role": "gca"}).Status)

	var users struct{ Items []map[string]any }
	r.Do("GET", "/api/v1/admin/users", "admin.demo", nil).JSON(t, &users)
	found := false
	for _, u := range users.Items {
		if u["login"] == "nadia.gca" {
			found = true
			assert.Equal(t, []any{"gca"}, u["roles"].(map[string]any)["071"])
		}
	}
	assert.True(t, found)

	assert.Equal(t, 204, r.Do("DELETE", "/api/v1/admin/users/nadia.gca/roles/071/gca", "admin.demo", nil).Status)
	assert.Equal(t, 404, r.Do("DELETE", "/api/v1/admin/users/nadia.gca/roles/071/gca", "admin.demo", nil).Status)
	assert.Equal(t, 403, r.Do("GET", "/api/v1/cases", "nadia.gca", nil).Status, "revoked at once")
	require.Eventually(t, func() bool {
		return get(t, srv2.URL+"/api/v1/cases", r.Token("nadia.gca")) == 403
	}, 10*time.Second, 200*time.Millisecond, "revoked on the other process too")

	var trail struct{ Items []map[string]any }
	resp := r.Do("GET", "/api/v1/audit/grants?login=nadia.gca", "auditor.demo", nil)
	require.Equal(t, 200, resp.Status, string(resp.Body))
	resp.JSON(t, &trail)
	require.Len(t, trail.Items, 2, "one grant, one revocation (the repeated grant changed nothing)")
	assert.Equal(t, "revoke", trail.Items[0]["action"])
	assert.Equal(t, "grant", trail.Items[1]["action"])
	assert.Equal(t, "admin.demo", trail.Items[1]["actor"])
	assert.Equal(t, 403, r.Do("GET", "/api/v1/audit/grants", "gca.demo", nil).Status)
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	req.RequestURI = ""
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

var httpClient = &http.Client{Timeout: 10 * time.Second}
