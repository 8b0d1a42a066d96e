package figures_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/figures"
)

// paris is the instant of a wall-clock time in Europe/Paris.
func paris(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, calendar.Paris).UTC()
}

func at(t time.Time) *time.Time { return &t }
func n(v int) *int              { return &v }

// March 2021 in Caf 071: day numbers from 1 March.
var mar1 = figures.DayNumber(2021, time.March, 1)

func day(d int) int32 { return mar1 + int32(d-1) }

// k is a key of Caf 071.
func k(m figures.Measure, d int32, value string) figures.Key {
	return figures.Key{Caf: "071", Measure: m, Day: d, Value: value}
}

// complaint is a complaint of 071 received on 1 March at 10:00, by letter,
// about housing aid, acknowledged in time, with its legal date 15 days on.
func complaint() figures.File {
	received := paris(2021, time.March, 1, 10, 0)
	return figures.File{Kind: domain.KindComplaint, Caf: "071", Channel: "letter", Benefit: "housing_aid",
		Reason: "overpayment_not_understood", AckStatus: "met", ReceivedAt: received,
		LegalDue: at(paris(2021, time.March, 16, 23, 59))}
}

// received are what every complaint of complaint() contributes on its
// day of receipt.
func received(c figures.Changes) figures.Changes {
	c[k(figures.Received, day(1), "")] = 1
	c[k(figures.ByChannel, day(1), "letter")] = 1
	c[k(figures.ByBenefit, day(1), "housing_aid")] = 1
	c[k(figures.ByReason, day(1), "overpayment_not_understood")] = 1
	c[k(figures.Acknowledgment, day(1), "met")] = 1
	c[k(figures.Open, day(1), "")] = 1
	return c
}

// mediation is a mediation file of 071 received on 2 March at 9:00, its
// decision due 60 days on.
func mediation(origin string) figures.File {
	received := paris(2021, time.March, 2, 9, 0)
	return figures.File{Kind: domain.KindMediation, Caf: "071", Benefit: "rsa", Reason: "decision_not_understood",
		Origin: origin, AckStatus: "met", ReceivedAt: received, LegalDue: at(received.AddDate(0, 0, 60))}
}

func mediationReceived(origin string, c figures.Changes) figures.Changes {
	c[k(figures.Mediation, day(2), "")] = 1
	c[k(figures.MediationOrigin, day(2), origin)] = 1
	c[k(figures.MediationReason, day(2), "decision_not_understood")] = 1
	c[k(figures.MediationBenefit, day(2), "rsa")] = 1
	return c
}

