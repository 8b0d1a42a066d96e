package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/store"
)

// TestMessagesMigrationUpgradesAReleasedDatabase: a database of the first
// release (no messages, notices or threshold; its permissions seeded)
// gains them, and the permissions on notices, by the new migration alone.
func TestMessagesMigrationUpgradesAReleasedDatabase(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		_, err := authz.Seed(ctx, st)
		require.NoError(t, err)
		// Back to the released shape.
		m := store.DB(st).Migrator()
		require.NoError(t, m.DropTable("overpayment_disputes", "overpayments", "claimant_messages"))
		require.NoError(t, m.DropColumn(&store.Organisation{}, "MediatorContact"))
		require.NoError(t, m.DropColumn(&store.Organisation{}, "OverpaymentThresholdCents"))
		require.NoError(t, store.DB(st).Where("v2 = ?", "overpayment").Delete(&store.CasbinRule{}).Error)
		require.NoError(t, store.DB(st).Exec("DELETE FROM migrations WHERE id = ?", "202611220003_messages_overpayments").Error)

		require.NoError(t, st.Migrate(ctx))
		for _, table := range []string{"overpayment_disputes", "overpayments", "claimant_messages"} {
			assert.True(t, m.HasTable(table), table)
		}
		o, err := st.Organisation(ctx, "071")
		require.NoError(t, err)
		assert.Equal(t, int64(domain.DefaultOverpaymentThresholdCents), o.OverpaymentThresholdCents, "existing Cafs get the national threshold")
		var rules int64
		require.NoError(t, store.DB(st).Model(&store.CasbinRule{}).Where("v2 = ?", "overpayment").Count(&rules).Error)
		assert.Equal(t, int64(7), rules)
		assert.True(t, m.HasIndex(&store.CaseRow{}, "ux_cases_caf_reference"), "references unique within a Caf")
		assert.False(t, m.HasIndex(&store.CaseRow{}, "idx_cases_reference"), "not across Cafs")
	})
}

func TestMessageAttemptsAreCountedAndASentMessageStaysSent(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rec := store.ClaimantMessage{Key: "f1:acknowledgment:1", CaseID: "f1", Caf: "071", Kind: "acknowledgment", Version: 1,
			Channel: "email", Status: domain.MessageFailed, LastError: "421"}
		require.NoError(t, st.RecordMessageAttempt(ctx, rec))
		now := time.Now().UTC()
		rec.Status, rec.LastError, rec.SentAt = domain.MessageSent, "", &now
		require.NoError(t, st.RecordMessageAttempt(ctx, rec))
		rec.Status = domain.MessageFailed
		require.NoError(t, st.RecordMessageAttempt(ctx, rec))

		got, found, err := st.Message(ctx, rec.Key)
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, domain.MessageSent, got.Status, "a sent message is never marked failed")
		assert.Equal(t, 2, got.Attempts)
		_, found, err = st.Message(ctx, "unknown")
		require.NoError(t, err)
		assert.False(t, found)
	})
}
