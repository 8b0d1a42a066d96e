package reports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"recours/internal/domain"
	"recours/internal/store"
)

// Compute returns the figures of the days from..to (both included, in
// Europe/Paris) for cafs, with the change from the previous period of the
// same length. With several Cafs the figures are over all of them, and
// PerCaf holds each one's.
//
// It reads the rollup of the projection (store.FigureRow: counts by Caf,
// Paris day, measure and value, kept with every file's row, live files and
// imported history alike), with one grouped query whatever the number of
// Cafs or figures (see readFigures). It is grouped by Caf, so the totals
// are the sums of the Cafs' counts. A period's days are whole Paris days,
// which is how the rollup numbers them.
func Compute(ctx context.Context, db *gorm.DB, cafs []string, from, to Date) (*Summary, error) {
	s, err := compute(ctx, db, cafs, from, to, readFigures)
	if err != nil {
		return nil, err
	}
	return s, readOverpayments(ctx, db, s, from, to)
}

// reader reads the counts of the periods p for cafs into their tallies.
type reader func(db *gorm.DB, cafs []string, p bounds, tallies map[string]*tally) error

func compute(ctx context.Context, db *gorm.DB, cafs []string, from, to Date, read reader) (*Summary, error) {
	if to.Before(from) {
		return nil, domain.Errorf(domain.EINVALID, "la fin de la période (%s) précède son début (%s)", to, from)
	}
	cafs = slices.Clone(cafs)
	slices.Sort(cafs)
	cafs = slices.Compact(cafs)
	if len(cafs) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "aucune Caf")
	}
	prevFrom, prevTo := Previous(from, to)
	p := bounds{prevStart: dayNumber(prevFrom), start: dayNumber(from), end: dayNumber(to.AddDays(1))}

	tallies := make(map[string]*tally, len(cafs))
	for _, caf := range cafs {
		tallies[caf] = newTally()
	}
	if err := read(db.WithContext(ctx), cafs, p, tallies); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}

	period := func(caf string, t *tally) *Summary {
		s := t.summary()
		s.Caf, s.Cafs = caf, []string{caf}
		s.From, s.To = from.String(), to.String()
		s.Previous = Period{From: prevFrom.String(), To: prevTo.String()}
		return s
	}
	if len(cafs) == 1 {
		return period(cafs[0], tallies[cafs[0]]), nil
	}
	total := newTally()
	for _, caf := range cafs {
		total.add(tallies[caf])
	}
	out := period("", total)
	out.Cafs = cafs
	out.PerCaf = make(map[string]*Summary, len(cafs))
	for _, caf := range cafs {
		out.PerCaf[caf] = period(caf, tallies[caf])
	}
	return out, nil
}

// Previous is the period of the same length just before from..to: the
// same number of calendar months when from..to is whole months (a year is
// compared with the year before, leap or not, and March with February),
// the same number of days otherwise.
func Previous(from, to Date) (Date, Date) {
	if from.Day == 1 && to.AddDays(1).Day == 1 {
		months := (to.Year-from.Year)*12 + int(to.Month-from.Month) + 1
		return dateOf(time.Date(from.Year, from.Month-time.Month(months), 1, 0, 0, 0, 0, time.UTC)), from.AddDays(-1)
	}
	days := from.DaysUntil(to) + 1
	return from.AddDays(-days), from.AddDays(-1)
}

// bounds are the days of the two periods, as the rollup numbers them:
// [prevStart, start) is the previous period, [start, end) the period.
type bounds struct{ prevStart, start, end int32 }

func dayNumber(d Date) int32 { return store.DayNumber(d.Year, d.Month, d.Day) }

// periodMeasures are read over the period, value by value; the previous
// period needs only its counts (previousMeasures); the flows of files
// open and overdue are summed over every day before the period's end.
var (
	periodMeasures = []string{store.MeasureReceived, store.MeasureChannel, store.MeasureBenefit,
		store.MeasureReason, store.MeasureAck, store.MeasureHandled, store.MeasureElapsed,
		store.MeasureElapsedRaw, store.MeasureImplicitRejection, store.MeasureMediation,
		store.MeasureOrigin, store.MeasureMedReason, store.MeasureMedBenefit, store.MeasureOutcome,
		store.MeasureReferral, store.MeasureReferralDecided, store.MeasureReferralInTime}
	previousMeasures = []string{store.MeasureReceived, store.MeasureHandled, store.MeasureMediation, store.MeasureReferral}
	flowMeasures     = []string{store.MeasureOpen, store.MeasureOverdue}
)

