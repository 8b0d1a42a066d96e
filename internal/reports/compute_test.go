package reports_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/reports"
	"recours/internal/store"
	"recours/internal/testutil"
)

// paris is the instant of a wall-clock time in Europe/Paris, in UTC, as
// the store keeps it.
func paris(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, calendar.Paris).UTC()
}

func at(t time.Time) *time.Time { return &t }
func n(v int) *int              { return &v }
func f(v float64) *float64      { return &v }
func b(v bool) *bool            { return &v }

func date(t *testing.T, s string) reports.Date {
	t.Helper()
	d, err := reports.ParseDate(s)
	require.NoError(t, err)
	return d
}

// complaint is a complaint row as the projection holds it, with its legal
// date 15 days after receipt; the test sets the rest.
func complaint(caf string, received time.Time, channel, benefit, reason string) store.CaseRow {
	legal := received.AddDate(0, 0, 15)
	return store.CaseRow{Kind: string(domain.KindComplaint), Caf: caf, Status: string(domain.StatusOpen),
		SLAStatus: string(domain.SLAOnTime), Channel: channel, Benefit: benefit, Reason: reason,
		ReceivedAt: received, LegalDue: &legal, AckStatus: string(domain.SLAOnTime)}
}

// answered marks the row answered at a, rawDays after receipt, with its
// clock paused for pausedDays.
func answered(r store.CaseRow, a time.Time, rawDays, pausedDays int) store.CaseRow {
	r.Status, r.SLAStatus, r.AnsweredAt = string(domain.StatusAnswered), string(domain.SLAMet), &a
	r.ElapsedDaysRaw, r.ElapsedDays = n(rawDays), n(rawDays-pausedDays)
	r.PausedSeconds = int64(pausedDays) * 86400
	return r
}

func ack(r store.CaseRow, status domain.SLAStatus) store.CaseRow {
	r.AckStatus = string(status)
	return r
}

// mediation is a mediation row; outcome "" for one not decided.
func mediation(caf string, received time.Time, origin, reason, benefit, outcome string) store.CaseRow {
	legal := received.AddDate(0, 0, 60)
	r := store.CaseRow{Kind: string(domain.KindMediation), Caf: caf, Status: string(domain.StatusInStudy),
		SLAStatus: string(domain.SLAOnTime), Origin: origin, Reason: reason, Benefit: benefit,
		ReceivedAt: received, LegalDue: &legal, AckStatus: string(domain.SLAMet)}
	if outcome != "" {
		r.Status, r.Outcome, r.DecidedAt = string(domain.StatusDecided), outcome, at(received.AddDate(0, 0, 20))
	}
	return r
}

// insert writes synthetic rows straight into the projection, as imported
// history: no workflow owns them.
func insert(t *testing.T, st *store.Store, rows ...store.CaseRow) {
	t.Helper()
	for i := range rows {
		rows[i].ID = uuid.NewString()
		rows[i].Imported, rows[i].Version, rows[i].Data = true, 1, "{}"
	}
	require.NoError(t, st.BulkInsertCases(context.Background(), rows))
}

