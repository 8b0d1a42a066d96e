package domain

import (
	"time"

	"recours/internal/calendar"
)

// Policy is a Caf's deadline policy. A file copies the policy in force when
// it enters a stage, so a later change does not move its deadlines.
type Policy struct {
	DayMode                 calendar.Mode `json:"day_mode"`
	AcknowledgmentDays      int           `json:"acknowledgment_days"`
	TargetDays              int           `json:"target_days"`
	LegalDays               int           `json:"legal_days"`
	ReminderDaysBefore      int           `json:"reminder_days_before"`
	ImplicitRejectionMonths int           `json:"implicit_rejection_months"`
	MediationTargetDays     int           `json:"mediation_target_days,omitempty"`
	MediationLegalDays      int           `json:"mediation_legal_days,omitempty"`
	OpinionDays             int           `json:"opinion_days,omitempty"`
}

// DefaultPolicy is the national one: acknowledgment in 5 days, a local
// target of 10, the 15-day limit, a reminder 2 days before the target and
// the 2-month implicit rejection of CRPA L231-4, in calendar days.
func DefaultPolicy() Policy {
	return Policy{
		DayMode:                 calendar.CalendarDays,
		AcknowledgmentDays:      5,
		TargetDays:              10,
		LegalDays:               15,
		ReminderDaysBefore:      2,
		ImplicitRejectionMonths: 2,
		MediationTargetDays:     30,
		MediationLegalDays:      60,
		OpinionDays:             DefaultOpinionDays,
	}
}

// Validate checks that the policy is usable: positive days, a target no
// later than the legal limit, a reminder before the target.
func (p Policy) Validate() error {
	var pr Problems
	if !p.DayMode.Valid() {
		pr.Add("day_mode", "mode de décompte inconnu (calendar ou working)")
	}
	if p.AcknowledgmentDays < 1 || p.TargetDays < 1 || p.LegalDays < 1 {
		pr.Add("days", "les délais doivent être d'au moins un jour")
	}
	if p.TargetDays > p.LegalDays {
		pr.Add("target_days", "l'objectif ne peut pas dépasser le délai légal")
	}
	if p.ReminderDaysBefore < 0 || p.ReminderDaysBefore >= p.TargetDays {
		pr.Add("reminder_days_before", "le rappel doit précéder l'objectif")
	}
	if p.ImplicitRejectionMonths < 1 {
		pr.Add("implicit_rejection_months", "le délai de rejet implicite doit être d'au moins un mois")
	}
	if p.MediationTargetDays < 1 || p.MediationTargetDays > p.MediationLegalDays {
		pr.Add("mediation_target_days", "l'objectif de la médiation doit précéder son délai légal")
	}
	if p.OpinionDays < 1 {
		pr.Add("opinion_days", "le délai d'un avis doit être d'au moins un jour")
	}
	return pr.Err()
}

// complaintDeadlines fixes a complaint's deadlines from its receipt.
func (p Policy) complaintDeadlines(received time.Time) []Deadline {
	due := func(days int) time.Time { return calendar.AddDays(received, days, p.DayMode) }
	return []Deadline{
		{Name: DeadlineAcknowledgment, DueAt: due(p.AcknowledgmentDays), Status: SLAOnTime},
		{Name: DeadlineTarget, DueAt: due(p.TargetDays), Status: SLAOnTime},
		{Name: DeadlineLegal, DueAt: due(p.LegalDays), Status: SLAOnTime},
		{Name: DeadlineImplicitRejection, DueAt: calendar.AddMonths(received, p.ImplicitRejectionMonths), Status: SLAOnTime},
	}
}

// reminderAt is when the assignee is reminded: ReminderDaysBefore calendar
// days before the target, whatever the day mode (a reminder is a nudge).
func (p Policy) reminderAt(target time.Time) time.Time {
	return target.In(calendar.Paris).AddDate(0, 0, -p.ReminderDaysBefore).UTC()
}
