package domain

import (
	"sort"
	"time"

	"recours/internal/calendar"
)

// What the clock does to a file, as timeline actions.
const (
	ClockReminder          = "reminder"
	ClockDeadlineMissed    = "deadline_missed"
	ClockTargetMissed      = "target_missed"
	ClockLegalLimitPassed  = "legal_limit_passed"
	ClockImplicitRejection = "implicit_rejection"
)

type timer struct {
	at   time.Time
	kind string
}

// timers lists what the clock has still to do to the file. Only a file
// waiting for its answer has timers; while the clock is paused only the
// implicit rejection runs, since no pause moves it.
func (c *Case) timers() []timer {
	if !c.Status.Open() {
		return nil
	}
	var ts []timer
	if d, ok := c.Deadline(DeadlineImplicitRejection); ok && d.Pending() {
		ts = append(ts, timer{d.DueAt, ClockImplicitRejection})
	}
	if c.ClockPaused {
		return ts
	}
	if d, ok := c.Deadline(DeadlineAcknowledgment); ok && d.Pending() {
		ts = append(ts, timer{d.DueAt, ClockDeadlineMissed})
	}
	if d, ok := c.Deadline(DeadlineTarget); ok && d.Pending() {
		if c.RemindedAt == nil && c.Policy != nil && c.Policy.ReminderDaysBefore > 0 {
			ts = append(ts, timer{c.Policy.reminderAt(d.DueAt), ClockReminder})
		}
		ts = append(ts, timer{d.DueAt, ClockTargetMissed})
	}
	if d, ok := c.Deadline(DeadlineLegal); ok && d.Pending() {
		ts = append(ts, timer{d.DueAt, ClockLegalLimitPassed})
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].at.Before(ts[j].at) })
	return ts
}

// NextTimer returns when the clock next has something to do to the file.
func (c *Case) NextTimer() (time.Time, bool) {
	ts := c.timers()
	if len(ts) == 0 {
		return time.Time{}, false
	}
	return ts[0].at, true
}

// Tick does what the clock has to do up to now, oldest first, and returns
// one change per step.
func (c *Case) Tick(now time.Time) []Change {
	var out []Change
	for {
		ts := c.timers()
		if len(ts) == 0 || ts[0].at.After(now) {
			return out
		}
		t := ts[0]
		// Catching up past the target (a file registered late, a worker
		// down for days): announcing that it approaches would be false.
		if d, ok := c.Deadline(DeadlineTarget); ok && t.kind == ClockReminder && !now.Before(d.DueAt) {
			t = timer{d.DueAt, ClockTargetMissed}
		}
		out = append(out, c.fire(t, now))
	}
}

func (c *Case) fire(t timer, now time.Time) Change {
	ev := Event{At: now, Actor: System, Action: t.kind, FromStatus: c.Status, ToStatus: c.Status}
	name, recipient, message := "", RoleRecipient(RoleManager), ""
	switch t.kind {
	case ClockReminder:
		name, message = DeadlineTarget, "L'objectif de réponse approche"
		c.RemindedAt = &now
		if c.SLAStatus == SLAOnTime {
			c.SLAStatus = SLADueSoon
		}
		if c.Assignee != "" {
			recipient = c.Assignee
		}
	case ClockDeadlineMissed:
		name = DeadlineAcknowledgment
	case ClockTargetMissed:
		name, message = DeadlineTarget, "Objectif de réponse dépassé"
		c.SLAStatus = SLATargetMissed
	case ClockLegalLimitPassed:
		name, message = DeadlineLegal, "Délai légal dépassé"
		c.SLAStatus = SLAOverdue
	case ClockImplicitRejection:
		name, message = DeadlineImplicitRejection, "Rejet implicite : deux mois sans réponse"
		c.ImplicitRejectionAt = &now
	}
	d, _ := c.Deadline(name)
	if t.kind == ClockReminder {
		d.Status = SLADueSoon
	} else {
		d.Status = SLAMissed
	}
	due := d.DueAt
	ev.Details = map[string]any{"deadline": name, "due_at": due}
	c.UpdatedAt = now
	ch := Change{Event: ev}
	if message != "" {
		ch.Notifications = []Notification{{Recipient: recipient, Kind: t.kind, Message: message, DueAt: &due}}
	}
	return ch
}

func calendarDays(a, b time.Time) int { return calendar.DaysBetween(a, b, calendar.CalendarDays) }
