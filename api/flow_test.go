package api_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"recours/internal/domain"
	"recours/internal/testutil"
	"recours/workflows"
)

// TestComplaintFlow_EndToEnd plays a complaint's life through HTTP against
// a real Temporal server, on PostgreSQL and on SQLite: a CSU files it, a
// manager assigns it, the GCA starts, asks for documents, receives them,
// answers and closes. Every answer is what GET then shows; the timeline
// has each event once; the projection matches the workflow's own state.
func TestComplaintFlow_EndToEnd(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r := testutil.Start(t, db.URL(t))
			created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
			require.Equal(t, 201, created.Status, string(created.Body))
			file := created.Map(t)
			id := file["id"].(string)
			assert.Equal(t, "/api/v1/cases/"+id, created.Header.Get("Location"))
			assert.Equal(t, "open", file["status"])
			assertReadYourWrites(t, r, id, created.Body)

			steps := []struct {
				login, action string
				args          map[string]any
				status        string
			}{
				{"manager.demo", "assign", map[string]any{"assignee": "gca.demo"}, "assigned"},
				{"gca.demo", "start", map[string]any{}, "in_progress"},
				{"gca.demo", "request_documents", map[string]any{"note": "Merci d'envoyer votre avis d'imposition 2025."}, "awaiting_claimant"},
				{"gca.demo", "documents_received", map[string]any{}, "in_progress"},
				{"gca.demo", "answer", map[string]any{"answer": "Le trop-perçu vient de la révision de vos ressources de 2025 ; il est maintenu."}, "answered"},
				{"gca.demo", "close", map[string]any{}, "closed"},
			}
			for i, s := range steps {
				key := "step-" + s.action
				resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/"+s.action, s.login, s.args, "Idempotency-Key", key)
				require.Equal(t, 200, resp.Status, "%s: %s", s.action, resp.Body)
				assert.Equal(t, s.status, resp.Map(t)["status"], s.action)
				assertReadYourWrites(t, r, id, resp.Body)
				if i == 2 {
					assert.Equal(t, true, resp.Map(t)["clock_paused"], "the clock stops while awaiting the claimant")
				}
				// A retry with the same key returns the same file and applies nothing more.
				again := r.Do("POST", "/api/v1/cases/"+id+"/actions/"+s.action, s.login, s.args, "Idempotency-Key", key)
				require.Equal(t, 200, again.Status, "%s retried: %s", s.action, again.Body)
				assert.JSONEq(t, string(resp.Body), string(again.Body), s.action)
			}

			events := r.Do("GET", "/api/v1/cases/"+id+"/events", "auditor.demo", nil)
			require.Equal(t, 200, events.Status)
			var timeline struct{ Items []domain.Event }
			events.JSON(t, &timeline)
			want := []string{"created", "assign", "start", "request_documents", "documents_received", "answer", "close"}
			require.Len(t, timeline.Items, len(want), "each event exactly once")
			for i, ev := range timeline.Items {
				assert.Equal(t, int64(i+1), ev.Seq)
				assert.Equal(t, want[i], ev.Action)
			}
			assert.Equal(t, "csu.demo", timeline.Items[0].Actor)
			assert.Equal(t, "manager.demo", timeline.Items[1].Actor)
			assert.Equal(t, domain.StatusClosed, timeline.Items[6].ToStatus)

			// The projection is the workflow's state, field for field.
			val, err := r.Client.QueryWorkflow(context.Background(), workflows.ComplaintWorkflowID(id), "", workflows.QueryState)
			require.NoError(t, err)
			var live domain.Case
			require.NoError(t, val.Get(&live))
			liveJSON, _ := json.Marshal(live)
			got := r.Do("GET", "/api/v1/cases/"+id, "gca.demo", nil)
			assert.JSONEq(t, string(liveJSON), string(got.Body))
			final := got.Map(t)
			assert.Equal(t, "met", final["sla_status"])
			assert.NotNil(t, final["elapsed_days"])

			if path := os.Getenv("RECOURS_RECORD_HISTORY"); path != "" && db.Name == "sqlite" {
				recordHistory(t, r, workflows.ComplaintWorkflowID(id), path)
			}
		})
	}
}

// assertReadYourWrites checks that GET shows the file as the write answered.
func assertReadYourWrites(t *testing.T, r *testutil.Recours, id string, answered []byte) {
	t.Helper()
	got := r.Do("GET", "/api/v1/cases/"+id, "manager.demo", nil)
	require.Equal(t, 200, got.Status)
	assert.JSONEq(t, string(answered), string(got.Body), "GET right after the write")
}

// recordHistory writes the workflow's history as JSON, for the replay test
// (RECOURS_RECORD_HISTORY=workflows/testdata/complaint_v1.json).
func recordHistory(t *testing.T, r *testutil.Recours, wid, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := r.Client.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// TestCreateComplaint_ReadYourWritesWithoutLocalWorker plays the API of a
// production deployment, whose workers run in other processes: the 201
// waits on the workflow's register update instead of an in-process
// notice, and GET still shows the file at once.
func TestCreateComplaint_ReadYourWritesWithoutLocalWorker(t *testing.T) {
	r := testutil.Start(t, "")
	r.API.Saved = nil
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
	require.Equal(t, 201, created.Status, string(created.Body))
	id := created.Map(t)["id"].(string)
	assertReadYourWrites(t, r, id, created.Body)
	// A repeat with the same key finds the same file through the workflow.
	body := testutil.Complaint("074")
	first := r.Do("POST", "/api/v1/complaints", "csu.demo", body, "Idempotency-Key", "k1")
	again := r.Do("POST", "/api/v1/complaints", "csu.demo", body, "Idempotency-Key", "k1")
	require.Equal(t, 201, first.Status, string(first.Body))
	require.Equal(t, 201, again.Status, string(again.Body))
	assert.JSONEq(t, string(first.Body), string(again.Body))
}
