package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"recours/internal/cluster"
	"recours/internal/testutil"
	"recours/workflows"
)

// With the application database away, every request answers 503 with
// Retry-After, the token check included, and never an internal message;
// once it is back, the same requests go through (issue 11: the token
// check's failure answered 500 without Retry-After).
func TestDatabaseAway_Answers503WithRetryAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL")
	}
	pg := cluster.StartPostgres(t)
	r := testutil.Start(t, pg.URL(pg.CreateDatabase(t, "recours")))
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
	require.Equal(t, 201, created.Status, string(created.Body))
	id := created.Map(t)["id"].(string)
	for _, login := range []string{"csu.demo", "manager.demo"} {
		r.Token(login) // made while the database answers
	}

	pg.Stop(t)
	for _, req := range []struct{ method, path, login string }{
		{"GET", "/api/v1/cases", "manager.demo"},
		{"GET", "/api/v1/cases/" + id, "manager.demo"},
		{"POST", "/api/v1/complaints", "csu.demo"},
		{"POST", "/api/v1/cases/" + id + "/actions/assign", "manager.demo"},
	} {
		var body any
		switch req.path {
		case "/api/v1/complaints":
			body = testutil.Complaint("071")
		case "/api/v1/cases/" + id + "/actions/assign":
			body = map[string]any{"assignee": "gca.demo"}
		}
		resp := r.Do(req.method, req.path, req.login, body, "Idempotency-Key", "away-"+req.path)
		assert.Equal(t, 503, resp.Status, "%s %s: %s", req.method, req.path, resp.Body)
		assert.Equal(t, "5", resp.Header.Get("Retry-After"), "%s %s", req.method, req.path)
		assert.NotContains(t, string(resp.Body), "127.0.0.1")
		assert.NotContains(t, string(resp.Body), "postgres")
	}
	ready := r.Do("GET", "/readyz", "", nil)
	assert.Equal(t, 503, ready.Status)

	pg.Start(t)
	assign := map[string]any{"assignee": "gca.demo"}
	require.Eventually(t, func() bool {
		return r.Do("POST", "/api/v1/cases/"+id+"/actions/assign", "manager.demo", assign,
			"Idempotency-Key", "away-/api/v1/cases/"+id+"/actions/assign").Status == 200
	}, time.Minute, 500*time.Millisecond)
	evs := r.Do("GET", "/api/v1/cases/"+id+"/events", "manager.demo", nil)
	require.Equal(t, 200, evs.Status)
	n := 0
	for _, ev := range evs.Map(t)["items"].([]any) {
		if ev.(map[string]any)["action"] == "assign" {
			n++
		}
	}
	assert.Equal(t, 1, n, "the assignment once")
}

// A repeated registration whose file's workflow has ended answers with the
// file, as the first did; it is not started again (a new run would write
// the file anew over its history).
func TestRepeat_AfterTheWorkflowEndedAnswersTheFile(t *testing.T) {
	r := testutil.Start(t, "")
	body := testutil.Overpayment("071", "120.50") // below the threshold: sent at once, then the workflow ends
	first := r.Do("POST", "/api/v1/overpayments", "gca.demo", body, "Idempotency-Key", "notice-1")
	require.Equal(t, 201, first.Status, string(first.Body))
	id := first.Map(t)["id"].(string)
	require.Eventually(t, func() bool {
		d, err := r.Client.DescribeWorkflowExecution(context.Background(), workflows.OverpaymentWorkflowID(id), "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}, 20*time.Second, 100*time.Millisecond, "the notice's workflow ends once it is sent")
	again := r.Do("POST", "/api/v1/overpayments", "gca.demo", body, "Idempotency-Key", "notice-1")
	require.Equal(t, 201, again.Status, string(again.Body))
	assert.Equal(t, id, again.Map(t)["id"])
	assert.Equal(t, "sent", again.Map(t)["status"])
}
