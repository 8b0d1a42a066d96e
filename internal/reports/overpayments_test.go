package reports_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/reports"
	"recours/internal/store"
	"recours/internal/testutil"
)

// notice stores an overpayment notice of caf created at, of cents, with
// the explanation and call given, and the files that dispute it, each
// received disputedAfter its creation.
func notice(t *testing.T, st *store.Store, caf string, at time.Time, cents int64, explained bool, call string, disputedAfter ...time.Duration) {
	t.Helper()
	sentNotice(t, st, caf, at, nil, cents, explained, call, disputedAfter...)
}

// sentNotice is notice, sent at sent (nil: not sent).
func sentNotice(t *testing.T, st *store.Store, caf string, at time.Time, sent *time.Time, cents int64, explained bool, call string, disputedAfter ...time.Duration) {
	t.Helper()
	ctx := context.Background()
	n := domain.NewOverpayment{Caf: caf, Claimant: domain.Claimant{Number: "1234567"}, Benefit: "rsa",
		PeriodStart: "2025-01-01", PeriodEnd: "2025-06-30", Cause: "Ressources mises à jour."}
	o := domain.NewOverpaymentNotice(uuid.NewString(), n, cents, 0, "gca.demo", at)
	if explained {
		o.Explanation = &domain.Explanation{Cause: "x"}
	}
	if call != "" {
		o.Call = &domain.CallAttempt{Result: call, At: at}
	}
	o.SentAt = sent
	require.NoError(t, st.SaveOverpayment(ctx, o, nil, "", 0))
	for _, d := range disputedAfter {
		c := domain.Case{ID: uuid.NewString(), Kind: domain.KindComplaint, OverpaymentID: o.ID, ReceivedAt: at.Add(d)}
		require.NoError(t, st.LinkDispute(ctx, c))
	}
}

func TestCompute_OverpaymentFigures(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		day := 24 * time.Hour
		jan := paris(2026, time.January, 10, 9, 0)
		// 071, January: five large notices and one standard.
		notice(t, st, "071", jan, 150000, true, domain.CallReached)                  // reached, not disputed
		notice(t, st, "071", jan, 200000, true, domain.CallReached, 10*day)          // reached, disputed
		notice(t, st, "071", jan, 300000, true, domain.CallNotReached, 59*day)       // attempted, disputed
		notice(t, st, "071", jan, 160000, false, domain.CallNoNumber, 61*day)        // disputed too late
		notice(t, st, "071", jan, 170000, false, "", 5*day, 20*day)                  // twice disputed: counts once
		notice(t, st, "071", jan, 149999, false, "")                                 // standard
		notice(t, st, "071", paris(2026, time.February, 1, 0, 30), 500000, true, "") // next period
		notice(t, st, "074", jan, 150000, true, domain.CallReached, day)             // another Caf
		// 075: the window runs from the sending, 60 calendar days.
		sent := jan.Add(10 * day)
		sentNotice(t, st, "075", jan, &sent, 150000, true, domain.CallReached, 65*day) // 55 days after sending
		sentNotice(t, st, "075", jan, &sent, 150000, true, domain.CallReached, 71*day) // 61 days after sending

		s, err := reports.Compute(context.Background(), st, []string{"071"}, date(t, "2026-01-01"), date(t, "2026-01-31"))
		require.NoError(t, err)
		o := s.Overpayments
		assert.Equal(t, int64(6), o.Notices)
		assert.Equal(t, int64(5), o.LargeNotices)
		assert.Equal(t, f(60), o.ExplainedPct)
		assert.Equal(t, f(60), o.CallAttemptedPct, "reached or not reached; no number is no attempt")
		assert.Equal(t, f(40), o.CallReachedPct)
		assert.Equal(t, f(60), o.DisputedWithin60DaysPct)
		assert.Equal(t, f(50), o.DisputedWhenReachedPct)
		assert.Equal(t, f(66.7), o.DisputedWhenNotReachedPct)

		both, err := reports.Compute(context.Background(), st, []string{"071", "074"}, date(t, "2026-01-01"), date(t, "2026-01-31"))
		require.NoError(t, err)
		assert.Equal(t, int64(6), both.Overpayments.LargeNotices)
		assert.Equal(t, int64(1), both.PerCaf["074"].Overpayments.LargeNotices)
		assert.Equal(t, f(100), both.PerCaf["074"].Overpayments.DisputedWithin60DaysPct)

		late, err := reports.Compute(context.Background(), st, []string{"075"}, date(t, "2026-01-01"), date(t, "2026-01-31"))
		require.NoError(t, err)
		assert.Equal(t, f(50), late.Overpayments.DisputedWithin60DaysPct, "within 60 days of the sending, not of the notification")

		empty, err := reports.Compute(context.Background(), st, []string{"071"}, date(t, "2025-01-01"), date(t, "2025-01-31"))
		require.NoError(t, err)
		assert.Zero(t, empty.Overpayments.LargeNotices)
		assert.Nil(t, empty.Overpayments.ExplainedPct, "a share over no notice is null")
	})
}
