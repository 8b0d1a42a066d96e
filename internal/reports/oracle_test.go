package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"recours/internal/domain"
)

// ComputeFromCases computes the figures as Compute did before the rollup:
// straight from the rows of cases. The tests hold the rollup to it.
func ComputeFromCases(ctx context.Context, db *gorm.DB, cafs []string, from, to Date) (*Summary, error) {
	return compute(ctx, db, cafs, from, to, readCases)
}

// instants are the bounds of the periods as instants (Paris midnights).
type instants struct{ prevStart, start, end time.Time }

func dayStart(n int32) time.Time {
	return DateOf(time.Unix(int64(n)*86400, 0).UTC().Add(12 * time.Hour)).Start()
}

func readCases(db *gorm.DB, cafs []string, b bounds, tallies map[string]*tally) error {
	p := instants{dayStart(b.prevStart), dayStart(b.start), dayStart(b.end)}
	queries := []func(*gorm.DB, []string, instants, map[string]*tally) error{
		readReceived, readMediations, readHandled, readPrevious, readOpenAtEnd, readImplicitRejections,
	}
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() { errs[i] = q(db, cafs, p, tallies) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// readReceived counts the complaints received in the period by channel,
// benefit, reason and acknowledgment. The grouping has only plain columns,
// so that PostgreSQL estimates the groups well and aggregates in parallel.
func readReceived(db *gorm.DB, cafs []string, p instants, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT caf, channel, benefit, reason, ack_status, count(*)
		FROM cases
		WHERE caf IN ? AND kind = 'complaint' AND received_at >= ? AND received_at < ?
		GROUP BY caf, channel, benefit, reason, ack_status`, cafs, p.start, p.end).Rows()
	if err != nil {
		return fmt.Errorf("received: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caf string
		var channel, benefit, reason, ack sql.NullString
		var n int64
		if err := rows.Scan(&caf, &channel, &benefit, &reason, &ack, &n); err != nil {
			return fmt.Errorf("received: %w", err)
		}
		t := tallies[caf]
		t.received += n
		t.byChannel[channel.String] += n
		t.byBenefit[benefit.String] += n
		t.byReason[reason.String] += n
		switch domain.SLAStatus(ack.String) {
		case domain.SLAMet:
			t.ackMet += n
		case domain.SLAMissed:
			t.ackMissed += n
		}
	}
	return rows.Err()
}

// readMediations counts the mediation files received in either period, by
// origin, reason, benefit and outcome, and whether each was decided by
// its legal date (for a Défenseur des droits referral, the date the
// Défenseur expects an answer by).
func readMediations(db *gorm.DB, cafs []string, p instants, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT caf, CASE WHEN received_at >= ? THEN 1 ELSE 0 END,
		origin, reason, benefit, outcome,
		CASE WHEN decided_at IS NULL THEN 0 WHEN decided_at <= legal_due THEN 2 ELSE 1 END,
		count(*)
		FROM cases
		WHERE caf IN ? AND kind = 'mediation' AND received_at >= ? AND received_at < ?
		GROUP BY 1, 2, 3, 4, 5, 6, 7`, p.start, cafs, p.prevStart, p.end).Rows()
	if err != nil {
		return fmt.Errorf("mediations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caf string
		var origin, reason, benefit, outcome sql.NullString
		var cur, decided int
		var n int64
		if err := rows.Scan(&caf, &cur, &origin, &reason, &benefit, &outcome, &decided, &n); err != nil {
			return fmt.Errorf("mediations: %w", err)
		}
		t := tallies[caf]
		referral := origin.String == string(domain.OriginDDD)
		if cur == 0 {
			t.prevMediations += n
			if referral {
				t.prevReferrals += n
			}
			continue
		}
		t.mediations += n
		t.origin[origin.String] += n
		t.medReason[reason.String] += n
		t.medBenefit[benefit.String] += n
		if outcome.String != "" {
			t.outcome[outcome.String] += n
			t.decided += n
		}
		if referral {
			t.referrals += n
			if decided > 0 {
				t.referralsDecided += n
			}
			if decided == 2 {
				t.referralsInTime += n
			}
		}
	}
	return rows.Err()
}

// readHandled reads the histogram of the elapsed days (paused days
// removed, and raw) of the complaints answered in the period.
func readHandled(db *gorm.DB, cafs []string, p instants, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT caf, elapsed_days, elapsed_days_raw, count(*)
		FROM cases
		WHERE caf IN ? AND kind = 'complaint' AND answered_at >= ? AND answered_at < ?
		GROUP BY caf, elapsed_days, elapsed_days_raw`, cafs, p.start, p.end).Rows()
	if err != nil {
		return fmt.Errorf("handled: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caf string
		var days, raw sql.NullInt64
		var n int64
		if err := rows.Scan(&caf, &days, &raw, &n); err != nil {
			return fmt.Errorf("handled: %w", err)
		}
		t := tallies[caf]
		t.handled += n
		if days.Valid {
			t.elapsed[days.Int64] += n
		}
		if raw.Valid {
			t.elapsedRaw[raw.Int64] += n
		}
	}
	return rows.Err()
}

// readPrevious counts the complaints received and handled in the previous
// period: counts only, read from the indexes.
func readPrevious(db *gorm.DB, cafs []string, p instants, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT caf, 0, count(*) FROM cases
		WHERE caf IN ? AND kind = 'complaint' AND received_at >= ? AND received_at < ?
		GROUP BY caf
		UNION ALL
		SELECT caf, 1, count(*) FROM cases
		WHERE caf IN ? AND kind = 'complaint' AND answered_at >= ? AND answered_at < ?
		GROUP BY caf`, cafs, p.prevStart, p.start, cafs, p.prevStart, p.start).Rows()
	if err != nil {
		return fmt.Errorf("previous period: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caf string
		var handled int
		var n int64
		if err := rows.Scan(&caf, &handled, &n); err != nil {
			return fmt.Errorf("previous period: %w", err)
		}
		if handled == 1 {
			tallies[caf].prevHandled = n
		} else {
			tallies[caf].prevReceived = n
		}
	}
	return rows.Err()
}

// readOpenAtEnd counts the complaints open at the end of the period:
// received before it and neither answered nor closed (closed, withdrawn,
// escalated) before it, by their dates, since the period may be past and
// a file's status is today's; and, of those, the ones whose legal date had
// passed. The two branches (never answered, answered after the end) are
// disjoint, and each is read from ix_cases_answered alone.
func readOpenAtEnd(db *gorm.DB, cafs []string, p instants, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT caf, count(*), SUM(CASE WHEN legal_due < ? THEN 1 ELSE 0 END)
		FROM (
			SELECT caf, legal_due FROM cases
			WHERE caf IN ? AND kind = 'complaint' AND answered_at IS NULL
			AND received_at < ? AND (closed_at IS NULL OR closed_at >= ?)
			UNION ALL
			SELECT caf, legal_due FROM cases
			WHERE caf IN ? AND kind = 'complaint' AND answered_at >= ?
			AND received_at < ? AND (closed_at IS NULL OR closed_at >= ?)
		) still_open
		GROUP BY caf`,
		p.end, cafs, p.end, p.end, cafs, p.end, p.end, p.end).Rows()
	if err != nil {
		return fmt.Errorf("open at end: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caf string
		var open, overdue int64
		if err := rows.Scan(&caf, &open, &overdue); err != nil {
			return fmt.Errorf("open at end: %w", err)
		}
		tallies[caf].openAtEnd, tallies[caf].overdueAtEnd = open, overdue
	}
	return rows.Err()
}

// readImplicitRejections counts the complaints whose two months of silence
// became an implicit rejection (CRPA L231-4) during the period.
func readImplicitRejections(db *gorm.DB, cafs []string, p instants, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT caf, count(*) FROM cases
		WHERE caf IN ? AND kind = 'complaint' AND implicit_rejection_at >= ? AND implicit_rejection_at < ?
		GROUP BY caf`,
		cafs, p.start, p.end).Rows()
	if err != nil {
		return fmt.Errorf("implicit rejections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caf string
		var n int64
		if err := rows.Scan(&caf, &n); err != nil {
			return fmt.Errorf("implicit rejections: %w", err)
		}
		tallies[caf].implicitRejections = n
	}
	return rows.Err()
}
