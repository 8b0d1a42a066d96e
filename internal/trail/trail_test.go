package trail_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
	"recours/internal/trail"
)

var t0 = time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC)

func record(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, st.RecordAccess(context.Background(), store.AccessEntry{At: t0.Add(time.Duration(i) * time.Second),
			Actor: "gca.demo", IP: "10.0.0.1", CaseID: fmt.Sprintf("01a20000-0000-7000-8000-%012d", i), Caf: "071", What: "detail"}))
	}
}

// exec runs q on st's database, around the store, as someone with access
// to the database would.
func exec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	_, err := testutil.SQL(t, testutil.URLOf(t, st)).Exec(q, args...)
	require.NoError(t, err)
}

// entries is the whole trail, oldest first.
func entries(t *testing.T, st *store.Store) []store.AccessEntry {
	t.Helper()
	got, _, err := st.AccessEntries(context.Background(), store.AccessFilter{Cafs: []string{"071"}, Limit: 1000})
	require.NoError(t, err)
	slices.Reverse(got)
	return got
}

// rewrite replaces the trail by entries, without entry drop, numbered
// from 1 and chained again, each as its Chain says, keyed with key.
func rewrite(t *testing.T, st *store.Store, all []store.AccessEntry, drop uint64, key []byte) {
	t.Helper()
	exec(t, st, "DELETE FROM access_trail")
	prev, id := "", uint64(0)
	for _, e := range all {
		if e.ID == drop {
			continue
		}
		id++
		e.ID, e.PrevHash = id, prev
		e.Hash = store.EntryHash(key, e)
		exec(t, st, "INSERT INTO access_trail (id, at, actor, ip, case_id, caf, what, prev_hash, hash, chain, key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			e.ID, e.At, e.Actor, e.IP, e.CaseID, e.Caf, e.What, e.PrevHash, e.Hash, e.Chain, e.KeyID)
		prev = e.Hash
	}
}

// checkpointer checkpoints st's trail to a file of the test's.
func checkpointer(t *testing.T, st *store.Store) (*trail.Checkpointer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), trail.CheckpointsFileName)
	log, err := trail.OpenLog(path)
	require.NoError(t, err)
	at := t0
	return &trail.Checkpointer{Store: st, Key: testutil.TrailKey, Log: log, Writer: "api-1",
		Now: func() time.Time { at = at.Add(time.Minute); return at }}, path
}

func step(t *testing.T, c *trail.Checkpointer) bool {
	t.Helper()
	wrote, err := c.Step(context.Background())
	require.NoError(t, err)
	return wrote
}

func verify(t *testing.T, st *store.Store, files ...string) trail.Report {
	t.Helper()
	var lines []trail.Line
	for _, f := range files {
		got, err := trail.ReadCheckpoints(f)
		require.NoError(t, err)
		lines = append(lines, got...)
	}
	r, err := trail.Verify(context.Background(), st, testutil.TrailKey, lines)
	require.NoError(t, err)
	return r
}

func kinds(r trail.Report) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Kind)
	}
	return out
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestCheckpointer_WritesOnlyWhenTheHeadMoved(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		c, path := checkpointer(t, st)
		assert.False(t, step(t, c), "an empty trail has no head")
		_, err := os.Stat(path)
		assert.ErrorIs(t, err, os.ErrNotExist)

		record(t, st, 3)
		assert.True(t, step(t, c))
		assert.False(t, step(t, c), "the head did not move")
		// Another process on the same file reads the head there.
		other := *c
		other.Writer = "api-2"
		assert.False(t, step(t, &other))

		record(t, st, 1)
		assert.True(t, step(t, &other))
		assert.False(t, step(t, c))
		got := lines(t, path)
		require.Len(t, got, 2)
		var last trail.Checkpoint
		require.NoError(t, json.Unmarshal([]byte(got[1]), &last))
		assert.Equal(t, uint64(4), last.LastID)
		assert.Equal(t, int64(4), last.Count)
		assert.Equal(t, "api-2", last.Writer)
		assert.Equal(t, store.TrailKeyID(testutil.TrailKey), last.KeyID)
		assert.True(t, last.Valid(testutil.TrailKey))
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

		r := verify(t, st, path)
		assert.Empty(t, r.Problems)
		assert.Equal(t, 2, r.Checkpoints)
		assert.Equal(t, uint64(4), r.Newest.LastID)
	})
}

// Start checkpoints at once and when stopped, without waiting for its
// interval.
func TestCheckpointer_StartAndStopEachCheckpoint(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 2)
		c, path := checkpointer(t, st)
		stop := c.Start(time.Hour)
		require.Eventually(t, func() bool { _, err := os.Stat(path); return err == nil }, 10*time.Second, 10*time.Millisecond)
		record(t, st, 1)
		stop()
		got := lines(t, path)
		require.Len(t, got, 2)
		assert.Contains(t, got[1], `"last_id":3`)
	})
}

// The newest entries removed after a checkpoint: no link breaks, the
// checkpoint names an entry the trail no longer has.
func TestVerify_ATruncatedTailIsReported(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 5)
		c, path := checkpointer(t, st)
		require.True(t, step(t, c))
		exec(t, st, "DELETE FROM access_trail WHERE id > 3")

		r := verify(t, st, path)
		assert.Zero(t, r.Trail.NBreaks, "the chain alone holds")
		require.Equal(t, []string{trail.Truncated}, kinds(r))
		assert.Equal(t, uint64(3), r.Problems[0].ID)
		assert.Contains(t, r.Problems[0].Message, "trace tronquée après l'entrée 3")
		assert.Contains(t, r.Problems[0].Message, "l'entrée 5")

		exec(t, st, "DELETE FROM access_trail")
		assert.Contains(t, verify(t, st, path).Problems[0].Message, "trace tronquée jusqu'à être vide")
	})
}

