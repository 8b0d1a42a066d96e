package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// implicitDue is the implicit rejection's end: the end of the day two
// months after t0 (code de procédure civile art. 641, 642).
var implicitDue = calendar.EndOfDay(t0.AddDate(0, 2, 0))

func TestNextTimer_IsTheEarliestPendingStep(t *testing.T) {
	tests := []struct {
		name string
		c    func(t *testing.T) domain.Case
		want time.Time
	}{
		{"spoken complaint: reminder 2 days before target", func(*testing.T) domain.Case { return newCase("phone") }, remind(8)},
		{"written complaint: acknowledgment", func(*testing.T) domain.Case { return newCase("letter") }, due(5)},
		{"no reminder configured: target", func(*testing.T) domain.Case {
			c := newCase("desk")
			c.Policy.ReminderDaysBefore = 0
			return c
		}, due(10)},
		{"no policy: target", func(*testing.T) domain.Case {
			c := newCase("desk")
			c.Policy = nil
			return c
		}, due(10)},
		{"paused: only the implicit rejection", func(t *testing.T) domain.Case {
			c := inProgress(t, "phone")
			pinned(&c)
			mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
			return c
		}, implicitDue},
		{"documents asked for: their reminder", func(t *testing.T) domain.Case {
			c := inProgress(t, "phone")
			mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Documents: "Avis", DueInDays: 10})
			return c
		}, calendar.StartOfDay(calendar.NextWorkingDay(calendar.EndOfDay(day(13))).AddDate(0, 0, -domain.DocumentsReminderDaysBefore))},
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
			assert.Empty(t, c.Tick(remind(8).Add(-time.Second)), "nothing before the reminder")

			chs := c.Tick(remind(8))
			require.Len(t, chs, 1)
			ev := chs[0].Event
			assert.Equal(t, domain.ClockReminder, ev.Action)
			assert.Equal(t, domain.System, ev.Actor)
			assert.Equal(t, remind(8), ev.At)
			assert.Equal(t, tt.status, ev.FromStatus)
			assert.Equal(t, tt.status, ev.ToStatus)
			assert.Equal(t, domain.DeadlineTarget, ev.Details["deadline"])
			assert.Equal(t, due(10), ev.Details["due_at"])
			require.Len(t, chs[0].Notifications, 1)
			n := chs[0].Notifications[0]
			assert.Equal(t, tt.recipient, n.Recipient)
			assert.Equal(t, domain.ClockReminder, n.Kind)
			assert.NotEmpty(t, n.Message)
			require.NotNil(t, n.DueAt)
			assert.Equal(t, due(10), *n.DueAt)

			assert.Equal(t, tt.status, c.Status)
			assert.Equal(t, domain.SLADueSoon, c.SLAStatus)
			require.NotNil(t, c.RemindedAt)
			assert.Equal(t, remind(8), *c.RemindedAt)
			assert.Equal(t, remind(8), c.UpdatedAt)
			target := deadline(t, &c, domain.DeadlineTarget)
			assert.Equal(t, domain.SLADueSoon, target.Status)
			assert.True(t, target.Pending())

			next, ok := c.NextTimer()
			require.True(t, ok)
			assert.Equal(t, due(10), next, "the reminder is not repeated")
		})
	}
}

func TestTick_TargetThenLegalLimit(t *testing.T) {
	c := inProgress(t, "phone")
	require.Len(t, c.Tick(remind(8)), 1)

	assert.Empty(t, c.Tick(due(10).Add(-time.Second)))
	chs := c.Tick(due(10))
	require.Len(t, chs, 1)
	assert.Equal(t, domain.ClockTargetMissed, chs[0].Event.Action)
	require.Len(t, chs[0].Notifications, 1)
	assert.Equal(t, "role:manager", chs[0].Notifications[0].Recipient, "target missed goes to the managers even when assigned")
	assert.Equal(t, domain.ClockTargetMissed, chs[0].Notifications[0].Kind)
	assert.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, domain.StatusInProgress, c.Status)

	assert.Empty(t, c.Tick(due(15).Add(-time.Second)))
	chs = c.Tick(due(15))
	require.Len(t, chs, 1)
	ev := chs[0].Event
	assert.Equal(t, domain.ClockLegalLimitPassed, ev.Action)
	assert.Equal(t, domain.StatusInProgress, ev.FromStatus)
	assert.Equal(t, domain.StatusInProgress, ev.ToStatus)
	assert.Equal(t, domain.DeadlineLegal, ev.Details["deadline"])
	require.Len(t, chs[0].Notifications, 1)
	assert.Equal(t, "role:manager", chs[0].Notifications[0].Recipient)
	assert.Equal(t, due(15), *chs[0].Notifications[0].DueAt)
	assert.Equal(t, domain.SLAOverdue, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.StatusInProgress, c.Status, "the clock never changes the status")

	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, implicitDue, next)
}

