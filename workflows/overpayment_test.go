package workflows_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
	"recours/workflows"
)

const noticeID = "0195a000-0000-7000-8000-0000000000aa"

type noticeHarness struct {
	t      *testing.T
	env    *testsuite.TestWorkflowEnvironment
	st     *store.Store
	sender *flakySender
	input  workflows.OverpaymentInput
	fired  int
	want   int
}

func newNoticeHarness(t *testing.T, amount string) *noticeHarness {
	t.Helper()
	sender := &flakySender{}
	env, st, _ := newEnv(t, messages.Router{Email: sender})
	env.RegisterWorkflowWithOptions(workflows.Overpayment, workflow.RegisterOptions{Name: workflows.OverpaymentWorkflowName})
	n := domain.NewOverpayment{Caf: caf, Claimant: domain.Claimant{Number: "1234567", Name: "Jeanne Martin", Email: "jeanne@example.fr"},
		Benefit: "housing_aid", PeriodStart: "2025-09-01", PeriodEnd: "2025-12-31", Amount: domain.Amount(amount),
		Cause: "Vos ressources de 2024 ont été mises à jour après votre déclaration."}
	cents, err := n.Validate(start)
	require.NoError(t, err)
	o := domain.NewOverpaymentNotice(noticeID, n, cents, 0, gca.Login, start)
	return &noticeHarness{t: t, env: env, st: st, sender: sender, input: workflows.OverpaymentInput{Overpayment: o, Rules: workflows.CurrentRules}}
}

func (h *noticeHarness) at(d time.Duration, f func()) {
	h.want++
	h.env.RegisterDelayedCallback(func() { h.fired++; f() }, d)
}

func (h *noticeHarness) act(d time.Duration, action string, args domain.OverpaymentArgs) *update {
	u := &update{}
	h.at(d, func() {
		h.env.UpdateWorkflow(action, action+d.String(), &testsuite.TestUpdateCallback{
			OnAccept:   func() { u.accepted++ },
			OnReject:   func(err error) { u.rejected++; u.rejectErr = err },
			OnComplete: func(_ any, err error) { u.completed++; u.err = err },
		}, workflows.OverpaymentRequest{Actor: gca.Login, Args: args})
	})
	return u
}

func (h *noticeHarness) stored() domain.Overpayment {
	h.t.Helper()
	o, err := h.st.Overpayment(context.Background(), noticeID)
	require.NoError(h.t, err)
	return o
}

func (h *noticeHarness) notifications(recipient string) []string {
	var kinds []string
	for _, r := range notificationsTo(h.t, h.st, noticeID, recipient) {
		kinds = append(kinds, r.Kind)
	}
	return kinds
}

func (h *noticeHarness) run() domain.Overpayment {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.OverpaymentWorkflowName, h.input)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.Equal(h.t, h.want, h.fired, "callbacks that never ran")
	require.NoError(h.t, h.env.GetWorkflowError())
	var o domain.Overpayment
	require.NoError(h.t, h.env.GetWorkflowResult(&o))
	return o
}

var fullExplanation = domain.Explanation{
	Cause:        "Vos ressources de 2024 ont été revues à la hausse par l'administration fiscale.",
	Period:       "De septembre à décembre 2025, soit quatre mois de versement.",
	Computation:  "Droit recalculé : 210 € par mois au lieu de 595 €, soit 385 € de trop par mois.",
	Contest:      "Écrivez à la commission de recours amiable dans les deux mois.",
	Repayment:    "En une fois, ou par retenues sur vos prochains versements si vous le demandez.",
	RightToError: "Si vous vous êtes trompé de bonne foi, aucune pénalité ne vous sera appliquée.",
}

func TestOverpaymentBelowTheThresholdGoesOutStandard(t *testing.T) {
	h := newNoticeHarness(t, "1499.99")
	require.False(t, h.input.Overpayment.Large)
	o := h.run()
	assert.Equal(t, domain.OverpaymentSent, o.Status)
	require.Len(t, h.sender.sent, 1)
	m := h.sender.sent[0]
	assert.Equal(t, messages.KindOverpaymentNotice, m.Kind)
	assert.Contains(t, m.Body, "1\u202f499,99\u00a0€")
	assert.NotContains(t, m.Body, "Comment nous avons calculé", "a standard notice")
	stored := h.stored()
	assert.Equal(t, domain.OverpaymentSent, stored.Status)
	require.NotNil(t, stored.SentAt)
	assert.Empty(t, h.notifications(gca.Login), "no reminder for a standard notice")
}

