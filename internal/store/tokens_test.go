package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
)

// TestTokens_Lifecycle: issued (shown once, kept as a hash), listed
// without a secret, its use recorded at most once a minute, revoked once.
func TestTokens_Lifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		info, token, err := st.IssueToken(ctx, "", "gca.demo", " relance ", 2*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, "gca.demo", info.Login)
		assert.Equal(t, "relance", info.Label)
		assert.WithinDuration(t, time.Now().Add(2*time.Hour), info.ExpiresAt, time.Minute)
		var stored store.APIToken
		require.NoError(t, store.DB(st).First(&stored, info.ID).Error)
		assert.Equal(t, store.HashToken(token), stored.Hash)
		assert.NotContains(t, stored.Hash, token)

		for _, ttl := range []time.Duration{0, -time.Hour, store.MaxTokenTTL + time.Second} {
			_, _, err := st.IssueToken(ctx, "", "gca.demo", "x", ttl)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), ttl)
		}
		_, _, err = st.IssueToken(ctx, "", "nobody", "x", time.Hour)
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err))

		// Its use, once a minute at most.
		t0 := time.Now().UTC().Truncate(time.Second)
		require.NoError(t, st.TouchToken(ctx, store.HashToken(token), t0))
		require.NoError(t, st.TouchToken(ctx, store.HashToken(token), t0.Add(30*time.Second)))
		got, err := st.Token(ctx, info.ID)
		require.NoError(t, err)
		require.NotNil(t, got.LastUsedAt)
		assert.True(t, t0.Equal(*got.LastUsedAt), "%v", got.LastUsedAt)
		require.NoError(t, st.TouchToken(ctx, store.HashToken(token), t0.Add(time.Minute)))
		got, _ = st.Token(ctx, info.ID)
		assert.True(t, t0.Add(time.Minute).Equal(*got.LastUsedAt), "%v", got.LastUsedAt)

		// Listed by user, by Caf, or all.
		other, _, err := st.IssueToken(ctx, "", "csu.demo", "plateforme", time.Hour)
		require.NoError(t, err)
		ids := func(f store.TokenFilter) []uint {
			list, err := st.Tokens(ctx, f)
			require.NoError(t, err)
			var out []uint
			for _, it := range list {
				out = append(out, it.ID)
			}
			return out
		}
		assert.Equal(t, []uint{info.ID}, ids(store.TokenFilter{Login: "GCA.demo"}))
		assert.Equal(t, []uint{info.ID, other.ID}, ids(store.TokenFilter{Cafs: []string{"071"}}))
		assert.Equal(t, []uint{other.ID}, ids(store.TokenFilter{Cafs: []string{"074"}}))
		assert.Empty(t, ids(store.TokenFilter{Cafs: []string{"999"}}))
		assert.Equal(t, []uint{info.ID, other.ID}, ids(store.TokenFilter{}))

		// Revoked: authenticates no more; revoking again keeps the first.
		_, err = st.Authenticate(ctx, token, time.Now())
		require.NoError(t, err)
		revoked, err := st.RevokeToken(ctx, "", info.ID, t0)
		require.NoError(t, err)
		require.NotNil(t, revoked.RevokedAt)
		_, err = st.Authenticate(ctx, token, time.Now())
		assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err))
		again, err := st.RevokeToken(ctx, "", info.ID, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.True(t, revoked.RevokedAt.Equal(*again.RevokedAt))
		_, err = st.RevokeToken(ctx, "", 999999, t0)
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err))

		cafs, err := st.UserCafs(ctx, "csu.demo")
		require.NoError(t, err)
		assert.Equal(t, []string{"042", "043", "071", "074"}, cafs)
	})
}
