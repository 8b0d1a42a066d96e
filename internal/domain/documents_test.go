package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/figures"
)

// A request of documents gives the claimant a date (CRPA L114-5): the end
// of the days given, to the next working day; the documents arriving end
// it, and the implicit rejection is suspended by the whole days it lasted.
func TestDocumentsRequest_TheDocumentsArriveAndTheImplicitRejectionMovesByTheDaysWaited(t *testing.T) {
	c := inProgress(t, "online") // Monday 6 January 2025
	req := mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments,
		domain.ActionArgs{Documents: "  Votre avis d'imposition 2025 ", DueInDays: 12})
	assert.Equal(t, domain.StatusAwaitingClaimant, c.Status)
	r, ok := c.PendingDocuments()
	require.True(t, ok)
	// 9 January + 12 days: Tuesday 21 January, to its end.
	assert.Equal(t, due(15), r.DueAt)
	assert.Equal(t, "Votre avis d'imposition 2025", r.Documents)
	require.NotNil(t, r.RemindAt)
	assert.Equal(t, calendar.StartOfDay(day(12)), *r.RemindAt, "three days before, at the start of the day")
	assert.Equal(t, map[string]any{"documents": "Votre avis d'imposition 2025", "due_at": due(15)}, req.Event.Details)
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineAcknowledgment).Status, "the letter acknowledges the complaint")

	// Received on 13 January: 4 days waited, the implicit rejection moves
	// from 6 to 10 March; the service commitments move as any pause does.
	got := mustApply(t, &c, day(7), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, domain.StatusInProgress, c.Status)
	assert.Equal(t, calendar.EndOfDay(implicitDue.AddDate(0, 0, 4)), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
	assert.Equal(t, 4, got.Event.Details["suspended_days"])
	assert.Equal(t, due(19), deadline(t, &c, domain.DeadlineLegal).DueAt, "15 days + the 4 paused")
	_, pending := c.PendingDocuments()
	assert.False(t, pending)
	last, _ := c.LastDocumentsRequest()
	require.NotNil(t, last.ReceivedAt)
	assert.Equal(t, 4, last.SuspendedDays)
	next, _ := c.NextTimer()
	assert.True(t, next.After(day(7)), "no documents timer is left")
	for _, ch := range c.Tick(due(15).Add(time.Hour)) {
		assert.NotContains(t, []string{domain.ClockDocumentsReminder, domain.ClockDocumentsLapsed}, ch.Event.Action)
	}
}

// Without the documents the claimant is reminded before the date, and at
// the date the file resumes and its officer is alerted; the implicit
// rejection was suspended up to that date, not beyond.
func TestDocumentsRequest_TheDatePassesTheFileResumesAndTheOfficerIsAlerted(t *testing.T) {
	c := inProgress(t, "online")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Documents: "RIB", DueInDays: 7})
	// 9 January + 7 days: Thursday 16 January; reminded on Monday 13.
	assert.Empty(t, c.Tick(calendar.StartOfDay(day(7)).Add(-time.Second)))
	chs := c.Tick(calendar.StartOfDay(day(7)).Add(time.Minute))
	require.Len(t, chs, 1)
	assert.Equal(t, domain.ClockDocumentsReminder, chs[0].Event.Action)
	assert.Empty(t, chs[0].Notifications, "the reminder goes to the claimant (a letter), not to a queue")
	assert.Equal(t, domain.StatusAwaitingClaimant, c.Status)
	assert.Empty(t, c.Tick(due(10).Add(-time.Second)), "reminded once; the date has not passed")

	chs = c.Tick(due(10))
	require.Len(t, chs, 1)
	lapsed := chs[0]
	assert.Equal(t, domain.ClockDocumentsLapsed, lapsed.Event.Action)
	assert.Equal(t, domain.StatusInProgress, c.Status)
	assert.False(t, c.ClockPaused)
	require.Len(t, lapsed.Notifications, 1)
	assert.Equal(t, "alice", lapsed.Notifications[0].Recipient)
	assert.Equal(t, domain.ClockDocumentsLapsed, lapsed.Notifications[0].Kind)
	// 9 to 16 January: 7 days.
	assert.Equal(t, calendar.EndOfDay(implicitDue.AddDate(0, 0, 7)), deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
	last, _ := c.LastDocumentsRequest()
	require.NotNil(t, last.LapsedAt)
	assert.Nil(t, last.ReceivedAt)
	_, err := c.Apply(day(12), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "the file already resumed")
}

