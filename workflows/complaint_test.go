package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/workflows"
)

func TestRegisterAnswersOnceTheFileIsStored(t *testing.T) {
	h := newHarness(t, "online")
	var got domain.Case
	var gotErr error
	completed := false
	h.at(time.Second, func() {
		h.env.UpdateWorkflow(workflows.UpdateRegister, "register-1", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { t.Errorf("register rejected: %v", err) },
			OnComplete: func(v any, err error) {
				completed, gotErr = true, err
				if err == nil {
					got = decodeCase(t, v)
				}
			},
		})
	})
	h.at(time.Minute, func() {
		require.True(t, completed, "register did not complete")
		require.NoError(t, gotErr)
		assert.Equal(t, caseID, got.ID)
		assert.Equal(t, domain.StatusOpen, got.Status)
		evs := h.events()
		require.Len(t, evs, 1)
		assert.Equal(t, "created", evs[0].Action)
		assert.Equal(t, "csu.demo", evs[0].Actor)
		assert.Equal(t, int64(1), evs[0].Seq)
		assert.Equal(t, domain.StatusOpen, h.projection().Status)
	})
	h.cancelAt(2 * time.Minute)
	h.runCancelled()
}

// Received on Monday 2 March at 10:00, the acknowledgment is due by the end
// of the fifth day, Saturday 7 March at 23:59:59 in Paris: not at 10:00.
func TestAcknowledgmentMissedAfterFiveDaysForAnOnlineComplaint(t *testing.T) {
	h := newHarness(t, "online")
	h.unreachable() // the acknowledgment cannot be sent
	due := endOfDay(5)
	require.True(t, start.Add(due).Equal(utc(time.March, 7, 22, 59, 59)), "due %s", start.Add(due))
	require.True(t, deadline(t, h.input.Case, domain.DeadlineAcknowledgment).DueAt.Equal(start.Add(due)),
		"acknowledgment due %s", deadline(t, h.input.Case, domain.DeadlineAcknowledgment).DueAt)
	for _, d := range []time.Duration{5*day + time.Hour, due - time.Second} {
		h.at(d, func() {
			assert.Empty(t, h.eventsOf(domain.ClockDeadlineMissed), "too early at %s", start.Add(d))
			assert.Equal(t, domain.SLAOnTime, deadline(t, h.state(), domain.DeadlineAcknowledgment).Status)
		})
	}
	h.at(due+time.Minute, func() {
		evs := h.eventsOf(domain.ClockDeadlineMissed)
		require.Len(t, evs, 1)
		ev := evs[0]
		assert.Equal(t, domain.System, ev.Actor)
		assert.True(t, ev.At.Equal(start.Add(due)), "at %s", ev.At)
		assert.Equal(t, int64(3), ev.Seq, "after created and the failed acknowledgment")
		assert.Equal(t, domain.DeadlineAcknowledgment, ev.Details["deadline"])
		assert.Equal(t, domain.StatusOpen, ev.ToStatus)

		s := h.state()
		assert.Equal(t, domain.SLAMissed, deadline(t, s, domain.DeadlineAcknowledgment).Status)
		assert.Equal(t, domain.SLAOnTime, s.SLAStatus, "a missed acknowledgment does not change the SLA status")
		assert.Equal(t, domain.SLAMissed, deadline(t, h.projection(), domain.DeadlineAcknowledgment).Status)
	})
	h.cancelAt(due + 2*time.Minute)
	h.runCancelled()
}

func TestPhoneComplaintIsAcknowledgedAtRegistration(t *testing.T) {
	h := newHarness(t, "phone")
	// After the end of the fifth day, when the acknowledgment would be missed.
	h.at(endOfDay(5)+time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockDeadlineMissed))
		assert.Equal(t, domain.SLAMet, deadline(t, h.state(), domain.DeadlineAcknowledgment).Status)
	})
	h.cancelAt(endOfDay(5) + 2*time.Minute)
	h.runCancelled()
}

