package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// record appends n reads of files of Caf 071 to the trail.
func record(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, st.RecordAccess(context.Background(), store.AccessEntry{At: t0.Add(time.Duration(i) * time.Second),
			Actor: "gca.demo", IP: "10.0.0.1", CaseID: fmt.Sprintf("01a20000-0000-7000-8000-%012d", i), Caf: "071", What: "detail"}))
	}
}

func trailEntries(t *testing.T, st *store.Store) []store.AccessEntry {
	t.Helper()
	var all []store.AccessEntry
	require.NoError(t, store.DB(st).Order("id").Find(&all).Error)
	return all
}

// rewrite replaces the whole trail by entries, as someone with access to
// the database would.
func rewrite(t *testing.T, st *store.Store, entries []store.AccessEntry) {
	t.Helper()
	require.NoError(t, store.DB(st).Exec("DELETE FROM access_trail").Error)
	require.NoError(t, store.DB(st).Create(&entries).Error)
}

// rechain numbers entries from 1 and chains them again, each hash made by
// hash from the entry and the previous hash.
func rechain(entries []store.AccessEntry, hash func(e store.AccessEntry) string) []store.AccessEntry {
	prev := ""
	for i := range entries {
		entries[i].ID, entries[i].PrevHash = uint64(i+1), prev
		entries[i].Hash = hash(entries[i])
		prev = entries[i].Hash
	}
	return entries
}

func without(entries []store.AccessEntry, id uint64) []store.AccessEntry {
	var out []store.AccessEntry
	for _, e := range entries {
		if e.ID != id {
			out = append(out, e)
		}
	}
	return out
}

func check(t *testing.T, st *store.Store) store.TrailCheck {
	t.Helper()
	c, err := st.CheckAccessTrail(context.Background(), nil)
	require.NoError(t, err)
	return c
}

func TestAccessTrail_KeyedChainVerifiesAndIdsFollowEachOther(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 4)
		c := check(t, st)
		assert.Equal(t, int64(4), c.Entries)
		assert.Zero(t, c.NBreaks)
		assert.Zero(t, c.NGaps)
		assert.Equal(t, uint64(4), c.Last.ID)
		for i, e := range trailEntries(t, st) {
			assert.Equal(t, uint64(i+1), e.ID)
			assert.Equal(t, store.ChainKeyed, e.Chain)
			assert.Equal(t, store.TrailKeyID(testutil.TrailKey), e.KeyID)
			assert.Len(t, e.KeyID, 8)
		}
		head, err := st.AccessTrailHead(context.Background())
		require.NoError(t, err)
		assert.Equal(t, store.AccessHead{ID: 4, Hash: c.Last.Hash, Count: 4}, head)
	})
}

// Without the key, nobody can chain the trail again: an entry removed and
// the chain computed again with the public formula, or with another key,
// breaks it.
func TestAccessTrail_RemovedEntryRechainedWithoutTheKey_IsFound(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 5)
		entries := trailEntries(t, st)

		rewrite(t, st, rechain(without(entries, 3), func(e store.AccessEntry) string {
			e.Chain = store.ChainLegacy // the public formula, the entry still said keyed
			return store.EntryHash(nil, e)
		}))
		c := check(t, st)
		require.NotZero(t, c.NBreaks, "the unkeyed formula")
		assert.Equal(t, store.TrailBreak{ID: 1, Reason: store.BreakHash}, c.Breaks[0])
		n, broken, err := st.VerifyAccessTrail(context.Background())
		require.NoError(t, err)
		assert.Equal(t, uint64(1), broken)
		assert.Zero(t, n)

		other := []byte(strings.Repeat("k", 32))
		rewrite(t, st, rechain(without(entries, 3), func(e store.AccessEntry) string { return store.EntryHash(other, e) }))
		c = check(t, st)
		assert.Equal(t, int64(4), c.NBreaks, "another key: every entry")
		assert.Equal(t, store.BreakHash, c.Breaks[0].Reason)

		rewrite(t, st, rechain(without(entries, 3), func(e store.AccessEntry) string { return store.EntryHash(testutil.TrailKey, e) }))
		assert.Zero(t, check(t, st).NBreaks, "whoever holds the key can: the checkpoints are for that")
	})
}

// An entry removed leaves a hole in the ids, even to whoever chains the
// trail again with the key without numbering it again; each is named.
func TestAccessTrail_AGapInTheIdsIsReported(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 6)
		entries := without(without(trailEntries(t, st), 3), 4)
		prev := ""
		for i := range entries {
			entries[i].PrevHash = prev
			entries[i].Hash = store.EntryHash(testutil.TrailKey, entries[i])
			prev = entries[i].Hash
		}
		rewrite(t, st, entries)
		c := check(t, st)
		assert.Zero(t, c.NBreaks)
		assert.Equal(t, []store.TrailGap{{From: 3, To: 4}}, c.Gaps)

		// The oldest removed: a hole from 1.
		require.NoError(t, store.DB(st).Exec("DELETE FROM access_trail WHERE id = 1").Error)
		c = check(t, st)
		assert.Equal(t, store.TrailGap{From: 1, To: 1}, c.Gaps[0])
		assert.Equal(t, store.TrailBreak{ID: 2, Reason: store.BreakLink}, c.Breaks[0], "the second entry's link names the first")
	})
}

