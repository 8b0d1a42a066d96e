package reports

import (
	"context"
	"fmt"

	"recours/internal/figures"
)

// OverpaymentFigures are the figures of the large overpayment notices (at
// or above the Caf's threshold) notified in the period: how many had the
// enriched explanation, a call attempted (reached or not reached; "no
// number" is no attempt) and reached, and how many were followed by a
// complaint or a mediation about them within 60 days of their sending
// (of their notification while unsent), with and without a successful
// call. Shares over zero notices are null.
type OverpaymentFigures struct {
	Notices                     int64    `json:"notices"`
	LargeNotices                int64    `json:"large_notices"`
	ExplainedPct                *float64 `json:"explained_pct"`
	CallAttemptedPct            *float64 `json:"call_attempted_pct"`
	CallReachedPct              *float64 `json:"call_reached_pct"`
	DisputedWithin60DaysPct     *float64 `json:"disputed_within_60_days_pct"`
	DisputedWhenReachedPct      *float64 `json:"disputed_when_reached_pct"`
	DisputedWhenNotReachedPct   *float64 `json:"disputed_when_not_reached_pct"`
	large, explained, attempted int64
	reached, disputed           int64
	disputedReached             int64
}

// readOverpayments adds the notices notified in the period to s and its
// Cafs (figures.NoticeMeasures: a notice counts as disputed when a
// complaint or mediation about it was received within
// figures.DisputeWindowDays of it).
func readOverpayments(ctx context.Context, src Source, s *Summary, from, to Date) error {
	sums, err := src.SumNoticeFigures(ctx, s.Cafs, []figures.Query{
		{Measures: figures.NoticeMeasures, From: dayNumber(from), To: dayNumber(to.AddDays(1))}})
	if err != nil {
		return fmt.Errorf("reports: overpayments: %w", err)
	}
	for _, sum := range sums {
		s.Overpayments.add(sum.Measure, sum.N)
		if per := s.PerCaf[sum.Caf]; per != nil {
			per.Overpayments.add(sum.Measure, sum.N)
		}
	}
	s.Overpayments.finish()
	for _, per := range s.PerCaf {
		per.Overpayments.finish()
	}
	return nil
}

// add adds n notices counted under measure.
func (f *OverpaymentFigures) add(measure figures.Measure, n int64) {
	switch measure {
	case figures.Notices:
		f.Notices += n
	case figures.LargeNotices:
		f.large += n
	case figures.NoticesExplained:
		f.explained += n
	case figures.NoticesCallAttempted:
		f.attempted += n
	case figures.NoticesCallReached:
		f.reached += n
	case figures.NoticesDisputed:
		f.disputed += n
	case figures.NoticesDisputedReached:
		f.disputedReached += n
	}
}

func (f *OverpaymentFigures) finish() {
	f.LargeNotices = f.large
	f.ExplainedPct = pct(f.explained, f.large)
	f.CallAttemptedPct = pct(f.attempted, f.large)
	f.CallReachedPct = pct(f.reached, f.large)
	f.DisputedWithin60DaysPct = pct(f.disputed, f.large)
	f.DisputedWhenReachedPct = pct(f.disputedReached, f.reached)
	f.DisputedWhenNotReachedPct = pct(f.disputed-f.disputedReached, f.large-f.reached)
}