// Whoever holds the key and removes an entry, numbering and chaining the
// trail again, is found by the checkpoints: the entry one names is not the
// same, or not there.
func TestVerify_ATrailRechainedWithTheKeyDiffersFromItsCheckpoints(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 5)
		c, path := checkpointer(t, st)
		require.True(t, step(t, c))
		rewrite(t, st, entries(t, st), 3, testutil.TrailKey)
		record(t, st, 1) // id 5 again, another entry

		r := verify(t, st, path)
		assert.Zero(t, r.Trail.NBreaks)
		assert.Equal(t, []string{trail.Mismatch}, kinds(r))
		assert.Contains(t, r.Problems[0].Message, "l'entrée 5 ne correspond pas au point de contrôle")
	})
}

// The whole trail told to be legacy, numbered and chained again with the
// public formula, passes the chain's walk: its checkpoints see it.
func TestVerify_ATrailDowngradedToLegacyDiffersFromItsCheckpoints(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 4)
		c, path := checkpointer(t, st)
		require.True(t, step(t, c))
		all := entries(t, st)
		for i := range all {
			all[i].Chain, all[i].KeyID = store.ChainLegacy, ""
		}
		rewrite(t, st, all, 2, nil)

		r := verify(t, st, path)
		assert.Zero(t, r.Trail.NBreaks)
		assert.Equal(t, []string{trail.Truncated}, kinds(r))
		record(t, st, 1)
		assert.Equal(t, []string{trail.Mismatch}, kinds(verify(t, st, path)))
	})
}

// A checkpoint altered, or forged with another key, is reported, and so
// is a line that is not a checkpoint.
func TestVerify_ATamperedCheckpointIsReported(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 3)
		c, path := checkpointer(t, st)
		require.True(t, step(t, c))
		got := lines(t, path)
		var cp trail.Checkpoint
		require.NoError(t, json.Unmarshal([]byte(got[0]), &cp))

		cp.LastID, cp.Count = 2, 2 // its signature kept
		forged := trail.NewCheckpoint([]byte(strings.Repeat("x", 32)), store.AccessHead{ID: 3, Hash: cp.Hash, Count: 3}, t0, "api-1")
		forged.KeyID = cp.KeyID // claiming the right key
		var b strings.Builder
		for _, c := range []trail.Checkpoint{cp, forged} {
			line, err := json.Marshal(c)
			require.NoError(t, err)
			b.Write(append(line, '\n'))
		}
		b.WriteString("{\"v\":1,\"last_id\":\n")
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))

		r := verify(t, st, path)
		assert.Equal(t, []string{trail.BadSignature, trail.BadSignature, trail.UnreadableLine}, kinds(r))
		assert.Contains(t, r.Problems[0].Message, "ligne 1 : signature invalide")
		assert.Contains(t, r.Problems[2].Message, "ligne 3 : illisible")
	})
}

// Verify reports the trail's own breaks and holes with the checkpoints'.
func TestVerify_BreaksAndGapsAreProblems(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		record(t, st, 4)
		exec(t, st, "DELETE FROM access_trail WHERE id = 2")
		r := verify(t, st)
		assert.Equal(t, []string{trail.Altered, trail.Gap}, kinds(r))
		assert.Equal(t, "l'entrée 3 ne correspond pas à sa chaîne (1 entrées intègres avant elle)", r.Problems[0].Message)
		assert.Equal(t, "trou : l'entrée 2 est absente", r.Problems[1].Message)
	})
}

func TestKeys_ParsedFromHexOrBase64AndMadeOnceInTheDataDirectory(t *testing.T) {
	raw := []byte(strings.Repeat("k", 32))
	for _, s := range []string{hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw) + "\n"} {
		key, err := trail.ParseKey(s)
		require.NoError(t, err, s)
		assert.Equal(t, raw, key)
	}
	_, err := trail.ParseKey(hex.EncodeToString(raw[:16]))
	assert.ErrorContains(t, err, "trop courte")
	_, err = trail.ParseKey("not a key!")
	assert.ErrorContains(t, err, "illisible")

	dir := t.TempDir()
	key, err := trail.KeyIn(dir)
	require.NoError(t, err)
	assert.Len(t, key, 32)
	again, err := trail.KeyIn(dir)
	require.NoError(t, err)
	assert.Equal(t, key, again, "made once, then read")
	fi, err := os.Stat(filepath.Join(dir, trail.KeyFileName))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing left beside it")
}

func TestOpenLog_APathOrAFileURL(t *testing.T) {
	for where, path := range map[string]string{"/var/lib/recours/cp.jsonl": "/var/lib/recours/cp.jsonl",
		"file:///var/lib/recours/cp.jsonl": "/var/lib/recours/cp.jsonl", "cp.jsonl": "cp.jsonl"} {
		l, err := trail.OpenLog(where)
		require.NoError(t, err, where)
		assert.Equal(t, path, l.Path)
	}
	for _, where := range []string{"", "s3://bucket/cp", "file://elsewhere/cp"} {
		_, err := trail.OpenLog(where)
		assert.Error(t, err, where)
	}
}
