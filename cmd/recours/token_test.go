package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// TestToken_LifecycleThroughTheCLI: recours token create prints a token
// that the running API accepts (the liaison's on /referrals only), token
// list shows it without its secret, token revoke ends it: 401.
func TestToken_LifecycleThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	r := testutil.StartIn(t, dir, "")
	bearer := func(token string) []string { return []string{"Authorization", "Bearer " + token} }

	out, err := run(t, "token", "create", "--data", dir, "--user", "ddd.demo", "--ttl", "2h", "--label", "délégation 07")
	require.NoError(t, err)
	token := strings.TrimSpace(out)
	require.True(t, strings.HasPrefix(token, "rct_"), out)

	// Used: the liaison's token reaches the referrals, and nothing else.
	assert.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/referrals", "", nil, bearer(token)...).Status)
	assert.Equal(t, http.StatusForbidden, r.Do("GET", "/api/v1/cases", "", nil, bearer(token)...).Status)

	out, err = run(t, "token", "list", "--data", dir, "--user", "ddd.demo")
	require.NoError(t, err)
	assert.NotContains(t, out, token, "never shown again")
	assert.NotContains(t, out, store.HashToken(token))
	var listed []store.TokenInfo
	require.NoError(t, json.Unmarshal([]byte(out), &listed), out)
	require.Len(t, listed, 1)
	assert.Equal(t, "ddd.demo", listed[0].Login)
	assert.Equal(t, "délégation 07", listed[0].Label)
	assert.NotNil(t, listed[0].LastUsedAt, "its use is recorded")
	assert.Nil(t, listed[0].RevokedAt)

	out, err = run(t, "token", "revoke", "--data", dir, "--id", fmt.Sprint(listed[0].ID))
	require.NoError(t, err)
	assert.Contains(t, out, "révoqué")
	assert.Equal(t, http.StatusUnauthorized, r.Do("GET", "/api/v1/referrals", "", nil, bearer(token)...).Status, "revoked")
	out, err = run(t, "token", "list", "--data", dir)
	require.NoError(t, err)
	assert.NotContains(t, out, "rct_")
	require.NoError(t, json.Unmarshal([]byte(out), &listed))
	assert.NotEmpty(t, listed)

	_, err = run(t, "token", "revoke", "--data", dir, "--id", "999999")
	assert.ErrorContains(t, err, "jeton inconnu")
	_, err = run(t, "token", "revoke", "--data", dir)
	assert.ErrorContains(t, err, "id")
	_, err = run(t, "token", "create", "--data", dir, "--user", "gca.demo", "--ttl", "9000h")
	assert.ErrorContains(t, err, "ttl", "a year at most")
	_, err = run(t, "token", "list", "--data", dir, "--user", "nobody")
	assert.ErrorContains(t, err, "utilisateur inconnu")
}