func TestContributions_OfAFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		file func() figures.File
		want figures.Changes
	}{
		{"a complaint made by phone owes no acknowledgment: it counts in no acknowledgment figure",
			func() figures.File {
				f := complaint()
				f.Channel = "phone" // met at registration
				return f
			},
			figures.Changes{
				k(figures.Received, day(1), ""):                           1,
				k(figures.ByChannel, day(1), "phone"):                     1,
				k(figures.ByBenefit, day(1), "housing_aid"):               1,
				k(figures.ByReason, day(1), "overpayment_not_understood"): 1,
				k(figures.Open, day(1), ""):                               1,
				k(figures.Overdue, day(16), ""):                           1,
			}},
		{"a complaint answered in 6 days: received, handled within 10 days, open until its answer",
			func() figures.File {
				f := complaint()
				f.AnsweredAt, f.ElapsedDays, f.ElapsedDaysRaw = at(paris(2021, time.March, 7, 15, 0)), n(6), n(6)
				return f
			},
			received(figures.Changes{
				k(figures.Handled, day(7), ""):     1,
				k(figures.Elapsed, day(7), "6"):    1,
				k(figures.ElapsedRaw, day(7), "6"): 1,
				k(figures.Open, day(7), ""):        -1,
				// Answered before its legal date: never overdue (+1 and −1
				// on 16 March cancel out).
			})},
		{"a complaint paused 3 days: 9 days elapsed, 12 raw",
			func() figures.File {
				f := complaint()
				f.AnsweredAt, f.ElapsedDays, f.ElapsedDaysRaw = at(paris(2021, time.March, 13, 11, 0)), n(9), n(12)
				return f
			},
			received(figures.Changes{
				k(figures.Handled, day(13), ""):      1,
				k(figures.Elapsed, day(13), "9"):     1,
				k(figures.ElapsedRaw, day(13), "12"): 1,
				k(figures.Open, day(13), ""):         -1,
			})},
		{"a complaint withdrawn on 3 March: received, never handled, open until withdrawn",
			func() figures.File {
				f := complaint()
				f.ClosedAt = at(paris(2021, time.March, 3, 9, 0))
				return f
			},
			received(figures.Changes{k(figures.Open, day(3), ""): -1})},
		{"a complaint still open after its legal date and two months of silence: overdue, an implicit rejection",
			func() figures.File {
				f := complaint()
				f.ImplicitRejectionAt = at(paris(2021, time.May, 1, 10, 0))
				return f
			},
			received(figures.Changes{
				k(figures.Overdue, day(16), ""):                                        1,
				k(figures.ImplicitRejection, figures.DayNumber(2021, time.May, 1), ""): 1,
			})},
		{"a complaint received at 23:30 Paris counts on its Paris day, not its UTC one",
			func() figures.File {
				f := complaint()
				f.ReceivedAt = paris(2021, time.March, 1, 23, 30) // 22:30 UTC
				return f
			},
			received(figures.Changes{k(figures.Overdue, day(16), ""): 1})},
		{"a mediation file decided: by origin, reason, benefit and outcome, no referral",
			func() figures.File {
				f := mediation("claimant")
				f.Outcome, f.DecidedAt = "maintained", at(paris(2021, time.March, 20, 9, 0))
				return f
			},
			mediationReceived("claimant", figures.Changes{k(figures.MediationOutcome, day(2), "maintained"): 1})},
		{"a mediation file not decided: no outcome",
			func() figures.File { return mediation("social_worker") },
			mediationReceived("social_worker", figures.Changes{})},
		{"a DDD referral decided by the date the Défenseur expected",
			func() figures.File {
				f := mediation(string(domain.OriginDDD))
				f.LegalDue = at(paris(2021, time.March, 25, 23, 59))
				f.Outcome, f.DecidedAt = "revised", at(paris(2021, time.March, 25, 18, 0))
				return f
			},
			mediationReceived(string(domain.OriginDDD), figures.Changes{
				k(figures.MediationOutcome, day(2), "revised"): 1,
				k(figures.Referral, day(2), ""):                1,
				k(figures.ReferralDecided, day(2), ""):         1,
				k(figures.ReferralInTime, day(2), ""):          1,
			})},
		{"a DDD referral decided late",
			func() figures.File {
				f := mediation(string(domain.OriginDDD))
				f.LegalDue = at(paris(2021, time.March, 25, 23, 59))
				f.Outcome, f.DecidedAt = "maintained", at(paris(2021, time.March, 26, 9, 0))
				return f
			},
			mediationReceived(string(domain.OriginDDD), figures.Changes{
				k(figures.MediationOutcome, day(2), "maintained"): 1,
				k(figures.Referral, day(2), ""):                   1,
				k(figures.ReferralDecided, day(2), ""):            1,
			})},
		{"a DDD referral not decided yet",
			func() figures.File { return mediation(string(domain.OriginDDD)) },
			mediationReceived(string(domain.OriginDDD), figures.Changes{k(figures.Referral, day(2), ""): 1})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, figures.Contributions(tc.file()))
		})
	}
}