// A clock catching up past the date (a worker down for days) resumes the
// file, and sends no reminder of a date already gone.
func TestDocumentsRequest_CatchingUpPastTheDateRemindsNobody(t *testing.T) {
	c := inProgress(t, "online")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Documents: "RIB", DueInDays: 7})
	chs := c.Tick(day(20))
	assert.Equal(t, []string{domain.ClockDocumentsLapsed}, kinds(chs))
	assert.Equal(t, domain.StatusInProgress, c.Status)
}

// A note alone still asks for documents, the first version of the API's
// request: it is the list, with the default time.
func TestDocumentsRequest_ANoteAloneIsTheListWithTheDefaultTime(t *testing.T) {
	c := inProgress(t, "online")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis d'imposition"})
	r, ok := c.PendingDocuments()
	require.True(t, ok)
	assert.Equal(t, "Avis d'imposition", r.Documents)
	assert.Equal(t, calendar.NextWorkingDay(due(3+domain.DefaultDocumentsDays)), r.DueAt)
	assert.Equal(t, []string{"documents", "due_in_days"}, c.ActionFields(domain.ActionRequestDocuments))
}

// A file registered before dated requests keeps its convention: a note,
// no date, and no pause moves its implicit rejection.
func TestDocumentsRequest_AFileRegisteredBeforeKeepsItsNote(t *testing.T) {
	c := inProgress(t, "online")
	pinned(&c)
	assert.Equal(t, []string{"note"}, c.ActionFields(domain.ActionRequestDocuments))
	_, err := c.Apply(day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Documents: "RIB", DueInDays: 7})
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "its request takes a note")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "RIB"})
	assert.Empty(t, c.DocumentsRequests)
	mustApply(t, &c, day(30), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	assert.Equal(t, implicitDue, deadline(t, &c, domain.DeadlineImplicitRejection).DueAt)
}

