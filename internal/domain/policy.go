package domain

import (
	"time"

	"recours/internal/calendar"
)

// Counting is the convention a file's deadlines are counted by, fixed on
// the file's copy of the policy when it is registered, so that a file keeps
// the convention it started under for its whole life.
type Counting int

const (
	// CountingClock is the convention of the files registered before
	// CountingCPC: a deadline falls at the hour of receipt, and a pause
	// moves it by the time it lasted.
	CountingClock Counting = 0
	// CountingCPC counts as the code de procédure civile does (art. 641,
	// 642; DOMAIN.md, "Counting days"): the day of receipt does not count,
	// a deadline ends at 23:59:59 (Paris) on its last day, a deadline in
	// months ends on the same date N months later or on the last day of a
	// shorter month, a Caf counting working days never sees a deadline end
	// on a non-working day, and a pause moves the deadlines by the whole
	// days it lasted, counted as the policy counts them.
	CountingCPC Counting = 1
	// CountingDocuments adds to CountingCPC the dated request of documents
	// (CRPA L114-5): it gives the claimant a date, sends a letter and a
	// reminder, resumes the file at that date, and suspends the implicit
	// rejection from the request to the documents' receipt or the date.
	CountingDocuments Counting = 2
	// CountingReopening adds to CountingDocuments the reopening that gives
	// the file new service commitments and a new implicit rejection from
	// the reopening, the first answer kept for the figures.
	CountingReopening Counting = 3
	// CountingFollowUps adds to CountingReopening the Défenseur des droits'
	// follow-ups after the answer (loi organique 2011-333, art. 18, 21,
	// 25): one puts the referral back in study with its date, and
	// « answered in time » is judged on the first answer against the date
	// in force when it was due, not on a date a later follow-up set.
	CountingFollowUps Counting = 4
	// CurrentCounting is the convention of a file registered now.
	CurrentCounting = CountingFollowUps
)

// Policy is a Caf's deadline policy. A file copies the policy in force when
// it enters a stage, so a later change does not move its deadlines.
type Policy struct {
	// Counting is set on a file's copy when it is registered; a Caf's own
	// policy does not choose it.
	Counting                Counting      `json:"counting,omitempty"`
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
		AcknowledgmentDays:      NationalAcknowledgmentDays,
		TargetDays:              10,
		LegalDays:               NationalAnswerDays,
		ReminderDaysBefore:      2,
		ImplicitRejectionMonths: ImplicitRejectionMonths,
		MediationTargetDays:     30,
		MediationLegalDays:      60,
		OpinionDays:             DefaultOpinionDays,
	}
}

// The national service commitments (socle national de services of the
// Caf): an answer within 15 days, an acknowledgment within 5. They are not
// law, but a Caf may only tighten them.
const (
	NationalAnswerDays         = 15
	NationalAcknowledgmentDays = 5
)

// ImplicitRejectionMonths is the legal deadline of a complaint: two months
// of silence are a rejection (CRPA L231-4). It is the law, not a setting.
const ImplicitRejectionMonths = 2

