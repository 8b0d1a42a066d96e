package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// eachStore runs test on a migrated, seeded store of each database, after
// checking that migrating and seeding again change nothing.
func eachStore(t *testing.T, test func(t *testing.T, st *store.Store)) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		require.NoError(t, st.Migrate(ctx), "migrating twice is a no-op")
		require.NoError(t, st.SeedDemo(ctx), "seeding twice is a no-op")
		test(t, st)
	})
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newFile(id string) domain.Case {
	return domain.NewComplaintCase(id, domain.NewComplaint{
		Caf: "071", Claimant: domain.Claimant{Number: "1234567"}, Channel: "online",
		Benefit: "rsa", Reason: "other", Subject: "Objet", Description: "Description",
	}, t0, domain.DefaultPolicy())
}

func change(seq int64, action string, notes ...domain.Notification) domain.Change {
	return domain.Change{Event: domain.Event{Seq: seq, At: t0.Add(time.Duration(seq) * time.Minute), Actor: "gca.demo", Action: action}, Notifications: notes}
}

func count(t *testing.T, st *store.Store, table, id string) int64 {
	var n int64
	require.NoError(t, store.DB(st).Table(table).Where("case_id = ?", id).Count(&n).Error)
	return n
}

func TestSave_RetryWritesNothingTwice(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-000000000001"
		rec := store.Record{Case: newFile(id), Changes: []domain.Change{
			change(1, "created"),
			change(2, "target_missed", domain.Notification{Recipient: "role:manager", Kind: "target_missed"}),
		}}
		require.NoError(t, st.Save(ctx, rec))
		require.NoError(t, st.Save(ctx, rec), "a retried save succeeds")
		assert.Equal(t, int64(2), count(t, st, "case_events", id))
		assert.Equal(t, int64(1), count(t, st, "notifications", id))
		events, err := st.Events(ctx, id)
		require.NoError(t, err)
		require.Len(t, events, 2)
		assert.Equal(t, "target_missed", events[1].Action)
	})
}

func TestSave_ALateWriteNeverOverwritesANewerState(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-000000000002"
		older := newFile(id)
		newer := older.Clone()
		newer.Status = domain.StatusAssigned
		newer.Assignee = "gca.demo"
		require.NoError(t, st.Save(ctx, store.Record{Case: older, Changes: []domain.Change{change(1, "created")}}))
		require.NoError(t, st.Save(ctx, store.Record{Case: newer, Changes: []domain.Change{change(2, "assign")}}))
		// The first write retried after the second: its event exists, the
		// projection keeps the newer state.
		require.NoError(t, st.Save(ctx, store.Record{Case: older, Changes: []domain.Change{change(1, "created")}}))
		got, err := st.Case(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, domain.StatusAssigned, got.Status)
		assert.Equal(t, "gca.demo", got.Assignee)
	})
}

func TestCases_FiltersAndPagesNewestFirst(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ids := []string{
			"01a20000-0000-7000-8000-00000000000a", "01a20000-0000-7000-8000-00000000000b",
			"01a20000-0000-7000-8000-00000000000c",
		}
		for i, id := range ids {
			f := newFile(id)
			if i == 1 {
				f.Caf = "074"
			}
			require.NoError(t, st.Save(ctx, store.Record{Case: f, Changes: []domain.Change{change(1, "created")}}))
		}
		page, next, err := st.Cases(ctx, store.CaseFilter{Cafs: []string{"071", "074"}, Limit: 2})
		require.NoError(t, err)
		require.Len(t, page, 2)
		assert.Equal(t, ids[2], page[0].ID)
		assert.Equal(t, ids[1], next)
		rest, next, err := st.Cases(ctx, store.CaseFilter{Cafs: []string{"071", "074"}, Limit: 2, Cursor: next})
		require.NoError(t, err)
		require.Len(t, rest, 1)
		assert.Equal(t, ids[0], rest[0].ID)
		assert.Empty(t, next)
		only071, _, err := st.Cases(ctx, store.CaseFilter{Cafs: []string{"071"}, Limit: 50})
		require.NoError(t, err)
		assert.Len(t, only071, 2)
		none, _, err := st.Cases(ctx, store.CaseFilter{Limit: 50})
		require.NoError(t, err)
		assert.Empty(t, none, "no readable Caf, no file")
		byNumber, _, err := st.SearchCases(ctx, store.CaseFilter{Cafs: []string{"071"}, Query: "1234567", Limit: 50}, 0)
		require.NoError(t, err)
		assert.Len(t, byNumber, 2)
	})
}

func TestTokens_ExpiredAndRevokedAreRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tok, err := st.CreateToken(ctx, "gca.demo", "test", time.Hour)
		require.NoError(t, err)
		u, err := st.Authenticate(ctx, tok, time.Now())
		require.NoError(t, err)
		assert.Equal(t, "gca.demo", u.Login)
		_, err = st.Authenticate(ctx, tok, time.Now().Add(2*time.Hour))
		assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "expired")
		var stored int64
		require.NoError(t, store.DB(st).Table("api_tokens").Where("hash = ?", tok).Count(&stored).Error)
		assert.Zero(t, stored, "the token itself is never stored")
		require.NoError(t, store.DB(st).Table("api_tokens").Where("hash = ?", store.HashToken(tok)).Update("revoked_at", time.Now()).Error)
		_, err = st.Authenticate(ctx, tok, time.Now())
		assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "revoked")
		_, err = st.CreateToken(ctx, "nobody", "test", time.Hour)
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err))
	})
}
