package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/importer"
	"recours/internal/store"
)

// TestImportedFilesAreReadFromTheirColumns: a file of history has no JSON
// document; the store builds it from its columns, as the API shows it.
func TestImportedFilesAreReadFromTheirColumns(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		csv := "reference,kind,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n" +
			"H-1,complaint,071,online,rsa,other,,2025-01-10,2025-01-20,2025-01-21,,3\n" +
			"H-2,mediation,071,,rsa,other,claimant,2025-02-10,2025-03-20,2025-03-21,maintained,\n" +
			"H-3,complaint,071,phone,rsa,other,,2025-01-10,,2025-05-21,,\n"
		_, err := importer.Import(ctx, st, "071", strings.NewReader(csv), importer.Options{})
		require.NoError(t, err)
		var rows []store.CaseRow
		require.NoError(t, store.DB(st).Where("imported").Order("reference").Find(&rows).Error)
		require.Len(t, rows, 3)
		files := map[string]domain.Case{}
		for _, row := range rows {
			assert.Empty(t, row.Data, "no document for history")
			c, err := st.Case(ctx, row.ID)
			require.NoError(t, err)
			files[*row.Reference] = c
		}

		answered := files["H-1"]
		assert.Equal(t, domain.KindComplaint, answered.Kind)
		assert.Equal(t, "071", answered.Caf)
		assert.Equal(t, domain.StatusClosed, answered.Status)
		assert.Equal(t, "Historique importé, réf. H-1", answered.Subject)
		assert.Equal(t, domain.Channel("online"), answered.Channel)
		require.NotNil(t, answered.ElapsedDaysRaw)
		assert.Equal(t, 10, *answered.ElapsedDaysRaw)
		assert.Equal(t, 7, *answered.ElapsedDaysAdjusted, "3 paused days")
		assert.Equal(t, int64(3*86400), answered.PausedSeconds)
		require.NotNil(t, answered.AnsweredAt)
		assert.Equal(t, time.UTC, answered.ReceivedAt.Location())
		assert.NotNil(t, answered.Deadlines, "an empty list, not null")

		decided := files["H-2"]
		assert.Equal(t, domain.KindMediation, decided.Kind)
		assert.Equal(t, "claimant", decided.Origin)
		assert.Equal(t, "maintained", decided.Outcome)
		assert.NotNil(t, decided.DecidedAt)
		assert.Nil(t, decided.AnsweredAt)

		unanswered := files["H-3"]
		assert.Nil(t, unanswered.AnsweredAt)
		assert.NotNil(t, unanswered.ImplicitRejectionAt, "closed four months after receipt without answer")
		assert.NotNil(t, unanswered.ClosedAt)
	})
}

// TestCasesListsLiveFilesAndHistoryTogether: a Caf's list holds its live
// files and its imported history, newest first, page after page.
func TestCasesListsLiveFilesAndHistoryTogether(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		csv := "reference,kind,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n" +
			"L-1,complaint,071,online,rsa,other,,2025-01-10,2025-01-20,2025-01-21,,\n" +
			"L-2,complaint,071,online,rsa,other,,2025-01-11,2025-01-20,2025-01-21,,\n"
		// Live files before and after the import: ids are time-ordered.
		before := newFile("01a00000-0000-7000-8000-000000000001")
		require.NoError(t, st.Save(ctx, store.Record{Case: before, Changes: []domain.Change{change(1, "created")}}))
		_, err := importer.Import(ctx, st, "071", strings.NewReader(csv), importer.Options{})
		require.NoError(t, err)
		after := newFile("ffa00000-0000-7000-8000-000000000001")
		after.Assignee = "gca.demo"
		require.NoError(t, st.Save(ctx, store.Record{Case: after, Changes: []domain.Change{change(1, "created")}}))

		var ids []string
		cursor := ""
		for range 4 {
			page, next, err := st.Cases(ctx, store.CaseFilter{Cafs: []string{"071"}, Limit: 3, Cursor: cursor})
			require.NoError(t, err)
			for _, c := range page {
				ids = append(ids, c.ID)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		require.Len(t, ids, 4, "two live files and two of history, each once")
		assert.Equal(t, after.ID, ids[0])
		assert.Equal(t, before.ID, ids[3])
		assert.IsDecreasing(t, ids, "newest first")

		mine, _, err := st.Cases(ctx, store.CaseFilter{Cafs: []string{"071"}, Assignee: "gca.demo", Limit: 10})
		require.NoError(t, err)
		require.Len(t, mine, 1)
		assert.Equal(t, after.ID, mine[0].ID)
		closed, _, err := st.Cases(ctx, store.CaseFilter{Cafs: []string{"071"}, Status: "closed", Limit: 10})
		require.NoError(t, err)
		assert.Len(t, closed, 2, "the history, closed")
	})
}
