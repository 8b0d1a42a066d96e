package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
	"recours/internal/trail"
)

// withTrailKey keys st's trail with the tests' key, and gives it to the
// commands run (RECOURS_AUDIT_KEY).
func withTrailKey(t *testing.T, st *store.Store) {
	t.Helper()
	require.NoError(t, st.SetTrailKey(testutil.TrailKey))
	t.Setenv("RECOURS_AUDIT_KEY", hex.EncodeToString(testutil.TrailKey))
	t.Setenv("RECOURS_AUDIT_KEY_FILE", "")
	t.Setenv("RECOURS_AUDIT_CHECKPOINT", "")
}

func recordReads(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, st.RecordAccess(context.Background(), store.AccessEntry{At: time.Now(), Actor: "gca.demo", IP: "10.0.0.1",
			CaseID: fmt.Sprintf("01a20000-0000-7000-8000-%012d", i), Caf: "071", What: "detail"}))
	}
}

// checkpoint appends a checkpoint of st's trail to path.
func checkpoint(t *testing.T, st *store.Store, key []byte, path string) {
	t.Helper()
	log, err := trail.OpenLog(path)
	require.NoError(t, err)
	wrote, err := (&trail.Checkpointer{Store: st, Key: key, Log: log}).Step(context.Background())
	require.NoError(t, err)
	require.True(t, wrote)
}

// keyedStore migrates the database at url through the CLI and opens its
// store with the trail's test key; it is closed when the test ends.
func keyedStore(t *testing.T, url string) *store.Store {
	t.Helper()
	_, err := run(t, "migrate", "--database-url", url)
	require.NoError(t, err)
	st, err := store.Open(url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	withTrailKey(t, st)
	return st
}

// The newest entries removed after a checkpoint: verify says the trail
// was cut and after which entry; a checkpoint altered, that its
// signature is invalid; without checkpoints, what it cannot see.
func TestAuditVerify_ReportsATruncatedTailAndATamperedCheckpoint(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			url := db.URL(t)
			st := keyedStore(t, url)
			recordReads(t, st, 4)
			cps := filepath.Join(t.TempDir(), "checkpoints.jsonl")
			checkpoint(t, st, testutil.TrailKey, cps)

			out, err := run(t, "audit", "verify", "--database-url", url, "--checkpoints", cps)
			require.NoError(t, err)
			assert.Contains(t, out, "trace des consultations intègre : 4 entrées")
			assert.Contains(t, out, "points de contrôle intègres : 1, le plus récent du ")
			assert.Contains(t, out, "à l'entrée 4")

			_, err = testutil.SQL(t, url).Exec("DELETE FROM access_trail WHERE id > 2")
			require.NoError(t, err)
			out, err = run(t, "audit", "verify", "--database-url", url)
			require.NoError(t, err, "the chain alone holds")
			assert.Contains(t, out, "aucun point de contrôle vérifié")
			_, err = run(t, "audit", "verify", "--database-url", url, "--checkpoints", cps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "trace tronquée après l'entrée 2")
			t.Setenv("RECOURS_AUDIT_CHECKPOINT", cps)
			_, err = run(t, "audit", "verify", "--database-url", url)
			assert.ErrorContains(t, err, "trace tronquée après l'entrée 2", "the checkpoints of RECOURS_AUDIT_CHECKPOINT")

			b, err := os.ReadFile(cps)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(cps, []byte(strings.Replace(string(b), `"count":4`, `"count":2`, 1)), 0o600))
			_, err = run(t, "audit", "verify", "--database-url", url, "--checkpoints", cps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "ligne 1 : signature invalide")
		})
	}
}

// Verify needs the trail's key, and another key breaks every keyed entry.
func TestAuditVerify_NeedsTheTrailsKey(t *testing.T) {
	url := testutil.SQLiteURL(t)
	st := keyedStore(t, url)
	recordReads(t, st, 2)

	t.Setenv("RECOURS_AUDIT_KEY", "")
	_, err := run(t, "audit", "verify", "--database-url", url)
	assert.ErrorContains(t, err, "pas de clé")
	other := filepath.Join(t.TempDir(), "other.key")
	require.NoError(t, os.WriteFile(other, []byte(strings.Repeat("ab", 32)+"\n"), 0o600))
	_, err = run(t, "audit", "verify", "--database-url", url, "--audit-key-file", other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "l'entrée 1 est chaînée avec une autre clé")
	assert.Contains(t, err.Error(), "l'entrée 2 est chaînée avec une autre clé")
	t.Setenv("RECOURS_AUDIT_KEY", hex.EncodeToString(testutil.TrailKey))
	_, err = run(t, "audit", "verify", "--database-url", url, "--audit-key-file", other)
	assert.ErrorContains(t, err, "n'en garder qu'un")
}

// With --data, verify finds the embedded default's key and checkpoints in
// its data directory.
func TestAuditVerify_DataDirectoryGivesTheKeyAndTheCheckpoints(t *testing.T) {
	t.Setenv("RECOURS_AUDIT_KEY", "")
	t.Setenv("RECOURS_AUDIT_KEY_FILE", "")
	t.Setenv("RECOURS_AUDIT_CHECKPOINT", "")
	dir, st := seededData(t)
	key, err := trail.KeyIn(dir)
	require.NoError(t, err)
	require.NoError(t, st.SetTrailKey(key))
	recordReads(t, st, 3)
	checkpoint(t, st, key, filepath.Join(dir, trail.CheckpointsFileName))

	out, err := run(t, "audit", "verify", "--data", dir)
	require.NoError(t, err)
	assert.Contains(t, out, "trace des consultations intègre : 3 entrées")
	assert.Contains(t, out, "points de contrôle intègres : 1")
}

// serve does not start without the trail's key or a checkpoints' file,
// and says what to give, before waiting for anything.
func TestServe_RefusesToStartWithoutTheTrailsKeyOrCheckpoints(t *testing.T) {
	t.Setenv("DATABASE_URL", testutil.SQLiteURL(t))
	t.Setenv("RECOURS_AUDIT_KEY", "")
	t.Setenv("RECOURS_AUDIT_KEY_FILE", "")
	t.Setenv("RECOURS_AUDIT_CHECKPOINT", "")
	_, err := run(t, "serve")
	assert.ErrorContains(t, err, "la trace des consultations n'a pas de clé : donner RECOURS_AUDIT_KEY")

	t.Setenv("RECOURS_AUDIT_KEY", "0123")
	_, err = run(t, "serve")
	assert.ErrorContains(t, err, "trop courte")

	t.Setenv("RECOURS_AUDIT_KEY", hex.EncodeToString(testutil.TrailKey))
	_, err = run(t, "serve")
	assert.ErrorContains(t, err, "--audit-checkpoint (RECOURS_AUDIT_CHECKPOINT)")
	_, err = run(t, "serve", "--audit-checkpoint", "s3://bucket/checkpoints")
	assert.ErrorContains(t, err, "seul un fichier")
}
