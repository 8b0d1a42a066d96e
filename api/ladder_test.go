package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/activities"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/workflows"
)

func timeline(t *testing.T, r *testutil.Recours, id string) []map[string]any {
	t.Helper()
	var tl struct{ Items []map[string]any }
	r.Do("GET", "/api/v1/cases/"+id+"/events", "manager.demo", nil).JSON(t, &tl)
	return tl.Items
}

func actions(events []map[string]any) []string {
	var out []string
	for _, e := range events {
		out = append(out, e["action"].(string))
	}
	return out
}

const explanation = "Après examen de votre dossier, la décision de la Caf est maintenue : vos ressources de 2025 dépassent le plafond."

func referralBody(ref, callback string) map[string]any {
	b := map[string]any{
		"ddd_reference": ref, "caf": "071",
		"claimant": map[string]any{"number": "1234567", "name": "Jeanne Martin"},
		"benefit":  "housing_aid", "reason": "overpayment_not_understood",
		"subject":              "Trop-perçu d'aide au logement",
		"facts":                "La réclamante conteste le trop-perçu après la médiation.",
		"response_expected_by": time.Now().AddDate(0, 1, 0).Format(time.DateOnly),
	}
	if callback != "" {
		b["callback_url"] = callback
	}
	return b
}

// TestLadder_ComplaintMediationReferral climbs the whole ladder: a
// complaint answered, escalated to mediation, admitted and decided
// "maintained", taken to the Défenseur des droits, whose referral arrives
// with that reference and joins the chain.
func TestLadder_ComplaintMediationReferral(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) { ladder(t, testutil.Start(t, db.URL(t)), db.Name) })
	}
}