// The target ends on Thursday 12 March at 23:59:59 in Paris (10 days after
// the receipt); the reminder comes at the start of Tuesday 10 March, 00:00
// in Paris.
func TestReminderToAssigneeTwoDaysBeforeTarget(t *testing.T) {
	h := newHarness(t, "online")
	assign, startU := h.assignAndStart()
	remind, target := start.Add(startOfDay(8)), start.Add(endOfDay(10))
	require.True(t, remind.Equal(utc(time.March, 9, 23, 0, 0)), "reminder %s", remind)
	require.True(t, target.Equal(utc(time.March, 12, 22, 59, 59)), "target %s", target)
	h.at(startOfDay(8)-time.Second, func() {
		requireApplied(t, assign, "assign")
		requireApplied(t, startU, "start")
		assert.Empty(t, h.eventsOf(domain.ClockReminder), "too early")
		for _, n := range h.notifications(gca.Login) {
			assert.NotEqual(t, domain.ClockReminder, n.Kind, "too early")
		}
		assert.Equal(t, domain.SLAOnTime, h.state().SLAStatus)
	})
	h.at(startOfDay(8)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockReminder)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(remind), "reminder at %s", evs[0].At)
		assert.Equal(t, domain.DeadlineTarget, evs[0].Details["deadline"])

		var reminders []string
		for _, n := range h.notifications(gca.Login) {
			if n.Kind == domain.ClockReminder {
				reminders = append(reminders, n.Kind)
				require.NotNil(t, n.DueAt)
				assert.True(t, n.DueAt.Equal(target), "due %s", n.DueAt)
				assert.Equal(t, caf, n.Caf)
			}
		}
		assert.Len(t, reminders, 1, "one reminder for gca.demo")
		for _, n := range h.notifications(domain.RoleRecipient(domain.RoleManager)) {
			assert.NotEqual(t, domain.ClockReminder, n.Kind, "an assigned file's reminder goes to its assignee")
		}

		s := h.state()
		assert.Equal(t, domain.SLADueSoon, s.SLAStatus)
		require.NotNil(t, s.RemindedAt)
		assert.True(t, s.RemindedAt.Equal(remind))
		assert.True(t, deadline(t, s, domain.DeadlineTarget).DueAt.Equal(target))
		assert.Equal(t, domain.SLADueSoon, h.projection().SLAStatus)
	})
	h.cancelAt(startOfDay(8) + 2*time.Minute)
	h.runCancelled()
}

// The target is missed once Thursday 12 March, the tenth day, has ended in
// Paris.
func TestTargetMissedAfterTenDaysNotifiesManagers(t *testing.T) {
	h := newHarness(t, "online")
	h.assignAndStart()
	due := endOfDay(10)
	require.True(t, start.Add(due).Equal(utc(time.March, 12, 22, 59, 59)), "due %s", start.Add(due))
	for _, d := range []time.Duration{10*day + time.Hour, due - time.Second} {
		h.at(d, func() {
			assert.Empty(t, h.eventsOf(domain.ClockTargetMissed), "too early at %s", start.Add(d))
			assert.Equal(t, domain.SLADueSoon, h.state().SLAStatus)
		})
	}
	h.at(due+time.Minute, func() {
		evs := h.eventsOf(domain.ClockTargetMissed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(due)), "target_missed at %s", evs[0].At)

		s := h.state()
		assert.Equal(t, domain.SLATargetMissed, s.SLAStatus)
		assert.Equal(t, domain.StatusInProgress, s.Status)
		assert.Equal(t, domain.SLAMissed, deadline(t, s, domain.DeadlineTarget).Status)
		assert.Equal(t, domain.SLATargetMissed, h.projection().SLAStatus)

		ns, err := h.st.Notifications(context.Background(), manager.Login,
			map[string][]domain.Role{caf: {domain.RoleManager}})
		require.NoError(t, err)
		var kinds []string
		for _, n := range ns {
			assert.Equal(t, domain.RoleRecipient(domain.RoleManager), n.Recipient)
			kinds = append(kinds, n.Kind)
		}
		assert.Equal(t, []string{domain.ClockTargetMissed}, kinds)
	})
	h.cancelAt(due + 2*time.Minute)
	h.runCancelled()
}

