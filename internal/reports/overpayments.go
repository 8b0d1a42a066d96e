package reports

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/store"
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

// overpaymentRow is one notice of the period with one of the files that
// dispute it (none: DisputedAt is nil).
type overpaymentRow struct {
	ID         string
	Caf        string
	Large      bool
	Explained  bool
	CallResult string
	CreatedAt  time.Time
	SentAt     *time.Time
	DisputedAt *time.Time
}

// readOverpayments adds the notices of the period to s and its Cafs. A
// notice counts as disputed when a complaint or mediation about it was
// received within 60 days of it.
func readOverpayments(ctx context.Context, db *gorm.DB, s *Summary, from, to Date) error {
	var rows []overpaymentRow
	err := db.WithContext(ctx).Table("overpayments AS o").
		Select("o.id, o.caf, o.large, o.explained, o.call_result, o.created_at, o.sent_at, d.received_at AS disputed_at").
		Joins("LEFT JOIN overpayment_disputes d ON d.overpayment_id = o.id").
		Where("o.caf IN ? AND o.created_at >= ? AND o.created_at < ?", s.Cafs, from.Start(), to.AddDays(1).Start()).
		Order("o.id").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("reports: overpayments: %w", err)
	}
	for i := 0; i < len(rows); {
		r, disputed := rows[i], false
		// The window opens when the notice reached the claimant (when it
		// was notified, if it has not been sent) and runs 60 calendar days
		// in Paris.
		from := r.CreatedAt
		if r.SentAt != nil {
			from = *r.SentAt
		}
		until := from.In(calendar.Paris).AddDate(0, 0, store.DisputeWindowDays)
		for ; i < len(rows) && rows[i].ID == r.ID; i++ {
			if at := rows[i].DisputedAt; at != nil && !at.Before(r.CreatedAt) && at.Before(until) {
				disputed = true
			}
		}
		s.Overpayments.count(r, disputed)
		if per := s.PerCaf[r.Caf]; per != nil {
			per.Overpayments.count(r, disputed)
		}
	}
	s.Overpayments.finish()
	for _, per := range s.PerCaf {
		per.Overpayments.finish()
	}
	return nil
}

func (f *OverpaymentFigures) count(r overpaymentRow, disputed bool) {
	f.Notices++
	if !r.Large {
		return
	}
	f.large++
	if r.Explained {
		f.explained++
	}
	if r.CallResult == domain.CallReached || r.CallResult == domain.CallNotReached {
		f.attempted++
	}
	reached := r.CallResult == domain.CallReached
	if reached {
		f.reached++
	}
	if disputed {
		f.disputed++
		if reached {
			f.disputedReached++
		}
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
