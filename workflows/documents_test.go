package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/workflows"
)

func kinds(ms []messages.Message) []messages.Kind {
	var out []messages.Kind
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

// A request of documents writes to the claimant with the list and the
// date, reminds them before it, and at the date the file resumes and its
// officer is alerted (CRPA L114-5).
func TestDocumentsRequest_LetterReminderAndResumption(t *testing.T) {
	h := newHarness(t, "online") // Monday 2 March 2026, 10:00 in Paris
	sender := &flakySender{}
	h.acts.Messages = messages.Router{Email: sender}
	h.assignAndStart()
	req := h.send(3*day, domain.ActionRequestDocuments, "req-docs", gca,
		domain.ActionArgs{Documents: "Votre bail signé", DueInDays: 7})
	// 5 March + 7 days: Thursday 12 March, to its end; reminded on Monday 9.
	due := calendar.EndOfDay(start.Add(10 * day))
	remind := calendar.StartOfDay(start.Add(7 * day))
	h.at(3*day+time.Hour, func() {
		requireApplied(t, req, "request_documents")
		assert.Equal(t, []messages.Kind{messages.KindAcknowledgment, messages.KindDocumentRequest}, kinds(sender.sent))
		letter := sender.sent[1]
		assert.Contains(t, letter.Body, "Votre bail signé")
		assert.Contains(t, letter.Body, "au plus tard le 12 mars 2026")
		assert.Contains(t, letter.Body, "L114-5")
		s := h.state()
		r, ok := s.PendingDocuments()
		require.True(t, ok)
		assert.True(t, r.DueAt.Equal(due), "due %s", r.DueAt)
	})
	h.at(remind.Sub(start)-time.Minute, func() {
		assert.Len(t, sender.sent, 2, "no reminder yet")
	})
	h.at(remind.Sub(start)+time.Minute, func() {
		require.Len(t, sender.sent, 3)
		assert.Equal(t, messages.KindDocumentReminder, sender.sent[2].Kind)
		assert.Len(t, h.eventsOf(domain.ClockDocumentsReminder), 1)
		assert.Equal(t, domain.StatusAwaitingClaimant, h.state().Status)
	})
	h.at(due.Sub(start)+time.Minute, func() {
		s := h.state()
		assert.Equal(t, domain.StatusInProgress, s.Status, "the file resumes at the date")
		assert.False(t, s.ClockPaused)
		require.Len(t, h.eventsOf(domain.ClockDocumentsLapsed), 1)
		var alerted bool
		for _, n := range h.notifications(gca.Login) {
			alerted = alerted || n.Kind == domain.ClockDocumentsLapsed
		}
		assert.True(t, alerted, "the officer is alerted")
		assert.Len(t, sender.sent, 3, "nothing more to the claimant")
	})
	h.cancelAt(due.Sub(start) + time.Hour)
	h.runCancelled()
}

// Admitting a Caf mediation sends the notice of admissibility, from which
// the claimant's recourse deadlines are suspended (CSS L217-7-1); a file
// started under the rules before sends none, and replays as it ran.
func TestAdmission_SendsTheNoticeOfAdmissibility(t *testing.T) {
	for _, rules := range []workflows.Rules{workflows.CurrentRules, workflows.RulesAdmissibilityNotice - 1} {
		h := newMediationHarness(t, func(t *testing.T, now time.Time) domain.Case {
			c := plainMediation(t, now)
			c.Claimant.Email = "jeanne@example.fr"
			return c
		})
		h.input.Rules = rules
		sender := &flakySender{}
		h.acts.Messages = messages.Router{Email: sender}
		admit := h.admit(time.Hour)
		h.at(2*time.Hour, func() {
			requireApplied(t, admit, "admit")
			want := []messages.Kind{messages.KindAcknowledgment}
			if rules >= workflows.RulesAdmissibilityNotice {
				want = append(want, messages.KindAdmissibility)
			}
			assert.Equal(t, want, kinds(sender.sent), "rules %d", rules)
			if len(sender.sent) == 2 {
				assert.Contains(t, sender.sent[1].Body, "vos délais pour contester la décision de la Caf sont suspendus")
			}
		})
		h.cancelAt(3 * time.Hour)
		h.runMediationCancelled()
	}
}

// A follow-up of the Défenseur des droits after the referral was decided
// and closed puts it back in study, and the clock follows its new date.
func TestFollowUp_AfterTheDecisionTheClockFollowsTheNewDate(t *testing.T) {
	h := newMediationHarness(t, referralIn20Days)
	h.admit(time.Hour)
	h.send(2*day, domain.ActionDecide, "decide", mediator, domain.ActionArgs{Outcome: "maintained", Explanation: explanation})
	h.send(3*day, domain.ActionClose, "close", mediator, domain.ActionArgs{})
	follow := h.send(30*day, domain.ActionFollowUp, "follow-up", liaison,
		domain.ActionArgs{Kind: "explanation_request", ResponseExpectedBy: dateIn(start, 40)})
	h.at(30*day+time.Hour, func() {
		requireApplied(t, follow, "follow_up")
		s := h.state()
		assert.Equal(t, domain.StatusInStudy, s.Status)
		require.NotNil(t, s.FirstDecision)
		assert.True(t, s.FirstDecision.At.Equal(start.Add(2*day)))
	})
	h.at(41*day, func() {
		require.Len(t, h.eventsOf(domain.ClockLegalLimitPassed), 1, "the new date passed unanswered")
		assert.Equal(t, domain.SLAOverdue, h.state().SLAStatus)
	})
	h.cancelAt(41*day + time.Hour)
	h.runMediationCancelled()
}