// The legal limit passes once Tuesday 17 March, the fifteenth day, has
// ended in Paris.
func TestLegalLimitPassedAfterFifteenDaysKeepsTheStatus(t *testing.T) {
	h := newHarness(t, "online")
	h.assignAndStart()
	due := endOfDay(15)
	require.True(t, start.Add(due).Equal(utc(time.March, 17, 22, 59, 59)), "due %s", start.Add(due))
	for _, d := range []time.Duration{15*day + time.Hour, due - time.Second} {
		h.at(d, func() {
			assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "too early at %s", start.Add(d))
			assert.Equal(t, domain.SLATargetMissed, h.state().SLAStatus)
		})
	}
	h.at(due+time.Minute, func() {
		evs := h.eventsOf(domain.ClockLegalLimitPassed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(due)), "legal_limit_passed at %s", evs[0].At)
		assert.Equal(t, domain.StatusInProgress, evs[0].FromStatus)
		assert.Equal(t, domain.StatusInProgress, evs[0].ToStatus)

		s := h.state()
		assert.Equal(t, domain.SLAOverdue, s.SLAStatus)
		assert.Equal(t, domain.StatusInProgress, s.Status, "passing the legal limit does not change the status")
		p := h.projection()
		assert.Equal(t, domain.SLAOverdue, p.SLAStatus)
		assert.Equal(t, domain.StatusInProgress, p.Status)

		var kinds []string
		for _, n := range h.notifications(domain.RoleRecipient(domain.RoleManager)) {
			kinds = append(kinds, n.Kind)
		}
		assert.Equal(t, []string{domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, kinds)
	})
	h.cancelAt(due + 2*time.Minute)
	h.runCancelled()
}

func TestImplicitRejectionAfterTwoMonthsWithoutAnswer(t *testing.T) {
	h := newHarness(t, "online")
	h.unreachable() // nothing reaches the claimant: every deadline passes
	due := deadline(t, h.input.Case, domain.DeadlineImplicitRejection).DueAt
	// Two months after 2 March: the end of 2 May 2026 in Paris, summer
	// time (UTC+2), whatever the hour of receipt.
	require.True(t, due.Equal(utc(time.May, 2, 21, 59, 59)), "due %s", due)
	after := due.Sub(start)

	// Not at the hour of receipt on 2 May, nor a second before its end.
	for _, d := range []time.Duration{time.Date(2026, time.May, 2, 10, 0, 0, 0, calendar.Paris).Sub(start), after - time.Second} {
		h.at(d, func() {
			assert.Nil(t, h.state().ImplicitRejectionAt, "at %s", start.Add(d))
			assert.Empty(t, h.eventsOf(domain.ClockImplicitRejection), "at %s", start.Add(d))
		})
	}
	h.at(after+time.Minute, func() {
		s := h.state()
		require.NotNil(t, s.ImplicitRejectionAt)
		assert.True(t, s.ImplicitRejectionAt.Equal(due), "implicit_rejection_at %s", s.ImplicitRejectionAt)
		assert.Equal(t, domain.StatusOpen, s.Status)
		assert.Equal(t, domain.SLAMissed, deadline(t, s, domain.DeadlineImplicitRejection).Status)
		p := h.projection()
		require.NotNil(t, p.ImplicitRejectionAt)
		assert.True(t, p.ImplicitRejectionAt.Equal(due))

		evs := h.events()
		assert.Equal(t, []string{"created", domain.ClockDeadlineMissed, domain.ClockReminder,
			domain.ClockTargetMissed, domain.ClockLegalLimitPassed, domain.ClockImplicitRejection}, actions(evs))
		last := evs[len(evs)-1]
		assert.True(t, last.At.Equal(due), "implicit_rejection at %s", last.At)
		assert.Equal(t, domain.DeadlineImplicitRejection, last.Details["deadline"])

		var kinds []string
		for _, n := range h.notifications(domain.RoleRecipient(domain.RoleManager)) {
			kinds = append(kinds, n.Kind)
		}
		// Unassigned: the reminder goes to the managers too.
		assert.Equal(t, []string{domain.ClockReminder, domain.ClockTargetMissed,
			domain.ClockLegalLimitPassed, domain.ClockImplicitRejection}, kinds)
	})
	h.cancelAt(after + 2*time.Minute)
	h.runCancelled()
}