func ladder(t *testing.T, r *testutil.Recours, dbName string) {
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
	require.Equal(t, 201, created.Status, string(created.Body))
	complaint := created.Map(t)["id"].(string)
	r.Act(t, "manager.demo", complaint, "assign", map[string]any{"assignee": "gca.demo"})
	r.Act(t, "gca.demo", complaint, "start", map[string]any{})
	r.Act(t, "gca.demo", complaint, "answer", map[string]any{"answer": "Le trop-perçu est dû : vos ressources ont été révisées."})

	escalated := r.Act(t, "gca.demo", complaint, "escalate", map[string]any{"reason": "La réclamante conteste la réponse."})
	assert.Equal(t, "escalated", escalated["status"])
	mediation := escalated["escalated_to"].(string)
	require.NotEmpty(t, mediation)
	m := r.Do("GET", "/api/v1/cases/"+mediation, "mediator.demo", nil)
	require.Equal(t, 200, m.Status, "the mediation is readable as soon as the escalation answers")
	mf := m.Map(t)
	assert.Equal(t, "mediation", mf["kind"])
	assert.Equal(t, "received", mf["status"])
	assert.Equal(t, complaint, mf["parent_id"])
	assert.Equal(t, "claimant", mf["origin"])
	assert.Equal(t, "housing_aid", mf["benefit"])
	assert.Equal(t, "overpayment_not_understood", mf["reason"])
	prior := mf["prior_files"].([]any)
	require.Len(t, prior, 1, "the mediator sees the claimant's prior file")
	assert.Equal(t, complaint, prior[0].(map[string]any)["id"])
	assert.Equal(t, "escalated", prior[0].(map[string]any)["status"])

	admitted := r.Act(t, "mediator.demo", mediation, "admit", map[string]any{"prior_contact_case_id": complaint, "no_court_case": true})
	assert.Equal(t, "admitted", admitted["status"])
	assert.NotNil(t, admitted["appeal_suspension"].(map[string]any)["from"])
	decided := r.Act(t, "mediator.demo", mediation, "decide", map[string]any{"outcome": "maintained", "explanation": explanation})
	assert.Equal(t, "decided", decided["status"])
	assert.NotNil(t, decided["appeal_suspension"].(map[string]any)["until"], "the suspension ends with the decision")
	referred := r.Act(t, "mediator.demo", mediation, "refer_to_ddd", map[string]any{"ddd_reference": "DDD-2026-0042"})
	assert.Equal(t, "referred_to_ddd", referred["status"])

	sub := r.Do("POST", "/api/v1/referrals", "ddd.demo", referralBody("DDD-2026-0042", ""))
	require.Equal(t, 201, sub.Status, string(sub.Body))
	referral := sub.Map(t)
	assert.Equal(t, mediation, referral["parent_id"])
	assert.Equal(t, "defenseur_des_droits", referral["origin"])

	var view struct {
		Chain []store.Link `json:"chain"`
	}
	r.Do("GET", "/api/v1/cases/"+referral["id"].(string), "mediator.demo", nil).JSON(t, &view)
	require.Len(t, view.Chain, 3, "complaint → mediation → referral")
	assert.Equal(t, []string{complaint, mediation, referral["id"].(string)}, []string{view.Chain[0].ID, view.Chain[1].ID, view.Chain[2].ID})
	// Each file of the chain has its own reference, shown in the chain.
	refs := []string{view.Chain[0].Reference, view.Chain[1].Reference, view.Chain[2].Reference}
	assert.Regexp(t, `^071-R-\d{4}-\d{6}$`, refs[0])
	assert.Regexp(t, `^071-M-\d{4}-\d{4}$`, refs[1], "the mediation a complaint escalated to")
	assert.Regexp(t, `^071-D-\d{4}-\d{4}$`, refs[2], "the Défenseur des droits referral")
	assert.Equal(t, refs[1], mf["reference"])
	r.Do("GET", "/api/v1/cases/"+complaint, "gca.demo", nil).JSON(t, &view)
	assert.Len(t, view.Chain, 3, "every file of the chain shows it")
	// A reference reads the file as its id does, as typed over the phone.
	byRef := r.Do("GET", "/api/v1/cases/"+strings.ToLower(refs[1]), "mediator.demo", nil)
	require.Equal(t, 200, byRef.Status, string(byRef.Body))
	assert.Equal(t, mediation, byRef.Map(t)["id"])
	r.Do("GET", "/api/v1/cases/"+refs[0], "mediator.demo", nil).JSON(t, &view)
	assert.Len(t, view.Chain, 3, "the chain from every reference")

	assert.Contains(t, actions(timeline(t, r, complaint)), "escalate")
	require.Eventually(t, func() bool {
		for _, e := range timeline(t, r, mediation) {
			if e["action"] == "link_referral" {
				return e["details"].(map[string]any)["referral_id"] == referral["id"]
			}
		}
		return false
	}, 10*time.Second, 100*time.Millisecond, "the mediation's timeline shows the referral")
	mtl := timeline(t, r, mediation)
	assert.Equal(t, complaint, mtl[0]["details"].(map[string]any)["parent_id"], "the mediation's first event names the complaint")
	if dir := os.Getenv("RECOURS_RECORD_HISTORY_DIR"); dir != "" && dbName == "sqlite" {
		recordHistory(t, r, workflows.WorkflowID(domain.KindComplaint, complaint), filepath.Join(dir, "complaint_v3_escalated.json"))
		recordHistory(t, r, workflows.WorkflowID(domain.KindMediation, mediation), filepath.Join(dir, "mediation_v1_referred.json"))
	}
}

// receiver is the liaison's callback endpoint: it fails a number of times,
// then acknowledges; it checks every signature.
type receiver struct {
	mu       sync.Mutex
	failures int
	calls    int
	acked    int
	badSig   int
	bodies   [][]byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	mac := hmac.New(sha256.New, []byte(store.DemoPartnerSecret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls++
	if !hmac.Equal([]byte(req.Header.Get(activities.SignatureHeader)), []byte(want)) {
		rc.badSig++
	}
	if rc.calls <= rc.failures {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	rc.acked++
	rc.bodies = append(rc.bodies, body)
	w.WriteHeader(http.StatusNoContent)
}

// TestReferral_AsTheLiaisonPlaysIt submits a referral, submits it again
// (same body, then a changed one), polls, lets the mediator admit, ask for
// an opinion, record it and decide; the liaison's callback fails twice,
// then accepts: one acknowledged delivery, signed, three attempts recorded.
func TestReferral_AsTheLiaisonPlaysIt(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) { liaison(t, testutil.Start(t, db.URL(t))) })
	}
}

