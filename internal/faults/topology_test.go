package faults_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"recours/internal/cluster"
	"recours/internal/store"
)

// proc is one recours process of the topology (serve or worker), its
// output in a log file of the test.
type proc struct {
	name string
	args []string
	env  []string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *proc) start(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("%s log: %v", p.name, err)
	}
	fmt.Fprintf(f, "=== %s start %s\n", time.Now().Format(time.RFC3339Nano), p.name)
	cmd := exec.Command(p.args[0], p.args[1:]...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	// The process dies with the test binary, whatever happens to it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = f.Close(); close(done) }()
	p.cmd, p.done = cmd, done
}

// signal sends sig and waits up to grace for the process to exit (then
// kills it).
func (p *proc) signal(t *testing.T, sig syscall.Signal, grace time.Duration) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd = nil
}

func (p *proc) stop(t *testing.T) { p.signal(t, syscall.SIGTERM, 20*time.Second) }
func (p *proc) kill(t *testing.T) { p.signal(t, syscall.SIGKILL, 5*time.Second) }

// topology is Recours as production runs it: a standalone Temporal server
// on PostgreSQL, the application database on a private PostgreSQL the
// test may stop, two API processes and two workers.
type topology struct {
	t         *testing.T
	bin       string
	dir       string
	temporal  *cluster.Temporal
	pg        *cluster.Postgres
	dbURL     string
	namespace string
	apis      []*proc
	workers   []*proc
	apiURLs   []string
	health    []string // the workers' health addresses
	st        *store.Store
	tokens    map[string]string
}

// temporalClient dials the files' namespace, for what a test starts
// without the API; the caller closes it.
func (top *topology) temporalClient(t *testing.T) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: top.temporal.HostPort(), Namespace: top.namespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatalf("temporal client: %v", err)
	}
	return c
}

// buildRecours builds the recours binary into dir.
func buildRecours(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "recours")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/recours")
	cmd.Dir = cluster.RepoRoot(t)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build recours: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startTopology sets everything up, the four processes started at once on
// the new database (each migrates it at start), and waits until every
// process says it is ready.
func startTopology(t *testing.T) *topology {
	t.Helper()
	top := &topology{t: t, dir: t.TempDir(), namespace: "recours", tokens: map[string]string{}}
	top.bin = buildRecours(t, top.dir)
	top.temporal = cluster.StartTemporal(t, cluster.TemporalConfig{LogLevel: "warn"})
	top.pg = cluster.StartPostgres(t)
	top.dbURL = top.pg.URL(top.pg.CreateDatabase(t, "recours"))
	top.run(t, "temporal", "setup", "--retention", "24h")

	for i := range 2 {
		addr := freeAddr(t)
		top.apiURLs = append(top.apiURLs, "http://"+addr)
		top.apis = append(top.apis, top.process(fmt.Sprintf("api-%d", i+1), "serve", "--listen", addr, "--metrics-listen", "127.0.0.1:0"))
		haddr := freeAddr(t)
		top.health = append(top.health, "http://"+haddr)
		top.workers = append(top.workers, top.process(fmt.Sprintf("worker-%d", i+1), "worker", "--listen", haddr,
			"--outbox", filepath.Join(top.dir, fmt.Sprintf("outbox-%d", i+1))))
	}
	// Started one after the other at once: each migrates the new database
	// as it starts.
	for _, p := range append(append([]*proc{}, top.apis...), top.workers...) {
		p.start(t)
	}
	t.Cleanup(func() {
		for _, p := range append(append([]*proc{}, top.apis...), top.workers...) {
			p.stop(t)
		}
		if t.Failed() {
			for _, p := range append(append([]*proc{}, top.apis...), top.workers...) {
				tail(t, p.log)
			}
		}
	})
	st, err := store.Open(top.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	top.st = st
	top.waitReady(t, 2*time.Minute)
	// The Cafs and the demo users, as an administrator would set them up.
	if err := st.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"csu.demo", "manager.demo", "gca.demo"} {
		tok, err := st.CreateToken(context.Background(), login, "faults", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		top.tokens[login] = tok
	}
	// The API processes pick the new grants up within seconds.
	deadline := time.Now().Add(time.Minute)
	for _, base := range top.apiURLs {
		for login, tok := range top.tokens {
			for {
				req, _ := http.NewRequest("GET", base+"/api/v1/cases?caf=071&limit=1", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: %s is not granted its roles after a minute", base, login)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	}
	return top
}

// faultsActorKey is the key the topology's APIs seal actions with and its
// workers check them with.
var faultsActorKey = base64.StdEncoding.EncodeToString([]byte("recours-faults-actor-key-32bytes"))

// process declares a recours process against the topology's Temporal and
// database.
func (top *topology) process(name string, args ...string) *proc {
	return &proc{
		name: name,
		args: append([]string{top.bin}, args...),
		env: []string{
			"DATABASE_URL=" + top.dbURL, "TEMPORAL_ADDRESS=" + top.temporal.HostPort(),
			"TEMPORAL_NAMESPACE=" + top.namespace, "LOG_LEVEL=warn", "RECOURS_START_WAIT=3m",
			"RATE_PER_IP=0", "RATE_PER_TOKEN=0",
			// The API seals its actions and the workers require the seal;
			// the demo accounts the tests sign in with make it a trial.
			"RECOURS_ACTOR_KEY=" + faultsActorKey, "RECOURS_INSECURE_TRIAL=1",
			// The API processes share the trail's key and one checkpoints' file.
			"RECOURS_AUDIT_KEY=" + strings.Repeat("5a", 32), "RECOURS_AUDIT_CHECKPOINT=" + filepath.Join(top.dir, "audit-checkpoints.jsonl"),
		},
		log: filepath.Join(top.dir, name+".log"),
	}
}

// run runs a one-off recours command against the topology and returns its
// output; it fails the test when the command fails.
func (top *topology) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := top.command(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("recours %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (top *topology) command(args ...string) *exec.Cmd {
	cmd := exec.Command(top.bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+top.dbURL, "TEMPORAL_ADDRESS="+top.temporal.HostPort(),
		"TEMPORAL_NAMESPACE="+top.namespace, "LOG_LEVEL=warn")
	return cmd
}

// waitReady waits until every API and every worker answers /readyz 200.
func (top *topology) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for _, base := range append(append([]string{}, top.apiURLs...), top.health...) {
		for {
			resp, err := http.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/readyz not ready after %s (last: %v)", base, within, err)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// tail logs the end of a log file.
func tail(t *testing.T, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	t.Logf("--- %s ---\n%s", filepath.Base(path), b)
}