// A pause from Thursday 5 March, 10:00, to Monday 9 March, 23:00, in Paris
// lasts four whole days (the difference of its dates), whatever its hours:
// the target and the legal limit move from the end of 12 and 17 March to
// the end of 16 and 21 March; the implicit rejection is suspended by the
// same four calendar days, the documents having come before the date the
// request gave (CRPA L114-5).
func TestSuspensionMovesTargetLegalAndImplicitRejection(t *testing.T) {
	h := newHarness(t, "online")
	h.assignAndStart()
	var before domain.Case
	h.at(2*day, func() { before = h.state() })
	req := h.send(3*day, domain.ActionRequestDocuments, "req-docs", gca, domain.ActionArgs{Note: "Merci d'envoyer votre bail."})
	h.at(endOfDay(5)+time.Minute, func() {
		requireApplied(t, req, "request_documents")
		s := h.state()
		assert.Equal(t, domain.StatusAwaitingClaimant, s.Status)
		assert.True(t, s.ClockPaused)
		assert.Equal(t, domain.SLAMet, deadline(t, s, domain.DeadlineAcknowledgment).Status,
			"requesting documents acknowledges the complaint")
		assert.Empty(t, h.eventsOf(domain.ClockDeadlineMissed))
	})
	resumed := 7*day + 13*time.Hour // Monday 9 March, 23:00 in Paris
	paused := resumed - 3*day       // 4 days 13 hours
	got := h.send(resumed, domain.ActionDocumentsReceived, "docs-received", gca, domain.ActionArgs{})
	h.at(resumed+time.Minute, func() {
		requireApplied(t, got, "documents_received")
		after := h.state()
		assert.False(t, after.ClockPaused)
		assert.Equal(t, int64(paused/time.Second), after.PausedSeconds)
		assert.Equal(t, 4, after.PausedDays(), "the whole days paused, not 4.5 days rounded")
		for _, d := range []struct {
			name     string
			was, now int // the deadline's last day, counted from start
		}{{domain.DeadlineTarget, 10, 14}, {domain.DeadlineLegal, 15, 19}} {
			b, a := deadline(t, before, d.name), deadline(t, after, d.name)
			assert.True(t, b.DueAt.Equal(start.Add(endOfDay(d.was))), "%s was due %s", d.name, b.DueAt)
			assert.True(t, a.DueAt.Equal(start.Add(endOfDay(d.now))), "%s moved to %s", d.name, a.DueAt)
		}
		b, a := deadline(t, before, domain.DeadlineImplicitRejection), deadline(t, after, domain.DeadlineImplicitRejection)
		want := calendar.EndOfDay(b.DueAt.In(calendar.Paris).AddDate(0, 0, 4))
		assert.True(t, a.DueAt.Equal(want), "implicit rejection moved from %s to %s, not %s", b.DueAt, a.DueAt, want)

		evs := h.eventsOf(string(domain.ActionDocumentsReceived))
		require.Len(t, evs, 1)
		assert.EqualValues(t, paused/time.Second, evs[0].Details["paused_seconds"])
		// The projection's deadlines moved too: the end of 16 March.
		target := deadline(t, h.projection(), domain.DeadlineTarget).DueAt
		assert.True(t, target.Equal(utc(time.March, 16, 22, 59, 59)), "projection's target %s", target)
	})
	h.at(endOfDay(10)+time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockTargetMissed), "the target moved to the end of +14 days")
		assert.Empty(t, h.eventsOf(domain.ClockReminder), "the reminder moved with the target")
		assert.Equal(t, domain.SLAOnTime, h.state().SLAStatus)
	})
	h.at(startOfDay(12)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockReminder), "too early")
	})
	h.at(startOfDay(12)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockReminder)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(startOfDay(12))), "reminder at %s", evs[0].At)
	})
	h.at(endOfDay(14)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockTargetMissed), "too early")
	})
	h.at(endOfDay(14)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockTargetMissed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(endOfDay(14))), "target_missed at %s", evs[0].At)
		assert.Equal(t, domain.SLATargetMissed, h.state().SLAStatus)
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "the legal limit moved to the end of +19 days")
	})
	h.cancelAt(endOfDay(14) + 2*time.Minute)
	h.runCancelled()
}

