package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

func TestPartner_CreateRotateAndHosts(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		secret, err := store.NewPartnerSecret()
		require.NoError(t, err)
		assert.Len(t, secret, 43, "32 bytes, base64url without padding")
		other, err := store.NewPartnerSecret()
		require.NoError(t, err)
		assert.NotEqual(t, secret, other)

		p, err := st.CreatePartner(ctx, "ddd-nord", "DDD Nord", secret, []string{"ddd.example.fr", "*.nord.example.fr"})
		require.NoError(t, err)
		assert.Equal(t, "ddd-nord", p.Code)
		got, err := st.Partner(ctx, "ddd-nord")
		require.NoError(t, err)
		assert.Equal(t, secret, got.CallbackSecret)
		assert.Equal(t, []string{"ddd.example.fr", "*.nord.example.fr"}, got.Hosts())

		_, err = st.CreatePartner(ctx, "ddd-nord", "Autre", other, nil)
		assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "an existing code is refused")
		got, err = st.Partner(ctx, "ddd-nord")
		require.NoError(t, err)
		assert.Equal(t, secret, got.CallbackSecret, "and left as it was")
		assert.Equal(t, "DDD Nord", got.Name)
		for _, bad := range []struct{ code, name, secret string }{{"DDD Nord", "x", secret}, {"ddd-sud", "", secret}, {"ddd-sud", "DDD Sud", "short"}} {
			_, err := st.CreatePartner(ctx, bad.code, bad.name, bad.secret, nil)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%+v", bad)
		}

		require.NoError(t, st.RotatePartnerSecret(ctx, "ddd-nord", other))
		got, err = st.Partner(ctx, "ddd-nord")
		require.NoError(t, err)
		assert.Equal(t, other, got.CallbackSecret)
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(st.RotatePartnerSecret(ctx, "ddd-inconnu", other)))

		require.NoError(t, st.SetPartnerCallbackHosts(ctx, "ddd-nord", []string{"hooks.ddd.example.fr"}))
		got, err = st.Partner(ctx, "ddd-nord")
		require.NoError(t, err)
		assert.Equal(t, []string{"hooks.ddd.example.fr"}, got.Hosts())
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(st.SetPartnerCallbackHosts(ctx, "ddd-inconnu", nil)))

		list, err := st.Partners(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2, "the demo partner and ddd-nord")
		assert.Equal(t, store.DemoPartner, list[0].Code)
		assert.Equal(t, store.DemoPartnerHosts, list[0].CallbackHosts, "the demo partner's callbacks go to this machine")
		assert.Equal(t, "ddd-nord", list[1].Code)
		assert.False(t, list[1].CreatedAt.IsZero())
		b, err := json.Marshal(list)
		require.NoError(t, err)
		for _, s := range []string{other, secret, store.DemoPartnerSecret} {
			assert.NotContains(t, string(b), s, "a list never shows a secret")
		}

		// Seeding again keeps the demo partner's list as changed.
		require.NoError(t, st.SetPartnerCallbackHosts(ctx, store.DemoPartner, []string{"localhost"}))
		require.NoError(t, st.SeedDemo(ctx))
		demo, err := st.Partner(ctx, store.DemoPartner)
		require.NoError(t, err)
		assert.Equal(t, []string{"localhost"}, demo.Hosts())
	})
}

// A database released before the allow-lists: each partner's list starts
// with the hosts its referrals already named, so the decisions pending on
// them are still delivered; a partner with none gets an empty list.
func TestMigration_PartnerHosts_StartWithTheHostsReferralsNamed(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(db.URL(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, store.MigrateBefore(st, "202612090002_partner_callback_hosts"))
			require.NoError(t, st.UpsertPartner(ctx, "ddd-nord", "DDD Nord", "nord-secret"))
			require.NoError(t, st.UpsertPartner(ctx, "ddd-sud", "DDD Sud", "sud-secret"))
			for i, callback := range []string{"https://hooks.ddd.example.fr/cb?token=t", "", "http://127.0.0.1:9000/cb", "https://HOOKS.ddd.example.fr./other"} {
				c := newFile("01a20000-0000-7000-8000-00000000040" + string(rune('0'+i)))
				c.CallbackURL = callback
				data, err := json.Marshal(c)
				require.NoError(t, err)
				require.NoError(t, store.DB(st).Create(&store.CaseRow{ID: c.ID, Kind: string(c.Kind), Caf: c.Caf, Status: string(c.Status),
					SLAStatus: string(c.SLAStatus), ReceivedAt: c.ReceivedAt, Version: 1, Data: string(data),
					CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt}).Error)
				_, _, err = st.CreateReferral(ctx, store.Referral{DDDReference: "DDD-MIG-" + string(rune('0'+i)), CaseID: c.ID,
					Partner: "ddd-nord", SubmittedBy: "ddd.nord", RequestHash: "h"})
				require.NoError(t, err)
			}
			require.NoError(t, st.Migrate(ctx))
			nord, err := st.Partner(ctx, "ddd-nord")
			require.NoError(t, err)
			assert.Equal(t, []string{"hooks.ddd.example.fr", "127.0.0.1"}, nord.Hosts())
			sud, err := st.Partner(ctx, "ddd-sud")
			require.NoError(t, err)
			assert.Empty(t, sud.Hosts())
		})
	}
}
