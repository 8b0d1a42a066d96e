package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
)

// lastLine is the last line of out: the secret, after what it is.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// TestPartner_CreateRotateListHosts: create prints a fresh secret once and
// refuses an existing code; rotate-secret prints a new one that signs from
// then on; hosts replaces the allow-list; list shows everything but the
// secrets.
func TestPartner_CreateRotateListHosts(t *testing.T) {
	dir, st := seededData(t)
	ctx := context.Background()

	out, err := run(t, "partner", "create", "--data", dir, "--code", "ddd-nord", "--name", "Délégation du Nord",
		"--callback-hosts", "hooks.ddd-nord.example.fr,*.ddd.example.fr")
	require.NoError(t, err)
	assert.Contains(t, out, "partenaire créé : ddd-nord")
	secret := lastLine(out)
	assert.Len(t, secret, 43, "32 random bytes, base64url")
	p, err := st.Partner(ctx, "ddd-nord")
	require.NoError(t, err)
	assert.Equal(t, secret, p.CallbackSecret)
	assert.Equal(t, []string{"hooks.ddd-nord.example.fr", "*.ddd.example.fr"}, p.Hosts())

	_, err = run(t, "partner", "create", "--data", dir, "--code", "ddd-nord", "--name", "Autre")
	assert.ErrorContains(t, err, "existe déjà")
	p, err = st.Partner(ctx, "ddd-nord")
	require.NoError(t, err)
	assert.Equal(t, secret, p.CallbackSecret, "an existing partner keeps its secret")
	_, err = run(t, "partner", "create", "--data", dir, "--code", "ddd-sud", "--name", "Sud", "--callback-hosts", "https://ddd-sud.example.fr/cb")
	assert.ErrorContains(t, err, "hôte invalide")

	out, err = run(t, "partner", "rotate-secret", "--data", dir, "--code", "ddd-nord")
	require.NoError(t, err)
	rotated := lastLine(out)
	assert.Len(t, rotated, 43)
	assert.NotEqual(t, secret, rotated)
	p, err = st.Partner(ctx, "ddd-nord")
	require.NoError(t, err)
	assert.Equal(t, rotated, p.CallbackSecret)
	_, err = run(t, "partner", "rotate-secret", "--data", dir, "--code", "ddd-inconnu")
	assert.ErrorContains(t, err, "partenaire inconnu")

	out, err = run(t, "partner", "hosts", "--data", dir, "--code", "ddd-nord", "--set", "hooks.ddd-nord.example.fr 203.0.113.7")
	require.NoError(t, err)
	assert.Contains(t, out, "hooks.ddd-nord.example.fr 203.0.113.7")
	p, err = st.Partner(ctx, "ddd-nord")
	require.NoError(t, err)
	assert.Equal(t, []string{"hooks.ddd-nord.example.fr", "203.0.113.7"}, p.Hosts())

	out, err = run(t, "partner", "list", "--data", dir)
	require.NoError(t, err)
	for _, s := range []string{secret, rotated, store.DemoPartnerSecret} {
		assert.NotContains(t, out, s, "never a secret")
	}
	var list []store.PartnerInfo
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list, 2)
	assert.Equal(t, "ddd-nord", list[1].Code)
	assert.Equal(t, "Délégation du Nord", list[1].Name)
	assert.Equal(t, []string{"hooks.ddd-nord.example.fr", "203.0.113.7"}, list[1].CallbackHosts)
	assert.False(t, list[1].CreatedAt.IsZero())
}
