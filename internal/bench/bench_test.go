package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recours/internal/app"
	"recours/internal/store"
	"recours/internal/testutil"
)

const rawQueue = "bench-raw"

// rawWorkflow is the baseline: a workflow with one update that does nothing.
func rawWorkflow(ctx workflow.Context) error {
	done := false
	if err := workflow.SetUpdateHandler(ctx, "touch", func(ctx workflow.Context, n int) (int, error) {
		return n + 1, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, "done", func(ctx workflow.Context) error {
		done = true
		return nil
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return done })
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// parallel runs n jobs on c goroutines and returns the elapsed time.
func parallel(b *testing.B, n, c int, job func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := job(i); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return time.Since(start)
}

// cpuTime is the CPU time this process has used, user and system: the
// embedded server, the worker, the API and the clients together. Other
// processes on the machine slow a phase down but add little to it, so the
// CPU a phase costs per file compares variants better than its rate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// acknowledgmentsSent counts the acknowledgments recorded as sent, read
// from the app database on connections of its own.
func acknowledgmentsSent(b *testing.B, db *sql.DB) int64 {
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM claimant_messages WHERE kind = $1 AND status = $2", "acknowledgment", "sent").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

// BenchmarkThroughputAndLatency prints the figures of BENCHMARKS.md.
// RECOURS_BENCH_N (default 400) files, RECOURS_BENCH_C (default 8)
// concurrent clients, RECOURS_BENCH_ACTIONS (default 400) actions;
// RECOURS_BENCH_FILING_PROFILE names a file for the CPU profile of the
// filing alone (go test's -cpuprofile covers the whole benchmark).
func BenchmarkThroughputAndLatency(b *testing.B) {
	n, conc, nActions := envInt("RECOURS_BENCH_N", 400), envInt("RECOURS_BENCH_C", 8), envInt("RECOURS_BENCH_ACTIONS", 400)
	r := testutil.Start(b, "")
	raw := worker.New(r.Client, rawQueue, worker.Options{})
	raw.RegisterWorkflowWithOptions(rawWorkflow, workflow.RegisterOptions{Name: "BenchRaw"})
	if err := raw.Start(); err != nil {
		b.Fatal(err)
	}
	defer raw.Stop()
	ctx := context.Background()
	url := r.DatabaseURL
	if url == "" {
		url = app.DatabaseURL(r.DataDir)
	}
	appDB := testutil.SQL(b, url)
	for _, login := range []string{"csu.demo", "manager.demo", "gca.demo"} {
		r.Token(login) // tokens made before the clock starts
	}

	// Warm up both paths so neither pays for first connections.
	for i := range 20 {
		if resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071")); resp.Status != 201 {
			b.Fatalf("warm-up: %d %s", resp.Status, resp.Body)
		}
		if _, err := r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("warm-%d-%s", i, uuid.NewString()), TaskQueue: rawQueue}, "BenchRaw"); err != nil {
			b.Fatal(err)
		}
	}

	// Every warm-up file's acknowledgment is sent before the clock starts.
	for deadline := time.Now().Add(time.Minute); acknowledgmentsSent(b, appDB) < 20; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the warm-up files' acknowledgments were not sent")
		}
	}

	b.ResetTimer()
	ids := make([]string, n)
	if name := os.Getenv("RECOURS_BENCH_FILING_PROFILE"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := cpuTime()
	apiElapsed := parallel(b, n, conc, func(i int) error {
		resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
		if resp.Status != 201 {
			return fmt.Errorf("file: %d %s", resp.Status, resp.Body)
		}
		id := resp.Map(b)["id"].(string)
		if got := r.Do("GET", "/api/v1/cases/"+id, "csu.demo", nil); got.Status != 200 {
			return fmt.Errorf("read-your-writes broken: GET %s answered %d", id, got.Status)
		}
		ids[i] = id
		return nil
	})
	apiCPU := cpuTime() - cpu0
	if os.Getenv("RECOURS_BENCH_FILING_PROFILE") != "" {
		pprof.StopCPUProfile()
	}
	// Acknowledgments not yet sent when the last file is read: work the
	// filing left for later, which the rate above does not pay for.
	pending := int64(n+20) - acknowledgmentsSent(b, appDB)
	rawIDs := make([]string, n)
	cpu0 = cpuTime()
	rawElapsed := parallel(b, n, conc, func(i int) error {
		rawIDs[i] = "bench-" + uuid.NewString()
		_, err := r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: rawIDs[i], TaskQueue: rawQueue}, "BenchRaw")
		return err
	})
	rawCPU := cpuTime() - cpu0

	// A raw start returns before its first workflow task runs: let those
	// tasks drain, so the latencies below are measured on a quiet server.
	parallel(b, n, conc, func(i int) error {
		h, err := r.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: rawIDs[i], UpdateName: "touch", Args: []any{0}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		return err
	})

	// Actions: each client works its own files, assigning then toggling
	// request_documents / documents_received, timed one by one.
	files := ids[:conc]
	for _, id := range files {
		r.Do("POST", "/api/v1/cases/"+id+"/actions/assign", "manager.demo", map[string]any{"assignee": "gca.demo"})
		r.Do("POST", "/api/v1/cases/"+id+"/actions/start", "gca.demo", map[string]any{})
	}
	apiLat := make([]time.Duration, nActions)
	parallel(b, conc, conc, func(c int) error {
		for k := c; k < nActions; k += conc {
			action, body := "request_documents", map[string]any{"note": "Pièce justificative demandée."}
			if (k/conc)%2 == 1 {
				action, body = "documents_received", map[string]any{}
			}
			start := time.Now()
			resp := r.Do("POST", "/api/v1/cases/"+files[c]+"/actions/"+action, "gca.demo", body)
			apiLat[k] = time.Since(start)
			if resp.Status != 200 {
				return fmt.Errorf("%s: %d %s", action, resp.Status, resp.Body)
			}
		}
		return nil
	})
	rawLat := make([]time.Duration, nActions)
	parallel(b, conc, conc, func(c int) error {
		for k := c; k < nActions; k += conc {
			start := time.Now()
			h, err := r.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: rawIDs[c], UpdateName: "touch", Args: []any{k}, WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			var out int
			if err == nil {
				err = h.Get(ctx, &out)
			}
			rawLat[k] = time.Since(start)
			if err != nil {
				return err
			}
		}
		return nil
	})
	b.StopTimer()

	// Every file filed got its acknowledgment.
	for deadline := time.Now().Add(time.Minute); acknowledgmentsSent(b, appDB) < int64(n+20); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d acknowledgments of %d sent a minute after the last action", acknowledgmentsSent(b, appDB)-20, n)
		}
	}

	apiRate := float64(n) / apiElapsed.Seconds()
	rawRate := float64(n) / rawElapsed.Seconds()
	b.ReportMetric(apiRate, "api_files/s")
	b.ReportMetric(rawRate, "raw_starts/s")
	b.ReportMetric(apiRate/rawRate, "rate_ratio")
	b.ReportMetric(float64(percentile(apiLat, 0.99))/float64(percentile(rawLat, 0.99)), "p99_ratio")
	b.ReportMetric(ms(apiCPU)/float64(n), "cpu_ms/file")
	b.ReportMetric(ms(rawCPU)/float64(n), "cpu_ms/start")
	fmt.Printf(`
Recours on the embedded server: %d files, %d concurrent clients, %d actions
  complaints filed through the API (201 then GET 200): %7.1f /s
  raw Temporal workflow starts:                        %7.1f /s
  ratio API / raw:                                     %7.2f   (target >= 0.5)
  CPU per file filed / per raw start:                  %7.2f / %.2f ms (ratio %.2f)
  acknowledgments not yet sent when the filing ended:  %7d
  action round trip through the API   p50 %6.1f ms   p99 %6.1f ms
  raw Temporal Update round trip      p50 %6.1f ms   p99 %6.1f ms
  ratio of p99s API / raw:                             %7.2f   (target <= 2)
`, n, conc, nActions, apiRate, rawRate, apiRate/rawRate,
		ms(apiCPU)/float64(n), ms(rawCPU)/float64(n), float64(apiCPU)/float64(rawCPU), pending,
		ms(percentile(apiLat, 0.5)), ms(percentile(apiLat, 0.99)),
		ms(percentile(rawLat, 0.5)), ms(percentile(rawLat, 0.99)),
		float64(percentile(apiLat, 0.99))/float64(percentile(rawLat, 0.99)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// migratedStore opens the store of url, its schema up to date, closed
// when the benchmark ends.
func migratedStore(ctx context.Context, b *testing.B, url string) *store.Store {
	b.Helper()
	st, err := store.Open(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return st
}
