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
	ClockOpinionReminder   = "opinion_reminder"
	ClockOpinionExpired    = "opinion_expired"
)

// OpinionReminderDaysBefore is when the mediator is reminded of an
// opinion still awaited.
const OpinionReminderDaysBefore = 2

// opinionReminderAt is when the mediator is reminded of an opinion due at
// due: OpinionReminderDaysBefore days before, at the start of that day
// under CountingCPC.
func (c *Case) opinionReminderAt(due time.Time) time.Time {
	at := due.In(calendar.Paris).AddDate(0, 0, -OpinionReminderDaysBefore).UTC()
	if c.policy().Counting >= CountingCPC {
		at = calendar.StartOfDay(at)
	}
	return at
}

type timer struct {
	at   time.Time
	kind string
	ref  string // the opinion, for opinion timers
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
		ts = append(ts, timer{at: d.DueAt, kind: ClockImplicitRejection})
	}
	for _, o := range c.Opinions {
		if o.Status != OpinionPending {
			continue
		}
		if remind := c.opinionReminderAt(o.DueAt); o.RemindedAt == nil && remind.After(c.UpdatedAt) {
			ts = append(ts, timer{at: remind, kind: ClockOpinionReminder, ref: o.ID})
		}
		ts = append(ts, timer{at: o.DueAt, kind: ClockOpinionExpired, ref: o.ID})
	}
	ts = append(ts, c.documentsTimers()...)
	if c.ClockPaused {
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].at.Before(ts[j].at) })
		return ts
	}
	if d, ok := c.Deadline(DeadlineAcknowledgment); ok && d.Pending() {
		ts = append(ts, timer{at: d.DueAt, kind: ClockDeadlineMissed})
	}
	if d, ok := c.Deadline(DeadlineTarget); ok && d.Pending() {
		if c.RemindedAt == nil && c.Policy != nil && c.Policy.ReminderDaysBefore > 0 {
			ts = append(ts, timer{at: c.Policy.reminderAt(d.DueAt), kind: ClockReminder})
		}
		ts = append(ts, timer{at: d.DueAt, kind: ClockTargetMissed})
	}
	if d, ok := c.Deadline(DeadlineLegal); ok && d.Pending() {
		ts = append(ts, timer{at: d.DueAt, kind: ClockLegalLimitPassed})
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
			t = timer{at: d.DueAt, kind: ClockTargetMissed}
		}
		// Nor is reminding the claimant of documents whose date has passed.
		if r, ok := c.PendingDocuments(); ok && t.kind == ClockDocumentsReminder && !now.Before(r.DueAt) {
			t = timer{at: r.DueAt, kind: ClockDocumentsLapsed}
		}
		out = append(out, c.fire(t, now))
	}
}

func (c *Case) fire(t timer, now time.Time) Change {
	switch t.kind {
	case ClockOpinionReminder, ClockOpinionExpired:
		return c.fireOpinion(t, now)
	case ClockDocumentsReminder, ClockDocumentsLapsed:
		return c.fireDocuments(t, now)
	}
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
		} else if c.Kind == KindMediation {
			recipient = RoleRecipient(RoleMediator)
		}
	case ClockDeadlineMissed:
		name = DeadlineAcknowledgment
	case ClockTargetMissed:
		name, message = DeadlineTarget, "Objectif de réponse dépassé"
		c.SLAStatus = SLATargetMissed
	case ClockLegalLimitPassed:
		name, message = DeadlineLegal, "Limite de réponse dépassée"
		c.SLAStatus = SLAOverdue
		if d, ok := c.Deadline(DeadlineLegal); ok && c.MissedDue == nil && c.Kind == KindMediation &&
			c.policy().Counting >= CountingFollowUps {
			due := d.DueAt
			c.MissedDue = &due
		}
	case ClockImplicitRejection:
		name, message = DeadlineImplicitRejection, "Rejet implicite : deux mois sans réponse"
		if c.ImplicitRejectionAt == nil { // a reopened file's first one counts
			c.ImplicitRejectionAt = &now
		}
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
		// A mediation's passing deadlines go to the mediator as well.
		if c.Kind == KindMediation && t.kind != ClockReminder {
			ch.Notifications = append(ch.Notifications, Notification{Recipient: RoleRecipient(RoleMediator), Kind: t.kind, Message: message, DueAt: &due})
		}
	}
	return ch
}

// fireOpinion reminds the mediator of an opinion still awaited, or records
// that it expired; the file leaves awaiting_opinion when none is pending.
func (c *Case) fireOpinion(t timer, now time.Time) Change {
	o := c.opinion(t.ref)
	ev := Event{At: now, Actor: System, Action: t.kind, FromStatus: c.Status,
		Details: map[string]any{"opinion_id": o.ID, "service": o.Service, "due_at": o.DueAt}}
	due := o.DueAt
	n := Notification{Recipient: RoleRecipient(RoleMediator), Kind: t.kind, DueAt: &due}
	if t.kind == ClockOpinionReminder {
		o.RemindedAt = &now
		n.Message = "Avis attendu bientôt : " + o.Service
	} else {
		o.Status = OpinionExpired
		n.Message = "Avis non rendu dans le délai : " + o.Service
		if c.Status == StatusAwaitingOpinion && c.pendingOpinions() == 0 {
			c.Status = StatusInStudy
		}
	}
	ev.ToStatus = c.Status
	c.UpdatedAt = now
	return Change{Event: ev, Notifications: []Notification{n}}
}

// Created is the first change of a file: its creation, announced to the
// mediators when it is a mediation.
func (c *Case) Created(actor string) Change {
	ev := Event{At: c.CreatedAt, Actor: actor, Action: "created", ToStatus: c.Status,
		Details: map[string]any{"received_at": c.ReceivedAt}}
	if c.Channel != "" {
		ev.Details["channel"] = c.Channel
	}
	if c.ParentID != "" {
		ev.Details["parent_id"] = c.ParentID
	}
	ch := Change{Event: ev}
	if c.Kind == KindMediation {
		ev.Details["origin"] = c.Origin
		ch.Notifications = []Notification{{Recipient: RoleRecipient(RoleMediator), Kind: "mediation_received",
			Message: "Nouvelle demande de médiation"}}
	}
	return ch
}

func calendarDays(a, b time.Time) int { return calendar.DaysBetween(a, b, calendar.CalendarDays) }
