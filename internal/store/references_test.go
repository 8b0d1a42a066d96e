package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// Registrations at once draw distinct references, numbered from 1 without
// gaps, each series on its own; on PostgreSQL the draws take no row lock
// (a sequence per series), on SQLite they queue behind its one writer.
func TestNextReference_ConcurrentDrawsAreDistinct(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		complaints := domain.ReferenceSeries{Caf: "071", Letter: domain.RefComplaint, Year: 2026}
		mediations := domain.ReferenceSeries{Caf: "071", Letter: domain.RefMediation, Year: 2026}
		const n = 40
		var mu sync.Mutex
		got := map[string]int{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				series := complaints
				if i%4 == 0 {
					series = mediations
				}
				ref, err := st.NextReference(ctx, series)
				assert.NoError(t, err)
				mu.Lock()
				got[ref]++
				mu.Unlock()
			})
		}
		wg.Wait()
		require.Len(t, got, n, "every draw its own reference")
		for i := 1; i <= 30; i++ {
			assert.Contains(t, got, complaints.Reference(int64(i)), "no gap")
		}
		for i := 1; i <= 10; i++ {
			assert.Contains(t, got, mediations.Reference(int64(i)), "no gap")
		}
		// The next year starts again at 1; another Caf has its own series.
		next, err := st.NextReference(ctx, domain.ReferenceSeries{Caf: "071", Letter: "R", Year: 2027})
		require.NoError(t, err)
		assert.Equal(t, "071-R-2027-000001", next)
		other, err := st.NextReference(ctx, domain.ReferenceSeries{Caf: "072", Letter: "R", Year: 2026})
		require.NoError(t, err)
		assert.Equal(t, "072-R-2026-000001", other)
	})
}

// A number an imported file holds as its reference is passed over.
func TestNextReference_PassesOverImportedReferences(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		series := domain.ReferenceSeries{Caf: "071", Letter: "R", Year: 2026}
		taken := series.Reference(1)
		require.NoError(t, store.DB(st).Exec(`INSERT INTO cases (id, kind, caf, status, sla_status, imported, reference, version, data, received_at, created_at, updated_at)
			VALUES ('01a20000-0000-7000-8000-0000000000aa', 'complaint', '071', 'closed', 'met', true, ?, 1, '', ?, ?, ?)`, taken, t0, t0, t0).Error)
		ref, err := st.NextReference(ctx, series)
		require.NoError(t, err)
		assert.Equal(t, series.Reference(2), ref)
	})
}

// saveFile saves a file with its first event, as its workflow would.
func saveFile(t *testing.T, st *store.Store, c domain.Case) {
	t.Helper()
	require.NoError(t, st.Save(context.Background(), store.Record{Case: c, Changes: []domain.Change{change(1, "created")}}))
}

func searched(t *testing.T, st *store.Store, cafs []string, q string) []string {
	t.Helper()
	files, _, err := st.SearchCases(context.Background(), store.CaseFilter{Cafs: cafs, Query: q, Limit: 50}, 0)
	require.NoError(t, err)
	var refs []string
	for _, f := range files {
		refs = append(refs, f.DisplayReference())
	}
	return refs
}

// A search finds a file by each key an agent may be given, best match
// first, and never in a Caf the caller may not read; both databases give
// the same answers.
func TestSearchCases_FindsByEachKey(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		files := []struct {
			caf, number, name, email, phone, ref string
		}{
			{"071", "1234567", "Lucie Garnier", "lucie.garnier@example.fr", "06 12 34 56 78", "071-R-2026-004512"},
			{"071", "7654321", "Hélène Lefèvre", "", "+33 7 00 00 00 01", "071-M-2026-0087"},
			{"071", "1111111", "Lucien Garnier", "", "", "071-R-2026-000012"},
			{"072", "2222222", "Lucie Garnier", "", "", "072-R-2026-004512"},
		}
		for i, f := range files {
			c := newFile(fmt.Sprintf("01a20000-0000-7000-8000-00000000010%d", i))
			c.Caf, c.Reference = f.caf, f.ref
			c.Claimant = domain.Claimant{Number: f.number, Name: f.name, Email: f.email, Phone: f.phone}
			saveFile(t, st, c)
		}
		require.NoError(t, store.DB(st).Exec(`INSERT INTO cases (id, kind, caf, status, sla_status, imported, reference, version, data, received_at, created_at, updated_at)
			VALUES ('01a20000-0000-7000-8000-0000000000aa', 'complaint', '071', 'closed', 'met', true, 'AB-2019-77', 1, '', ?, ?, ?)`, t0, t0, t0).Error)
		ours := []string{"071"}
		for q, want := range map[string][]string{
			"071-R-2026-004512":        {"071-R-2026-004512"},
			"071 r 2026 4512":          {"071-R-2026-004512"},
			"4512":                     {"071-R-2026-004512"},
			"004512":                   {"071-R-2026-004512"},
			"123 45 67":                {"071-R-2026-004512"},
			"lucie garnier":            {"071-R-2026-004512", "071-R-2026-000012"},
			"GARNIER Lucie":            {"071-R-2026-004512", "071-R-2026-000012"},
			"garn":                     {"071-R-2026-000012", "071-R-2026-004512"}, // newest first
			"helene lefevre":           {"071-M-2026-0087"},
			"Lefèv":                    {"071-M-2026-0087"},
			"Lucie.Garnier@example.FR": {"071-R-2026-004512"},
			"06 12 34 56 78":           {"071-R-2026-004512"},
			"0700000001":               {"071-M-2026-0087"},
			"AB-2019-77":               {"AB-2019-77"},
			"Dupont":                   nil,
			"lu":                       nil,
		} {
			assert.Equal(t, want, searched(t, st, ours, q), q)
		}
		// The exact name first, then the names that contain its words.
		assert.Equal(t, []string{"071-R-2026-004512", "071-R-2026-000012"}, searched(t, st, ours, "Garnier Lucie"))
		// Another Caf's files are found only by who may read it.
		assert.Equal(t, []string{"072-R-2026-004512"}, searched(t, st, []string{"072"}, "lucie garnier"))
		assert.Empty(t, searched(t, st, nil, "lucie garnier"))
	})
}