func TestValidatorRejectsInvalidActionsWithoutWriting(t *testing.T) {
	h := newHarness(t, "online")
	type attempt struct {
		name   string
		at     time.Duration
		action domain.Action
		actor  domain.Actor
		args   domain.ActionArgs
		code   string
		field  string // for EINVALID
		u      *update
	}
	h0 := time.Hour
	attempts := []*attempt{
		// open
		{name: "start an open file", at: h0, action: domain.ActionStart, actor: gca, code: domain.ECONFLICT},
		{name: "close an open file", at: h0, action: domain.ActionClose, actor: manager, code: domain.ECONFLICT},
		{name: "documents received on an open file", at: h0, action: domain.ActionDocumentsReceived, actor: gca, code: domain.ECONFLICT},
		{name: "reopen an open file", at: h0, action: domain.ActionReopen, actor: manager, args: domain.ActionArgs{Reason: "erreur"}, code: domain.ECONFLICT},
		{name: "assign to nobody", at: h0, action: domain.ActionAssign, actor: manager, args: domain.ActionArgs{Assignee: "  "}, code: domain.EINVALID, field: "assignee"},
		{name: "withdraw without reason", at: h0, action: domain.ActionWithdraw, actor: gca, code: domain.EINVALID, field: "reason"},
		// assigned to other.agent (at 2h)
		{name: "gca starts a file assigned to another", at: 3 * h0, action: domain.ActionStart, actor: gca, code: domain.EFORBIDDEN},
		{name: "gca takes a file assigned to another", at: 3 * h0, action: domain.ActionAssign, actor: gca, args: domain.ActionArgs{Assignee: gca.Login}, code: domain.EFORBIDDEN},
		{name: "gca withdraws a file assigned to another", at: 3 * h0, action: domain.ActionWithdraw, actor: gca, args: domain.ActionArgs{Reason: "doublon"}, code: domain.EFORBIDDEN},
		{name: "assign to the same agent", at: 3 * h0, action: domain.ActionAssign, actor: manager, args: domain.ActionArgs{Assignee: other.Login}, code: domain.ECONFLICT},
		// in progress, assigned to gca.demo (at 4h, 5h)
		{name: "close a file in progress", at: 6 * h0, action: domain.ActionClose, actor: gca, code: domain.ECONFLICT},
		{name: "start a file in progress", at: 6 * h0, action: domain.ActionStart, actor: gca, code: domain.ECONFLICT},
		{name: "answer too short", at: 6 * h0, action: domain.ActionAnswer, actor: gca, args: domain.ActionArgs{Answer: "Non."}, code: domain.EINVALID, field: "answer"},
		{name: "answer empty", at: 6 * h0, action: domain.ActionAnswer, actor: gca, code: domain.EINVALID, field: "answer"},
		{name: "request documents without the documents", at: 6 * h0, action: domain.ActionRequestDocuments, actor: gca, code: domain.EINVALID, field: "documents"},
		{name: "other agent answers gca's file", at: 6 * h0, action: domain.ActionAnswer, actor: other, args: domain.ActionArgs{Answer: goodAnswer}, code: domain.EFORBIDDEN},
	}
	// Counts of events and the state before each wave of attempts.
	type snap struct {
		events int
		state  string
	}
	snaps := map[time.Duration]*snap{}
	for _, at := range []time.Duration{h0, 3 * h0, 6 * h0} {
		s := &snap{}
		snaps[at] = s
		h.at(at-time.Minute, func() {
			s.events = len(h.events())
			s.state = asJSON(t, h.state())
		})
		h.at(at+30*time.Minute, func() {
			assert.Equal(t, s.events, len(h.events()), "events written by a rejected action")
			assert.Equal(t, s.state, asJSON(t, h.state()), "state changed by a rejected action")
		})
	}
	for i, a := range attempts {
		a.u = h.send(a.at, a.action, "bad-"+string(rune('a'+i)), a.actor, a.args)
	}
	h.send(2*h0, domain.ActionAssign, "assign-other", manager, domain.ActionArgs{Assignee: other.Login})
	h.send(4*h0, domain.ActionAssign, "assign-gca", manager, domain.ActionArgs{Assignee: gca.Login})
	h.send(5*h0, domain.ActionStart, "start", gca, domain.ActionArgs{})
	h.cancelAt(7 * h0)
	h.runCancelled()

	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			require.Equal(t, 1, a.u.rejected, "not rejected by the validator")
			assert.Zero(t, a.u.accepted, "accepted")
			assert.Zero(t, a.u.completed, "completed")
			var ae *temporal.ApplicationError
			require.True(t, errors.As(a.u.rejectErr, &ae), "not an application error: %T %v", a.u.rejectErr, a.u.rejectErr)
			assert.Equal(t, a.code, ae.Type())
			de := workflows.DomainError(a.u.rejectErr)
			assert.Equal(t, a.code, domain.ErrorCode(de))
			if a.field != "" {
				var e *domain.Error
				require.True(t, errors.As(de, &e))
				require.NotEmpty(t, e.Fields, "field errors lost across Temporal")
				assert.Equal(t, a.field, e.Fields[0].Field)
			}
		})
	}
	// created, assign other, assign gca, start: nothing else.
	assert.Equal(t, []string{"created", "assign", "assign", "start"}, actions(h.events()))
}