// history is March 2021 (the previous period is February) in Caf 071, a little of it in 074, and a file of 042 that
// no figure may count. Summer time starts on 28 March: the period ends at
// 2021-03-31T22:00Z.
func history(t *testing.T, st *store.Store) {
	c2 := answered(complaint("071", paris(2021, 3, 3, 9, 0), "online", "rsa", "decision_not_understood"),
		paris(2021, 3, 15, 11, 0), 12, 3) // 12 raw days, 3 paused: within 10, not within 10 raw
	c2.AckStatus = string(domain.SLAMet)
	c7 := complaint("071", paris(2021, 1, 1, 10, 0), "email", "rsa", "other") // silent for two months
	c7.ImplicitRejectionAt = at(paris(2021, 3, 1, 10, 0))
	c13 := complaint("071", paris(2021, 3, 25, 9, 0), "email", "rsa", "service_quality")
	c13.Status, c13.ClosedAt = string(domain.StatusEscalated), at(paris(2021, 4, 3, 9, 0)) // after the end
	c6 := complaint("071", paris(2021, 3, 5, 9, 0), "appointment", "aah", "documents")
	c6.Status, c6.ClosedAt = string(domain.StatusWithdrawn), at(paris(2021, 3, 8, 9, 0))
	m1 := mediation("071", paris(2021, 3, 2, 9, 0), "defenseur_des_droits", "overpayment_not_understood", "housing_aid", "maintained")
	m1.DecidedAt, m1.LegalDue = at(paris(2021, 3, 20, 9, 0)), at(paris(2021, 3, 25, 23, 59)) // in time
	m2 := mediation("071", paris(2021, 3, 3, 9, 0), "defenseur_des_droits", "overpayment_not_understood", "housing_aid", "revised")
	m2.DecidedAt, m2.LegalDue = at(paris(2021, 3, 28, 9, 0)), at(paris(2021, 3, 26, 23, 59)) // late
	insert(t, st,
		// Complaints received in the period.
		ack(answered(complaint("071", paris(2021, 3, 2, 10, 0), "phone", "housing_aid", "overpayment_not_understood"),
			paris(2021, 3, 5, 10, 0), 3, 0), domain.SLAMet), // c1
		c2,
		// c3: received 00:30 on the first day, answered 23:30 on the last: both count.
		ack(answered(complaint("071", paris(2021, 3, 1, 0, 30), "email", "housing_aid", "processing_delay"),
			paris(2021, 3, 31, 23, 30), 30, 0), domain.SLAMissed),
		// c4: answered 00:10 the day after the end: not handled, open at the end, overdue.
		answered(complaint("071", paris(2021, 3, 10, 9, 0), "letter", "ppa", "payment_missing_or_late"),
			paris(2021, 4, 1, 0, 10), 22, 0),
		complaint("071", paris(2021, 3, 20, 9, 0), "phone", "paje", "other"), // c5: open, not overdue
		c6, c13,
		// c7, received long before: open, overdue, implicit rejection in the period.
		c7,
		// Before the period.
		answered(complaint("071", paris(2021, 2, 10, 9, 0), "phone", "rsa", "other"), paris(2021, 2, 20, 9, 0), 10, 0), // c8
		// c9: received 23:30 on the day before the period (22:30 UTC): previous period; answered in the period.
		answered(complaint("071", paris(2021, 2, 28, 23, 30), "online", "rsa", "other"), paris(2021, 3, 2, 9, 0), 2, 0),
		answered(complaint("071", paris(2021, 1, 10, 9, 0), "online", "rsa", "other"), paris(2021, 3, 10, 9, 0), 59, 36), // c10: 23 days
		answered(complaint("071", paris(2021, 1, 20, 9, 0), "online", "rsa", "other"), paris(2021, 2, 25, 9, 0), 36, 0),  // c11: before both
		complaint("071", paris(2021, 4, 1, 0, 30), "online", "rsa", "other"),                                             // c12: after the end
		answered(complaint("042", paris(2021, 3, 5, 9, 0), "online", "rsa", "other"), paris(2021, 3, 6, 9, 0), 1, 0),     // another Caf
		// Mediation files.
		m1, m2,
		mediation("071", paris(2021, 3, 4, 9, 0), "defenseur_des_droits", "decision_not_understood", "rsa", ""),
		mediation("071", paris(2021, 3, 5, 9, 0), "claimant", "overpayment_not_understood", "housing_aid", "maintained"),
		mediation("071", paris(2021, 3, 6, 9, 0), "claimant", "decision_not_understood", "housing_aid", ""),
		mediation("071", paris(2021, 3, 7, 9, 0), "social_worker", "calculation_error", "rsa", ""),
		mediation("071", paris(2021, 3, 8, 9, 0), "elected_official", "overpayment_not_understood", "ppa", ""),
		mediation("071", paris(2021, 3, 31, 23, 0), "association", "other", "housing_aid", ""),
		mediation("071", paris(2021, 2, 10, 9, 0), "claimant", "other", "rsa", ""),
		mediation("071", paris(2021, 2, 20, 9, 0), "defenseur_des_droits", "other", "rsa", ""),
		mediation("071", paris(2021, 2, 1, 9, 0), "claimant", "other", "rsa", ""),
		mediation("071", paris(2021, 2, 1, 0, 0), "defenseur_des_droits", "other", "rsa", ""),
		mediation("071", paris(2021, 1, 31, 23, 59), "claimant", "other", "rsa", ""), // before both
		// Caf 074.
		ack(answered(complaint("074", paris(2021, 3, 4, 9, 0), "online", "rsa", "other"), paris(2021, 3, 9, 9, 0), 5, 0), domain.SLAMet),
		ack(answered(complaint("074", paris(2021, 3, 6, 9, 0), "phone", "housing_aid", "other"), paris(2021, 3, 30, 9, 0), 24, 0), domain.SLAMissed),
		mediation("074", paris(2021, 3, 12, 9, 0), "claimant", "other", "rsa", "revised"),
		answered(complaint("074", paris(2021, 2, 12, 9, 0), "online", "rsa", "other"), paris(2021, 2, 14, 9, 0), 2, 0),
	)
}

