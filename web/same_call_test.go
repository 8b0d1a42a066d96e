package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/testutil"
)

// TestSameCall_TheBusiestActionsThroughTheAPIAndThePages: assign, start
// and answer, the three actions of every complaint, taken on one file
// through the JSON API and on another through the pages, run the same
// service call: each leaves the same events (actor, action, statuses,
// details), the same status and the same deadlines, and the same refusal
// of a bad argument.
func TestSameCall_TheBusiestActionsThroughTheAPIAndThePages(t *testing.T) {
	r := testutil.Start(t, "")
	viaAPI := createComplaint(t, r, testutil.Complaint("071"))
	viaPages := createComplaint(t, r, testutil.Complaint("071"))
	// The acknowledgment goes out in the background: its outcome first on
	// both timelines, so that they compare.
	waitForMessage(t, r, "acknowledgment", viaAPI, viaPages)
	mgr, gca := uiSignIn(t, r, "manager.demo"), uiSignIn(t, r, "gca.demo")
	answer := "Votre aide au logement a été recalculée sur vos ressources de 2024 ; le trop-perçu est confirmé."

	steps := []struct {
		login  string
		agent  *uiAgent
		action string
		args   map[string]string
	}{
		{"manager.demo", mgr, "assign", map[string]string{"assignee": "gca.demo"}},
		{"gca.demo", gca, "start", nil},
		{"gca.demo", gca, "answer", map[string]string{"answer": answer}},
	}
	for _, s := range steps {
		body, form := map[string]any{}, url.Values{}
		for k, v := range s.args {
			body[k], form[k] = v, []string{v}
		}
		if s.action == "answer" {
			// The same refusal first: an answer too short to explain.
			refusedAPI := r.Do("POST", "/api/v1/cases/"+viaAPI+"/actions/answer", "gca.demo", map[string]any{"answer": "Non."})
			p := testutil.AssertProblem(t, refusedAPI, http.StatusBadRequest)
			refusedPage := s.agent.post("/ui/dossiers/"+viaPages+"/actions/answer", url.Values{"answer": {"Non."}})
			assert.Equal(t, http.StatusUnprocessableEntity, refusedPage.Status)
			require.NotEmpty(t, p.Errors)
			assert.Contains(t, strings.ToLower(text(refusedPage)), strings.ToLower(p.Errors[0].Message), "the page says the service's words")
		}
		r.Act(t, s.login, viaAPI, s.action, body)
		done := s.agent.post("/ui/dossiers/"+viaPages+"/actions/"+s.action, form)
		require.Equal(t, http.StatusSeeOther, done.Status, "%s through the page: %s", s.action, done.Body)
	}

	// The answer's letter goes out in the background, its outcome on the
	// timeline after: wait for both.
	waitForMessage(t, r, "complaint_answer", viaAPI, viaPages)
	a, p := fileOf(t, r, viaAPI), fileOf(t, r, viaPages)
	assert.Equal(t, "answered", a["status"])
	for _, k := range []string{"status", "assignee", "answer", "deadlines", "sla_status", "answered_at"} {
		if k == "answered_at" || k == "deadlines" {
			assert.Equal(t, a[k] != nil, p[k] != nil, k)
			continue
		}
		assert.Equal(t, a[k], p[k], k)
	}
	assert.Equal(t, shape(timelineOf(t, r, viaAPI)), shape(timelineOf(t, r, viaPages)))
}

// waitForMessage waits until the last event of each file's timeline is
// the outcome of its message of kind.
func waitForMessage(t *testing.T, r *testutil.Recours, kind string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		require.Eventually(t, func() bool {
			tl := shape(timelineOf(t, r, id))
			return len(tl) > 0 && strings.Contains(tl[len(tl)-1], "kind="+kind)
		}, 20*time.Second, 50*time.Millisecond, "the %s message on the timeline of %s", kind, id)
	}
}

func timelineOf(t *testing.T, r *testutil.Recours, id string) []map[string]any {
	t.Helper()
	var tl struct{ Items []map[string]any }
	r.Do("GET", "/api/v1/cases/"+id+"/events", "manager.demo", nil).JSON(t, &tl)
	return tl.Items
}

// shape is a timeline without what differs between two files: times,
// ids and the messages' references.
func shape(events []map[string]any) []string {
	var out []string
	for _, e := range events {
		line := []string{e["actor"].(string), e["action"].(string), str(e["from_status"]), str(e["to_status"])}
		if d, ok := e["details"].(map[string]any); ok {
			for _, k := range []string{"assignee", "answer", "kind", "channel"} {
				if v, ok := d[k]; ok {
					line = append(line, k+"="+str(v))
				}
			}
		}
		out = append(out, strings.Join(line, " "))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