// A page of results and the next one share no file.
func TestSearchCases_Pages(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for i := range 5 {
			c := newFile(fmt.Sprintf("01a20000-0000-7000-8000-00000000020%d", i))
			c.Reference = domain.ReferenceSeries{Caf: "071", Letter: "R", Year: 2026}.Reference(int64(100 + i))
			c.Claimant.Name = "Jeanne Martin"
			saveFile(t, st, c)
		}
		f := store.CaseFilter{Cafs: []string{"071"}, Query: "martin", Limit: 3}
		first, more, err := st.SearchCases(ctx, f, 0)
		require.NoError(t, err)
		assert.True(t, more)
		second, more, err := st.SearchCases(ctx, f, 3)
		require.NoError(t, err)
		assert.False(t, more)
		require.Len(t, first, 3)
		require.Len(t, second, 2)
		assert.Equal(t, "071-R-2026-000104", first[0].Reference, "newest first among equals")
		assert.NotContains(t, []string{first[0].ID, first[1].ID, first[2].ID}, second[0].ID)
	})
}

// The files registered before references get theirs when the schema is
// migrated, in the order they were registered, with their search keys;
// the next registration takes the number after them.
func TestMigration_References_NumbersTheFilesThere(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(db.URL(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, store.MigrateBefore(st, "202612080001_references_search"))
			var rows []store.CaseRow
			for i, name := range []string{"Lucie Garnier", "Hélène Lefèvre"} {
				c := newFile(fmt.Sprintf("01a20000-0000-7000-8000-00000000030%d", i))
				c.Claimant.Name = name
				c.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
				data, err := json.Marshal(c)
				require.NoError(t, err)
				rows = append(rows, store.CaseRow{ID: c.ID, Kind: string(c.Kind), Caf: c.Caf, Status: string(c.Status),
					SLAStatus: string(c.SLAStatus), ClaimantNumber: c.Claimant.Number, ReceivedAt: c.ReceivedAt,
					Version: 1, Data: string(data), CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt})
			}
			require.NoError(t, st.BulkInsertCases(ctx, rows))
			require.NoError(t, st.Migrate(ctx))
			first, err := st.Case(ctx, rows[0].ID)
			require.NoError(t, err)
			assert.Equal(t, "071-R-2026-000001", first.Reference)
			assert.Equal(t, []string{"071-R-2026-000002"}, searched(t, st, []string{"071"}, "helene"))
			next, err := st.NextReference(ctx, domain.ReferenceSeries{Caf: "071", Letter: "R", Year: 2026})
			require.NoError(t, err)
			assert.Equal(t, "071-R-2026-000003", next)
			// A later save by the file's workflow, which knows no reference, keeps it.
			first.Reference, first.Status = "", domain.StatusAssigned
			require.NoError(t, st.Save(ctx, store.Record{Case: first, Changes: []domain.Change{change(2, "assigned")}}))
			again, err := st.Case(ctx, rows[0].ID)
			require.NoError(t, err)
			assert.Equal(t, "071-R-2026-000001", again.Reference)
			assert.Equal(t, []string{"071-R-2026-000001"}, searched(t, st, []string{"071"}, "1"))
		})
	}
}
