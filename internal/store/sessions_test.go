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

func TestSessions_HashedExpiredAndDeleted(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		gca, err := st.UserByLogin(ctx, "gca.demo")
		require.NoError(t, err)
		now := time.Now().UTC()

		id, sess, err := st.CreateSession(ctx, gca.ID, "the.id.token", now, 0)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(id), 43, "32 random bytes")
		assert.GreaterOrEqual(t, len(sess.CSRF), 43, "32 random bytes")
		assert.Equal(t, store.HashSessionID(id), sess.ID)
		assert.WithinDuration(t, now.Add(store.DefaultSessionTTL), sess.ExpiresAt, time.Second, "8 h by default")

		var stored int64
		require.NoError(t, store.DB(st).Model(&store.Session{}).Where("id = ?", id).Count(&stored).Error)
		assert.Zero(t, stored, "the session id itself is never stored")

		u, got, err := st.SessionUser(ctx, store.HashSessionID(id), now.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, "gca.demo", u.Login)
		assert.Equal(t, sess.CSRF, got.CSRF)
		assert.Equal(t, "the.id.token", got.IDToken)

		_, _, err = st.SessionUser(ctx, store.HashSessionID(id), now.Add(store.DefaultSessionTTL))
		assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "expired: the expiry is absolute")
		_, _, err = st.SessionUser(ctx, id, now)
		assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "the id is not its hash")

		require.NoError(t, st.DeleteSession(ctx, store.HashSessionID(id)))
		_, _, err = st.SessionUser(ctx, store.HashSessionID(id), now)
		assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "deleted")
		require.NoError(t, st.DeleteSession(ctx, store.HashSessionID(id)), "deleting twice is no error")

		// A short session, then another sign-in later: the expired one is purged.
		short, _, err := st.CreateSession(ctx, gca.ID, "", now, time.Minute)
		require.NoError(t, err)
		_, _, err = st.CreateSession(ctx, gca.ID, "", now.Add(2*time.Minute), 0)
		require.NoError(t, err)
		require.NoError(t, store.DB(st).Model(&store.Session{}).Where("id = ?", store.HashSessionID(short)).Count(&stored).Error)
		assert.Zero(t, stored, "expired sessions are purged")
	})
}

func TestSessions_AgentByEmail(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		require.NoError(t, store.DB(st).Model(&store.User{}).Where("login = ?", "gca.demo").Update("email", "Gaelle.Caron@caf.example").Error)
		u, err := st.AgentByEmail(ctx, "  gaelle.caron@CAF.example ")
		require.NoError(t, err)
		assert.Equal(t, "gca.demo", u.Login, "matched without regard to case")

		_, err = st.AgentByEmail(ctx, "nobody@caf.example")
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err))
		_, err = st.AgentByEmail(ctx, "")
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err))

		require.NoError(t, store.DB(st).Model(&store.User{}).Where("login = ?", "ddd.demo").Update("email", "liaison@ddd.example").Error)
		_, err = st.AgentByEmail(ctx, "liaison@ddd.example")
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "a partner's account is no agent")

		err = store.DB(st).Model(&store.User{}).Where("login = ?", "manager.demo").Update("email", "gaelle.caron@caf.example").Error
		assert.Error(t, err, "one email, one account, in any case: even a write around the store is refused")
		u, err = st.AgentByEmail(ctx, "gaelle.caron@caf.example")
		require.NoError(t, err)
		assert.Equal(t, "gca.demo", u.Login)
	})
}
