package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// withToken sends a request to url with token as bearer (none when "").
func withToken(t *testing.T, method, url, token string, body any) testutil.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return testutil.Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// createdToken is the answer to POST /admin/tokens.
type createdToken struct {
	ID        uint      `json:"id"`
	Token     string    `json:"token"`
	Login     string    `json:"login"`
	Label     string    `json:"label"`
	ExpiresAt time.Time `json:"expires_at"`
}

func createToken(t *testing.T, r *testutil.Recours, admin string, body map[string]any) createdToken {
	t.Helper()
	resp := r.Do("POST", "/api/v1/admin/tokens", admin, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var tok createdToken
	resp.JSON(t, &tok)
	require.NotZero(t, tok.ID)
	require.True(t, strings.HasPrefix(tok.Token, "rct_"), tok.Token)
	return tok
}

// nationalAdmin is an administrator of every Caf, who alone makes a token
// for another user.
func nationalAdmin(t *testing.T, r *testutil.Recours) string {
	t.Helper()
	codes, err := r.Store.OrganisationCodes(context.Background())
	require.NoError(t, err)
	for _, caf := range codes {
		require.NoError(t, r.Store.Grant(context.Background(), "admin.national", "Nadia Lefèvre", caf, domain.RoleAdmin))
	}
	require.NoError(t, r.API.Authz.Reload(context.Background()))
	return "admin.national"
}

func listTokens(t *testing.T, r *testutil.Recours, admin, login string) ([]store.TokenInfo, []byte) {
	t.Helper()
	path := "/api/v1/admin/tokens"
	if login != "" {
		path += "?login=" + login
	}
	resp := r.Do("GET", path, admin, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var page struct{ Items []store.TokenInfo }
	resp.JSON(t, &page)
	return page.Items, resp.Body
}

func tokenInfo(t *testing.T, items []store.TokenInfo, id uint) store.TokenInfo {
	t.Helper()
	for _, it := range items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("token %d not listed", id)
	return store.TokenInfo{}
}

// TestTokenLifecycle: a token created by an administrator (shown once,
// listed without its secret) is used (200, its last use recorded), then
// expires (401), or is revoked (401), each with the expected answer.
func TestTokenLifecycle(t *testing.T) {
	r := testutil.Start(t, "")
	cases := r.URL + "/api/v1/cases"

	t.Run("created, used, listed without its secret", func(t *testing.T) {
		before := time.Now()
		tok := createToken(t, r, nationalAdmin(t, r), map[string]any{"login": "GCA.demo", "ttl": "720h", "label": "script de relance"})
		assert.Equal(t, "gca.demo", tok.Login)
		assert.Equal(t, "script de relance", tok.Label)
		assert.WithinDuration(t, before.Add(720*time.Hour), tok.ExpiresAt, time.Minute)

		items, body := listTokens(t, r, "admin.demo", "gca.demo")
		assert.NotContains(t, string(body), tok.Token, "the token is shown once, never listed")
		assert.NotContains(t, string(body), store.HashToken(tok.Token), "nor its hash")
		assert.NotContains(t, string(body), `"token"`)
		info := tokenInfo(t, items, tok.ID)
		assert.Nil(t, info.LastUsedAt, "not used yet")
		assert.Nil(t, info.RevokedAt)

		resp := withToken(t, "GET", cases, tok.Token, nil)
		assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		items, _ = listTokens(t, r, "admin.demo", "gca.demo")
		used := tokenInfo(t, items, tok.ID).LastUsedAt
		require.NotNil(t, used, "the use is recorded")
		assert.WithinDuration(t, time.Now(), *used, time.Minute)

		// A use within the minute is not written again.
		assert.Equal(t, http.StatusOK, withToken(t, "GET", cases, tok.Token, nil).Status)
		items, _ = listTokens(t, r, "admin.demo", "gca.demo")
		assert.Equal(t, used.UTC(), tokenInfo(t, items, tok.ID).LastUsedAt.UTC())

		// All the tokens of the administrator's Cafs, none with a secret.
		all, body := listTokens(t, r, "admin.demo", "")
		tokenInfo(t, all, tok.ID)
		assert.NotContains(t, string(body), "rct_")
	})

	t.Run("expired", func(t *testing.T) {
		tok := createToken(t, r, nationalAdmin(t, r), map[string]any{"login": "gca.demo", "ttl": "3s"})
		assert.Equal(t, "api", tok.Label, "the default label")
		// The API's clock, moved to the token's last instant, then to its
		// expiry.
		t.Cleanup(func() { r.API.Cases.Now = nil })
		r.API.Cases.Now = func() time.Time { return tok.ExpiresAt.Add(-time.Millisecond) }
		assert.Equal(t, http.StatusOK, withToken(t, "GET", cases, tok.Token, nil).Status, "valid until it expires")
		r.API.Cases.Now = func() time.Time { return tok.ExpiresAt }
		resp := withToken(t, "GET", cases, tok.Token, nil)
		testutil.AssertProblem(t, resp, http.StatusUnauthorized)
		assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"))
	})

	t.Run("revoked", func(t *testing.T) {
		tok := createToken(t, r, nationalAdmin(t, r), map[string]any{"login": "gca.demo", "ttl": "1h"})
		require.Equal(t, http.StatusOK, withToken(t, "GET", cases, tok.Token, nil).Status)
		path := fmt.Sprintf("/api/v1/admin/tokens/%d", tok.ID)
		testutil.AssertProblem(t, r.Do("DELETE", path, "manager.demo", nil), http.StatusForbidden)
		require.Equal(t, http.StatusNoContent, r.Do("DELETE", path, "admin.demo", nil).Status)
		testutil.AssertProblem(t, withToken(t, "GET", cases, tok.Token, nil), http.StatusUnauthorized)
		testutil.AssertProblem(t, withToken(t, "POST", r.URL+"/api/v1/complaints", tok.Token, testutil.Complaint("071")), http.StatusUnauthorized)
		items, _ := listTokens(t, r, "admin.demo", "gca.demo")
		revoked := tokenInfo(t, items, tok.ID).RevokedAt
		require.NotNil(t, revoked)
		assert.Equal(t, http.StatusNoContent, r.Do("DELETE", path, "admin.demo", nil).Status, "revoking again changes nothing")
		items, _ = listTokens(t, r, "admin.demo", "gca.demo")
		assert.Equal(t, revoked.UTC(), tokenInfo(t, items, tok.ID).RevokedAt.UTC())
		testutil.AssertProblem(t, r.Do("DELETE", "/api/v1/admin/tokens/999999", "admin.demo", nil), http.StatusNotFound)
		testutil.AssertProblem(t, r.Do("DELETE", "/api/v1/admin/tokens/abc", "admin.demo", nil), http.StatusNotFound)
	})

	t.Run("created by the store, as the CLI does", func(t *testing.T) {
		info, token, err := r.Store.IssueToken(context.Background(), "", "gca.demo", "cli", time.Hour)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, withToken(t, "GET", cases, token, nil).Status)
		_, err = r.Store.RevokeToken(context.Background(), "", info.ID, time.Now())
		require.NoError(t, err)
		testutil.AssertProblem(t, withToken(t, "GET", cases, token, nil), http.StatusUnauthorized)
		_, _, err = r.Store.IssueToken(context.Background(), "", "gca.demo", "cli", store.MaxTokenTTL+time.Hour)
		assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "a year at most")
	})

	t.Run("refused", func(t *testing.T) {
		ctx := context.Background()
		require.NoError(t, r.Store.Grant(ctx, "agent.074", "Agent de Haute-Savoie", "074", domain.RoleGCA))
		_, err := r.Store.CreateUser(ctx, "sans.role", "Sans rôle", "", "")
		require.NoError(t, err)
		require.NoError(t, r.API.Authz.Reload(ctx))
		before := countTokens(t, r)
		for _, tt := range []struct {
			name   string
			login  string
			body   map[string]any
			status int
			field  string
		}{
			{"ttl above a year", "admin.demo", map[string]any{"login": "gca.demo", "ttl": "8761h"}, 400, "ttl"},
			{"ttl not a duration", "admin.demo", map[string]any{"login": "gca.demo", "ttl": "a week"}, 400, "ttl"},
			{"ttl negative", "admin.demo", map[string]any{"login": "gca.demo", "ttl": "-1h"}, 400, "ttl"},
			{"ttl missing", "admin.demo", map[string]any{"login": "gca.demo"}, 400, "ttl"},
			{"unknown field", "admin.demo", map[string]any{"login": "gca.demo", "ttl": "1h", "roles": []string{"admin"}}, 400, "roles"},
			{"unknown user", "admin.demo", map[string]any{"login": "nobody", "ttl": "1h"}, 404, ""},
			{"a user of another Caf", "admin.demo", map[string]any{"login": "agent.074", "ttl": "1h"}, 403, ""},
			{"a user with no role", "admin.demo", map[string]any{"login": "sans.role", "ttl": "1h"}, 403, ""},
			// csu.demo also serves 074, 042 and 043: its token would act there.
			{"a user with roles in other Cafs too", "admin.demo", map[string]any{"login": "csu.demo", "ttl": "1h"}, 403, ""},
			{"not an administrator", "manager.demo", map[string]any{"login": "gca.demo", "ttl": "1h"}, 403, ""},
			// It would act in gca.demo's name: only a national administrator may.
			{"another user, by a Caf's administrator", "admin.demo", map[string]any{"login": "gca.demo", "ttl": "1h"}, 403, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := testutil.AssertProblem(t, r.Do("POST", "/api/v1/admin/tokens", tt.login, tt.body), tt.status)
				if tt.field != "" {
					require.NotEmpty(t, p.Errors, "%+v", p)
					assert.Equal(t, tt.field, p.Errors[0].Field)
				}
			})
		}
		assert.Equal(t, before, countTokens(t, r), "no token made")
		testutil.AssertProblem(t, r.Do("GET", "/api/v1/admin/tokens?login=agent.074", "admin.demo", nil), http.StatusForbidden)
		testutil.AssertProblem(t, r.Do("GET", "/api/v1/admin/tokens?login=nobody", "admin.demo", nil), http.StatusNotFound)
		testutil.AssertProblem(t, r.Do("GET", "/api/v1/admin/tokens", "auditor.demo", nil), http.StatusForbidden)
		other, _, err := r.Store.IssueToken(ctx, "", "agent.074", "x", time.Hour)
		require.NoError(t, err)
		testutil.AssertProblem(t, r.Do("DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", other.ID), "admin.demo", nil), http.StatusForbidden)
		// Listing and revoking need one Caf in common only: revoking
		// takes rights away.
		regional, _, err := r.Store.IssueToken(ctx, "", "csu.demo", "plateforme", time.Hour)
		require.NoError(t, err)
		listed, _ := listTokens(t, r, "admin.demo", "csu.demo")
		tokenInfo(t, listed, regional.ID)
		assert.Equal(t, http.StatusNoContent, r.Do("DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", regional.ID), "admin.demo", nil).Status)
		all, _ := listTokens(t, r, "admin.demo", "")
		for _, it := range all {
			assert.NotEqual(t, "agent.074", it.Login, "only the tokens of the administrator's Cafs")
		}
	})
}