func liaison(t *testing.T, r *testutil.Recours) {
	rc := &receiver{failures: 2}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	since := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)

	body := referralBody("DDD-2026-0100", hook.URL+"/decisions")
	first := r.Do("POST", "/api/v1/referrals", "ddd.demo", body)
	require.Equal(t, 201, first.Status, string(first.Body))
	id := first.Map(t)["id"].(string)
	again := r.Do("POST", "/api/v1/referrals", "ddd.demo", body)
	require.Equal(t, 200, again.Status, string(again.Body))
	assert.Equal(t, id, again.Map(t)["id"], "the same reference and body find the same file")
	changed := referralBody("DDD-2026-0100", hook.URL+"/decisions")
	changed["subject"] = "Autre objet"
	assert.Equal(t, 409, r.Do("POST", "/api/v1/referrals", "ddd.demo", changed).Status)
	before := r.Counts()
	assert.Equal(t, int64(0), before.Cases-1, "one file only")

	poll := r.Do("GET", "/api/v1/referrals/DDD-2026-0100", "ddd.demo", nil)
	require.Equal(t, 200, poll.Status, string(poll.Body))
	assert.Equal(t, "received", poll.Map(t)["status"])
	assert.Nil(t, poll.Map(t)["outcome"])
	legal := first.Map(t)["deadlines"].([]any)[2].(map[string]any)
	assert.Equal(t, "legal", legal["name"])
	expected, err := domain.EndOfDay(body["response_expected_by"].(string))
	require.NoError(t, err)
	due, err := time.Parse(time.RFC3339Nano, legal["due_at"].(string))
	require.NoError(t, err)
	assert.True(t, expected.Equal(due), "the legal limit is the end of the day the Défenseur des droits expects: %v", due)

	r.Act(t, "mediator.demo", id, "admit", map[string]any{"no_court_case": true})
	asked := r.Act(t, "mediator.demo", id, "request_opinion", map[string]any{"service": "Service des prestations logement", "question": "Le calcul du trop-perçu est-il juste ?"})
	assert.Equal(t, "awaiting_opinion", asked["status"])
	opinion := asked["opinions"].([]any)[0].(map[string]any)
	assert.Equal(t, "pending", opinion["status"])
	recorded := r.Act(t, "mediator.demo", id, "record_opinion", map[string]any{"opinion_id": opinion["id"], "text": "Le calcul est juste."})
	assert.Equal(t, "in_study", recorded["status"])
	r.Act(t, "mediator.demo", id, "decide", map[string]any{"outcome": "revised", "explanation": explanation})

	require.Eventually(t, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return rc.acked == 1
	}, 30*time.Second, 200*time.Millisecond, "the decision is delivered")
	require.Eventually(t, func() bool {
		return slicesContains(actions(timeline(t, r, id)), "decision_delivered")
	}, 10*time.Second, 100*time.Millisecond)
	// decision_delivered is written once the delivery activity has ended:
	// no attempt comes after it.
	rc.mu.Lock()
	assert.Equal(t, 3, rc.calls, "two failures, then the acknowledged one")
	assert.Equal(t, 1, rc.acked, "never delivered twice once acknowledged")
	assert.Zero(t, rc.badSig, "every attempt is signed with the partner's secret")
	assert.Contains(t, string(rc.bodies[0]), `"outcome":"revised"`)
	rc.mu.Unlock()
	attempts, err := r.Store.DeliveryAttempts(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, attempts, 3, "each attempt recorded")
	assert.Equal(t, []bool{false, false, true}, []bool{attempts[0].Delivered, attempts[1].Delivered, attempts[2].Delivered})

	done := r.Do("GET", "/api/v1/referrals/DDD-2026-0100", "ddd.demo", nil).Map(t)
	assert.Equal(t, "decided", done["status"])
	assert.Equal(t, "revised", done["outcome"])
	assert.Equal(t, explanation, done["explanation"])
	var changes struct{ Items []map[string]any }
	r.Do("GET", "/api/v1/referrals?updated_since="+since, "ddd.demo", nil).JSON(t, &changes)
	require.Len(t, changes.Items, 1)
	assert.Equal(t, "DDD-2026-0100", changes.Items[0]["ddd_reference"])

	// The liaison sees its referrals, never the files themselves.
	assert.Equal(t, 403, r.Do("GET", "/api/v1/cases/"+id, "ddd.demo", nil).Status)
	assert.Equal(t, 403, r.Do("GET", "/api/v1/cases", "ddd.demo", nil).Status)
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
