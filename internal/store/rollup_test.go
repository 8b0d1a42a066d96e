package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"recours/internal/domain"
	"recours/internal/figures"
	"recours/internal/store"
	"recours/internal/testutil"
)

func rollup(t *testing.T, st *store.Store) figures.Changes {
	t.Helper()
	counts, err := st.Rollup(context.Background())
	require.NoError(t, err)
	return counts
}

// A database of the released schema, with files, gets the rollup of
// those files and loses the figures' covering indexes when it migrates.
func TestMigration_FiguresRollup_FillsTheRollupFromTheFilesThere(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			st, err := store.Open(db.URL(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, store.MigrateInitial(st))
			received := time.Date(2021, 3, 31, 22, 30, 0, 0, time.UTC) // 1 April in Paris
			answered, days := received.AddDate(0, 0, 3), 3
			legal := received.AddDate(0, 0, 15)
			rows := []store.CaseRow{
				{ID: "01a20000-0000-7000-8000-000000000101", Kind: string(domain.KindComplaint), Caf: "071",
					Status: "answered", SLAStatus: "met", Channel: "phone", Benefit: "rsa", Reason: "other",
					ReceivedAt: received, AnsweredAt: &answered, LegalDue: &legal, AckStatus: "met",
					ElapsedDays: &days, ElapsedDaysRaw: &days, Version: 3, Data: "{}"},
				{ID: "01a20000-0000-7000-8000-000000000102", Kind: string(domain.KindComplaint), Caf: "071",
					Status: "open", SLAStatus: "on_time", Channel: "email", Benefit: "ppa", Reason: "other",
					ReceivedAt: received, LegalDue: &legal, Version: 1, Data: "{}"},
			}
			// The released schema has no rollup: the rows go in as they did then.
			require.NoError(t, store.DB(st).Session(&gorm.Session{SkipHooks: true}).Create(&rows).Error)
			require.NoError(t, st.Migrate(context.Background()))

			got := rollup(t, st)
			april1 := figures.DayNumber(2021, time.April, 1)
			assert.Equal(t, int64(2), got[figures.Key{Caf: "071", Measure: figures.Received, Day: april1}])
			assert.Equal(t, int64(1), got[figures.Key{Caf: "071", Measure: figures.Handled, Day: april1 + 3}])
			assert.Equal(t, int64(2), got[figures.Key{Caf: "071", Measure: figures.Open, Day: april1}])
			assert.Equal(t, int64(-1), got[figures.Key{Caf: "071", Measure: figures.Open, Day: april1 + 3}])
			require.NoError(t, st.RebuildRollup(context.Background()))
			assert.Equal(t, got, rollup(t, st))
			for _, ix := range []string{"ix_cases_received", "ix_cases_answered", "ix_cases_mediations", "ix_cases_implicit_rejection"} {
				assert.False(t, store.DB(st).Migrator().HasIndex(&store.CaseRow{}, ix), ix)
			}
			assert.True(t, store.DB(st).Migrator().HasIndex(&store.CaseRow{}, "ix_cases_caf_id"))
		})
	}
}

// The rollup kept before the acknowledgment figure counted only written
// complaints is rebuilt by the migration that changed it: the phone
// complaint's acknowledgment leaves the figure, the letter's stays.
func TestMigration_WrittenAcknowledgments_RebuildsTheRollup(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			st, err := store.Open(db.URL(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			// Before 202612040001_figures_written_acknowledgments and what came after.
			require.NoError(t, store.MigrateBefore(st, "202612040001_figures_written_acknowledgments"))
			received := time.Date(2021, 3, 31, 22, 30, 0, 0, time.UTC) // 1 April in Paris
			legal := received.AddDate(0, 0, 15)
			rows := []store.CaseRow{
				{ID: "01a20000-0000-7000-8000-000000000201", Kind: string(domain.KindComplaint), Caf: "071",
					Status: "open", SLAStatus: "on_time", Channel: "phone", Benefit: "rsa", Reason: "other",
					ReceivedAt: received, LegalDue: &legal, AckStatus: "met", Version: 1, Data: "{}"},
				{ID: "01a20000-0000-7000-8000-000000000202", Kind: string(domain.KindComplaint), Caf: "071",
					Status: "open", SLAStatus: "on_time", Channel: "letter", Benefit: "rsa", Reason: "other",
					ReceivedAt: received, LegalDue: &legal, AckStatus: "met", Version: 1, Data: "{}"},
			}
			require.NoError(t, st.BulkInsertCases(context.Background(), rows))
			april1 := figures.DayNumber(2021, time.April, 1)
			ack := figures.Key{Caf: "071", Measure: figures.Acknowledgment, Day: april1, Value: "met"}
			// What the sums held before: both acknowledgments.
			require.NoError(t, store.DB(st).Exec("UPDATE figures_rollup SET n = 2 WHERE caf = ? AND measure = ? AND day = ? AND value = ?",
				ack.Caf, string(ack.Measure), ack.Day, ack.Value).Error)
			require.Equal(t, int64(2), rollup(t, st)[ack])

			require.NoError(t, st.Migrate(context.Background()))
			got := rollup(t, st)
			assert.Equal(t, int64(1), got[ack], "the letter's acknowledgment only")
			assert.Equal(t, int64(2), got[figures.Key{Caf: "071", Measure: figures.Received, Day: april1}])
		})
	}
}
