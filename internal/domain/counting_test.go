package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// Each case below is a defect of the clock-time convention (files before
// domain.CountingCPC), written against the code de procédure civile
// (art. 641, 642) and DOMAIN.md, "Counting days".

func paris(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Paris).UTC()
}

func endOf(y int, m time.Month, d int) time.Time { return paris(y, m, d, 23, 59).Add(59 * time.Second) }

func complaintAt(received time.Time, p domain.Policy) domain.Case {
	n := validComplaint("letter")
	n.ReceivedAt = &received
	return domain.NewComplaintCase("c1", n, received, p)
}

func TestCounting_ThirtyFirstOfDecemberPlusTwoMonthsIsTheEndOfFebruary(t *testing.T) {
	c := complaintAt(paris(2026, time.December, 31, 10, 0), domain.DefaultPolicy())
	assert.Equal(t, domain.CurrentCounting, c.Policy.Counting, "a file registered now counts as the code does")
	assert.Equal(t, endOf(2027, time.February, 28), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
	c = complaintAt(paris(2027, time.December, 31, 10, 0), domain.DefaultPolicy())
	assert.Equal(t, endOf(2028, time.February, 29), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
}

func TestCounting_ADeadlineEndsAtMidnightOnItsLastDay(t *testing.T) {
	received := paris(2026, time.March, 2, 10, 0) // Monday
	c := complaintAt(received, domain.DefaultPolicy())
	assert.Equal(t, endOf(2026, time.March, 7), deadline(t, &c, domain.DeadlineAcknowledgment).DueAt)
	assert.Equal(t, endOf(2026, time.March, 12), deadline(t, &c, domain.DeadlineTarget).DueAt)
	assert.Equal(t, endOf(2026, time.March, 17), deadline(t, &c, domain.DeadlineLegal).DueAt)

	// Answered on day 15 at 15:00: within the 15 days, on the deadline
	// and in the figures alike.
	mustApply(t, &c, received, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"})
	mustApply(t, &c, received, alice, domain.ActionStart, domain.ActionArgs{})
	assert.NotContains(t, kinds(c.Tick(paris(2026, time.March, 17, 15, 0))), domain.ClockLegalLimitPassed, "the limit has not passed at 15:00 on its last day")
	mustApply(t, &c, paris(2026, time.March, 17, 15, 0), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	require.NotNil(t, c.ElapsedDaysAdjusted)
	assert.Equal(t, 15, *c.ElapsedDaysAdjusted)
}

func TestCounting_AWorkingDaysPauseAcrossAscensionEndsOnAWorkingDay(t *testing.T) {
	p := domain.DefaultPolicy()
	p.DayMode = calendar.WorkingDays
	// Received Wednesday 29 April 2026: 15 working days, without 1 May,
	// 8 May, Ascension (14 May) and Whit Monday (25 May), end on Tuesday
	// 26 May.
	c := complaintAt(paris(2026, time.April, 29, 10, 0), p)
	legal := deadline(t, &c, domain.DeadlineLegal).DueAt
	require.Equal(t, endOf(2026, time.May, 26), legal)
	mustApply(t, &c, paris(2026, time.April, 29, 10, 0), boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"})
	mustApply(t, &c, paris(2026, time.April, 29, 10, 0), alice, domain.ActionStart, domain.ActionArgs{})
	// Paused from Wednesday 13 May 16:00 to Friday 15 May 10:00: Thursday
	// 14 May is Ascension, so one working day passed (the Friday), and the
	// limit moves by one working day, to Wednesday 27 May. Clock time (42
	// hours) would have put it on Thursday 28 May at 17:59:59.
	mustApply(t, &c, paris(2026, time.May, 13, 16, 0), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis d'imposition"})
	mustApply(t, &c, paris(2026, time.May, 15, 10, 0), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	legal = deadline(t, &c, domain.DeadlineLegal).DueAt
	assert.Equal(t, endOf(2026, time.May, 27), legal)
	assert.True(t, calendar.IsWorkingDay(legal))
	assert.Equal(t, 1, calendar.DaysBetween(endOf(2026, time.May, 26), legal, calendar.WorkingDays), "moved by the one working day paused")
}

func TestCounting_APauseAcrossTheChangeOfTimeMovesByWholeDays(t *testing.T) {
	// Summer time ends on Sunday 25 October 2026: a pause from Saturday
	// 12:00 to Tuesday 12:00 lasts 73 hours and three days.
	received := paris(2026, time.October, 20, 9, 0)
	c := complaintAt(received, domain.DefaultPolicy())
	mustApply(t, &c, received, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"})
	mustApply(t, &c, received, alice, domain.ActionStart, domain.ActionArgs{})
	before := deadline(t, &c, domain.DeadlineLegal).DueAt
	require.Equal(t, endOf(2026, time.November, 4), before)
	mustApply(t, &c, paris(2026, time.October, 24, 12, 0), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "RIB"})
	mustApply(t, &c, paris(2026, time.October, 27, 12, 0), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, endOf(2026, time.November, 7), deadline(t, &c, domain.DeadlineLegal).DueAt)
	assert.Equal(t, 3, c.PausedDays())
	// The implicit rejection is suspended by the request's whole days (CRPA
	// L114-5), in calendar days: 24 to 27 October.
	assert.Equal(t, endOf(2026, time.December, 23), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
}

func TestCounting_WorkingDaysImplicitRejectionNeverEndsOnANonWorkingDay(t *testing.T) {
	p := domain.DefaultPolicy()
	p.DayMode = calendar.WorkingDays
	// 31 December 2026 + 2 months: Sunday 28 February 2027, so Monday 1 March.
	c := complaintAt(paris(2026, time.December, 31, 10, 0), p)
	assert.Equal(t, endOf(2027, time.March, 1), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
}

// Properties over random receipts, pauses and policies, holidays and the
// changes of time included.
func TestCounting_Properties(t *testing.T) {
	instant := func(t *rapid.T, label string) time.Time {
		day := rapid.IntRange(0, 6*365).Draw(t, label+" day")
		minute := rapid.IntRange(0, 24*60-1).Draw(t, label+" minute")
		return time.Date(2025, time.January, 1, 0, 0, 0, 0, calendar.Paris).AddDate(0, 0, day).Add(time.Duration(minute) * time.Minute).UTC()
	}
	policy := func(t *rapid.T) domain.Policy {
		p := domain.DefaultPolicy()
		if rapid.Bool().Draw(t, "working days") {
			p.DayMode = calendar.WorkingDays
		}
		p.LegalDays = rapid.IntRange(p.TargetDays, 30).Draw(t, "legal days")
		return p
	}
	endsADay := func(t *rapid.T, what string, at time.Time) {
		if at.In(calendar.Paris).Format(time.TimeOnly) != "23:59:59" {
			t.Fatalf("%s ends at %s", what, at.In(calendar.Paris))
		}
	}

	t.Run("a working-days deadline never ends on a non-working day", rapid.MakeCheck(func(t *rapid.T) {
		p := policy(t)
		p.DayMode = calendar.WorkingDays
		c := complaintAt(instant(t, "received"), p)
		for _, d := range c.Deadlines {
			endsADay(t, d.Name, d.DueAt)
			if !calendar.IsWorkingDay(d.DueAt) {
				t.Fatalf("%s ends on %s, not a working day", d.Name, d.DueAt.In(calendar.Paris))
			}
		}
	}))

	t.Run("a pause of N of the policy's days moves a deadline by exactly N", rapid.MakeCheck(func(t *rapid.T) {
		p := policy(t)
		received := instant(t, "received")
		c := complaintAt(received, p)
		start := received.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "pause after (minutes)")) * time.Minute)
		end := start.Add(time.Duration(rapid.IntRange(0, 20*24*60).Draw(t, "pause length (minutes)")) * time.Minute)
		if _, err := c.Apply(received, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Apply(received, alice, domain.ActionStart, domain.ActionArgs{}); err != nil {
			t.Fatal(err)
		}
		_ = c.Tick(start)
		before := map[string]time.Time{}
		for _, d := range c.Deadlines {
			if d.Pending() {
				before[d.Name] = d.DueAt
			}
		}
		if _, err := c.Apply(start, alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"}); err != nil {
			t.Skip("not in study when the pause starts:", err)
		}
		if _, err := c.Apply(end, alice, domain.ActionDocumentsReceived, domain.ActionArgs{}); err != nil {
			t.Fatal(err)
		}
		n := calendar.DaysBetween(start, end, p.DayMode)
		req, _ := c.LastDocumentsRequest()
		for _, d := range c.Deadlines {
			was, ok := before[d.Name]
			if !ok || !d.Pending() {
				continue
			}
			if d.Name == domain.DeadlineImplicitRejection {
				// Suspended by the calendar days from the request to the
				// documents, or to the request's date when they came later
				// (CRPA L114-5), to the next working day on a working-days
				// policy.
				until := end
				if req.DueAt.Before(until) {
					until = req.DueAt
				}
				want := calendar.EndOfDay(calendar.AddDays(was, calendar.DaysBetween(start, until, calendar.CalendarDays), calendar.CalendarDays))
				if p.DayMode == calendar.WorkingDays {
					want = calendar.NextWorkingDay(want)
				}
				if !d.DueAt.Equal(want) {
					t.Fatalf("the implicit rejection moved from %s to %s, not %s", was, d.DueAt, want)
				}
				continue
			}
			endsADay(t, d.Name, d.DueAt)
			if got := calendar.DaysBetween(was, d.DueAt, p.DayMode); got != n {
				t.Fatalf("%s moved by %d days for a pause of %d", d.Name, got, n)
			}
		}
	}))

	t.Run("answered within N days in the figures is met on the deadline", rapid.MakeCheck(func(t *rapid.T) {
		p := policy(t)
		p.DayMode = calendar.CalendarDays // the figures count calendar days
		received := instant(t, "received")
		c := complaintAt(received, p)
		at := received.Add(time.Duration(rapid.IntRange(0, 30*24*60).Draw(t, "answer after (minutes)")) * time.Minute)
		if _, err := c.Apply(received, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Apply(received, alice, domain.ActionStart, domain.ActionArgs{}); err != nil {
			t.Fatal(err)
		}
		if rapid.Bool().Draw(t, "paused") {
			start := received.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "pause after (minutes)")) * time.Minute)
			end := start.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "pause length (minutes)")) * time.Minute)
			if end.After(at) {
				at = end
			}
			_ = c.Tick(start)
			if _, err := c.Apply(start, alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"}); err == nil {
				if _, err := c.Apply(end, alice, domain.ActionDocumentsReceived, domain.ActionArgs{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		_ = c.Tick(at)
		if _, err := c.Apply(at, alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer}); err != nil {
			t.Fatal(err)
		}
		within := *c.ElapsedDaysAdjusted <= p.LegalDays
		legal, ok := c.Deadline(domain.DeadlineLegal)
		met := ok && legal.Status == domain.SLAMet
		if within != met {
			t.Fatalf("%d days, paused %d: within %d days %v, deadline met %v", *c.ElapsedDaysAdjusted, c.PausedDays(), p.LegalDays, within, met)
		}
	}))
}

// A complaint opened by reorienting a mediation request keeps the first
// receipt for its implicit rejection (CRPA L114-3), while the Caf's own
// commitments run from its registration.
func TestCounting_AReorientedComplaintKeepsTheFirstReceiptForItsImplicitRejection(t *testing.T) {
	first := paris(2026, time.January, 12, 10, 0)
	reoriented := paris(2026, time.February, 2, 15, 0)
	c := complaintAt(reoriented, domain.DefaultPolicy())
	c.FromFirstReceipt(first)
	assert.Equal(t, endOf(2026, time.March, 12), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt, "two months from the first receipt")
	assert.Equal(t, endOf(2026, time.February, 17), deadline(t, &c, domain.DeadlineLegal).DueAt, "15 days from the reorientation")

	// A first receipt that is not earlier moves nothing.
	c = complaintAt(reoriented, domain.DefaultPolicy())
	c.FromFirstReceipt(reoriented.Add(time.Hour))
	assert.Equal(t, endOf(2026, time.April, 2), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
}
