package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"recours/internal/calendar"
)

// DocumentsRequest is one request of missing documents to the claimant
// (CRPA L114-5): what is asked, by when, and how it ended. While it is
// pending the file waits for the claimant, its service commitments are
// paused and its implicit rejection is suspended; the suspension ends
// when the documents arrive, or at the date given without them.
type DocumentsRequest struct {
	Documents   string     `json:"documents"`
	RequestedAt time.Time  `json:"requested_at"`
	DueAt       time.Time  `json:"due_at"`
	RemindAt    *time.Time `json:"remind_at,omitempty"`
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
	ReceivedAt  *time.Time `json:"received_at,omitempty"`
	LapsedAt    *time.Time `json:"lapsed_at,omitempty"`
	// SuspendedDays is how many days the request moved the implicit
	// rejection, once it ended.
	SuspendedDays int `json:"suspended_days,omitempty"`
}

// Pending reports whether the request still waits for the documents.
func (r DocumentsRequest) Pending() bool { return r.ReceivedAt == nil && r.LapsedAt == nil }

// Limits of a documents request: the claimant is given 1 to 60 days.
const (
	MinDocumentsDays = 1
	MaxDocumentsDays = 60
	// DefaultDocumentsDays is the time given when the request names none.
	DefaultDocumentsDays = 15
	// DocumentsReminderDaysBefore: the claimant is reminded this many days
	// before the date, at the start of that day (sooner for a short time).
	DocumentsReminderDaysBefore = 3
)

// What the clock does to a documents request.
const (
	ClockDocumentsReminder = "documents_reminder"
	ClockDocumentsLapsed   = "documents_lapsed"
)

// PendingDocuments is the request the file waits on, if any.
func (c *Case) PendingDocuments() (*DocumentsRequest, bool) {
	if n := len(c.DocumentsRequests); n > 0 && c.DocumentsRequests[n-1].Pending() {
		return &c.DocumentsRequests[n-1], true
	}
	return nil, false
}

// LastDocumentsRequest is the file's latest request, if any.
func (c *Case) LastDocumentsRequest() (DocumentsRequest, bool) {
	if n := len(c.DocumentsRequests); n > 0 {
		return c.DocumentsRequests[n-1], true
	}
	return DocumentsRequest{}, false
}

// datedRequests reports whether the file's requests of documents carry
// their own date, letter and reminder, and suspend its implicit rejection
// (CountingDocuments); the files registered before keep a request with a
// note and no date.
func (c *Case) datedRequests() bool { return c.policy().Counting >= CountingDocuments }

// ActionFields are the arguments a form of action a asks for on this
// file: a request of documents on a file registered before
// CountingDocuments takes a note, on one registered since the documents
// and the days given (a note alone is still taken as the documents, for
// the clients of the first version of the API).
func (c *Case) ActionFields(a Action) []string {
	if a == ActionRequestDocuments && c.Kind == KindComplaint {
		if c.datedRequests() {
			return []string{"documents", "due_in_days"}
		}
		return []string{"note"}
	}
	return Fields(c.Kind, a)
}

// requestedDocuments is what a request asks for: its documents, or its
// note when it has none (the first version of the API).
func requestedDocuments(args ActionArgs) string {
	if d := strings.TrimSpace(args.Documents); d != "" {
		return d
	}
	return strings.TrimSpace(args.Note)
}

// ValidateArgs checks the arguments of action a on this file; now bounds
// the dates.
func (c *Case) ValidateArgs(now time.Time, a Action, args ActionArgs) error {
	err := ValidateArgs(c.Kind, a, args, now)
	if a != ActionRequestDocuments || c.Kind != KindComplaint {
		return err
	}
	var p Problems
	if e, ok := err.(*Error); ok {
		p = Problems(e.Fields)
	} else if err != nil {
		return err
	}
	if !c.datedRequests() {
		if strings.TrimSpace(args.Note) == "" {
			p.Add("note", "champ obligatoire")
		}
		return p.Err()
	}
	switch n := utf8.RuneCountInString(requestedDocuments(args)); {
	case n == 0:
		p.Add("documents", "champ obligatoire : les documents à envoyer")
	case n > MaxNote:
		p.Add("documents", "texte trop long")
	}
	if args.DueInDays != 0 && (args.DueInDays < MinDocumentsDays || args.DueInDays > MaxDocumentsDays) {
		p.Add("due_in_days", "entre 1 et 60 jours")
	}
	return p.Err()
}

