package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
	"recours/internal/figures"
)

// The figures read a file the same way whether from its state, from its
// row, or from a row of history before it is written: the rollup adds
// what one gives and subtracts what another gives.
func TestFigureFile_TheStateAndItsRowGiveTheSameFile(t *testing.T) {
	received := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	answered, closed := received.AddDate(0, 0, 6), received.AddDate(0, 0, 8)
	six, seven := 6, 7
	c := domain.Case{ID: "01a20000-0000-7000-8000-000000000001", Kind: domain.KindComplaint, Caf: "071",
		Channel: "phone", Benefit: "rsa", Reason: "other", ReceivedAt: received, AnsweredAt: &answered,
		ClosedAt: &closed, ElapsedDaysAdjusted: &six, ElapsedDaysRaw: &seven,
		ImplicitRejectionAt: &closed, Outcome: "", Origin: "",
		Deadlines: []domain.Deadline{
			{Name: domain.DeadlineAcknowledgment, DueAt: received.AddDate(0, 0, 5), Status: domain.SLAMet},
			{Name: domain.DeadlineLegal, DueAt: received.AddDate(0, 0, 15), Status: domain.SLAMet},
		}}
	row := rowOf(c, 3, "{}")
	assert.Equal(t, figures.FileOf(c), figureFile(&row))

	m := domain.Case{ID: "01a20000-0000-7000-8000-000000000002", Kind: domain.KindMediation, Caf: "071",
		Benefit: "housing_aid", Reason: "other", Origin: string(domain.OriginDDD), Outcome: "revised",
		ReceivedAt: received, DecidedAt: &answered,
		Deadlines: []domain.Deadline{{Name: domain.DeadlineLegal, DueAt: received.AddDate(0, 0, 30)}}}
	row = rowOf(m, 2, "{}")
	assert.Equal(t, figures.FileOf(m), figureFile(&row))

	h := HistoryRow{ID: "01a20000-0000-7000-8000-000000000003", Kind: "complaint", Caf: "071", Status: "closed",
		SLAStatus: "met", Channel: "email", Benefit: "ppa", Reason: "documents", Reference: "R-1",
		ReceivedAt: received, TargetDue: &answered, LegalDue: &closed, AnsweredAt: &answered, ClosedAt: &closed,
		ElapsedDays: &six, ElapsedDaysRaw: &seven, PausedSeconds: 86400}
	row = h.caseRow(received)
	assert.Equal(t, h.File(), figureFile(&row))
}

// A COPY writes each of the columns, in their order.
func TestCaseValues_OneValueByColumn(t *testing.T) {
	v := make([]any, len(caseColumns))
	ref := "R-1"
	row := CaseRow{ID: "id", Reference: &ref, Version: 1, WriteRun: "run", WriteTask: 4, Data: "data"}
	caseValues(&row, v)
	at := func(col string) any {
		for i, c := range caseColumns {
			if c == col {
				return v[i]
			}
		}
		t.Fatalf("no column %s", col)
		return nil
	}
	assert.Equal(t, "id", at("id"))
	assert.Equal(t, &ref, at("reference"))
	assert.Equal(t, int64(4), at("write_task"))
	assert.Equal(t, "run", at("write_run"))
	assert.Equal(t, "data", at("data"))
	for i, a := range v {
		assert.True(t, a != nil, "column %s has no value", caseColumns[i]) // a typed nil pointer is a NULL
	}
}
