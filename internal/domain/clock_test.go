package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

var implicitDue = t0.AddDate(0, 2, 0)

func TestNextTimer_IsTheEarliestPendingStep(t *testing.T) {
	tests := []struct {
		name string
		c    func(t *testing.T) domain.Case
		want time.Time
	}{
		{"spoken complaint: reminder 2 days before target", func(*testing.T) domain.Case { return newCase("phone") }, day(8)},
		{"written complaint: acknowledgment", func(*testing.T) domain.Case { return newCase("letter") }, day(5)},
		{"no reminder configured: target", func(*testing.T) domain.Case {
			c := newCase("desk")
			c.Policy.ReminderDaysBefore = 0
			return c
		}, day(10)},
		{"no policy: target", func(*testing.T) domain.Case {
			c := newCase("desk")
			c.Policy = nil
			return c
		}, day(10)},
		{"paused: only the implicit rejection", func(t *testing.T) domain.Case {
			c := inProgress(t, "phone")
			mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
			return c
		}, implicitDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c(t)
			got, ok := c.NextTimer()
			require.True(t, ok)
			assert.True(t, tt.want.Equal(got), "got %s want %s", got, tt.want)
		})
	}
}

func TestNextTimer_NoneOnceTheFileLeftStudy(t *testing.T) {
	for _, s := range []domain.Status{domain.StatusAnswered, domain.StatusClosed, domain.StatusWithdrawn, domain.StatusEscalated} {
		t.Run(string(s), func(t *testing.T) {
			c := caseIn(t, s)
			_, ok := c.NextTimer()
			assert.False(t, ok)
			before := snapshot(t, c)
			assert.Empty(t, c.Tick(implicitDue.AddDate(0, 1, 0)))
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestTick_ReminderGoesToTheAssigneeOrTheManagers(t *testing.T) {
	tests := []struct {
		name      string
		c         func(t *testing.T) domain.Case
		recipient string
		status    domain.Status
	}{
		{"assigned", func(t *testing.T) domain.Case { return inProgress(t, "phone") }, "alice", domain.StatusInProgress},
		{"unassigned", func(*testing.T) domain.Case { return newCase("phone") }, "role:manager", domain.StatusOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c(t)
			assert.Empty(t, c.Tick(day(8).Add(-time.Second)), "nothing before the reminder")

			chs := c.Tick(day(8))
			require.Len(t, chs, 1)
			ev := chs[0].Event
			assert.Equal(t, domain.ClockReminder, ev.Action)
			assert.Equal(t, domain.System, ev.Actor)
			assert.Equal(t, day(8), ev.At)
			assert.Equal(t, tt.status, ev.FromStatus)
			assert.Equal(t, tt.status, ev.ToStatus)
			assert.Equal(t, domain.DeadlineTarget, ev.Details["deadline"])
			assert.Equal(t, day(10), ev.Details["due_at"])
			require.Len(t, chs[0].Notifications, 1)
			n := chs[0].Notifications[0]
			assert.Equal(t, tt.recipient, n.Recipient)
			assert.Equal(t, domain.ClockReminder, n.Kind)
			assert.NotEmpty(t, n.Message)
			require.NotNil(t, n.DueAt)
			assert.Equal(t, day(10), *n.DueAt)

			assert.Equal(t, tt.status, c.Status)
			assert.Equal(t, domain.SLADueSoon, c.SLAStatus)
			require.NotNil(t, c.RemindedAt)
			assert.Equal(t, day(8), *c.RemindedAt)
			assert.Equal(t, day(8), c.UpdatedAt)
			target := deadline(t, &c, domain.DeadlineTarget)
			assert.Equal(t, domain.SLADueSoon, target.Status)
			assert.True(t, target.Pending())

			next, ok := c.NextTimer()
			require.True(t, ok)
			assert.Equal(t, day(10), next, "the reminder is not repeated")
		})
	}
}

func TestTick_TargetThenLegalLimit(t *testing.T) {
	c := inProgress(t, "phone")
	require.Len(t, c.Tick(day(8)), 1)

	assert.Empty(t, c.Tick(day(10).Add(-time.Second)))
	chs := c.Tick(day(10))
	require.Len(t, chs, 1)
	assert.Equal(t, domain.ClockTargetMissed, chs[0].Event.Action)
	require.Len(t, chs[0].Notifications, 1)
	assert.Equal(t, "role:manager", chs[0].Notifications[0].Recipient, "target missed goes to the managers even when assigned")
	assert.Equal(t, domain.ClockTargetMissed, chs[0].Notifications[0].Kind)
	assert.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, domain.StatusInProgress, c.Status)

	assert.Empty(t, c.Tick(day(15).Add(-time.Second)))
	chs = c.Tick(day(15))
	require.Len(t, chs, 1)
	ev := chs[0].Event
	assert.Equal(t, domain.ClockLegalLimitPassed, ev.Action)
	assert.Equal(t, domain.StatusInProgress, ev.FromStatus)
	assert.Equal(t, domain.StatusInProgress, ev.ToStatus)
	assert.Equal(t, domain.DeadlineLegal, ev.Details["deadline"])
	require.Len(t, chs[0].Notifications, 1)
	assert.Equal(t, "role:manager", chs[0].Notifications[0].Recipient)
	assert.Equal(t, day(15), *chs[0].Notifications[0].DueAt)
	assert.Equal(t, domain.SLAOverdue, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.StatusInProgress, c.Status, "the clock never changes the status")

	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, implicitDue, next)
}

func TestTick_TwiceAtTheSameInstantDoesNothingTheSecondTime(t *testing.T) {
	for _, at := range []time.Time{day(5), day(8), day(10), day(15), day(16), implicitDue} {
		t.Run(at.Format(time.DateOnly), func(t *testing.T) {
			c := inProgress(t, "online")
			require.NotEmpty(t, c.Tick(at))
			before := snapshot(t, c)
			assert.Empty(t, c.Tick(at))
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestTick_CatchesUpInChronologicalOrder(t *testing.T) {
	tests := []struct {
		channel domain.Channel
		want    []string
	}{
		// Past the target, no "target approaching" reminder is sent.
		{"phone", []string{domain.ClockTargetMissed, domain.ClockLegalLimitPassed}},
		{"online", []string{domain.ClockDeadlineMissed, domain.ClockTargetMissed, domain.ClockLegalLimitPassed}},
	}
	for _, tt := range tests {
		t.Run(string(tt.channel), func(t *testing.T) {
			c := inProgress(t, tt.channel)
			chs := c.Tick(day(16))
			assert.Equal(t, tt.want, kinds(chs))
			var prevDue time.Time
			for _, ch := range chs {
				assert.Equal(t, day(16), ch.Event.At)
				due := ch.Event.Details["due_at"].(time.Time)
				assert.False(t, due.Before(prevDue), "due dates in order")
				prevDue = due
			}
			assert.Equal(t, domain.SLAOverdue, c.SLAStatus)
			assert.Equal(t, domain.StatusInProgress, c.Status)
			assert.Nil(t, c.RemindedAt, "no reminder for a target already passed")
		})
	}
}

func TestTick_StepByStepMatchesCatchUp(t *testing.T) {
	stepped := inProgress(t, "online")
	var steps []string
	for d := 1; d <= 16; d++ {
		steps = append(steps, kinds(stepped.Tick(day(d)))...)
	}
	jumped := inProgress(t, "online")
	// The same steps, but the reminder: when catching up, its target has
	// already passed.
	var noReminder []string
	for _, k := range steps {
		if k != domain.ClockReminder {
			noReminder = append(noReminder, k)
		}
	}
	assert.Contains(t, steps, domain.ClockReminder)
	assert.Equal(t, noReminder, kinds(jumped.Tick(day(16))))
	assert.Equal(t, jumped.SLAStatus, stepped.SLAStatus)
	for i := range jumped.Deadlines {
		assert.Equal(t, jumped.Deadlines[i].Status, stepped.Deadlines[i].Status)
	}
}

func TestTick_AcknowledgmentMissedForAWrittenComplaint(t *testing.T) {
	c := newCase("online")
	assert.Empty(t, c.Tick(day(5).Add(-time.Second)))
	chs := c.Tick(day(5))
	require.Len(t, chs, 1)
	ev := chs[0].Event
	assert.Equal(t, domain.ClockDeadlineMissed, ev.Action)
	assert.Equal(t, domain.System, ev.Actor)
	assert.Equal(t, domain.DeadlineAcknowledgment, ev.Details["deadline"])
	assert.Equal(t, day(5), ev.Details["due_at"])
	assert.Empty(t, chs[0].Notifications)
	ack := deadline(t, &c, domain.DeadlineAcknowledgment)
	assert.Equal(t, domain.SLAMissed, ack.Status)
	assert.Nil(t, ack.MetAt)
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus, "a missed acknowledgment does not change the SLA status")
	assert.Equal(t, domain.StatusOpen, c.Status)

	// A spoken complaint was acknowledged at registration: nothing at +5d.
	p := newCase("desk")
	assert.Empty(t, p.Tick(day(5)))
}

func TestTick_ImplicitRejectionAfterTwoMonths(t *testing.T) {
	c := inProgress(t, "phone")
	c.Tick(day(16))
	assert.Empty(t, c.Tick(implicitDue.Add(-time.Second)))
	chs := c.Tick(implicitDue)
	require.Len(t, chs, 1)
	assert.Equal(t, domain.ClockImplicitRejection, chs[0].Event.Action)
	assert.Equal(t, domain.DeadlineImplicitRejection, chs[0].Event.Details["deadline"])
	require.Len(t, chs[0].Notifications, 1)
	assert.Equal(t, "role:manager", chs[0].Notifications[0].Recipient)
	require.NotNil(t, c.ImplicitRejectionAt)
	assert.Equal(t, implicitDue, *c.ImplicitRejectionAt)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineImplicitRejection).Status)
	assert.Equal(t, domain.StatusInProgress, c.Status)
	_, ok := c.NextTimer()
	assert.False(t, ok, "nothing left for the clock")

	// Jumping straight there yields every step, the rejection last.
	j := newCase("letter")
	chs = j.Tick(implicitDue.Add(time.Hour))
	require.NotEmpty(t, chs)
	assert.Equal(t, []string{domain.ClockDeadlineMissed, domain.ClockTargetMissed,
		domain.ClockLegalLimitPassed, domain.ClockImplicitRejection}, kinds(chs))
	require.NotNil(t, j.ImplicitRejectionAt)
	assert.Equal(t, implicitDue.Add(time.Hour), *j.ImplicitRejectionAt)
}

func TestPause_MovesRunningDeadlinesByThePausedTime(t *testing.T) {
	for _, ch := range []domain.Channel{"phone", "online"} {
		t.Run(string(ch), func(t *testing.T) {
			c := inProgress(t, ch)
			orig := map[string]domain.Deadline{}
			for _, d := range c.Deadlines {
				orig[d.Name] = d
			}

			req := mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "  Avis d'imposition "})
			assert.Equal(t, domain.StatusAwaitingClaimant, c.Status)
			assert.Equal(t, map[string]any{"note": "Avis d'imposition"}, req.Event.Details)
			assert.True(t, c.ClockPaused)
			require.NotNil(t, c.PausedSince)
			assert.Equal(t, day(3), *c.PausedSince)
			// A written contact acknowledges the complaint.
			ack := deadline(t, &c, domain.DeadlineAcknowledgment)
			assert.Equal(t, domain.SLAMet, ack.Status)
			require.NotNil(t, ack.MetAt)
			if ch == "online" {
				assert.Equal(t, day(3), *ack.MetAt)
			}

			next, ok := c.NextTimer()
			require.True(t, ok)
			assert.Equal(t, implicitDue, next, "while paused only the implicit rejection runs")
			assert.Empty(t, c.Tick(day(7).Add(-time.Second)), "a paused clock misses nothing")

			res := mustApply(t, &c, day(7), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
			assert.Equal(t, domain.StatusInProgress, c.Status)
			assert.Equal(t, domain.StatusAwaitingClaimant, res.Event.FromStatus)
			assert.Equal(t, map[string]any{"paused_seconds": int64(4 * 86400)}, res.Event.Details)
			assert.False(t, c.ClockPaused)
			assert.Nil(t, c.PausedSince)
			assert.Equal(t, int64(4*86400), c.PausedSeconds)

			shift := 4 * 24 * time.Hour
			assert.Equal(t, orig[domain.DeadlineTarget].DueAt.Add(shift), deadline(t, &c, domain.DeadlineTarget).DueAt)
			assert.Equal(t, orig[domain.DeadlineLegal].DueAt.Add(shift), deadline(t, &c, domain.DeadlineLegal).DueAt)
			assert.Equal(t, orig[domain.DeadlineImplicitRejection].DueAt, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt,
				"no pause moves the implicit rejection")
			assert.Equal(t, orig[domain.DeadlineAcknowledgment].DueAt, deadline(t, &c, domain.DeadlineAcknowledgment).DueAt,
				"the met acknowledgment does not move")

			next, ok = c.NextTimer()
			require.True(t, ok)
			assert.Equal(t, day(12), next, "reminder 2 days before the moved target")
			assert.Empty(t, c.Tick(day(12).Add(-time.Second)))

			ans := mustApply(t, &c, day(13), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
			assert.Equal(t, domain.SLAMet, ans.Event.Details["sla_status"])
			require.NotNil(t, c.ElapsedDaysRaw)
			require.NotNil(t, c.ElapsedDaysAdjusted)
			assert.Equal(t, 13, *c.ElapsedDaysRaw)
			assert.Equal(t, 9, *c.ElapsedDaysAdjusted, "adjusted = raw − paused days")
		})
	}
}

func TestPause_AcrossTheLegalLimitMissesNothing(t *testing.T) {
	c := inProgress(t, "phone")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	assert.Empty(t, c.Tick(day(20)))
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	mustApply(t, &c, day(20), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, day(27), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, day(32), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Empty(t, c.Tick(day(20)))
	assert.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(day(25))))
	assert.Equal(t, []string{domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, kinds(c.Tick(day(32))))
}

func TestPause_ImplicitRejectionRunsWhilePaused(t *testing.T) {
	c := inProgress(t, "phone")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	chs := c.Tick(implicitDue)
	assert.Equal(t, []string{domain.ClockImplicitRejection}, kinds(chs))
	assert.Equal(t, domain.StatusAwaitingClaimant, chs[0].Event.FromStatus)
	assert.Equal(t, domain.StatusAwaitingClaimant, c.Status)
	require.NotNil(t, c.ImplicitRejectionAt)
	assert.True(t, c.ClockPaused)
}

func TestPause_AfterTheReminderDoesNotRemindAgain(t *testing.T) {
	c := inProgress(t, "phone")
	require.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(day(8))))
	mustApply(t, &c, day(9), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, day(11), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, day(12), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, domain.SLADueSoon, c.SLAStatus)
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, day(12), next)
	assert.Equal(t, []string{domain.ClockTargetMissed}, kinds(c.Tick(day(12))))
}