func TestHappyPathTimelineAndProjection(t *testing.T) {
	h := newHarness(t, "online")
	steps := []struct {
		at     time.Duration
		action domain.Action
		actor  domain.Actor
		args   domain.ActionArgs
		from   domain.Status
		to     domain.Status
	}{
		{time.Hour, domain.ActionAssign, manager, domain.ActionArgs{Assignee: gca.Login}, domain.StatusOpen, domain.StatusAssigned},
		{2 * time.Hour, domain.ActionStart, gca, domain.ActionArgs{}, domain.StatusAssigned, domain.StatusInProgress},
		{1 * day, domain.ActionRequestDocuments, gca, domain.ActionArgs{Note: "Merci d'envoyer votre bail."}, domain.StatusInProgress, domain.StatusAwaitingClaimant},
		{2 * day, domain.ActionDocumentsReceived, gca, domain.ActionArgs{}, domain.StatusAwaitingClaimant, domain.StatusInProgress},
		{3 * day, domain.ActionAnswer, gca, domain.ActionArgs{Answer: goodAnswer}, domain.StatusInProgress, domain.StatusAnswered},
		{3*day + time.Hour, domain.ActionClose, gca, domain.ActionArgs{}, domain.StatusAnswered, domain.StatusClosed},
	}
	ups := make([]*update, len(steps))
	for i, s := range steps {
		ups[i] = h.send(s.at, s.action, "step-"+string(s.action), s.actor, s.args)
		// After each step, the projection is the query state.
		h.at(s.at+time.Minute, func() {
			assert.JSONEq(t, asJSON(t, h.state()), asJSON(t, h.projection()), "after %s", s.action)
		})
	}
	closedAt := 3*day + time.Hour
	var final domain.Case
	h.at(closedAt+time.Hour, func() {
		final = h.state()
		assert.Equal(t, domain.StatusClosed, final.Status)
		assert.Equal(t, domain.SLAMet, final.SLAStatus)
		require.NotNil(t, final.ElapsedDaysRaw)
		require.NotNil(t, final.ElapsedDaysAdjusted)
		assert.Equal(t, 3, *final.ElapsedDaysRaw)
		assert.Equal(t, 2, *final.ElapsedDaysAdjusted)
	})
	// Still waiting for a reopening just before the window ends.
	h.at(closedAt+workflows.ReopenWindow-time.Hour, func() {
		assert.Equal(t, domain.StatusClosed, h.state().Status)
	})
	h.run()
	require.NoError(t, h.env.GetWorkflowError(), "a closed file's workflow completes after the reopen window")

	for i, u := range ups {
		requireApplied(t, u, string(steps[i].action))
		assert.Equal(t, steps[i].to, u.result.Status, "result of %s", steps[i].action)
	}

	evs := h.events()
	want := []string{"created"}
	for _, s := range steps {
		want = append(want, string(s.action))
	}
	require.Equal(t, want, actions(evs))
	for i, ev := range h.allEvents() {
		assert.Equal(t, int64(i+1), ev.Seq, "seq of %s: no gap, messages included", ev.Action)
	}
	for i, ev := range evs {
		if i == 0 {
			assert.Equal(t, "csu.demo", ev.Actor)
			assert.True(t, ev.At.Equal(start))
			continue
		}
		s := steps[i-1]
		assert.Equal(t, s.actor.Login, ev.Actor, ev.Action)
		assert.Equal(t, s.from, ev.FromStatus, ev.Action)
		assert.Equal(t, s.to, ev.ToStatus, ev.Action)
		assert.True(t, ev.At.Equal(start.Add(s.at)), "%s at %s", ev.Action, ev.At)
	}

	var result domain.Case
	require.NoError(t, h.env.GetWorkflowResult(&result))
	p := h.projection()
	assert.JSONEq(t, asJSON(t, final), asJSON(t, p), "projection = query state")
	assert.JSONEq(t, asJSON(t, result), asJSON(t, p), "projection = workflow result")

	assigned := h.notifications(gca.Login)
	require.Len(t, assigned, 1)
	assert.Equal(t, "assigned", assigned[0].Kind)
	assert.Equal(t, evs[1].Seq, assigned[0].Seq, "raised by the assign event")
	assert.Empty(t, h.notifications(domain.RoleRecipient(domain.RoleManager)), "no deadline ran late")
}