func TestContributions_OfAnOverpaymentNotice(t *testing.T) {
	created := paris(2021, time.March, 10, 9, 0)
	sent := paris(2021, time.March, 12, 9, 0)
	notice := func(large bool, call string, disputes ...time.Time) figures.Notice {
		return figures.Notice{Caf: "071", Large: large, Explained: large, CallResult: call,
			CreatedAt: created, SentAt: &sent, Disputes: disputes}
	}
	for _, tc := range []struct {
		name   string
		notice figures.Notice
		want   []figures.Measure
	}{
		{"a standard notice counts as a notice only, even disputed", notice(false, "", sent.AddDate(0, 0, 3)),
			[]figures.Measure{figures.Notices}},
		{"a large notice explained, its claimant reached, disputed 20 days after its sending",
			notice(true, domain.CallReached, sent.AddDate(0, 0, 20)),
			[]figures.Measure{figures.Notices, figures.LargeNotices, figures.NoticesExplained, figures.NoticesCallAttempted,
				figures.NoticesCallReached, figures.NoticesDisputed, figures.NoticesDisputedReached}},
		{"a large notice, its claimant not reached, disputed on the 59th day after its sending",
			notice(true, domain.CallNotReached, paris(2021, time.May, 10, 23, 0)),
			[]figures.Measure{figures.Notices, figures.LargeNotices, figures.NoticesExplained, figures.NoticesCallAttempted,
				figures.NoticesDisputed}},
		{"a large notice with no number is no attempt; disputed 60 days after its sending is too late",
			notice(true, domain.CallNoNumber, paris(2021, time.May, 11, 9, 0)),
			[]figures.Measure{figures.Notices, figures.LargeNotices, figures.NoticesExplained}},
		{"a dispute received before the notice is not its dispute",
			notice(true, "", created.Add(-time.Hour)),
			[]figures.Measure{figures.Notices, figures.LargeNotices, figures.NoticesExplained}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := figures.Changes{}
			for _, m := range tc.want {
				want[k(m, day(10), "")] = 1
			}
			assert.Equal(t, want, figures.NoticeContributions(tc.notice))
		})
	}

	t.Run("unsent, the window runs from its notification", func(t *testing.T) {
		n := notice(true, domain.CallReached, paris(2021, time.May, 9, 12, 0)) // the 60th day after 10 March
		n.SentAt = nil
		assert.False(t, n.Disputed())
		n.Disputes = []time.Time{paris(2021, time.May, 8, 23, 59)}
		assert.True(t, n.Disputed())
	})

	t.Run("read off a domain notice", func(t *testing.T) {
		o := domain.Overpayment{Caf: "071", Large: true, Explanation: &domain.Explanation{Cause: "x"},
			Call: &domain.CallAttempt{Result: domain.CallReached}, CreatedAt: created, SentAt: &sent}
		assert.Equal(t, notice(true, domain.CallReached, sent), figures.NoticeOf(o, []time.Time{sent}))
	})
}

// A change of state moves the contributions: the new state's added, the
// old one's subtracted, what they share cancels out.
func TestChanges_AChangeOfStateMovesTheContributions(t *testing.T) {
	before := complaint()
	after := before
	after.AnsweredAt, after.ElapsedDays, after.ElapsedDaysRaw = at(paris(2021, time.March, 7, 15, 0)), n(6), n(6)
	c := figures.Changes{}
	c.Add(after, 1)
	c.Add(before, -1)
	assert.Equal(t, []figures.Contribution{
		{Key: k(figures.Elapsed, day(7), "6"), N: 1},
		{Key: k(figures.ElapsedRaw, day(7), "6"), N: 1},
		{Key: k(figures.Handled, day(7), ""), N: 1},
		{Key: k(figures.Open, day(7), ""), N: -1},
		{Key: k(figures.Overdue, day(16), ""), N: -1},
	}, c.Sorted(), "answered on 7 March: open until then, and never overdue")
}

func TestFileOf_ReadsTheDeadlines(t *testing.T) {
	received := paris(2021, time.March, 1, 10, 0)
	legal := received.AddDate(0, 0, 15)
	c := domain.Case{ID: "x", Kind: domain.KindComplaint, Caf: "071", Channel: "email", Benefit: "rsa", Reason: "other",
		ReceivedAt: received, ElapsedDaysAdjusted: n(4), ElapsedDaysRaw: n(5), AnsweredAt: at(received.AddDate(0, 0, 5)),
		Deadlines: []domain.Deadline{
			{Name: domain.DeadlineAcknowledgment, DueAt: received.AddDate(0, 0, 5), Status: domain.SLAMissed},
			{Name: domain.DeadlineLegal, DueAt: legal, Status: domain.SLAOnTime},
		}}
	f := figures.FileOf(c)
	assert.Equal(t, "missed", f.AckStatus)
	assert.Equal(t, &legal, f.LegalDue)
	assert.Equal(t, n(4), f.ElapsedDays)
	assert.Equal(t, n(5), f.ElapsedDaysRaw)
	assert.Equal(t, "email", f.Channel)
}