// counts is every word of the vocabulary with 0, but those given.
func counts[W ~string](vocabulary []W, given map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for _, w := range vocabulary {
		out[string(w)] = given[string(w)]
	}
	return out
}

// shares is every word of the vocabulary with 0 %, but those given; all
// null when null.
func shares[W ~string](vocabulary []W, given map[string]float64, null bool) map[string]*float64 {
	out := map[string]*float64{}
	for _, w := range vocabulary {
		out[string(w)] = nil
		if !null {
			out[string(w)] = f(given[string(w)])
		}
	}
	return out
}

func period(s *reports.Summary, caf string, cafs ...string) *reports.Summary {
	s.Caf, s.Cafs, s.From, s.To = caf, cafs, "2021-03-01", "2021-03-31"
	s.Previous = reports.Period{From: "2021-02-01", To: "2021-02-28"}
	return s
}

func commitments(answered15 *float64, answeredMet *bool, ack5 *float64, ackMet *bool) []reports.Commitment {
	return []reports.Commitment{
		{Name: "complaints_answered_within_15_days", Label: "Réponse aux réclamations en 15 jours au plus", Target: 100, Value: answered15, Met: answeredMet},
		{Name: "acknowledged_within_5_days", Label: "Accusé de réception envoyé en 5 jours au plus", Target: 100, Value: ack5, Met: ackMet},
	}
}

// Hand-computed from history. 071 handled c1 (3 days), c2 (9; raw 12),
// c3 (30), c9 (2), c10 (23; raw 59): sorted 2 3 9 23 30, median rank 3,
// p90 rank ⌈4.5⌉ = 5. 074 handled 5 and 24. Together: 2 3 5 9 23 24 30,
// median rank ⌈3.5⌉ = 4, p90 rank ⌈6.3⌉ = 7.
func want071() *reports.Summary {
	return period(&reports.Summary{
		Complaints: reports.ComplaintFigures{
			Received: 7, ReceivedChangePct: f(250), Handled: 5, HandledChangePct: f(150),
			Within10DaysPct: f(60), Within15DaysPct: f(60), Within10DaysRawPct: f(40), Within15DaysRawPct: f(60),
			MedianDays: f(9), P90Days: f(30),
			OpenAtEnd: 4, OverdueAtEnd: 2, ImplicitRejections: 1,
			ByChannel: counts(domain.Channels, map[string]int64{"phone": 2, "online": 1, "email": 2, "letter": 1, "appointment": 1}),
			ByBenefit: counts(domain.Benefits, map[string]int64{"housing_aid": 2, "rsa": 2, "ppa": 1, "paje": 1, "aah": 1}),
			ByReason: counts(domain.Reasons, map[string]int64{"overpayment_not_understood": 1, "decision_not_understood": 1,
				"processing_delay": 1, "payment_missing_or_late": 1, "other": 1, "documents": 1, "service_quality": 1}),
			AcknowledgedIn5Pct: f(50), AcknowledgmentsDue: 2, // c2 met, c3 missed; c1 by phone owes none
		},
		Mediations: reports.MediationFigures{
			Count: 8, CountChangePct: f(100), Decided: 3,
			OriginPct: shares(domain.Origins, map[string]float64{"defenseur_des_droits": 37.5, "claimant": 25,
				"social_worker": 12.5, "elected_official": 12.5, "association": 12.5}, false),
			ReasonPct: shares(domain.Reasons, map[string]float64{"overpayment_not_understood": 50, "decision_not_understood": 25,
				"calculation_error": 12.5, "other": 12.5}, false),
			BenefitPct: shares(domain.Benefits, map[string]float64{"housing_aid": 62.5, "rsa": 25, "ppa": 12.5}, false),
			OutcomePct: shares(domain.Outcomes, map[string]float64{"maintained": 66.7, "revised": 33.3}, false),
		},
		Referrals:   reports.ReferralFigures{Count: 3, CountChangePct: f(50), AnsweredByExpectedDatePct: f(50)},
		Commitments: commitments(f(60), b(false), f(50), b(false)),
	}, "071", "071")
}

