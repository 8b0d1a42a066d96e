package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/messages/smtptest"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/workflows"
)

// startWithSMTP starts Recours on db with its emails going to a real SMTP
// server started in the test, which refuses the first failFirst messages.
func startWithSMTP(t *testing.T, dbURL string, failFirst int) (*testutil.Recours, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t, failFirst)
	r := testutil.StartConfig(t, app.EmbeddedConfig{DataDir: t.TempDir(), DatabaseURL: dbURL,
		Messages: messages.Config{Email: messages.EmailConfig{Host: srv.Host, Port: srv.Port, TLS: messages.TLSNone,
			From: "reclamations@caf.example.fr", Timeout: 5 * time.Second}}})
	return r, srv
}

// waitForMail waits until the server holds n messages.
func waitForMail(t *testing.T, srv *smtptest.Server, n int) []smtptest.Email {
	t.Helper()
	require.Eventually(t, func() bool { return len(srv.Received()) >= n }, 30*time.Second, 50*time.Millisecond,
		"%d messages expected, %d received", n, len(srv.Received()))
	var out []smtptest.Email
	for _, m := range srv.Received() {
		e, err := smtptest.Parse(m.Data)
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// TestAcknowledgmentByEmail_EndToEnd: a complaint registered through the
// API is acknowledged by email through a real SMTP server whose first
// answer is a temporary refusal: the message arrives once, names the file
// and the date of the answer, is on the timeline once, and meets the
// acknowledgment deadline.
func TestAcknowledgmentByEmail_EndToEnd(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r, srv := startWithSMTP(t, db.URL(t), 1)
			created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
			require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
			var file domain.Case
			created.JSON(t, &file)

			mails := waitForMail(t, srv, 1)
			msgs := r.WaitForMessages(t, file.ID, "acknowledgment")
			assert.Equal(t, []string{"jeanne.martin@example.org"}, srv.Received()[0].To)
			ack := mails[0]
			// The file's reference, readable over the phone, names it.
			assert.Regexp(t, `^071-R-\d{4}-\d{6}$`, file.Reference)
			assert.Contains(t, ack.Subject, file.Reference)
			assert.Contains(t, ack.Body, "Votre dossier porte la référence "+file.Reference)
			target, _ := file.Deadline(domain.DeadlineTarget)
			assert.Contains(t, ack.Body, "au plus tard le "+messages.FrenchDate(target.DueAt), "the deadline that applies")
			assert.Contains(t, ack.Body, "demander une médiation", "the next recourse")

			require.Len(t, msgs, 1)
			assert.Equal(t, "sent", msgs[0]["status"])
			assert.Equal(t, "email", msgs[0]["channel"])
			assert.EqualValues(t, 2, msgs[0]["attempts"])
			assert.Equal(t, ack.Header.Get("Message-Id"), msgs[0]["reference"])

			var sent []domain.Event
			require.Eventually(t, func() bool { // the outcome reaches the timeline just after
				var timeline struct{ Items []domain.Event }
				r.Do("GET", "/api/v1/cases/"+file.ID+"/events", "auditor.demo", nil).JSON(t, &timeline)
				sent = nil
				for _, ev := range timeline.Items {
					if ev.Action == domain.EventMessageSent {
						sent = append(sent, ev)
					}
				}
				return len(sent) > 0
			}, 20*time.Second, 50*time.Millisecond)
			require.Len(t, sent, 1, "on the timeline once")
			assert.Equal(t, "acknowledgment", sent[0].Details["kind"])
			// message_sent is written once the sending activity has ended:
			// no attempt comes after it.
			require.Len(t, srv.Received(), 1, "the acknowledgment arrives once")
			assert.Equal(t, 1, srv.Refused(), "the first attempt was refused")
			var got domain.Case
			r.Do("GET", "/api/v1/cases/"+file.ID, "gca.demo", nil).JSON(t, &got)
			d, _ := got.Deadline(domain.DeadlineAcknowledgment)
			assert.Equal(t, domain.SLAMet, d.Status, "sending the acknowledgment meets its deadline")
		})
	}
}