// A reopened complaint keeps its first answer in the figures (Handled and
// its elapsed days on that day) and counts its first reopening, whatever
// became of it after.
func TestFileOf_AReopenedFileCountsItsFirstAnswerAndItsReopening(t *testing.T) {
	received := paris(2021, time.March, 1, 10, 0)
	reopened := paris(2021, time.March, 20, 9, 0)
	c := domain.Case{ID: "x", Kind: domain.KindComplaint, Caf: "071", Channel: "email", Benefit: "rsa", Reason: "other",
		ReceivedAt: received, Status: domain.StatusInProgress, ReopenedAt: &reopened, Reopenings: 1,
		FirstAnswer: &domain.AnswerRecord{At: paris(2021, time.March, 7, 15, 0), ElapsedDays: n(6), ElapsedDaysRaw: n(6)}}
	f := figures.FileOf(c)
	assert.Equal(t, at(paris(2021, time.March, 7, 15, 0)), f.AnsweredAt)
	assert.Equal(t, n(6), f.ElapsedDays)
	got := figures.Contributions(f)
	assert.Equal(t, int64(1), got[k(figures.Handled, day(7), "")])
	assert.Equal(t, int64(1), got[k(figures.Elapsed, day(7), "6")])
	assert.Equal(t, int64(1), got[k(figures.Reopened, day(20), "")])
	// Answered again: still the first answer.
	second := paris(2021, time.March, 25, 9, 0)
	c.AnsweredAt, c.ElapsedDaysAdjusted = &second, n(24)
	assert.Equal(t, got, figures.Contributions(figures.FileOf(c)))
}

func TestSums_ThePeriodThePreviousOneAndTheFlows(t *testing.T) {
	c := figures.Changes{}
	answered := complaint()
	answered.AnsweredAt, answered.ElapsedDays, answered.ElapsedDaysRaw = at(paris(2021, time.March, 7, 15, 0)), n(6), n(6)
	c.Add(answered, 1)
	earlier := complaint()
	earlier.ReceivedAt, earlier.Channel = paris(2021, time.February, 20, 9, 0), "email"
	c.Add(earlier, 1)
	other := complaint()
	other.Caf = "074"
	c.Add(other, 1)

	period := figures.Query{Measures: []figures.Measure{figures.Received, figures.ByChannel}, From: day(1), To: day(32), ByValue: true}
	previous := figures.Query{Measures: []figures.Measure{figures.Received}, From: figures.DayNumber(2021, time.February, 1), To: day(1)}
	flows := figures.Query{Measures: figures.Flows, To: day(32), Cumulative: true}
	assert.Equal(t, []figures.Sum{
		{Query: 0, Caf: "071", Measure: figures.ByChannel, Value: "letter", N: 1},
		{Query: 0, Caf: "071", Measure: figures.Received, N: 1},
		{Query: 1, Caf: "071", Measure: figures.Received, N: 1},
		{Query: 2, Caf: "071", Measure: figures.Open, N: 1},    // the earlier one, still open
		{Query: 2, Caf: "071", Measure: figures.Overdue, N: 1}, // and past its legal date
	}, figures.Sums(c, []string{"071"}, []figures.Query{period, previous, flows}))
}

func TestDays_AreParisCalendarDays(t *testing.T) {
	assert.Equal(t, int32(0), figures.DayNumber(1970, time.January, 1))
	assert.Equal(t, day(28), figures.DayOf(paris(2021, time.March, 28, 0, 0)))
	assert.Equal(t, day(28), figures.DayOf(paris(2021, time.March, 28, 23, 59)), "the day summer time starts")
	assert.Equal(t, day(29), figures.DayOf(time.Date(2021, time.March, 28, 22, 0, 0, 0, time.UTC)), "midnight in Paris")
	assert.Equal(t, paris(2021, time.March, 28, 0, 0), figures.DayStart(day(28)))
	assert.Equal(t, paris(2021, time.March, 29, 0, 0), figures.DayStart(day(29)))
}