// A write that fails after taking the lock leaves no hole: the ids are the
// last entry's plus one, not a sequence's, which a rollback does not give
// back on PostgreSQL.
func TestAccessTrail_AFailedWriteLeavesNoGap(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 2)
		testutil.FailInserts(t, st, "access_trail")
		require.Error(t, st.RecordAccess(context.Background(), store.AccessEntry{At: t0, Actor: "gca.demo", CaseID: "x", Caf: "071", What: "detail"}))
		drop := "DROP TRIGGER fail_inserts ON access_trail"
		if store.DB(st).Dialector.Name() == "sqlite" {
			drop = "DROP TRIGGER fail_inserts"
		}
		require.NoError(t, store.DB(st).Exec(drop).Error)
		record(t, st, 1)
		c := check(t, st)
		assert.Zero(t, c.NGaps)
		assert.Zero(t, c.NBreaks)
		assert.Equal(t, uint64(3), c.Last.ID)
	})
}

func TestAccessTrail_WithoutAKeyNothingIsWritten(t *testing.T) {
	st, err := store.Open(testutil.SQLiteURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	err = st.RecordAccess(context.Background(), store.AccessEntry{At: t0, Actor: "gca.demo", CaseID: "x", Caf: "071", What: "detail"})
	assert.ErrorContains(t, err, "no key")
	assert.Error(t, st.SetTrailKey([]byte("short")), "32 bytes at least")
}

// The entries written before the trail had a key stay verifiable, with
// their holes, as its beginning only: an unkeyed entry after a keyed one
// breaks the chain.
func TestAccessTrail_LegacyEntriesThenKeyedOnesVerify(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		// Back to the shape before the key: no chain, no key id.
		m := store.DB(st).Migrator()
		require.NoError(t, m.DropColumn(&store.AccessEntry{}, "KeyID"))
		require.NoError(t, m.DropColumn(&store.AccessEntry{}, "Chain"))
		require.NoError(t, store.DB(st).Exec("DELETE FROM migrations WHERE id = ?", "202612090001_access_trail_keyed").Error)
		prev := ""
		for _, id := range []uint64{1, 2, 4} { // 3: a write rolled back, its id drawn
			e := store.AccessEntry{ID: id, At: t0.Add(time.Duration(id) * time.Minute), Actor: "gca.demo", IP: "10.0.0.1",
				CaseID: fmt.Sprintf("c%d", id), Caf: "071", What: "detail", PrevHash: prev, Chain: store.ChainLegacy}
			e.Hash = store.EntryHash(nil, e)
			require.NoError(t, store.DB(st).Exec("INSERT INTO access_trail (id, at, actor, ip, case_id, caf, what, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				e.ID, e.At, e.Actor, e.IP, e.CaseID, e.Caf, e.What, e.PrevHash, e.Hash).Error)
			prev = e.Hash
		}
		require.NoError(t, st.Migrate(context.Background()))

		record(t, st, 2)
		entries := trailEntries(t, st)
		require.Len(t, entries, 5)
		assert.Equal(t, store.ChainLegacy, entries[2].Chain, "the entries there stay legacy")
		assert.Equal(t, store.ChainKeyed, entries[3].Chain)
		assert.Equal(t, uint64(5), entries[3].ID, "after the last id")
		c := check(t, st)
		assert.Zero(t, c.NBreaks)
		assert.Equal(t, int64(5), c.Entries)
		assert.Equal(t, int64(3), c.Legacy)
		assert.Equal(t, []store.TrailGap{{From: 3, To: 3, Legacy: true}}, c.Gaps, "a legacy hole, said as such")

		// A legacy entry after a keyed one, chained right by the public formula.
		last := entries[4]
		e := store.AccessEntry{ID: 8, At: t0, Actor: "gca.demo", CaseID: "forged", Caf: "071", What: "detail", PrevHash: last.Hash, Chain: store.ChainLegacy}
		e.Hash = store.EntryHash(nil, e)
		require.NoError(t, store.DB(st).Create(&e).Error)
		c = check(t, st)
		assert.Equal(t, []store.TrailBreak{{ID: 8, Reason: store.BreakUnkeyed}}, c.Breaks)
		require.Len(t, c.Gaps, 2)
		assert.Equal(t, store.TrailGap{From: 7, To: 7}, c.Gaps[1], "not a legacy hole: after the keyed entries")

		// A legacy entry altered breaks, keyed entries after it or not.
		require.NoError(t, store.DB(st).Exec("DELETE FROM access_trail WHERE id = 8").Error)
		require.NoError(t, store.DB(st).Exec("UPDATE access_trail SET actor = 'someone.else' WHERE id = 2").Error)
		assert.Equal(t, []store.TrailBreak{{ID: 2, Reason: store.BreakHash}}, check(t, st).Breaks)
	})
}