func want074() *reports.Summary {
	return period(&reports.Summary{
		Complaints: reports.ComplaintFigures{
			Received: 2, ReceivedChangePct: f(100), Handled: 2, HandledChangePct: f(100),
			Within10DaysPct: f(50), Within15DaysPct: f(50), Within10DaysRawPct: f(50), Within15DaysRawPct: f(50),
			MedianDays: f(5), P90Days: f(24),
			ByChannel:          counts(domain.Channels, map[string]int64{"phone": 1, "online": 1}),
			ByBenefit:          counts(domain.Benefits, map[string]int64{"housing_aid": 1, "rsa": 1}),
			ByReason:           counts(domain.Reasons, map[string]int64{"other": 2}),
			AcknowledgedIn5Pct: f(100), AcknowledgmentsDue: 1, // the phone complaint owes none
		},
		Mediations: reports.MediationFigures{
			Count: 1, Decided: 1,
			OriginPct:  shares(domain.Origins, map[string]float64{"claimant": 100}, false),
			ReasonPct:  shares(domain.Reasons, map[string]float64{"other": 100}, false),
			BenefitPct: shares(domain.Benefits, map[string]float64{"rsa": 100}, false),
			OutcomePct: shares(domain.Outcomes, map[string]float64{"revised": 100}, false),
		},
		Commitments: commitments(f(50), b(false), f(100), b(true)),
	}, "074", "074")
}

func wantBoth() *reports.Summary {
	s := period(&reports.Summary{
		Complaints: reports.ComplaintFigures{
			Received: 9, ReceivedChangePct: f(200), Handled: 7, HandledChangePct: f(133.3),
			Within10DaysPct: f(57.1), Within15DaysPct: f(57.1), Within10DaysRawPct: f(42.9), Within15DaysRawPct: f(57.1),
			MedianDays: f(9), P90Days: f(30),
			OpenAtEnd: 4, OverdueAtEnd: 2, ImplicitRejections: 1,
			ByChannel: counts(domain.Channels, map[string]int64{"phone": 3, "online": 2, "email": 2, "letter": 1, "appointment": 1}),
			ByBenefit: counts(domain.Benefits, map[string]int64{"housing_aid": 3, "rsa": 3, "ppa": 1, "paje": 1, "aah": 1}),
			ByReason: counts(domain.Reasons, map[string]int64{"overpayment_not_understood": 1, "decision_not_understood": 1,
				"processing_delay": 1, "payment_missing_or_late": 1, "other": 3, "documents": 1, "service_quality": 1}),
			AcknowledgedIn5Pct: f(66.7), AcknowledgmentsDue: 3,
		},
		Mediations: reports.MediationFigures{
			Count: 9, CountChangePct: f(125), Decided: 4,
			OriginPct: shares(domain.Origins, map[string]float64{"defenseur_des_droits": 33.3, "claimant": 33.3,
				"social_worker": 11.1, "elected_official": 11.1, "association": 11.1}, false),
			ReasonPct: shares(domain.Reasons, map[string]float64{"overpayment_not_understood": 44.4, "decision_not_understood": 22.2,
				"calculation_error": 11.1, "other": 22.2}, false),
			BenefitPct: shares(domain.Benefits, map[string]float64{"housing_aid": 55.6, "rsa": 33.3, "ppa": 11.1}, false),
			OutcomePct: shares(domain.Outcomes, map[string]float64{"maintained": 50, "revised": 50}, false),
		},
		Referrals:   reports.ReferralFigures{Count: 3, CountChangePct: f(50), AnsweredByExpectedDatePct: f(50)},
		Commitments: commitments(f(57.1), b(false), f(66.7), b(false)),
	}, "", "071", "074")
	s.PerCaf = map[string]*reports.Summary{"071": want071(), "074": want074()}
	return s
}

// eachDatabase runs test on a migrated store holding history, on
// PostgreSQL and on SQLite.
func eachDatabase(t *testing.T, test func(t *testing.T, st *store.Store)) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			st, err := store.Open(db.URL(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, st.Migrate(context.Background()))
			history(t, st)
			test(t, st)
		})
	}
}

func TestCompute_KnownHistory_EveryFigure(t *testing.T) {
	eachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		from, to := date(t, "2021-03-01"), date(t, "2021-03-31")

		got, err := reports.Compute(ctx, st, []string{"071"}, from, to)
		require.NoError(t, err)
		assert.Equal(t, want071(), got)

		got, err = reports.Compute(ctx, st, []string{"074"}, from, to)
		require.NoError(t, err)
		assert.Equal(t, want074(), got)

		got, err = reports.Compute(ctx, st, []string{"074", "071"}, from, to)
		require.NoError(t, err)
		assert.Equal(t, wantBoth(), got, "several Cafs: the totals, and each Caf's own figures")
	})
}

