package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/workflows"
)

// Only the implicit rejection runs while the file waits for the claimant:
// the reminder (start of +8 d), the target (end of +10 d) and the legal
// limit (end of +15 d) all fall inside a pause from +3 d to +16 d, and none
// fires before the resume.
func TestNoDeadlineRunsWhileAwaitingClaimant(t *testing.T) {
	h := newHarness(t, "online")
	h.assignAndStart()
	// The claimant is given 20 days: no reminder of the documents either.
	h.send(3*day, domain.ActionRequestDocuments, "req-docs", gca, domain.ActionArgs{Documents: "Votre bail.", DueInDays: 20})
	got := h.send(16*day, domain.ActionDocumentsReceived, "docs-received", gca, domain.ActionArgs{})
	h.at(16*day-time.Hour, func() {
		assert.Equal(t, []string{"created", "assign", "start", "request_documents"}, actions(h.events()))
		s := h.state()
		assert.Equal(t, domain.SLAOnTime, s.SLAStatus)
		assert.Nil(t, s.RemindedAt)
		assert.Empty(t, h.notifications(domain.RoleRecipient(domain.RoleManager)))
	})
	h.at(16*day+time.Hour, func() {
		requireApplied(t, got, "documents_received")
		s := h.state()
		// Paused 13 whole days, 5 to 18 March: the target moves from the end
		// of 12 March to the end of 25 March (+23 d), the legal limit from
		// the end of 17 March to the end of 30 March (+28 d), summer time.
		target, legal := deadline(t, s, domain.DeadlineTarget).DueAt, deadline(t, s, domain.DeadlineLegal).DueAt
		assert.True(t, target.Equal(start.Add(endOfDay(23))), "target %s", target)
		assert.True(t, target.Equal(utc(time.March, 25, 22, 59, 59)), "target %s", target)
		assert.True(t, legal.Equal(start.Add(endOfDay(28))), "legal %s", legal)
		assert.True(t, legal.Equal(utc(time.March, 30, 21, 59, 59)), "legal %s", legal)
		assert.Empty(t, h.eventsOf(domain.ClockReminder))
	})
	// The reminder comes at the start of 23 March, two days before the
	// moved target.
	h.at(startOfDay(21)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockReminder), "the reminder moved with the target")
	})
	h.at(startOfDay(21)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockReminder)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(startOfDay(21))), "reminder at %s", evs[0].At)
		assert.True(t, evs[0].At.Equal(utc(time.March, 22, 23, 0, 0)), "reminder at %s", evs[0].At)
	})
	h.cancelAt(startOfDay(21) + 2*time.Minute)
	h.runCancelled()
}

// An answer given after the legal limit closes the deadlines as missed and
// stops the clock: no implicit rejection follows.
func TestAnswerAfterLegalLimitIsMissedAndStopsTheClock(t *testing.T) {
	h := newHarness(t, "online")
	h.assignAndStart()
	answer := h.send(16*day, domain.ActionAnswer, "answer", gca, domain.ActionArgs{Answer: goodAnswer})
	h.at(16*day+time.Hour, func() {
		requireApplied(t, answer, "answer")
		s := h.state()
		assert.Equal(t, domain.StatusAnswered, s.Status)
		assert.Equal(t, domain.SLAMissed, s.SLAStatus)
		assert.Equal(t, domain.SLAMet, deadline(t, s, domain.DeadlineImplicitRejection).Status)
		evs := h.eventsOf(string(domain.ActionAnswer))
		require.Len(t, evs, 1)
		assert.Equal(t, string(domain.SLAMissed), evs[0].Details["sla_status"])
	})
	due := deadline(t, h.input.Case, domain.DeadlineImplicitRejection).DueAt.Sub(start)
	h.at(due+time.Hour, func() {
		assert.Nil(t, h.state().ImplicitRejectionAt)
		// The acknowledgment went out at registration: no missed deadline.
		assert.Equal(t, []string{"created", "assign", "start", domain.ClockReminder,
			domain.ClockTargetMissed, domain.ClockLegalLimitPassed, "answer"}, actions(h.events()))
	})
	h.cancelAt(due + 2*time.Hour)
	h.runCancelled()
}

