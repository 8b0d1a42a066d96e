package embedded_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recours/internal/embedded"
)

// Workflows and activities under test.

func greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// adderWorkflow accepts "add" updates (positive amounts only) until the total
// reaches target, then greets through an activity.
func adderWorkflow(ctx workflow.Context, name string, target int) (string, error) {
	total := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, "add",
		func(_ workflow.Context, n int) (int, error) {
			total += n
			return total, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, n int) error {
			if n <= 0 {
				return errors.New("amount must be positive")
			}
			return nil
		}},
	)
	if err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return total >= target }); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var greeting string
	if err := workflow.ExecuteActivity(ctx, greet, name).Get(ctx, &greeting); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (total %d)", greeting, total), nil
}

// waitSignalWorkflow blocks until the "finish" signal, long enough to span a
// server restart.
func waitSignalWorkflow(ctx workflow.Context) (string, error) {
	var payload string
	workflow.GetSignalChannel(ctx, "finish").Receive(ctx, &payload)
	return "finished: " + payload, nil
}

// Helpers.

// testLogger collects server warnings and prints them only if the test fails:
// a healthy run still logs a few (shutdown races, no Nexus HTTP port).
func testLogger(t *testing.T) *slog.Logger {
	var buf syncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server logs:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(&buf, nil))
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requirePortFree checks that a stopped server released its frontend port.
func requirePortFree(t *testing.T, hostPort string) {
	t.Helper()
	l, err := net.Listen("tcp", hostPort)
	require.NoError(t, err, "frontend port still bound after Stop")
	require.NoError(t, l.Close())
}

func startServer(t *testing.T, cfg embedded.Config) *embedded.Server {
	t.Helper()
	begin := time.Now()
	srv, err := embedded.Start(t.Context(), cfg)
	require.NoError(t, err)
	t.Logf("server up on %s in %s", srv.HostPort(), time.Since(begin).Round(time.Millisecond))
	return srv
}

func dial(t *testing.T, srv *embedded.Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.HostPort(),
		Namespace: srv.Namespace(),
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	require.NoError(t, err)
	return c
}

func startWorker(t *testing.T, c client.Client, taskQueue string) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(adderWorkflow)
	w.RegisterWorkflow(waitSignalWorkflow)
	w.RegisterActivity(greet)
	require.NoError(t, w.Start())
	return w
}

func update(ctx context.Context, c client.Client, workflowID string, n int) (int, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   "add",
		Args:         []any{n},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return 0, err
	}
	var total int
	err = h.Get(ctx, &total)
	return total, err
}

// Tests.

func TestInMemoryWorkflowWithActivityAndUpdate(t *testing.T) {
	srv := startServer(t, embedded.Config{Logger: testLogger(t)})
	t.Cleanup(func() { require.NoError(t, srv.Stop()) })
	require.Equal(t, "default", srv.Namespace())

	c := dial(t, srv)
	t.Cleanup(c.Close)
	w := startWorker(t, c, "embedded-test")
	t.Cleanup(w.Stop)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "adder", TaskQueue: "embedded-test"},
		adderWorkflow, "world", 5)
	require.NoError(t, err)

	_, err = update(ctx, c, run.GetID(), -1)
	require.ErrorContains(t, err, "amount must be positive", "validator must reject")
	total, err := update(ctx, c, run.GetID(), 2)
	require.NoError(t, err)
	require.Equal(t, 2, total)
	total, err = update(ctx, c, run.GetID(), 3)
	require.NoError(t, err)
	require.Equal(t, 5, total)

	var result string
	require.NoError(t, run.Get(ctx, &result))
	require.Equal(t, "hello world (total 5)", result)
}

func TestFileStoreSurvivesRestart(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "nested", "temporal.db")
	cfg := embedded.Config{DatabaseFile: dbFile, Namespace: "recours-test", Logger: testLogger(t)}
	const taskQueue, workflowID = "restart-test", "wait-signal"

	// First life: start the workflow and let a worker run its first task.
	srv1 := startServer(t, cfg)
	t.Cleanup(func() { _ = srv1.Stop() }) // in case of an early failure
	c1 := dial(t, srv1)
	w1 := startWorker(t, c1, taskQueue)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	_, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflowID, TaskQueue: taskQueue}, waitSignalWorkflow)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		// Started, task scheduled, started, completed: now blocked on the signal.
		d, err := c1.DescribeWorkflowExecution(ctx, workflowID, "")
		return err == nil && d.GetPendingWorkflowTask() == nil && d.GetWorkflowExecutionInfo().GetHistoryLength() >= 4
	}, 20*time.Second, 50*time.Millisecond)
	w1.Stop()
	c1.Close()
	require.NoError(t, srv1.Stop())
	requirePortFree(t, srv1.HostPort())

	// SQLite header bytes 18/19 are 2 in WAL mode: proves the pragma applied.
	header := make([]byte, 20)
	f, err := os.Open(dbFile)
	require.NoError(t, err)
	_, err = f.Read(header)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, []byte{2, 2}, header[18:20], "database should be in WAL mode")

	// Second life on the same file: the namespace already exists (must not
	// fail) and a search attribute unknown to the file gets registered.
	cfg.SearchAttributes = map[string]enumspb.IndexedValueType{"RecoursTestKeyword": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	srv2 := startServer(t, cfg)
	t.Cleanup(func() { require.NoError(t, srv2.Stop()) })
	require.Equal(t, "recours-test", srv2.Namespace())
	c2 := dial(t, srv2)
	t.Cleanup(c2.Close)

	d, err := c2.DescribeWorkflowExecution(ctx, workflowID, "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus())

	sa, err := c2.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "recours-test"})
	require.NoError(t, err)
	require.Equal(t, enumspb.INDEXED_VALUE_TYPE_KEYWORD, sa.GetCustomAttributes()["RecoursTestKeyword"])

	w2 := startWorker(t, c2, taskQueue)
	t.Cleanup(w2.Stop)
	require.NoError(t, c2.SignalWorkflow(ctx, workflowID, "", "finish", "after restart"))
	var result string
	require.NoError(t, c2.GetWorkflow(ctx, workflowID, "").Get(ctx, &result))
	require.Equal(t, "finished: after restart", result)
}