func TestCompute_PeriodBoundaryInParisTime(t *testing.T) {
	eachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		// 31 March: c3, answered at 23:30 Paris (21:30 UTC), is handled;
		// c4, answered at 00:10 Paris on 1 April (22:10 UTC on 31 March), is not.
		last, err := reports.Compute(ctx, st, []string{"071"}, date(t, "2021-03-31"), date(t, "2021-03-31"))
		require.NoError(t, err)
		assert.Equal(t, int64(1), last.Complaints.Handled)
		assert.Equal(t, f(30), last.Complaints.MedianDays)
		assert.Equal(t, "2021-03-30", last.Previous.From)
		assert.Equal(t, "2021-03-30", last.Previous.To)
		next, err := reports.Compute(ctx, st, []string{"071"}, date(t, "2021-04-01"), date(t, "2021-04-01"))
		require.NoError(t, err)
		assert.Equal(t, int64(1), next.Complaints.Handled, "c4 is handled on 1 April")
		assert.Equal(t, f(22), next.Complaints.MedianDays)
		assert.Equal(t, int64(1), next.Complaints.Received, "c12, received at 00:30 on 1 April")
		assert.Nil(t, next.Complaints.ReceivedChangePct, "none on 31 March (the association's mediation is no complaint)")

		// 28 February: c9, received at 23:30 Paris, belongs to that day.
		feb, err := reports.Compute(ctx, st, []string{"071"}, date(t, "2021-02-28"), date(t, "2021-02-28"))
		require.NoError(t, err)
		assert.Equal(t, int64(1), feb.Complaints.Received)
	})
}

func TestCompute_PausedDaysCountOnlyInTheAdjustedShares(t *testing.T) {
	eachDatabase(t, func(t *testing.T, st *store.Store) {
		// 15 March: only c2, 12 calendar days with 3 paused.
		got, err := reports.Compute(context.Background(), st, []string{"071"}, date(t, "2021-03-15"), date(t, "2021-03-15"))
		require.NoError(t, err)
		c := got.Complaints
		assert.Equal(t, int64(1), c.Handled)
		assert.Equal(t, f(100), c.Within10DaysPct, "9 days once the pause is removed")
		assert.Equal(t, f(0), c.Within10DaysRawPct, "12 calendar days")
		assert.Equal(t, f(100), c.Within15DaysRawPct)
		assert.Equal(t, f(9), c.MedianDays)
		assert.Equal(t, commitments(f(100), b(true), nil, nil), got.Commitments, "a commitment kept by every file is met; none measured is neither")
	})
}

func TestCompute_EmptyPeriod_NullSharesNoError(t *testing.T) {
	eachDatabase(t, func(t *testing.T, st *store.Store) {
		got, err := reports.Compute(context.Background(), st, []string{"071", "074"}, date(t, "2019-01-01"), date(t, "2019-12-31"))
		require.NoError(t, err)
		empty := func(caf string, cafs ...string) *reports.Summary {
			return &reports.Summary{
				Caf: caf, Cafs: cafs, From: "2019-01-01", To: "2019-12-31",
				Previous: reports.Period{From: "2018-01-01", To: "2018-12-31"},
				Complaints: reports.ComplaintFigures{
					ByChannel: counts(domain.Channels, nil), ByBenefit: counts(domain.Benefits, nil), ByReason: counts(domain.Reasons, nil),
				},
				Mediations: reports.MediationFigures{
					OriginPct: shares(domain.Origins, nil, true), ReasonPct: shares(domain.Reasons, nil, true),
					BenefitPct: shares(domain.Benefits, nil, true), OutcomePct: shares(domain.Outcomes, nil, true),
				},
				Commitments: commitments(nil, nil, nil, nil),
			}
		}
		want := empty("", "071", "074")
		want.PerCaf = map[string]*reports.Summary{"071": empty("071", "071"), "074": empty("074", "074")}
		assert.Equal(t, want, got)

		js, err := json.Marshal(got)
		require.NoError(t, err)
		for _, s := range []string{`"within_10_days_pct":null`, `"median_days":null`, `"handled_change_pct":null`,
			`"answered_by_expected_date_pct":null`, `"maintained":null`, `"met":null`, `"received":0`} {
			assert.Contains(t, string(js), s)
		}
	})
}

func TestCompute_RefusesAnInvertedPeriod(t *testing.T) {
	_, err := reports.Compute(context.Background(), nil, []string{"071"}, date(t, "2021-03-02"), date(t, "2021-03-01"))
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
}
