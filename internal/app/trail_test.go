package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/internal/trail"
)

// The embedded default signs its access trail with a key it makes once in
// its data directory, and checkpoints the trail's head there, at least
// when it stops; after a restart, on the same key, the trail verifies
// against its checkpoints.
func TestEmbedded_TrailKeyedAndCheckpointedInTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	r := testutil.StartIn(t, dir, "")
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
	require.Equal(t, 201, created.Status, string(created.Body))
	id := created.Map(t)["id"].(string)
	require.Equal(t, 200, r.Do("GET", "/api/v1/cases/"+id, "gca.demo", nil).Status)
	r.Stop()

	fi, err := os.Stat(filepath.Join(dir, trail.KeyFileName))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	cps := filepath.Join(dir, trail.CheckpointsFileName)

	r = testutil.StartIn(t, dir, "")
	require.Equal(t, 200, r.Do("GET", "/api/v1/cases/"+id, "manager.demo", nil).Status)
	r.Stop()

	key, err := trail.KeyIn(dir)
	require.NoError(t, err)
	st, err := store.Open(app.DatabaseURL(dir))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.SetTrailKey(key))
	lines, err := trail.ReadCheckpoints(cps)
	require.NoError(t, err)
	rep, err := trail.Verify(context.Background(), st, key, lines)
	require.NoError(t, err)
	assert.Empty(t, rep.Problems)
	assert.Equal(t, int64(2), rep.Trail.Entries, "one read before the restart, one after, on one key")
	require.NotNil(t, rep.Newest)
	assert.Equal(t, rep.Trail.Last.ID, rep.Newest.LastID, "the head checkpointed when it stopped")
}
