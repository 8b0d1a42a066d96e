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

			// The acknowledgment and the answer reach the claimant in the
			// background (the outbox of the embedded default).
			messages := r.WaitForMessages(t, id, "acknowledgment", "complaint_answer")
			for _, m := range messages {
				assert.Equal(t, "sent", m["status"])
				assert.Equal(t, "outbox", m["channel"])
				assert.EqualValues(t, 1, m["attempts"])
			}
			// Their outcomes reach the timeline just after.
			var all struct{ Items []domain.Event }
			require.Eventually(t, func() bool {
				events := r.Do("GET", "/api/v1/cases/"+id+"/events", "auditor.demo", nil)
				require.Equal(t, 200, events.Status)
				all.Items = nil
				events.JSON(t, &all)
				n := 0
				for _, ev := range all.Items {
					if ev.Action == domain.EventMessageSent {
						n++
					}
				}
				return n >= 2
			}, 20*time.Second, 50*time.Millisecond, "both messages on the timeline")
			for i, ev := range all.Items {
				assert.Equal(t, int64(i+1), ev.Seq, "no gap in the timeline")
			}
			var timeline struct{ Items []domain.Event }
			sent := map[string]int{}
			for _, ev := range all.Items {
				if ev.Action == domain.EventMessageSent {
					sent[ev.Details["kind"].(string)]++
					continue
				}
				timeline.Items = append(timeline.Items, ev)
			}
			assert.Equal(t, map[string]int{"acknowledgment": 1, "document_request": 1, "complaint_answer": 1}, sent, "each message once: the request of documents writes to the claimant")
			want := []string{"created", "assign", "start", "request_documents", "documents_received", "answer", "close"}
			require.Len(t, timeline.Items, len(want), "each event exactly once")
			for i, ev := range timeline.Items {
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

// assertReadYourWrites checks that GET shows the file as the write
// answered. The acknowledgment deadline is left out: the acknowledgment,
// sent in the background, may meet it between the two.
func assertReadYourWrites(t *testing.T, r *testutil.Recours, id string, answered []byte) {
	t.Helper()
	got := r.Do("GET", "/api/v1/cases/"+id, "manager.demo", nil)
	require.Equal(t, 200, got.Status)
	assert.JSONEq(t, withoutAcknowledgment(t, answered), withoutAcknowledgment(t, got.Body), "GET right after the write")
}

// withoutAcknowledgment is the file's JSON but for whether its
// acknowledgment deadline is met yet.
func withoutAcknowledgment(t *testing.T, body []byte) string {
	t.Helper()
	var file map[string]any
	require.NoError(t, json.Unmarshal(body, &file))
	deadlines, _ := file["deadlines"].([]any)
	for _, d := range deadlines {
		if m, ok := d.(map[string]any); ok && m["name"] == domain.DeadlineAcknowledgment {
			delete(m, "met_at")
			delete(m, "status")
		}
	}
	out, err := json.Marshal(file)
	require.NoError(t, err)
	return string(out)
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
	r.API.Cases.Saved = nil
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
	assert.JSONEq(t, withoutAcknowledgment(t, first.Body), withoutAcknowledgment(t, again.Body))
}
