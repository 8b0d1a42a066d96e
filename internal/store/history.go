package store

import (
	"time"

	"recours/internal/domain"
)

// HistorySubjectPrefix begins the subject of an imported file, followed by
// its reference: the file as shown has no other place for it.
const HistorySubjectPrefix = "Historique importé, réf. "

// historyCase is an imported file as its columns hold it. The import
// writes no JSON document for history (its data is empty): everything an
// imported file has is in its columns, and the document would be most of
// the row's size, and so of the import's time.
func historyCase(row CaseRow) domain.Case {
	c := domain.Case{
		ID: row.ID, Kind: domain.Kind(row.Kind), Caf: row.Caf, Status: domain.Status(row.Status),
		Claimant: domain.Claimant{Number: row.ClaimantNumber}, Channel: domain.Channel(row.Channel),
		Benefit: domain.Benefit(row.Benefit), Reason: domain.Reason(row.Reason), Origin: row.Origin,
		ReceivedAt: row.ReceivedAt.UTC(), Deadlines: []domain.Deadline{}, SLAStatus: domain.SLAStatus(row.SLAStatus),
		PausedSeconds: row.PausedSeconds, AnsweredAt: utc(row.AnsweredAt),
		ElapsedDaysRaw: row.ElapsedDaysRaw, ElapsedDaysAdjusted: row.ElapsedDays,
		ImplicitRejectionAt: utc(row.ImplicitRejectionAt), Outcome: row.Outcome, DecidedAt: utc(row.DecidedAt),
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(), ClosedAt: utc(row.ClosedAt),
	}
	if row.Reference != nil {
		c.Reference = *row.Reference
		c.Subject = HistorySubjectPrefix + *row.Reference
	}
	return c
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
