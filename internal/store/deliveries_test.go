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

func TestPartner_UpsertAndSecret(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()

		_, err := st.PartnerSecret(ctx, "ddd-nord")
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "an unknown partner is not found")

		require.NoError(t, st.UpsertPartner(ctx, "ddd-nord", "DDD Nord", "s3cret"))
		secret, err := st.PartnerSecret(ctx, "ddd-nord")
		require.NoError(t, err)
		assert.Equal(t, "s3cret", secret)

		require.NoError(t, st.UpsertPartner(ctx, "ddd-nord", "DDD Hauts-de-France", "rotated"), "upserting again updates")
		secret, err = st.PartnerSecret(ctx, "ddd-nord")
		require.NoError(t, err)
		assert.Equal(t, "rotated", secret)
		var p store.Partner
		require.NoError(t, store.DB(st).Where("code = ?", "ddd-nord").Take(&p).Error)
		assert.Equal(t, "DDD Hauts-de-France", p.Name)
		var n int64
		require.NoError(t, store.DB(st).Model(&store.Partner{}).Where("code = ?", "ddd-nord").Count(&n).Error)
		assert.EqualValues(t, 1, n)

		err = st.UpsertPartner(ctx, "ddd-sud", "DDD Sud", "")
		assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "a partner needs a secret")
	})
}

func TestDeliveryAttempts_RecordedInOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-0000000000d1"
		other := "01a20000-0000-7000-8000-0000000000d2"
		url := "https://ddd.example/callback"
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))

		none, err := st.DeliveryAttempts(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, none)

		// Written out of order: listed by attempt.
		require.NoError(t, st.RecordDeliveryAttempt(ctx, store.DeliveryAttempt{CaseID: id, Attempt: 2, URL: url, StatusCode: 500, Error: "HTTP 500", At: at.Add(time.Second)}))
		require.NoError(t, st.RecordDeliveryAttempt(ctx, store.DeliveryAttempt{CaseID: id, Attempt: 1, URL: url, Error: "délai dépassé", At: at}))
		require.NoError(t, st.RecordDeliveryAttempt(ctx, store.DeliveryAttempt{CaseID: id, Attempt: 3, URL: url, StatusCode: 204, Delivered: true}))
		require.NoError(t, st.RecordDeliveryAttempt(ctx, store.DeliveryAttempt{CaseID: other, Attempt: 1, URL: url, StatusCode: 200, Delivered: true, At: at}))

		got, err := st.DeliveryAttempts(ctx, id)
		require.NoError(t, err)
		require.Len(t, got, 3)
		for i, a := range got {
			assert.Equal(t, int32(i+1), a.Attempt)
			assert.Equal(t, id, a.CaseID)
			assert.Equal(t, url, a.URL)
			assert.NotZero(t, a.ID)
			assert.False(t, a.At.IsZero(), "a zero At is stamped")
		}
		assert.Equal(t, []int{0, 500, 204}, []int{got[0].StatusCode, got[1].StatusCode, got[2].StatusCode})
		assert.Equal(t, []bool{false, false, true}, []bool{got[0].Delivered, got[1].Delivered, got[2].Delivered})
		assert.Equal(t, "délai dépassé", got[0].Error)
		assert.True(t, got[0].At.Equal(at), "At kept: %v", got[0].At)
	})
}