// requestDocuments records a dated request: the claimant has until the end
// of the days given, to the next working day when that one is not (code de
// procédure civile art. 641, 642), and is reminded before.
func (c *Case) requestDocuments(now time.Time, args ActionArgs, details map[string]any) {
	n := args.DueInDays
	if n == 0 {
		n = DefaultDocumentsDays
	}
	due := calendar.NextWorkingDay(calendar.EndOfDay(calendar.AddDays(now, n, calendar.CalendarDays)))
	r := DocumentsRequest{Documents: requestedDocuments(args), RequestedAt: now, DueAt: due}
	if before := min(DocumentsReminderDaysBefore, n-1); before > 0 {
		at := calendar.StartOfDay(due.In(calendar.Paris).AddDate(0, 0, -before))
		r.RemindAt = &at
	}
	c.DocumentsRequests = append(c.DocumentsRequests, r)
	details["documents"], details["due_at"] = r.Documents, due
}

// endDocumentsRequest ends the pending request at now (the documents came,
// or the date passed) and suspends the implicit rejection by the whole
// calendar days from the request to the earlier of now and its date
// (CRPA L114-5); nothing else moves the implicit rejection.
func (c *Case) endDocumentsRequest(now time.Time, received bool, details map[string]any) {
	r, ok := c.PendingDocuments()
	if !ok {
		return
	}
	if received {
		r.ReceivedAt = &now
	} else {
		r.LapsedAt = &now
	}
	end := now
	if r.DueAt.Before(end) {
		end = r.DueAt
	}
	days := max(calendar.DaysBetween(r.RequestedAt, end, calendar.CalendarDays), 0)
	r.SuspendedDays = days
	if d, ok := c.Deadline(DeadlineImplicitRejection); ok && d.Pending() && days > 0 {
		due := calendar.EndOfDay(calendar.AddDays(d.DueAt, days, calendar.CalendarDays))
		if c.policy().DayMode == calendar.WorkingDays {
			due = calendar.NextWorkingDay(due)
		}
		d.DueAt = due
		details["implicit_rejection_due_at"] = due
	}
	details["suspended_days"] = days
}

// documentsTimers are the clock's steps of the pending request.
func (c *Case) documentsTimers() []timer {
	r, ok := c.PendingDocuments()
	if !ok || c.Status != StatusAwaitingClaimant {
		return nil
	}
	var ts []timer
	if r.RemindAt != nil && r.RemindedAt == nil {
		ts = append(ts, timer{at: *r.RemindAt, kind: ClockDocumentsReminder})
	}
	return append(ts, timer{at: r.DueAt, kind: ClockDocumentsLapsed})
}

// fireDocuments reminds the claimant of the documents (the workflow sends
// the reminder), or resumes the file when the date passed without them,
// alerting the officer.
func (c *Case) fireDocuments(t timer, now time.Time) Change {
	r, _ := c.PendingDocuments()
	due := r.DueAt
	ev := Event{At: now, Actor: System, Action: t.kind, FromStatus: c.Status, Details: map[string]any{"due_at": due}}
	var notes []Notification
	if t.kind == ClockDocumentsReminder {
		r.RemindedAt = &now
	} else {
		c.endDocumentsRequest(now, false, ev.Details)
		ev.Details["paused_seconds"] = c.resume(now)
		c.Status = StatusInProgress
		recipient := c.Assignee
		if recipient == "" {
			recipient = RoleRecipient(RoleGCA)
		}
		notes = []Notification{{Recipient: recipient, Kind: ClockDocumentsLapsed, DueAt: &due,
			Message: "Pièces non reçues à la date fixée : le dossier reprend, à traiter avec les éléments disponibles"}}
	}
	ev.ToStatus = c.Status
	c.UpdatedAt = now
	return Change{Event: ev, Notifications: notes}
}