func TestTick_TwiceAtTheSameInstantDoesNothingTheSecondTime(t *testing.T) {
	for _, at := range []time.Time{due(5), remind(8), due(10), due(15), day(16), implicitDue} {
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
	assert.Empty(t, c.Tick(due(5).Add(-time.Second)))
	chs := c.Tick(due(5))
	require.Len(t, chs, 1)
	ev := chs[0].Event
	assert.Equal(t, domain.ClockDeadlineMissed, ev.Action)
	assert.Equal(t, domain.System, ev.Actor)
	assert.Equal(t, domain.DeadlineAcknowledgment, ev.Details["deadline"])
	assert.Equal(t, due(5), ev.Details["due_at"])
	assert.Empty(t, chs[0].Notifications)
	ack := deadline(t, &c, domain.DeadlineAcknowledgment)
	assert.Equal(t, domain.SLAMissed, ack.Status)
	assert.Nil(t, ack.MetAt)
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus, "a missed acknowledgment does not change the SLA status")
	assert.Equal(t, domain.StatusOpen, c.Status)

	// A spoken complaint was acknowledged at registration: nothing at +5d.
	p := newCase("desk")
	assert.Empty(t, p.Tick(due(5)))
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

func TestPause_MovesRunningDeadlinesByTheWholePausedDays(t *testing.T) {
	for _, ch := range []domain.Channel{"phone", "online"} {
		t.Run(string(ch), func(t *testing.T) {
			c := inProgress(t, ch)
			pinned(&c) // the pause of a file registered before dated requests
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

			// Paused from day 3 to day 7: 4 whole days.
			res := mustApply(t, &c, day(7), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
			assert.Equal(t, domain.StatusInProgress, c.Status)
			assert.Equal(t, domain.StatusAwaitingClaimant, res.Event.FromStatus)
			assert.Equal(t, map[string]any{"paused_seconds": int64(4 * 86400)}, res.Event.Details)
			assert.False(t, c.ClockPaused)
			assert.Nil(t, c.PausedSince)
			assert.Equal(t, int64(4*86400), c.PausedSeconds)
			assert.Equal(t, 4, c.PausedWholeDays)

			// The target (day 10) and the legal limit (day 15) move by 4
			// days and still end at 23:59:59.
			assert.Equal(t, due(14), deadline(t, &c, domain.DeadlineTarget).DueAt)
			assert.Equal(t, due(19), deadline(t, &c, domain.DeadlineLegal).DueAt)
			assert.Equal(t, orig[domain.DeadlineImplicitRejection].DueAt, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt,
				"no pause moves the implicit rejection")
			assert.Equal(t, implicitDue, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
			assert.Equal(t, orig[domain.DeadlineAcknowledgment].DueAt, deadline(t, &c, domain.DeadlineAcknowledgment).DueAt,
				"the met acknowledgment does not move")

			next, ok = c.NextTimer()
			require.True(t, ok)
			assert.Equal(t, remind(12), next, "reminder at the start of the day 2 days before the moved target")
			assert.Empty(t, c.Tick(remind(12).Add(-time.Second)))

			ans := mustApply(t, &c, day(13), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
			assert.Equal(t, domain.SLAMet, ans.Event.Details["sla_status"])
			require.NotNil(t, c.ElapsedDaysRaw)
			require.NotNil(t, c.ElapsedDaysAdjusted)
			assert.Equal(t, 13, *c.ElapsedDaysRaw)
			assert.Equal(t, 4, c.PausedDays())
			assert.Equal(t, 9, *c.ElapsedDaysAdjusted, "adjusted = raw − paused days")
		})
	}
}

func TestPause_AFewHoursAcrossMidnightIsOneWholeDay(t *testing.T) {
	c := inProgress(t, "phone")
	pinned(&c) // the pause of a file registered before dated requests
	// Thursday 9 January (day 3) 23:00 to Friday 10 January 01:00: two
	// hours, but the dates differ by one day.
	mustApply(t, &c, parisAt(2025, time.January, 9, 23, 0), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	res := mustApply(t, &c, parisAt(2025, time.January, 10, 1, 0), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, map[string]any{"paused_seconds": int64(2 * 3600)}, res.Event.Details)
	assert.Equal(t, int64(2*3600), c.PausedSeconds)
	assert.Equal(t, 1, c.PausedWholeDays)
	assert.Equal(t, 1, c.PausedDays(), "not rounded to 0 as two hours would be")

	assert.Equal(t, due(11), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, due(16), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Equal(t, parisEnd(2025, time.January, 22), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Equal(t, implicitDue, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, remind(9), next)

	mustApply(t, &c, day(12), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, 12, *c.ElapsedDaysRaw)
	assert.Equal(t, 11, *c.ElapsedDaysAdjusted)
}

func TestPause_WithinOneDayMovesNothing(t *testing.T) {
	c := inProgress(t, "phone")
	pinned(&c) // the pause of a file registered before dated requests
	// Thursday 9 January (day 3), 08:00 to 21:00: more than half a day,
	// but not a whole one.
	mustApply(t, &c, parisAt(2025, time.January, 9, 8, 0), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, parisAt(2025, time.January, 9, 21, 0), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, int64(13*3600), c.PausedSeconds)
	assert.Equal(t, 0, c.PausedWholeDays)
	assert.Equal(t, 0, c.PausedDays())

	assert.Equal(t, due(10), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, due(15), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Equal(t, implicitDue, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, remind(8), next)

	mustApply(t, &c, day(10), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, 10, *c.ElapsedDaysRaw)
	assert.Equal(t, 10, *c.ElapsedDaysAdjusted)
}

func TestPause_AcrossTheChangeOfTimeMovesByDays(t *testing.T) {
	// Received Thursday 20 March 2025; summer time starts on Sunday 30.
	rec := parisAt(2025, time.March, 20, 11, 0)
	n := validComplaint("phone")
	n.ReceivedAt = &rec
	c := domain.NewComplaintCase("c1", n, rec, domain.DefaultPolicy())
	mustApply(t, &c, rec, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"})
	mustApply(t, &c, rec, alice, domain.ActionStart, domain.ActionArgs{})
	require.Equal(t, parisEnd(2025, time.March, 30), deadline(t, &c, domain.DeadlineTarget).DueAt)
	require.Equal(t, parisEnd(2025, time.April, 4), deadline(t, &c, domain.DeadlineLegal).DueAt)

	// Friday 28 March 12:00 to Monday 31 March 12:00: 71 hours, 3 days.
	mustApply(t, &c, parisAt(2025, time.March, 28, 12, 0), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, parisAt(2025, time.March, 31, 12, 0), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, int64(71*3600), c.PausedSeconds)
	assert.Equal(t, 3, c.PausedWholeDays)
	assert.Equal(t, parisEnd(2025, time.April, 2), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, parisEnd(2025, time.April, 7), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Equal(t, "23:59:59", deadline(t, &c, domain.DeadlineLegal).DueAt.In(calendar.Paris).Format(time.TimeOnly))
}

func TestPause_WorkingDaysPolicyMovesByWorkingDays(t *testing.T) {
	wp := domain.DefaultPolicy()
	wp.DayMode = calendar.WorkingDays
	c := domain.NewComplaintCase("c1", validComplaint("online"), t0, wp)
	pinned(&c) // the pause of a file registered before dated requests
	mustApply(t, &c, t0, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"})
	mustApply(t, &c, t0, alice, domain.ActionStart, domain.ActionArgs{})
	// 10 working days from Monday 6 January: Monday 20; 15: Monday 27.
	require.Equal(t, due(14), deadline(t, &c, domain.DeadlineTarget).DueAt)
	require.Equal(t, due(21), deadline(t, &c, domain.DeadlineLegal).DueAt)

	// Friday 10 January 16:00 to Monday 13 January 09:00: three calendar
	// days, one working day (Monday).
	mustApply(t, &c, parisAt(2025, time.January, 10, 16, 0), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, parisAt(2025, time.January, 13, 9, 0), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, due(15), deadline(t, &c, domain.DeadlineTarget).DueAt, "Monday 20 + 1 working day: Tuesday 21")
	assert.Equal(t, due(22), deadline(t, &c, domain.DeadlineLegal).DueAt, "Monday 27 + 1 working day: Tuesday 28")
	assert.Equal(t, implicitDue, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
	assert.Equal(t, 3, c.PausedWholeDays, "the figures subtract calendar days")

	mustApply(t, &c, parisAt(2025, time.January, 21, 15, 0), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, 15, *c.ElapsedDaysRaw)
	assert.Equal(t, 12, *c.ElapsedDaysAdjusted)
}

func TestPause_AcrossTheLegalLimitMissesNothing(t *testing.T) {
	c := inProgress(t, "phone")
	pinned(&c) // the pause of a file registered before dated requests
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	assert.Empty(t, c.Tick(day(20)))
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	// Paused 17 days: the target (day 10) ends on day 27, the legal limit
	// (day 15) on day 32.
	mustApply(t, &c, day(20), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, due(27), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, due(32), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Empty(t, c.Tick(day(20)))
	assert.Empty(t, c.Tick(remind(25).Add(-time.Second)))
	assert.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(remind(25))))
	assert.Equal(t, []string{domain.ClockTargetMissed}, kinds(c.Tick(due(27))))
	assert.Empty(t, c.Tick(due(32).Add(-time.Second)))
	assert.Equal(t, []string{domain.ClockLegalLimitPassed}, kinds(c.Tick(due(32))))
}

func TestPause_ImplicitRejectionRunsWhilePaused(t *testing.T) {
	c := inProgress(t, "phone")
	pinned(&c) // the pause of a file registered before dated requests
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
	pinned(&c) // the pause of a file registered before dated requests
	require.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(remind(8))))
	mustApply(t, &c, day(9), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, day(11), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, due(12), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, domain.SLADueSoon, c.SLAStatus)
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, due(12), next)
	assert.Empty(t, c.Tick(due(12).Add(-time.Second)))
	assert.Equal(t, []string{domain.ClockTargetMissed}, kinds(c.Tick(due(12))))
}

func TestPause_SumsSeveralPauses(t *testing.T) {
	c := inProgress(t, "online")
	pinned(&c) // the pause of a file registered before dated requests
	mustApply(t, &c, day(1), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, day(3), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	mustApply(t, &c, day(4), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "RIB"})
	// Day 4 11:00 to day 5 23:00: 36 hours, one whole day.
	mustApply(t, &c, day(5).Add(12*time.Hour), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, int64((2*24+36)*3600), c.PausedSeconds)
	assert.Equal(t, 3, c.PausedWholeDays)
	assert.Equal(t, due(13), deadline(t, &c, domain.DeadlineTarget).DueAt, "day 10 + 2 + 1 whole days")
	assert.Equal(t, due(18), deadline(t, &c, domain.DeadlineLegal).DueAt)
	mustApply(t, &c, day(14), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, 14, *c.ElapsedDaysRaw)
	// 3.5 days on the clock, but 2 + 1 whole days: 14 − 3.
	assert.Equal(t, 3, c.PausedDays())
	assert.Equal(t, 11, *c.ElapsedDaysAdjusted)
}

// A file registered before CountingCPC keeps its convention: deadlines at
// the hour of receipt, pauses moving them by the time they lasted, paused
// time rounded to the nearest day in the figures.
func TestPause_ClockCountingFileKeepsItsConvention(t *testing.T) {
	c := inProgress(t, "online")
	pinned(&c) // the pause of a file registered before dated requests
	c.Policy.Counting = domain.CountingClock
	for i := range c.Deadlines {
		switch c.Deadlines[i].Name {
		case domain.DeadlineTarget:
			c.Deadlines[i].DueAt = day(10)
		case domain.DeadlineLegal:
			c.Deadlines[i].DueAt = day(15)
		}
	}
	mustApply(t, &c, day(1), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &c, day(3), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	mustApply(t, &c, day(4), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "RIB"})
	mustApply(t, &c, day(5).Add(12*time.Hour), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, int64((2*24+36)*3600), c.PausedSeconds)
	assert.Equal(t, 0, c.PausedWholeDays, "not kept for these files")
	assert.Equal(t, day(13).Add(12*time.Hour), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, day(18).Add(12*time.Hour), deadline(t, &c, domain.DeadlineLegal).DueAt)
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.Equal(t, day(11).Add(12*time.Hour), next, "reminder 2 days before the target, at its hour")
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
