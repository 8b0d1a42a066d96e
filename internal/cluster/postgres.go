package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a private PostgreSQL instance that a test may stop and start:
// the shared server on 5432 must never go down under other tests.
type Postgres struct {
	port    int
	dir     string // owned by the OS user running the server
	data    string
	logFile string
	bin     string
	asUser  []string // prefix running a command as that user, when we are root
	running bool
}

// StartPostgres creates a database cluster in a fresh directory (trust
// authentication, user postgres), starts it on a free port of 127.0.0.1 and
// removes it when the test ends.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	pg := &Postgres{port: freePorts(t, 1)[0], bin: postgresBin(t)}

	// PostgreSQL refuses to run as root. As root, hand a directory directly
	// under the temp root (t.TempDir's parents are root-only) to the
	// postgres user and run everything as that user.
	dir, err := os.MkdirTemp("", "recours-pg-")
	if err != nil {
		t.Fatalf("postgres dir: %v", err)
	}
	pg.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	pg.data = filepath.Join(dir, "data")
	pg.logFile = filepath.Join(dir, "postgres.log")
	// Created here so that the test's markers and the server share it.
	appendFile(t, pg.logFile, "")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres OS user for PostgreSQL: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, pg.logFile} {
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatalf("chown %s: %v", p, err)
			}
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Fatalf("running as root needs runuser (util-linux) to start PostgreSQL as postgres: %v", err)
		}
		pg.asUser = []string{runuser, "-u", "postgres", "--"}
	}

	pg.run(t, "initdb", "-D", pg.data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	// fsync=off loses data only when the machine itself crashes; a killed or
	// stopped server keeps everything, which is what the fault tests need.
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\n"+
		"unix_socket_directories = '%s'\nfsync = off\nmax_connections = 200\n", pg.port, dir)
	appendFile(t, filepath.Join(pg.data, "postgresql.conf"), conf)

	t.Cleanup(func() {
		if pg.running {
			// Immediate: the data is about to be deleted anyway.
			_, _ = pg.command("pg_ctl", "-D", pg.data, "-m", "immediate", "-w", "stop").CombinedOutput()
		}
		logTail(t, "postgres log", pg.logFile)
	})
	pg.Start(t)
	return pg
}

// URL is the connection string of database db on this instance.
func (pg *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.port, db)
}

// Port is the TCP port the instance listens on (127.0.0.1).
func (pg *Postgres) Port() int { return pg.port }

// CreateDatabase creates database name and returns it, for pg.URL.
func (pg *Postgres) CreateDatabase(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatalf("connect to private PostgreSQL: %v", err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return name
}

// Stop shuts the server down the way an operator would (fast: open
// sessions are cut, committed data kept) and returns once it has exited.
func (pg *Postgres) Stop(t testing.TB) {
	t.Helper()
	appendLine(pg.logFile, "test: pg_ctl stop -m fast")
	pg.run(t, "pg_ctl", "-D", pg.data, "-m", "fast", "-w", "-t", "60", "stop")
	pg.running = false
}

// Start starts the server again on the same port and data, and returns once
// it accepts connections.
func (pg *Postgres) Start(t testing.TB) {
	t.Helper()
	appendLine(pg.logFile, "test: pg_ctl start")
	pg.run(t, "pg_ctl", "-D", pg.data, "-l", pg.logFile, "-w", "-t", "60", "start")
	pg.running = true
}

func (pg *Postgres) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, pg.asUser...), filepath.Join(pg.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// The postgres user may not be able to enter the test's directory.
	cmd.Dir = pg.dir
	return cmd
}

func (pg *Postgres) run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := pg.command(name, args...).CombinedOutput(); err != nil {
		logTail(t, "postgres log", pg.logFile)
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// postgresBin finds the server binaries: Debian keeps them out of PATH
// under /usr/lib/postgresql/<major>/bin; take the newest major.
func postgresBin(t testing.TB) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	t.Fatalf("no PostgreSQL server binaries (pg_ctl) under /usr/lib/postgresql/*/bin or in PATH")
	return ""
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// appendFile appends text to path, creating it if needed; an appended file
// keeps its owner, so root may add to the postgres user's configuration.
func appendFile(t testing.TB, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}
