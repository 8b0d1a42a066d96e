package app_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/testutil"
)

// TestEmbedded_DataFilesForTheUserOnly: in a fresh data dir, every file
// the embedded default writes (recours.db, temporal.db, their -wal and
// -shm, the outbox's .eml and .pdf) is 0600, every folder 0700; and a
// restart tightens a database an earlier version left 0644.
func TestEmbedded_DataFilesForTheUserOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // made by Recours, as .recours is
	r := testutil.StartIn(t, dir, "")
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	r.WaitForMessages(t, created.Map(t)["id"].(string), "acknowledgment")

	seen := map[string]bool{}
	check := func() {
		t.Helper()
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			require.NoError(t, err)
			info, err := d.Info()
			require.NoError(t, err)
			rel, _ := filepath.Rel(dir, path)
			seen[rel] = true
			want := os.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			assert.Equal(t, want, info.Mode().Perm(), "%s", rel)
			return nil
		}))
	}
	check()
	for _, name := range []string{"recours.db", "recours.db-wal", "recours.db-shm", "temporal.db", "temporal.db-wal", "outbox"} {
		assert.True(t, seen[name], "%s written", name)
	}

	r.Stop()
	for _, name := range []string{"recours.db", "temporal.db"} {
		require.NoError(t, os.Chmod(filepath.Join(dir, name), 0o644))
	}
	testutil.StartIn(t, dir, "")
	check()
}