// A reopening within the window keeps the workflow alive past the end of
// the first window, and gives the file new deadlines from the reopening,
// which the clock then follows (a new request of the claimant's).
func TestReopenWithinWindowKeepsTheWorkflowRunning(t *testing.T) {
	h := newHarness(t, "online")
	h.assignAndStart()
	h.send(3*day, domain.ActionAnswer, "answer", gca, domain.ActionArgs{Answer: goodAnswer})
	closedAt := 3*day + time.Hour
	h.send(closedAt, domain.ActionClose, "close", gca, domain.ActionArgs{})
	reopen := h.send(20*day, domain.ActionReopen, "reopen", manager, domain.ActionArgs{Reason: "Le versement n'a pas eu lieu."})
	h.at(20*day+time.Hour, func() {
		requireApplied(t, reopen, "reopen")
		s := h.state()
		assert.Equal(t, domain.StatusInProgress, s.Status)
		assert.Nil(t, s.ClosedAt)
		assert.Nil(t, s.AnsweredAt)
		assert.Empty(t, s.Answer)
		assert.Equal(t, domain.StatusInProgress, h.projection().Status)
	})
	h.at(closedAt+workflows.ReopenWindow+time.Hour, func() {
		assert.False(t, h.env.IsWorkflowCompleted(), "a reopened file's workflow ended with the first window")
		assert.Equal(t, domain.StatusInProgress, h.state().Status)
		assert.Equal(t, []string{"created", "assign", "start", "answer", "close", "reopen",
			"reminder", "target_missed", "legal_limit_passed"}, actions(h.events()))
		legal := h.eventsOf(domain.ClockLegalLimitPassed)
		require.Len(t, legal, 1)
		assert.True(t, legal[0].At.Equal(calendar.EndOfDay(start.Add(35*day))), "15 days from the reopening: %s", legal[0].At)
	})
	h.cancelAt(closedAt + workflows.ReopenWindow + 2*time.Hour)
	h.runCancelled()
}

// Two different updates racing for the same transition: one applies, the
// other is refused as a conflict, and only one event is written.
func TestConflictingConcurrentUpdatesApplyOnce(t *testing.T) {
	h := newHarness(t, "online")
	h.send(time.Hour, domain.ActionAssign, "assign", manager, domain.ActionArgs{Assignee: gca.Login})
	u1, u2 := &update{}, &update{}
	h.at(2*time.Hour, func() {
		h.sendNow(u1, domain.ActionStart, "start-1", gca, domain.ActionArgs{})
		h.sendNow(u2, domain.ActionStart, "start-2", gca, domain.ActionArgs{})
	})
	h.at(3*time.Hour, func() {
		assert.Equal(t, []string{"created", "assign", "start"}, actions(h.events()))
	})
	h.cancelAt(4 * time.Hour)
	h.runCancelled()

	requireApplied(t, u1, "first start")
	// The loser is refused by the validator, or, if both were accepted
	// before either applied, fails in the handler: either way a conflict.
	loser := u2.rejectErr
	if u2.rejected == 0 {
		require.Equal(t, 1, u2.completed)
		loser = u2.err
	}
	var ae *temporal.ApplicationError
	require.True(t, errors.As(loser, &ae), "second start: %v", loser)
	assert.Equal(t, domain.ECONFLICT, ae.Type())
}

// A complaint registered late (received 12 days earlier) records at once
// the deadlines already passed, and the legal limit when it comes.
func TestLateRegisteredComplaintCatchesUpOnPassedDeadlines(t *testing.T) {
	h := newHarness(t, "online")
	h.input.Case = backdated(t, 12*day)
	h.at(time.Hour, func() {
		var missed []string
		for _, ev := range h.events() {
			if ev.Action == domain.ClockDeadlineMissed || ev.Action == domain.ClockTargetMissed {
				missed = append(missed, ev.Details["deadline"].(string))
				assert.True(t, ev.At.Equal(start), "recorded at %s", ev.At)
			}
		}
		assert.Equal(t, []string{domain.DeadlineAcknowledgment, domain.DeadlineTarget}, missed)
		assert.Equal(t, domain.SLATargetMissed, h.state().SLAStatus)
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed))
	})
	// Received on 18 February, start - 12 d: the legal limit ends with 5
	// March, start + 3 d.
	legal := endOfDay(3)
	require.True(t, start.Add(legal).Equal(utc(time.March, 5, 22, 59, 59)), "legal %s", start.Add(legal))
	h.at(legal-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "too early")
	})
	h.at(legal+time.Minute, func() {
		evs := h.eventsOf(domain.ClockLegalLimitPassed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(legal)), "legal_limit_passed at %s", evs[0].At)
		assert.Equal(t, domain.SLAOverdue, h.state().SLAStatus)
	})
	h.cancelAt(legal + 2*time.Minute)
	h.runCancelled()
}

func TestNoReminderForATargetAlreadyPassed(t *testing.T) {
	h := newHarness(t, "online")
	h.input.Case = backdated(t, 12*day)
	h.at(time.Hour, func() {
		assert.Empty(t, h.eventsOf(domain.ClockReminder), "reminder for a target already passed")
		for _, n := range h.notifications(domain.RoleRecipient(domain.RoleManager)) {
			assert.NotEqual(t, domain.ClockReminder, n.Kind, "reminder for a target already passed")
		}
	})
	h.cancelAt(2 * time.Hour)
	h.runCancelled()
}

// backdated is the complaint of newHarness, received ago before start.
func backdated(t *testing.T, ago time.Duration) domain.Case {
	t.Helper()
	rec := start.Add(-ago)
	n := domain.NewComplaint{
		Caf: caf, Claimant: domain.Claimant{Number: "1234567"}, Channel: "online",
		Benefit: "rsa", Reason: "processing_delay", Subject: "Réclamation tardive",
		Description: "Courrier reçu le 18 février.", ReceivedAt: &rec,
	}
	require.NoError(t, n.Validate(start))
	return domain.NewComplaintCase(caseID, n, start, domain.DefaultPolicy())
}