// A reopened complaint is a new request: new service commitments and a
// new implicit rejection from the reopening; its first answer is kept for
// the figures, which count the reopening.
func TestReopen_NewDeadlinesFromTheReopeningTheFirstAnswerKept(t *testing.T) {
	c := inProgress(t, "online")
	mustApply(t, &c, day(9), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	require.Equal(t, 9, *c.ElapsedDaysAdjusted)
	ack := deadline(t, &c, domain.DeadlineAcknowledgment)
	mustApply(t, &c, day(20), alice, domain.ActionReopen, domain.ActionArgs{Reason: "L'allocataire signale un mois oublié."})
	assert.Equal(t, domain.StatusInProgress, c.Status)
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	require.NotNil(t, c.FirstAnswer)
	assert.Equal(t, day(9), c.FirstAnswer.At)
	assert.Equal(t, 9, *c.FirstAnswer.ElapsedDays)
	require.NotNil(t, c.ReopenedAt)
	assert.Equal(t, day(20), *c.ReopenedAt)
	assert.Equal(t, 1, c.Reopenings)
	for name, want := range map[string]time.Time{
		domain.DeadlineTarget: due(30), domain.DeadlineLegal: due(35),
		domain.DeadlineImplicitRejection: calendar.EndOfDay(day(20).AddDate(0, 2, 0)),
	} {
		d := deadline(t, &c, name)
		assert.Equal(t, want, d.DueAt, name)
		assert.Equal(t, domain.SLAOnTime, d.Status, name)
		assert.Nil(t, d.MetAt, name)
	}
	assert.Equal(t, ack, deadline(t, &c, domain.DeadlineAcknowledgment), "the acknowledgment is not owed again")
	at, elapsed, _ := c.CountedAnswer()
	require.NotNil(t, at)
	assert.Equal(t, day(9), *at, "the figures count the first answer")
	assert.Equal(t, 9, *elapsed)

	// The new limit passes and is announced; answered again, the figures
	// still count the first answer.
	chs := c.Tick(due(35))
	assert.Contains(t, kinds(chs), domain.ClockLegalLimitPassed)
	mustApply(t, &c, day(36), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	mustApply(t, &c, day(37), alice, domain.ActionReopen, domain.ActionArgs{Reason: "Encore un oubli signalé."})
	assert.Equal(t, day(9), c.FirstAnswer.At, "the first answer, not the second")
	assert.Equal(t, day(20), *c.ReopenedAt, "the first reopening")
	assert.Equal(t, 2, c.Reopenings)
}

// The Défenseur des droits may follow up after the Caf answered (loi
// organique 2011-333, art. 18, 21, 25): the referral is studied again to
// answer by the new date; the figures keep the first decision.
func TestFollowUp_AfterTheAnswerPutsTheReferralBackInStudy(t *testing.T) {
	c := newReferral(t) // expected by 26 January 2025
	mustApply(t, &c, t0, med, domain.ActionAdmit, admitArgs())
	mustApply(t, &c, day(5), med, domain.ActionDecide, domain.ActionArgs{Outcome: "maintained", Explanation: goodExplanation})
	mustApply(t, &c, day(6), med, domain.ActionClose, domain.ActionArgs{})
	ch := mustApply(t, &c, day(30), liaison, domain.ActionFollowUp,
		domain.ActionArgs{Kind: "recommendation", ResponseExpectedBy: "2025-03-31", Note: "Réexaminer la période de novembre."})
	assert.Equal(t, domain.StatusInStudy, c.Status)
	assert.Nil(t, c.ClosedAt)
	require.Len(t, c.FollowUps, 1)
	assert.True(t, c.FollowUps[0].AfterAnswer)
	assert.Equal(t, true, ch.Event.Details["after_answer"])
	require.Len(t, ch.Notifications, 1)
	assert.Contains(t, ch.Notifications[0].Message, "rendre compte de leur suivi")
	assert.Equal(t, parisEnd(2025, time.March, 31), deadline(t, &c, domain.DeadlineLegal).DueAt)

	mustApply(t, &c, day(40), med, domain.ActionDecide, domain.ActionArgs{Outcome: "partly_revised", Explanation: goodExplanation})
	require.NotNil(t, c.FollowUps[0].AnsweredAt, "the report on the recommendations' follow-up")
	at, due := c.CountedDecision()
	assert.Equal(t, day(5), *at, "the figures count the first decision")
	assert.Equal(t, parisEnd(2025, time.January, 26), *due, "against the date then in force")
}

// « Answered in time » is judged against the date in force when the
// answer was due: a formal notice after a date passed unanswered gives a
// new date to answer by, not a timely answer.
func TestFollowUp_AFormalNoticeAfterAMissedDateDoesNotMakeTheAnswerTimely(t *testing.T) {
	c := newReferral(t)
	mustApply(t, &c, t0, med, domain.ActionAdmit, admitArgs())
	c.Tick(parisEnd(2025, time.January, 26).Add(time.Minute))
	require.NotNil(t, c.MissedDue)
	mustApply(t, &c, day(25), liaison, domain.ActionFollowUp, domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: "2025-02-20"})
	mustApply(t, &c, day(30), med, domain.ActionDecide, domain.ActionArgs{Outcome: "revised", Explanation: goodExplanation})
	_, due := c.CountedDecision()
	assert.Equal(t, parisEnd(2025, time.January, 26), *due, "the date that passed, not the formal notice's")
	f := figures.FileOf(c)
	assert.Zero(t, figures.Contributions(f)[figures.Key{Caf: c.Caf, Measure: figures.ReferralInTime, Day: figures.DayOf(c.ReceivedAt)}],
		"not answered in time")
	assert.Equal(t, int64(1), figures.Contributions(f)[figures.Key{Caf: c.Caf, Measure: figures.ReferralDecided, Day: figures.DayOf(c.ReceivedAt)}])
}

// A referral registered before keeps its rule: no follow-up once answered.
func TestFollowUp_AfterTheAnswerRefusedOnAFileRegisteredBefore(t *testing.T) {
	c := newReferral(t)
	c.Policy.Counting = domain.CountingReopening
	mustApply(t, &c, t0, med, domain.ActionAdmit, admitArgs())
	mustApply(t, &c, day(5), med, domain.ActionDecide, domain.ActionArgs{Outcome: "maintained", Explanation: goodExplanation})
	_, err := c.Apply(day(6), liaison, domain.ActionFollowUp, domain.ActionArgs{Kind: "explanation_request", ResponseExpectedBy: "2025-02-20"})
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err))
}