// Validate checks that the policy is usable and lawful: positive days, no
// laxer than the national commitments, a target no later than the limit,
// a reminder before the target, the implicit rejection the law's.
func (p Policy) Validate() error {
	var pr Problems
	if !p.DayMode.Valid() {
		pr.Add("day_mode", "mode de décompte inconnu (calendar ou working)")
	}
	if p.AcknowledgmentDays < 1 || p.TargetDays < 1 || p.LegalDays < 1 {
		pr.Add("days", "les délais doivent être d'au moins un jour")
	}
	if p.LegalDays > NationalAnswerDays {
		pr.Add("legal_days", "la limite de réponse ne peut pas dépasser l'engagement national de 15 jours : une Caf peut seulement le raccourcir")
	}
	if p.AcknowledgmentDays > NationalAcknowledgmentDays {
		pr.Add("acknowledgment_days", "l'accusé de réception ne peut pas dépasser l'engagement national de 5 jours : une Caf peut seulement le raccourcir")
	}
	if p.TargetDays > p.LegalDays {
		pr.Add("target_days", "l'objectif ne peut pas dépasser la limite de réponse")
	}
	if p.ReminderDaysBefore < 0 || p.ReminderDaysBefore >= p.TargetDays {
		pr.Add("reminder_days_before", "le rappel doit précéder l'objectif")
	}
	if p.ImplicitRejectionMonths != ImplicitRejectionMonths {
		pr.Add("implicit_rejection_months", "le rejet implicite naît de deux mois de silence (CRPA L231-4) : c'est la loi, pas un réglage")
	}
	if p.MediationTargetDays < 1 || p.MediationTargetDays > p.MediationLegalDays {
		pr.Add("mediation_target_days", "l'objectif de la médiation doit précéder sa limite de réponse")
	}
	if p.OpinionDays < 1 {
		pr.Add("opinion_days", "le délai d'un avis doit être d'au moins un jour")
	}
	return pr.Err()
}

// complaintDeadlines fixes a complaint's deadlines from its receipt.
func (p Policy) complaintDeadlines(received time.Time) []Deadline {
	return []Deadline{
		{Name: DeadlineAcknowledgment, DueAt: p.dueAfter(received, p.AcknowledgmentDays), Status: SLAOnTime},
		{Name: DeadlineTarget, DueAt: p.dueAfter(received, p.TargetDays), Status: SLAOnTime},
		{Name: DeadlineLegal, DueAt: p.dueAfter(received, p.LegalDays), Status: SLAOnTime},
		{Name: DeadlineImplicitRejection, DueAt: p.dueMonthsAfter(received, p.ImplicitRejectionMonths), Status: SLAOnTime},
	}
}

// dueAfter is the end of a deadline of days days, in the policy's kind of
// days, from the event at from.
func (p Policy) dueAfter(from time.Time, days int) time.Time {
	due := calendar.AddDays(from, days, p.DayMode)
	if p.Counting >= CountingCPC {
		due = calendar.EndOfDay(due)
	}
	return due
}

// dueMonthsAfter is the end of a deadline of months months from the event
// at from (code de procédure civile art. 641: the same date, or the last
// day of a shorter month).
// ImplicitRejectionDue is when silence on a request received at received
// becomes a rejection (CRPA L231-4), counted as the policy counts.
func (p Policy) ImplicitRejectionDue(received time.Time) time.Time {
	months := p.ImplicitRejectionMonths
	if months <= 0 {
		months = ImplicitRejectionMonths
	}
	return p.dueMonthsAfter(received, months)
}

func (p Policy) dueMonthsAfter(from time.Time, months int) time.Time {
	due := calendar.AddMonths(from, months)
	if p.Counting >= CountingCPC {
		due = calendar.EndOfDay(due)
		if p.DayMode == calendar.WorkingDays {
			due = calendar.NextWorkingDay(due)
		}
	}
	return due
}

// shifted is due moved by a pause from since to until: by the clock time
// it lasted under CountingClock, by the whole days it lasted, in the
// policy's kind of days, under CountingCPC.
func (p Policy) shifted(due, since, until time.Time) time.Time {
	if p.Counting < CountingCPC {
		return due.Add(until.Sub(since))
	}
	return calendar.EndOfDay(calendar.AddDays(due, calendar.DaysBetween(since, until, p.DayMode), p.DayMode))
}

// reminderAt is when the assignee is reminded: ReminderDaysBefore calendar
// days before the target, whatever the day mode (a reminder is a nudge);
// under CountingCPC at the start of that day.
func (p Policy) reminderAt(target time.Time) time.Time {
	at := target.In(calendar.Paris).AddDate(0, 0, -p.ReminderDaysBefore).UTC()
	if p.Counting >= CountingCPC {
		at = calendar.StartOfDay(at)
	}
	return at
}