func countTokens(t *testing.T, r *testutil.Recours) int64 {
	t.Helper()
	c, err := r.Store.Contents(context.Background())
	require.NoError(t, err)
	return c.Tokens
}

// TestToken_LiaisonReachesOnlyReferrals: the Défenseur des droits
// liaison's token reaches /api/v1/referrals* and nothing else (403), even
// once its account is granted another role by mistake.
func TestToken_LiaisonReachesOnlyReferrals(t *testing.T) {
	r := testutil.Start(t, "")
	file := createFile(t, r, "071")
	tok := createToken(t, r, nationalAdmin(t, r), map[string]any{"login": "ddd.demo", "ttl": "24h", "label": "délégation"})
	ref := "DDD-TOK-" + strings.ReplaceAll(time.Now().Format("150405.000"), ".", "")
	body := referralBody(ref, "")

	check := func(t *testing.T) {
		resp := withToken(t, "POST", r.URL+"/api/v1/referrals", tok.Token, body)
		assert.Contains(t, []int{http.StatusCreated, http.StatusOK}, resp.Status, "%s", resp.Body)
		assert.Equal(t, http.StatusOK, withToken(t, "GET", r.URL+"/api/v1/referrals", tok.Token, nil).Status)
		assert.Equal(t, http.StatusOK, withToken(t, "GET", r.URL+"/api/v1/referrals/"+ref, tok.Token, nil).Status)
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/cases", nil},
			{"GET", "/api/v1/cases?caf=071", nil},
			{"GET", "/api/v1/cases/" + file, nil},
			{"GET", "/api/v1/cases/" + file + "/events", nil},
			{"POST", "/api/v1/cases/" + file + "/actions/withdraw", map[string]any{"reason": "Essai."}},
			{"POST", "/api/v1/complaints", testutil.Complaint("071")},
			{"POST", "/api/v1/mediations", testutil.Mediation(nil)},
			{"GET", "/api/v1/reports/summary?caf=071&from=2026-01-01&to=2026-01-31", nil},
			{"GET", "/api/v1/audit/access", nil},
			{"GET", "/api/v1/admin/users", nil},
			{"GET", "/api/v1/admin/tokens", nil},
		} {
			before := r.Counts()
			testutil.AssertProblem(t, withToken(t, req.method, r.URL+req.path, tok.Token, req.body), http.StatusForbidden)
			assert.Equal(t, before, r.Counts(), "%s %s", req.method, req.path)
		}
	}
	t.Run("as a liaison", check)
	t.Run("granted csu by mistake", func(t *testing.T) {
		resp := r.Do("POST", "/api/v1/admin/users/ddd.demo/roles", "admin.demo", map[string]any{"caf": "071", "role": "csu"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		check(t)
	})
}

// TestToken_ForAnotherUser: only a national administrator makes a token
// for another user; the token carries who made it, the grants trail says
// it was made and revoked and by whom, and every read made with it names
// both the user and its maker on the access trail.
func TestToken_ForAnotherUser(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	id := createFile(t, r, "071")

	testutil.AssertProblem(t, r.Do("POST", "/api/v1/admin/tokens", "admin.demo", map[string]any{"login": "auditor.demo", "ttl": "1h"}), http.StatusForbidden)
	own := createToken(t, r, "admin.demo", map[string]any{"login": "admin.demo", "ttl": "1h"})
	assert.Equal(t, "admin.demo", own.Login, "an administrator makes its own")

	national := nationalAdmin(t, r)
	resp := r.Do("POST", "/api/v1/admin/tokens", national, map[string]any{"login": "auditor.demo", "ttl": "1h", "label": "contrôle"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	made := resp.Map(t)
	assert.Equal(t, national, made["created_by"])
	token := made["token"].(string)
	listed, _ := listTokens(t, r, "admin.demo", "auditor.demo")
	assert.Equal(t, national, tokenInfo(t, listed, uint(made["id"].(float64))).CreatedBy)

	grants, err := r.Store.GrantEvents(ctx, []string{"071"}, "auditor.demo", 10)
	require.NoError(t, err)
	require.NotEmpty(t, grants)
	assert.Equal(t, store.TokenCreated, grants[0].Action)
	assert.Equal(t, national, grants[0].Actor, "the grants trail says who made it")
	require.NotNil(t, grants[0].TokenID)

	require.Equal(t, http.StatusOK, withToken(t, "GET", r.URL+"/api/v1/cases/"+id, token, nil).Status)
	entries, _, err := r.Store.AccessEntries(ctx, store.AccessFilter{Cafs: []string{"071"}, CaseID: id, Limit: 10})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	assert.Equal(t, "auditor.demo", entries[0].Actor)
	assert.Contains(t, entries[0].What, "jeton créé par "+national, "the read names both")
	// A user's own token names the user alone.
	require.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/cases/"+id, "gca.demo", nil).Status)
	entries, _, err = r.Store.AccessEntries(ctx, store.AccessFilter{Cafs: []string{"071"}, CaseID: id, Limit: 1})
	require.NoError(t, err)
	assert.NotContains(t, entries[0].What, "jeton")

	require.Equal(t, http.StatusNoContent, r.Do("DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", *grants[0].TokenID), "admin.demo", nil).Status)
	grants, err = r.Store.GrantEvents(ctx, []string{"071"}, "auditor.demo", 10)
	require.NoError(t, err)
	assert.Equal(t, store.TokenRevoked, grants[0].Action)
	assert.Equal(t, "admin.demo", grants[0].Actor)
}