func TestSameUpdateIDAppliesOnce(t *testing.T) {
	h := newHarness(t, "online")
	args := domain.ActionArgs{Assignee: gca.Login}
	// Sequential: the second arrives after the first completed.
	first := h.send(time.Hour, domain.ActionAssign, "assign-once", manager, args)
	second := h.send(2*time.Hour, domain.ActionAssign, "assign-once", manager, args)
	// Concurrent: both in the same callback.
	s1, s2 := &update{}, &update{}
	h.at(3*time.Hour, func() {
		h.sendNow(s1, domain.ActionStart, "start-once", gca, domain.ActionArgs{})
		h.sendNow(s2, domain.ActionStart, "start-once", gca, domain.ActionArgs{})
	})
	h.at(4*time.Hour, func() {
		assert.Equal(t, []string{"created", "assign", "start"}, actions(h.events()))
		assert.Len(t, h.notifications(gca.Login), 1, "one assignment notice")
	})
	h.cancelAt(5 * time.Hour)
	h.runCancelled()

	for name, u := range map[string]*update{"first assign": first, "repeated assign": second,
		"first start": s1, "repeated start": s2} {
		requireApplied(t, u, name)
	}
	assert.JSONEq(t, asJSON(t, first.result), asJSON(t, second.result), "the repeat gets the first result")
	assert.JSONEq(t, asJSON(t, s1.result), asJSON(t, s2.result), "the repeat gets the first result")
	assert.Equal(t, domain.StatusInProgress, s2.result.Status)
}