// TestOverpayments_EndToEnd plays the overpayment rule through the API on
// a real SMTP server: bad input writes and sends nothing; 1,499.99 € goes
// out standard at once; 1,500 € is refused until the explanation and the
// call are recorded; a later complaint about it links to it, and the
// figures count it.
func TestOverpayments_EndToEnd(t *testing.T) {
	r, srv := startWithSMTP(t, "", 0)
	count := func() int64 {
		c, err := r.Store.Contents(context.Background())
		require.NoError(t, err)
		return c.Overpayments
	}
	good := func(amount any) map[string]any {
		b := testutil.Overpayment("071", "")
		b["amount"] = amount
		b["claimant"] = map[string]any{"number": "1234567", "name": "Jeanne Martin", "email": "jeanne.martin@example.org"}
		return b
	}
	explanation := map[string]any{
		"cause": "Vos ressources de 2024 ont été revues à la hausse.", "period": "De septembre à décembre 2025 inclus.",
		"computation": "Droit recalculé à 210 € par mois au lieu de 595 €, soit 385 € par mois.", "contest": "Écrivez à la commission de recours amiable.",
		"repayment": "En une fois ou par retenues sur vos prochains versements.", "right_to_error": "Une erreur de bonne foi n'est jamais sanctionnée.",
	}

	t.Run("bad input", func(t *testing.T) {
		missing := map[string]any{}
		for k, v := range explanation {
			if k != "right_to_error" {
				missing[k] = v
			}
		}
		unknownBenefit := good("1500")
		unknownBenefit["benefit"] = "lottery"
		withPart := good("1500")
		withPart["explanation"] = missing
		for name, c := range map[string]struct {
			body  map[string]any
			field string
		}{
			"negative amount":     {good("-1500"), "amount"},
			"negative number":     {good(-12.5), "amount"},
			"non-numeric amount":  {good("mille euros"), "amount"},
			"three decimals":      {good("1500.001"), "amount"},
			"unknown benefit":     {unknownBenefit, "benefit"},
			"explanation missing": {withPart, "explanation.right_to_error"},
		} {
			resp := r.Do("POST", "/api/v1/overpayments", "gca.demo", c.body)
			p := testutil.AssertProblem(t, resp, http.StatusBadRequest)
			fields := map[string]string{}
			for _, e := range p.Errors {
				fields[e.Field] = e.Message
			}
			assert.NotEmpty(t, fields[c.field], "%s: the field at fault is named: %s", name, resp.Body)
		}
		bool := good(true)
		testutil.AssertProblem(t, r.Do("POST", "/api/v1/overpayments", "gca.demo", bool), http.StatusBadRequest)
		assert.Zero(t, count(), "nothing written")
		assert.Empty(t, srv.Received(), "nothing sent")
	})

	var large domain.Overpayment
	var firstNotice time.Time // when the standard notice was notified
	t.Run("threshold", func(t *testing.T) {
		small := r.Do("POST", "/api/v1/overpayments", "gca.demo", good(1499.99))
		require.Equal(t, http.StatusCreated, small.Status, "%s", small.Body)
		var s domain.Overpayment
		small.JSON(t, &s)
		firstNotice = s.CreatedAt
		assert.False(t, s.Large)
		assert.Equal(t, int64(149999), s.AmountCents)
		mails := waitForMail(t, srv, 1)
		assert.Contains(t, strings.Join(strings.Fields(mails[0].Subject), " "), "1 499,99 €")
		assert.NotContains(t, mails[0].Body, "Comment nous avons calculé", "the standard notice")
		require.Eventually(t, func() bool {
			var o domain.Overpayment
			r.Do("GET", "/api/v1/overpayments/"+s.ID, "gca.demo", nil).JSON(t, &o)
			return o.Status == domain.OverpaymentSent
		}, 20*time.Second, 50*time.Millisecond)

		resp := r.Do("POST", "/api/v1/overpayments", "gca.demo", good("1 500,00"))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		resp.JSON(t, &large)
		assert.True(t, large.Large)
		assert.Equal(t, domain.OverpaymentPending, large.Status)
		require.NotNil(t, large.CallDueAt)
		act := func(action string, body any) (int, domain.Overpayment, []byte) {
			resp := r.Do("POST", "/api/v1/overpayments/"+large.ID+"/actions/"+action, "gca.demo", body)
			var o domain.Overpayment
			if resp.Status == http.StatusOK {
				resp.JSON(t, &o)
			}
			return resp.Status, o, resp.Body
		}
		status, _, body := act("send", map[string]any{})
		assert.Equal(t, http.StatusConflict, status, "%s", body)
		assert.Contains(t, string(body), "l'explication détaillée et la tentative d'appel")
		status, _, body = act("explain", map[string]any{"explanation": map[string]any{"cause": "Trop court"}})
		assert.Equal(t, http.StatusBadRequest, status, "%s", body)
		status, o, body := act("explain", map[string]any{"explanation": explanation})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Equal(t, domain.OverpaymentPending, o.Status)
		status, _, body = act("send", map[string]any{})
		assert.Equal(t, http.StatusConflict, status, "%s", body)
		status, _, body = act("record_call", map[string]any{"result": "busy"})
		assert.Equal(t, http.StatusBadRequest, status, "%s", body)
		status, o, body = act("record_call", map[string]any{"result": "reached", "note": "Explications données au téléphone."})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Equal(t, domain.OverpaymentReady, o.Status)
		assert.Len(t, srv.Received(), 1, "nothing sent before send")
		status, _, body = act("send", map[string]any{})
		require.Equal(t, http.StatusOK, status, "%s", body)
		mails = waitForMail(t, srv, 2)
		enriched := mails[1].Body
		for _, part := range []string{"Comment nous avons calculé", "210 € par mois", "droit à l'erreur", "Un conseiller vous a appelé", large.ID} {
			assert.Contains(t, enriched, part)
		}
		require.Eventually(t, func() bool {
			r.Do("GET", "/api/v1/overpayments/"+large.ID, "gca.demo", nil).JSON(t, &large)
			return large.Status == domain.OverpaymentSent
		}, 20*time.Second, 50*time.Millisecond)
		status, _, _ = act("send", map[string]any{})
		assert.Equal(t, http.StatusConflict, status, "sent once")
		// The notice's workflow ends once it is sent and its handlers are
		// done: nothing is sent after.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, r.Client.GetWorkflow(ctx, workflows.OverpaymentWorkflowID(large.ID), "").Get(ctx, nil))
		assert.Len(t, srv.Received(), 2)
		var trail struct{ Items []map[string]any }
		r.Do("GET", "/api/v1/audit/access?case_id="+large.ID, "auditor.demo", nil).JSON(t, &trail)
		require.NotEmpty(t, trail.Items, "reading a notice, which names the claimant, is in the access trail")
		assert.Equal(t, "gca.demo", trail.Items[0]["actor"])
		if dir := os.Getenv("RECOURS_RECORD_HISTORY_DIR"); dir != "" {
			recordHistory(t, r, workflows.OverpaymentWorkflowID(large.ID), filepath.Join(dir, "overpayment_v1.json"))
		}
	})

	t.Run("a later complaint links to it and the figures count it", func(t *testing.T) {
		other := testutil.Complaint("071")
		other["overpayment_id"] = large.ID
		other["claimant"] = map[string]any{"number": "7654321"}
		p := testutil.AssertProblem(t, r.Do("POST", "/api/v1/complaints", "csu.demo", other), http.StatusBadRequest)
		require.NotEmpty(t, p.Errors)
		assert.Equal(t, "overpayment_id", p.Errors[0].Field)

		body := testutil.Complaint("071")
		body["overpayment_id"] = large.ID
		resp := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		assert.Equal(t, large.ID, resp.Map(t)["overpayment_id"])

		// The days the two notices were notified in Paris (two if midnight
		// came between them).
		from, to := firstNotice.In(calendar.Paris).Format(time.DateOnly), large.CreatedAt.In(calendar.Paris).Format(time.DateOnly)
		var summary struct {
			Overpayments map[string]any `json:"overpayments"`
		}
		require.Eventually(t, func() bool {
			got := r.Do("GET", "/api/v1/reports/summary?caf=071&from="+from+"&to="+to, "manager.demo", nil)
			if got.Status != http.StatusOK {
				return false
			}
			got.JSON(t, &summary)
			return summary.Overpayments["disputed_within_60_days_pct"] != nil && summary.Overpayments["disputed_within_60_days_pct"].(float64) == 100
		}, 10*time.Second, 100*time.Millisecond, "figures: %v", summary.Overpayments)
		o := summary.Overpayments
		assert.EqualValues(t, 2, o["notices"])
		assert.EqualValues(t, 1, o["large_notices"])
		assert.EqualValues(t, 100, o["explained_pct"])
		assert.EqualValues(t, 100, o["call_reached_pct"])
		assert.EqualValues(t, 100, o["disputed_when_reached_pct"])
		assert.Nil(t, o["disputed_when_not_reached_pct"], "no large notice without a successful call")
		csv := r.Do("GET", "/api/v1/reports/summary?caf=071&from="+from+"&to="+to+"&format=csv", "manager.demo", nil)
		if csv.Status == http.StatusOK && strings.Contains(csv.Header.Get("Content-Type"), "csv") {
			assert.Contains(t, string(csv.Body), "071,overpayments,large_notices,,1")
		}
	})
}