func TestPause_SumsSeveralPauses(t *testing.T) {
	c := inProgress(t, "online")
	mustApply(t, &c, day(1), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, day(3), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	mustApply(t, &c, day(4), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "RIB"})
	mustApply(t, &c, day(5).Add(12*time.Hour), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, int64((2*24+36)*3600), c.PausedSeconds)
	assert.Equal(t, day(13).Add(12*time.Hour), deadline(t, &c, domain.DeadlineTarget).DueAt)
	mustApply(t, &c, day(14), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, 14, *c.ElapsedDaysRaw)
	// 3.5 paused days count as 4 (rounded half up): 14 − 4.
	assert.Equal(t, 4, c.PausedDays())
	assert.Equal(t, 10, *c.ElapsedDaysAdjusted)
}

func TestResume_WithoutARunningPauseMovesNothing(t *testing.T) {
	// A file restored in awaiting_claimant without its pause (e.g. an old
	// snapshot): documents_received must not move deadlines by garbage.
	c := inProgress(t, "phone")
	c.Status = domain.StatusAwaitingClaimant
	before := append([]domain.Deadline(nil), c.Deadlines...)
	ch := mustApply(t, &c, day(7), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, map[string]any{"paused_seconds": int64(0)}, ch.Event.Details)
	assert.Equal(t, int64(0), c.PausedSeconds)
	assert.Equal(t, before, c.Deadlines)
	assert.Equal(t, domain.StatusInProgress, c.Status)
}
