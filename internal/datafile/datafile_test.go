package datafile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/datafile"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return info.Mode().Perm()
}

// TestPrivate_CreatesAndTightens: a new database is created 0600 in a
// folder created 0700; an existing one and its companions, left 0644 by
// an earlier version, become 0600, their content kept.
func TestPrivate_CreatesAndTightens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db := filepath.Join(dir, "recours.db")
	require.NoError(t, datafile.Private(db))
	assert.Equal(t, os.FileMode(0o600), mode(t, db))
	assert.Equal(t, os.FileMode(0o700), mode(t, dir))

	old := filepath.Join(t.TempDir(), "temporal.db")
	for _, name := range []string{old, old + "-wal", old + "-shm"} {
		require.NoError(t, os.WriteFile(name, []byte("kept"), 0o644))
		require.NoError(t, os.Chmod(name, 0o644)) // whatever the umask
	}
	require.NoError(t, datafile.Private(old))
	for _, name := range []string{old, old + "-wal", old + "-shm"} {
		assert.Equal(t, os.FileMode(0o600), mode(t, name), name)
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		assert.Equal(t, "kept", string(b))
	}
}
