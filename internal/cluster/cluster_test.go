package cluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"

	"recours/internal/cluster"
)

func TestPostgres_StopAndStart_KeepsData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	pg := cluster.StartPostgres(t)
	url := pg.URL(pg.CreateDatabase(t, "app"))
	ctx := context.Background()

	c := connect(t, url)
	_, err := c.Exec(ctx, "CREATE TABLE files (id text PRIMARY KEY); INSERT INTO files VALUES ('R-1')")
	require.NoError(t, err)
	require.NoError(t, c.Close(ctx))

	pg.Stop(t)
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err = pgx.Connect(short, url)
	require.Error(t, err, "a stopped server must refuse connections")

	pg.Start(t)
	c = connect(t, url)
	defer c.Close(ctx)
	var id string
	require.NoError(t, c.QueryRow(ctx, "SELECT id FROM files").Scan(&id))
	require.Equal(t, "R-1", id)
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	return c
}

const (
	namespace = "cluster-test"
	taskQueue = "cluster-test"
)

func Greet(ctx workflow.Context, name string) (string, error) {
	return "bonjour " + name, nil
}

func TestTemporal_StopAndStart_KeepsNamespaceAndHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a Temporal server")
	}
	tp := cluster.StartTemporal(t, cluster.TemporalConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// One client and one worker live through the restarts, as `recours
	// serve` and `recours worker` processes would.
	nc, c := greeter(ctx, t, tp)
	require.Equal(t, "bonjour Alice", run(ctx, t, c, "greet-before"))

	tp.Stop(t)
	short, cancelShort := context.WithTimeout(ctx, 2*time.Second)
	_, err := c.CheckHealth(short, &client.CheckHealthRequest{})
	cancelShort()
	require.Error(t, err, "a stopped server must fail health checks")

	tp.Start(t)
	desc, err := nc.Describe(ctx, namespace)
	require.NoError(t, err)
	require.Equal(t, 24*time.Hour, desc.Config.WorkflowExecutionRetentionTtl.AsDuration())

	wf, err := c.DescribeWorkflowExecution(ctx, "greet-before", "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, wf.WorkflowExecutionInfo.Status)
	var got string
	require.NoError(t, c.GetWorkflow(ctx, "greet-before", "").Get(ctx, &got))
	require.Equal(t, "bonjour Alice", got)

	// The worker started before the restart picks up new work after it.
	require.Equal(t, "bonjour Alice", run(ctx, t, c, "greet-after-stop"))

	// A crash (SIGKILL) loses nothing that was acknowledged either.
	tp.Kill(t)
	tp.Start(t)
	require.Equal(t, "bonjour Alice", run(ctx, t, c, "greet-after-kill"))
	wf, err = c.DescribeWorkflowExecution(ctx, "greet-after-stop", "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, wf.WorkflowExecutionInfo.Status)
}

// greeter registers the test namespace (one-day retention) and starts a
// worker for Greet; both stop with the test.
func greeter(ctx context.Context, t *testing.T, tp *cluster.Temporal) (client.NamespaceClient, client.Client) {
	t.Helper()
	nc, err := client.NewNamespaceClient(client.Options{HostPort: tp.HostPort()})
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	require.NoError(t, nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}))
	c, err := client.Dial(client.Options{HostPort: tp.HostPort(), Namespace: namespace})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(Greet)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return nc, c
}

// run executes Greet to completion. A namespace just registered takes a
// moment to reach every service's cache, so NotFound is retried.
func run(ctx context.Context, t *testing.T, c client.Client, id string) string {
	t.Helper()
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue, WorkflowExecutionTimeout: time.Minute}
	for {
		run, err := c.ExecuteWorkflow(ctx, opts, Greet, "Alice")
		var notFound *serviceerror.NamespaceNotFound
		if errors.As(err, &notFound) && ctx.Err() == nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		require.NoError(t, err)
		var got string
		require.NoError(t, run.Get(ctx, &got))
		return got
	}
}

func TestTemporal_OnPrivatePostgres_SurvivesDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a Temporal server")
	}
	pg := cluster.StartPostgres(t)
	tp := cluster.StartTemporal(t, cluster.TemporalConfig{Postgres: pg})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	_, c := greeter(ctx, t, tp)
	require.Equal(t, "bonjour Alice", run(ctx, t, c, "greet-before"))

	// Temporal's own database goes away and comes back under the server.
	pg.Stop(t)
	pg.Start(t)
	start := time.Now()
	require.Equal(t, "bonjour Alice", run(ctx, t, c, "greet-after"))
	t.Logf("first workflow after the database restart took %v", time.Since(start).Round(time.Millisecond))
}
