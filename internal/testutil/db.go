// Package testutil starts the real parts for tests: a fresh PostgreSQL
// database or SQLite file per test, and Recours itself (embedded Temporal
// server, worker, API over HTTP), so each test reads as its scenario.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx", for SQL

	"recours/internal/store"
)

// PostgresAdminURL is the server the tests create their databases on
// (RECOURS_TEST_POSTGRES overrides it).
func PostgresAdminURL() string {
	if u := os.Getenv("RECOURS_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// PostgresURL creates a fresh database for the test and drops it after.
// PostgreSQL must be running: the store's tests run on it for real.
func PostgresURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, PostgresAdminURL())
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s (make test starts it): %v", PostgresAdminURL(), err)
	}
	defer admin.Close(context.Background())
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "recours_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, PostgresAdminURL())
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	return fmt.Sprintf("postgres://postgres@127.0.0.1:5432/%s?sslmode=disable", name)
}

// SQLiteURL returns a fresh SQLite database in the test's temp dir.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "recours.db")
}

// Databases lists the two stores every flow test runs on.
func Databases() []struct {
	Name string
	URL  func(testing.TB) string
} {
	return []struct {
		Name string
		URL  func(testing.TB) string
	}{{"postgres", PostgresURL}, {"sqlite", SQLiteURL}}
}

// TrailKey is the access trail's key of the tests' stores (EachStore):
// a test that rewrites the trail as someone holding the key would, does
// so with it.
var TrailKey = []byte("recours tests: the access trail's key, 32 bytes and more")

// EachStore runs test on a fresh store of each database, migrated and
// seeded with the demo Cafs and users, its access trail keyed with
// TrailKey.
func EachStore(t *testing.T, test func(t *testing.T, st *store.Store)) {
	for _, db := range Databases() {
		t.Run(db.Name, func(t *testing.T) {
			url := db.URL(t)
			st, err := store.Open(url)
			if err != nil {
				t.Fatal(err)
			}
			urls.Store(st, url)
			t.Cleanup(func() { urls.Delete(st); _ = st.Close() })
			if err := st.SetTrailKey(TrailKey); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := st.SeedDemo(ctx); err != nil {
				t.Fatal(err)
			}
			test(t, st)
		})
	}
}

// SQL opens the database at url (postgres://… or sqlite:PATH, as the
// store takes it) on its own connections, around the store: for a test
// that changes rows as someone with access to the database would (an
// entry of the access trail altered, say). Statements number their
// parameters $1, $2…, which both databases read. It is closed when the
// test ends.
func SQL(t testing.TB, url string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", url
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		// The driver the store's SQLite dialector registers.
		driver, dsn = "sqlite3", "file:"+path+"?_busy_timeout=10000"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// urls are the databases of the stores EachStore opened.
var urls sync.Map // *store.Store → its URL

// URLOf is the database URL of st, a store of EachStore: SQL opens it.
func URLOf(t testing.TB, st *store.Store) string {
	t.Helper()
	url, ok := urls.Load(st)
	if !ok {
		t.Fatal("not a store of EachStore")
	}
	return url.(string)
}

// FailInserts makes every insert into table of st, a store of EachStore,
// fail from now on, as a full disk would: a trigger refuses the row.
func FailInserts(t testing.TB, st *store.Store, table string) {
	t.Helper()
	url := URLOf(t, st)
	raw := SQL(t, url)
	stmts := []string{
		"CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'disk full'; END$$",
		"CREATE TRIGGER fail_inserts BEFORE INSERT ON " + table + " FOR EACH ROW EXECUTE FUNCTION fail_insert()",
	}
	if strings.HasPrefix(url, "sqlite:") {
		stmts = []string{"CREATE TRIGGER fail_inserts BEFORE INSERT ON " + table + " BEGIN SELECT RAISE(ABORT, 'disk full'); END"}
	}
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}
