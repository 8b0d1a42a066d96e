package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// TemporalConfig tunes StartTemporal; the zero value is the usual test set-up.
type TemporalConfig struct {
	// Postgres holds Temporal's databases when set; by default they go on
	// the shared test server. Put them on a private instance to take
	// Temporal's own persistence down in a test.
	Postgres *Postgres
	// NumHistoryShards defaults to 4, as in deploy/temporal/config.yaml.
	NumHistoryShards int
	// LogLevel of the server (debug, info, warn, error); default info.
	LogLevel string
	// DynamicConfig is YAML appended to deploy/temporal/dynamicconfig.yaml,
	// e.g. "limit.maxIDLength:\n  - value: 255\n".
	DynamicConfig string
	// StartTimeout bounds each wait for the frontend; default 90s.
	StartTimeout time.Duration
}

// Temporal is a standalone Temporal server process (all four services), run
// from bin/temporal-server with deploy/temporal/config.yaml.
type Temporal struct {
	bin, configFile, logFile string
	env                      []string
	ports                    TemporalPorts
	startTimeout             time.Duration

	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// TemporalPorts are the ports one server binds, all on 127.0.0.1.
type TemporalPorts struct {
	Frontend, FrontendHTTP, FrontendMembership int
	History, HistoryMembership                 int
	Matching, MatchingMembership               int
	Worker, WorkerMembership                   int
}

// StartTemporal creates fresh Temporal databases, starts the server on free
// ports and waits until its frontend answers health checks. The server is
// stopped and the databases dropped when the test ends.
func StartTemporal(t testing.TB, cfg TemporalConfig) *Temporal {
	t.Helper()
	server := temporalBinaries(t)
	root := RepoRoot(t)
	dir := t.TempDir()

	p := freePorts(t, 9)
	tp := &Temporal{
		bin:          server,
		configFile:   filepath.Join(root, "deploy", "temporal", "config.yaml"),
		logFile:      filepath.Join(dir, "temporal.log"),
		startTimeout: cfg.StartTimeout,
		ports: TemporalPorts{
			Frontend: p[0], FrontendHTTP: p[1], FrontendMembership: p[2],
			History: p[3], HistoryMembership: p[4],
			Matching: p[5], MatchingMembership: p[6],
			Worker: p[7], WorkerMembership: p[8],
		},
	}
	if tp.startTimeout == 0 {
		tp.startTimeout = 90 * time.Second
	}
	t.Cleanup(func() { logTail(t, "temporal server log", tp.logFile) })

	dyn, err := os.ReadFile(filepath.Join(root, "deploy", "temporal", "dynamicconfig.yaml"))
	if err != nil {
		t.Fatalf("dynamic config: %v", err)
	}
	dynFile := filepath.Join(dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dynFile, append(dyn, "\n"+cfg.DynamicConfig...), 0o644); err != nil {
		t.Fatalf("dynamic config: %v", err)
	}

	db := createTemporalDatabases(t, root, cfg.Postgres)
	shards := cfg.NumHistoryShards
	if shards == 0 {
		shards = 4
	}
	logLevel := cfg.LogLevel
	if logLevel == "" {
		logLevel = "info"
	}
	tp.env = append(os.Environ(), db.env()...)
	tp.env = append(tp.env,
		"NUM_HISTORY_SHARDS="+strconv.Itoa(shards),
		"LOG_LEVEL="+logLevel,
		"DYNAMIC_CONFIG_FILE_PATH="+dynFile,
		"BIND_ON_IP=127.0.0.1",
		// Each of the four services has its own pools: at the production
		// sizes one server holds ~40 connections, and the shared test
		// PostgreSQL allows 100 for every package's tests together.
		"SQL_MAX_CONNS=5",
		"SQL_VIS_MAX_CONNS=2",
		port("FRONTEND_GRPC_PORT", tp.ports.Frontend),
		port("FRONTEND_HTTP_PORT", tp.ports.FrontendHTTP),
		port("FRONTEND_MEMBERSHIP_PORT", tp.ports.FrontendMembership),
		port("HISTORY_GRPC_PORT", tp.ports.History),
		port("HISTORY_MEMBERSHIP_PORT", tp.ports.HistoryMembership),
		port("MATCHING_GRPC_PORT", tp.ports.Matching),
		port("MATCHING_MEMBERSHIP_PORT", tp.ports.MatchingMembership),
		port("WORKER_GRPC_PORT", tp.ports.Worker),
		port("WORKER_MEMBERSHIP_PORT", tp.ports.WorkerMembership),
	)
	// Registered after the databases' cleanup, so it runs before it.
	t.Cleanup(func() {
		if tp.running() {
			tp.stop(t, syscall.SIGTERM, 30*time.Second)
		}
	})
	tp.Start(t)
	return tp
}

func port(name string, p int) string { return name + "=" + strconv.Itoa(p) }

// HostPort is the frontend's gRPC address, for client.Options.HostPort and
// TEMPORAL_ADDRESS.
func (tp *Temporal) HostPort() string {
	return "127.0.0.1:" + strconv.Itoa(tp.ports.Frontend)
}

// HTTPHostPort is the frontend's HTTP API address.
func (tp *Temporal) HTTPHostPort() string {
	return "127.0.0.1:" + strconv.Itoa(tp.ports.FrontendHTTP)
}

// Ports lists every port the server binds.
func (tp *Temporal) Ports() TemporalPorts { return tp.ports }

// LogFile is where the server's output goes, across restarts.
func (tp *Temporal) LogFile() string { return tp.logFile }

// Start runs the server (again) on the same databases and ports and waits
// until the frontend reports healthy.
func (tp *Temporal) Start(t testing.TB) {
	t.Helper()
	if tp.running() {
		t.Fatalf("temporal server already running")
	}
	appendLine(tp.logFile, "test: start %s", tp.bin)
	log, err := os.OpenFile(tp.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatalf("temporal log: %v", err)
	}
	defer log.Close() // the child has its own copy
	cmd := exec.Command(tp.bin, "--config-file", tp.configFile, "--allow-no-auth", "start")
	cmd.Env = tp.env
	cmd.Stdout, cmd.Stderr = log, log
	// A test binary that dies (timeout, panic) takes the server with it
	// instead of leaving it on the ports and databases.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", tp.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tp.cmd, tp.done = cmd, done
	if err := tp.waitHealthy(); err != nil {
		t.Fatalf("temporal server not ready: %v (log: %s)", err, tp.logFile)
	}
}

// Stop sends SIGTERM, as a service manager does, and waits for the server
// to exit (SIGKILL after 30s).
func (tp *Temporal) Stop(t testing.TB) {
	t.Helper()
	tp.stop(t, syscall.SIGTERM, 30*time.Second)
}

// Kill ends the server with SIGKILL, as a crash or an OOM kill would.
func (tp *Temporal) Kill(t testing.TB) {
	t.Helper()
	tp.stop(t, syscall.SIGKILL, 10*time.Second)
}

func (tp *Temporal) running() bool {
	if tp.done == nil {
		return false
	}
	select {
	case <-tp.done:
		return false
	default:
		return true
	}
}

func (tp *Temporal) stop(t testing.TB, sig syscall.Signal, grace time.Duration) {
	t.Helper()
	if !tp.running() {
		t.Fatalf("temporal server is not running")
	}
	appendLine(tp.logFile, "test: %v", sig)
	_ = tp.cmd.Process.Signal(sig)
	select {
	case <-tp.done:
	case <-time.After(grace):
		t.Errorf("temporal server still running %v after %v; killing it", grace, sig)
		_ = tp.cmd.Process.Kill()
		<-tp.done
	}
	appendLine(tp.logFile, "test: exited (%v)", tp.cmd.ProcessState)
}

// waitHealthy polls the frontend's gRPC health check. Requests that need
// the other services right after are retried by the SDK while they join.
func (tp *Temporal) waitHealthy() error {
	c, err := client.NewLazyClient(client.Options{HostPort: tp.HostPort(), Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(tp.startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-tp.done:
			return fmt.Errorf("server exited: %v", tp.cmd.ProcessState)
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("no healthy frontend after %v", tp.startTimeout), err)
		}
	}
}

// quietLogger keeps the SDK's connection retries out of the test output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