func TestOverpaymentAtTheThresholdWaitsForTheExplanationAndTheCall(t *testing.T) {
	h := newNoticeHarness(t, "1500")
	require.True(t, h.input.Overpayment.Large)
	early := h.act(time.Hour, domain.OverpaymentSend, domain.OverpaymentArgs{})
	partial := h.act(2*time.Hour, domain.OverpaymentExplain, domain.OverpaymentArgs{Explanation: &domain.Explanation{Cause: fullExplanation.Cause}})
	explain := h.act(3*time.Hour, domain.OverpaymentExplain, domain.OverpaymentArgs{Explanation: &fullExplanation})
	stillEarly := h.act(4*time.Hour, domain.OverpaymentSend, domain.OverpaymentArgs{})
	badCall := h.act(5*time.Hour, domain.OverpaymentRecordCall, domain.OverpaymentArgs{CallResult: "maybe"})
	call := h.act(6*time.Hour, domain.OverpaymentRecordCall, domain.OverpaymentArgs{CallResult: domain.CallReached, Note: "Explications données."})
	send := h.act(7*time.Hour, domain.OverpaymentSend, domain.OverpaymentArgs{})
	h.at(3*time.Hour+time.Minute, func() {
		assert.Empty(t, h.sender.sent, "nothing sent before the call")
		assert.Equal(t, domain.OverpaymentPending, h.stored().Status)
	})
	o := h.run()

	assert.Equal(t, 1, early.rejected, "send before anything: refused")
	assert.Contains(t, early.rejectErr.Error(), "l'explication détaillée et la tentative d'appel")
	assert.Equal(t, 1, partial.rejected, "an explanation missing parts: refused")
	var de *domain.Error
	require.ErrorAs(t, workflows.DomainError(partial.rejectErr), &de)
	assert.Equal(t, domain.EINVALID, de.Code)
	require.Len(t, de.Fields, 5, "every part but the cause is missing")
	assert.Equal(t, "explanation.period", de.Fields[0].Field)
	assert.Contains(t, de.Fields[0].Message, "partie obligatoire")
	assert.Equal(t, 1, explain.completed)
	assert.Equal(t, 1, stillEarly.rejected, "send before the call: refused")
	assert.Contains(t, stillEarly.rejectErr.Error(), "la tentative d'appel")
	assert.Equal(t, 1, badCall.rejected)
	assert.Equal(t, 1, call.completed)
	assert.Equal(t, 1, send.completed)
	require.NoError(t, send.err)

	assert.Equal(t, domain.OverpaymentSent, o.Status)
	require.Len(t, h.sender.sent, 1)
	body := h.sender.sent[0].Body
	for _, part := range []string{fullExplanation.Computation, fullExplanation.RightToError, "Un conseiller vous a appelé"} {
		assert.Contains(t, body, part)
	}
	var actions []string
	for _, ev := range o.Events {
		actions = append(actions, ev.Action)
	}
	assert.Equal(t, []string{"created", "explain", "record_call", "send", domain.EventMessageSent}, actions)
	assert.Empty(t, h.notifications(gca.Login), "done within the day: no reminder")
}

func TestOverpaymentReminderThenDeadlineMissed(t *testing.T) {
	h := newNoticeHarness(t, "2400.50")
	o := h.input.Overpayment
	// Monday 2 March 10:00: reminder Tuesday, call due Wednesday.
	require.True(t, o.ReminderAt.Equal(start.Add(day)), "reminder %s", o.ReminderAt)
	require.True(t, o.CallDueAt.Equal(start.Add(2*day)), "due %s", o.CallDueAt)
	h.at(day-time.Hour, func() { assert.Empty(t, h.notifications(gca.Login), "too early") })
	h.at(day+time.Hour, func() {
		assert.Equal(t, []string{"overpayment_reminder"}, h.notifications(gca.Login))
		assert.NotNil(t, h.stored().RemindedAt)
		assert.Empty(t, h.notifications(domain.RoleRecipient(domain.RoleManager)))
	})
	h.at(2*day+time.Hour, func() {
		assert.Equal(t, []string{"overpayment_reminder", "overpayment_overdue"}, h.notifications(gca.Login))
		assert.Equal(t, []string{"overpayment_overdue"}, h.notifications(domain.RoleRecipient(domain.RoleManager)))
		assert.NotNil(t, h.stored().CallMissedAt)
	})
	h.act(3*day, domain.OverpaymentExplain, domain.OverpaymentArgs{Explanation: &fullExplanation})
	h.act(3*day+time.Hour, domain.OverpaymentRecordCall, domain.OverpaymentArgs{CallResult: domain.CallNoNumber})
	h.act(3*day+2*time.Hour, domain.OverpaymentSend, domain.OverpaymentArgs{})
	done := h.run()
	assert.Equal(t, domain.OverpaymentSent, done.Status)
	b, _ := json.Marshal(done.Call)
	assert.Contains(t, string(b), "no_number")
	assert.NotContains(t, h.sender.sent[0].Body, "Un conseiller vous a appelé")
}
