package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/resolver"
	"go.temporal.io/server/schema/sqlite"

	"recours/internal/datafile"
)

// memDBSeq makes in-memory database names unique within the process: the
// sqlite plugin shares connections per DSN, so two ephemeral servers with the
// same name would silently share state.
var memDBSeq atomic.Int64

// prepareDatabase returns the persistence config, creating the schema of a
// new database file.
func prepareDatabase(ctx context.Context, cfg Config) (*config.SQL, error) {
	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		ConnectAttributes: map[string]string{},
	}
	if cfg.DatabaseFile == "" {
		// mode=memory makes the plugin create the schema on first connect;
		// cache=shared lets every service see the same in-memory database.
		sqlCfg.DatabaseName = fmt.Sprintf("recours-embedded-%d-%d", os.Getpid(), memDBSeq.Add(1))
		sqlCfg.ConnectAttributes["mode"] = "memory"
		sqlCfg.ConnectAttributes["cache"] = "shared"
		return sqlCfg, nil
	}

	path, err := filepath.Abs(cfg.DatabaseFile)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: database path: %w", err)
	}
	sqlCfg.DatabaseName = path
	sqlCfg.ConnectAttributes["mode"] = "rwc"
	// Bare pragma names: the plugin emits "_pragma=<key>=<value>" for any
	// attribute that is not a URI parameter ("_journal_mode" would be an
	// unknown pragma, silently ignored by SQLite). WAL with synchronous=normal
	// skips the fsync on every commit that makes the default rollback journal
	// several times slower; a power loss can drop the last transactions but
	// cannot corrupt the file.
	sqlCfg.ConnectAttributes["journal_mode"] = "wal"
	sqlCfg.ConnectAttributes["synchronous"] = "normal"

	// The histories hold claimants' data: the file (and the -wal and -shm
	// SQLite makes beside it with its mode) for the process's user only.
	if _, err := os.Stat(path); err == nil {
		if err := datafile.Private(path); err != nil {
			return nil, fmt.Errorf("embedded temporal: %w", err)
		}
		return sqlCfg, forgetMembership(ctx, sqlCfg)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("embedded temporal: database file: %w", err)
	}
	if err := datafile.Private(path); err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	if err := sqlite.SetupSchema(sqlCfg); err != nil {
		// Do not leave a half-initialised file behind: the next start would
		// see it exists and skip schema creation.
		_ = os.Remove(path)
		return nil, fmt.Errorf("embedded temporal: setup schema: %w", err)
	}
	return sqlCfg, nil
}

// forgetMembership deletes the cluster membership rows of previous runs.
// Every run listens on new membership ports, and ringpop seeds itself from
// the rows heartbeated in the last 20s: after a quick restart it would spend
// its whole 30s join budget (then retry) knocking on the dead previous
// incarnation, while history and matching stay unreachable. This is safe
// because a database file serves a single server process at a time.
func forgetMembership(ctx context.Context, sqlCfg *config.SQL) error {
	db, err := persistencesql.NewSQLDB(sqlplugin.DbKindUnknown, sqlCfg, resolver.NewNoopResolver(),
		log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("embedded temporal: open database: %w", err)
	}
	defer func() { _ = db.Close() }()
	// Rows expire 48h after their last heartbeat; anything before a year
	// from now means every row.
	_, err = db.PruneClusterMembership(ctx, &sqlplugin.PruneClusterMembershipFilter{
		PruneRecordsBefore: time.Now().AddDate(1, 0, 0),
	})
	if err != nil {
		return fmt.Errorf("embedded temporal: reset cluster membership: %w", err)
	}
	return nil
}
