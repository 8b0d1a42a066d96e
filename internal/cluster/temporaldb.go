package cluster

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// sharedPostgresURL is the test PostgreSQL every package shares, as in
// internal/testutil (RECOURS_TEST_POSTGRES overrides it); its path is the
// admin database that other databases are created from.
func sharedPostgresURL() string {
	if u := os.Getenv("RECOURS_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// temporalDatabases are the main and visibility databases of one server.
type temporalDatabases struct {
	host, port, user, password string
	main, visibility           string
}

// env is the environment config.yaml and setup-postgres.sh both read.
func (d temporalDatabases) env() []string {
	return []string{
		"POSTGRES_SEEDS=" + d.host,
		"DB_PORT=" + d.port,
		"POSTGRES_USER=" + d.user,
		"POSTGRES_PWD=" + d.password,
		"DBNAME=" + d.main,
		"VISIBILITY_DBNAME=" + d.visibility,
	}
}

// createTemporalDatabases makes two databases with fresh names and applies
// Temporal's schemas with deploy/temporal/setup-postgres.sh, the script an
// operator runs. On the shared server they are dropped when the test ends;
// a private instance is deleted whole by its own cleanup.
func createTemporalDatabases(t testing.TB, root string, pg *Postgres) temporalDatabases {
	t.Helper()
	admin := sharedPostgresURL()
	if pg != nil {
		admin = pg.URL("postgres")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("PostgreSQL URL %q: %v", admin, err)
	}
	password, _ := u.User.Password()
	name := randomName("temporal_test_")
	d := temporalDatabases{
		host: u.Hostname(), port: u.Port(), user: u.User.Username(), password: password,
		main: name, visibility: name + "_visibility",
	}
	if d.port == "" {
		d.port = "5432"
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s (make test starts it): %v", admin, err)
	}
	_ = c.Close(ctx)
	if pg == nil {
		t.Cleanup(func() { dropDatabases(t, admin, d.main, d.visibility) })
	}

	cmd := exec.Command("sh", filepath.Join(root, "deploy", "temporal", "setup-postgres.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), d.env()...)
	adminDB := strings.TrimPrefix(u.Path, "/")
	if adminDB == "" {
		adminDB = "postgres"
	}
	cmd.Env = append(cmd.Env, "POSTGRES_ADMIN_DB="+adminDB)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deploy/temporal/setup-postgres.sh: %v\n%s", err, out)
	}
	t.Logf("Temporal databases %s and %s ready on %s:%s in %v",
		d.main, d.visibility, d.host, d.port, time.Since(start).Round(time.Millisecond))
	return d
}

func dropDatabases(t testing.TB, admin string, names ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Logf("drop Temporal databases: %v", err)
		return
	}
	defer c.Close(context.Background())
	for _, n := range names {
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", n, err)
		}
	}
}