// TestMessages_NoServerPathNorClaimantName: the messages API and the
// timeline name the outbox's files by name, never by their path on the
// server, and no error they show names the claimant; a row recorded
// before (paths, a name in the error) is shown so too.
func TestMessages_NoServerPathNorClaimantName(t *testing.T) {
	r := testutil.Start(t, "")
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	id := created.Map(t)["id"].(string)
	msgs := r.WaitForMessages(t, id, "acknowledgment")
	require.Len(t, msgs, 1)
	assert.Equal(t, id+"-acknowledgment-v2.eml "+id+"-acknowledgment-v2.pdf", msgs[0]["reference"])

	outbox := filepath.Join(r.DataDir, "outbox")
	now := time.Now()
	require.NoError(t, r.Store.RecordMessageAttempt(context.Background(), store.ClaimantMessage{
		Key: id + ":complaint_answer", CaseID: id, Caf: "071", Kind: "complaint_answer", Version: 2,
		Channel: "outbox", Status: domain.MessageFailed,
		Reference: filepath.Join(outbox, id+"-complaint_answer-v2.eml") + " " + filepath.Join(outbox, id+"-complaint_answer-v2.pdf"),
		LastError: "messages: outbox: open " + filepath.Join(outbox, ".tmp-1") + `: permission denied ("Jeanne Martin", 1234567)`,
		SentAt:    &now}))
	body := string(r.Do("GET", "/api/v1/cases/"+id+"/messages", "auditor.demo", nil).Body)
	assert.Contains(t, body, id+"-complaint_answer-v2.eml "+id+"-complaint_answer-v2.pdf")
	assert.Contains(t, body, "permission denied")
	for _, leak := range []string{r.DataDir, outbox, "Jeanne", "Martin", "1234567"} {
		assert.NotContains(t, body, leak)
	}
	require.Eventually(t, func() bool {
		return strings.Contains(string(r.Do("GET", "/api/v1/cases/"+id+"/events", "auditor.demo", nil).Body), domain.EventMessageSent)
	}, 20*time.Second, 50*time.Millisecond)
	events := string(r.Do("GET", "/api/v1/cases/"+id+"/events", "auditor.demo", nil).Body)
	assert.Contains(t, events, id+"-acknowledgment-v2.eml")
	assert.NotContains(t, events, r.DataDir, "the timeline names no path on the server")
}
