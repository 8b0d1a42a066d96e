package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"recours/internal/datafile"
)

// Store is the database, through GORM.
type Store struct {
	// db is for the store's own code: other packages call its methods,
	// and tests that must go around the store open their own connection
	// (testutil.SQL).
	db *gorm.DB
	// writes serialises write transactions on SQLite, which takes one
	// writer at a time: waiting on a Go mutex is immediate, where SQLite's
	// own busy handler sleeps up to 100 ms between tries. Shared by the
	// stores WithLogger derives, which write through the same connections.
	writes *sync.Mutex
	sqlite bool
	// trail is the key of the access trail (SetTrailKey), shared like
	// writes.
	trail *atomic.Pointer[trailKey]
	// ownLockTimeout: DATABASE_URL sets lock_timeout, not LockTimeout.
	ownLockTimeout bool
}

// writeLock takes the write lock on SQLite; a no-op on PostgreSQL.
func (s *Store) writeLock() func() {
	if !s.sqlite {
		return func() {}
	}
	s.writes.Lock()
	return s.writes.Unlock
}

// Open connects to dsn: a postgres:// or postgresql:// URL, or
// sqlite:PATH (or a bare path ending in .db) for the embedded default.
func Open(dsn string) (*Store, error) {
	var dialector gorm.Dialector
	ownLockTimeout := false
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		conn, own, err := openPostgres(dsn)
		if err != nil {
			return nil, err
		}
		ownLockTimeout = own
		dialector = postgres.New(postgres.Config{Conn: conn})
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasSuffix(dsn, ".db"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		// Claimants' data: the file (and the -wal and -shm SQLite makes
		// beside it with its mode) for the process's user only.
		if err := datafile.Private(path); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		// WAL lets readers run beside the writer; immediate transactions
		// take the write lock up front instead of failing on upgrade.
		dialector = sqlite.Open("file:" + path + "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate")
	default:
		return nil, fmt.Errorf("store: DATABASE_URL must start with postgres:// or sqlite (sqlite:PATH)")
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:         logger.Discard, // queries carry personal data: never log them
		NowFunc:        func() time.Time { return time.Now().UTC() },
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	st := &Store{db: db, writes: &sync.Mutex{}, sqlite: db.Dialector.Name() == "sqlite", ownLockTimeout: ownLockTimeout,
		trail: &atomic.Pointer[trailKey]{}}
	if st.sqlite {
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(8)
	}
	return st, nil
}

// WithLogger is the same store, on the same connections, whose statements
// are reported to l: for a benchmark or a tool that shows the statements a
// method runs (their plans, say). The statements carry personal data:
// never point l at the application's logs. Closing either store closes
// both.
func (s *Store) WithLogger(l logger.Interface) *Store {
	return &Store{db: s.db.Session(&gorm.Session{Logger: l}), writes: s.writes,
		sqlite: s.sqlite, ownLockTimeout: s.ownLockTimeout, trail: s.trail}
}

// LockTimeout is how long a statement waits for a lock (a table locked by
// a maintenance, a long import) before it fails with a transient error:
// the API then answers 503 with Retry-After, and a save is retried,
// instead of both waiting for as long as the lock is held. A lock_timeout
// in DATABASE_URL overrides it (pgx passes it to the server).
const LockTimeout = 5 * time.Second

// openPostgres opens the pool of dsn, each connection waiting at most
// LockTimeout for a lock, unless dsn sets its own lock_timeout. The
// setting is made once a connection is up, not as a start-up parameter,
// which a connection pooler such as PgBouncer would refuse.
func openPostgres(dsn string) (db *sql.DB, own bool, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, false, fmt.Errorf("store: DATABASE_URL: %w", err)
	}
	if _, own := cfg.RuntimeParams["lock_timeout"]; own {
		return stdlib.OpenDB(*cfg), true, nil
	}
	return stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, setLockTimeout)
		return err
	})), false, nil
}

// setLockTimeout sets LockTimeout on a connection.
var setLockTimeout = fmt.Sprintf("SET lock_timeout = %d", LockTimeout.Milliseconds())

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// SQLite reports whether the store is the embedded SQLite file (one
// process) rather than PostgreSQL.
func (s *Store) SQLite() bool { return s.sqlite }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// migrations lists every schema change, in order, never edited once
// released: a change is a new entry. The first creates the tables from the
// models; a later entry declares what it adds with its own local struct and
// checks HasColumn/HasTable first, since on a new database the first entry
// already builds the models' current shape.
var migrations = []*gormigrate.Migration{
	{
		ID: "202611220001_initial",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(allModels()...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(allModels()...)
		},
	},
	figuresRollupMigration,
	messagesMigration,
	referencePerCafMigration,
	writeTaskMigration,
	writtenAcknowledgmentsMigration,
	letterMentionsMigration,
	referencesSearchMigration,
	partnerHostsMigration,
	accessTrailKeyedMigration,
	uniqueEmailsMigration,
	rateHitsMigration,
	tokenMakerMigration,
}

// Migrate brings the schema up to date. It is safe to run on every start,
// from several processes at once: on PostgreSQL the migrations run under
// an advisory lock, so one process migrates while the others wait, then
// find nothing left to do.
func (s *Store) Migrate(ctx context.Context) error {
	err := s.exclusive(ctx, func(db *gorm.DB) error {
		return gormigrate.New(db, gormigrate.DefaultOptions, migrations).Migrate()
	})
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	slog.Debug("schema up to date", "migrations", len(migrations))
	return nil
}

// migrationLock is the key of the advisory lock the migrations hold.
const migrationLock = 0x7265636f75727301 // "recours" and 1

// exclusive runs f holding the migrations' lock, on one connection. On
// SQLite, one process owns the file.
func (s *Store) exclusive(ctx context.Context, f func(*gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	if s.sqlite {
		return f(db)
	}
	return db.Connection(func(conn *gorm.DB) error {
		conn = conn.Session(&gorm.Session{NewDB: true})
		// A schema change waits for the locks it needs as long as it takes.
		if err := conn.Exec("SET lock_timeout = 0").Error; err != nil {
			return err
		}
		// Back to what the pool's connections wait (the URL's own, or LockTimeout).
		defer func() {
			again := conn.Session(&gorm.Session{NewDB: true})
			if again.Exec("RESET lock_timeout").Error == nil && !s.ownLockTimeout {
				again.Exec(setLockTimeout)
			}
		}()
		waiting := false
		for {
			var got bool
			if err := conn.Session(&gorm.Session{NewDB: true}).Raw("SELECT pg_try_advisory_lock(?)", int64(migrationLock)).Scan(&got).Error; err != nil {
				return err
			}
			if got {
				break
			}
			if !waiting {
				slog.Info("another process is migrating the schema: waiting for it")
				waiting = true
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
		defer conn.Session(&gorm.Session{NewDB: true}).Exec("SELECT pg_advisory_unlock(?)", int64(migrationLock))
		return f(conn.Session(&gorm.Session{NewDB: true}))
	})
}