// readFigures sums the rollup's counts: the period's by measure and value,
// the previous period's and the flows by measure. The primary key of the
// rollup (caf, measure, day, value) serves each branch with one range
// per Caf and measure.
func readFigures(db *gorm.DB, cafs []string, p bounds, tallies map[string]*tally) error {
	rows, err := db.Raw(`SELECT 0, caf, measure, value, sum(n) FROM figures_rollup
		WHERE caf IN ? AND measure IN ? AND day >= ? AND day < ?
		GROUP BY caf, measure, value
		UNION ALL
		SELECT 1, caf, measure, '', sum(n) FROM figures_rollup
		WHERE caf IN ? AND measure IN ? AND day >= ? AND day < ?
		GROUP BY caf, measure
		UNION ALL
		SELECT 2, caf, measure, '', sum(n) FROM figures_rollup
		WHERE caf IN ? AND measure IN ? AND day < ?
		GROUP BY caf, measure`,
		cafs, periodMeasures, p.start, p.end,
		cafs, previousMeasures, p.prevStart, p.start,
		cafs, flowMeasures, p.end).Rows()
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var part int
		var caf, measure, value string
		var n int64
		if err := rows.Scan(&part, &caf, &measure, &value, &n); err != nil {
			return fmt.Errorf("figures: %w", err)
		}
		t := tallies[caf]
		if t == nil || n == 0 {
			continue // a count that fell back to zero
		}
		switch part {
		case 0:
			if err := t.addPeriod(measure, value, n); err != nil {
				return err
			}
		case 1:
			t.addPrevious(measure, n)
		case 2:
			t.addFlow(measure, n)
		}
	}
	return rows.Err()
}

// addPeriod adds n files of the period counted under measure and value.
func (t *tally) addPeriod(measure, value string, n int64) error {
	switch measure {
	case store.MeasureReceived:
		t.received += n
	case store.MeasureChannel:
		t.byChannel[value] += n
	case store.MeasureBenefit:
		t.byBenefit[value] += n
	case store.MeasureReason:
		t.byReason[value] += n
	case store.MeasureAck:
		switch domain.SLAStatus(value) {
		case domain.SLAMet:
			t.ackMet += n
		case domain.SLAMissed:
			t.ackMissed += n
		}
	case store.MeasureHandled:
		t.handled += n
	case store.MeasureElapsed, store.MeasureElapsedRaw:
		days, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("figures: %s %q: %w", measure, value, err)
		}
		if measure == store.MeasureElapsed {
			t.elapsed[days] += n
		} else {
			t.elapsedRaw[days] += n
		}
	case store.MeasureImplicitRejection:
		t.implicitRejections += n
	case store.MeasureMediation:
		t.mediations += n
	case store.MeasureOrigin:
		t.origin[value] += n
	case store.MeasureMedReason:
		t.medReason[value] += n
	case store.MeasureMedBenefit:
		t.medBenefit[value] += n
	case store.MeasureOutcome:
		t.outcome[value] += n
		t.decided += n
	case store.MeasureReferral:
		t.referrals += n
	case store.MeasureReferralDecided:
		t.referralsDecided += n
	case store.MeasureReferralInTime:
		t.referralsInTime += n
	}
	return nil
}

// addPrevious adds the previous period's count of measure.
func (t *tally) addPrevious(measure string, n int64) {
	switch measure {
	case store.MeasureReceived:
		t.prevReceived += n
	case store.MeasureHandled:
		t.prevHandled += n
	case store.MeasureMediation:
		t.prevMediations += n
	case store.MeasureReferral:
		t.prevReferrals += n
	}
}

// addFlow adds the sum of a flow over the days before the period's end:
// the complaints open then, and those overdue.
func (t *tally) addFlow(measure string, n int64) {
	switch measure {
	case store.MeasureOpen:
		t.openAtEnd += n
	case store.MeasureOverdue:
		t.overdueAtEnd += n
	}
}
