package reports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"recours/internal/domain"
	"recours/internal/figures"
	"recours/internal/store"
)

// Source is where the figures are read from: the sums of the
// contributions of the files and of the overpayment notices
// (internal/figures), as the store answers them.
type Source interface {
	SumFigures(ctx context.Context, cafs []string, queries []figures.Query) ([]figures.Sum, error)
	SumNoticeFigures(ctx context.Context, cafs []string, queries []figures.Query) ([]figures.Sum, error)
}

var _ Source = (*store.Store)(nil)

// Compute returns the figures of the days from..to (both included, in
// Europe/Paris) for cafs, with the change from the previous period of the
// same length. With several Cafs the figures are over all of them, and
// PerCaf holds each one's.
//
// It reads the sums of the files' contributions (figures.FileMeasures: the
// store's rollup, kept with every file's row, live files and imported
// history alike), with one request whatever the number of Cafs or figures
// (see readFigures), and those of the overpayment notices. The sums are by
// Caf, so the totals are the sums of the Cafs' counts. A period's days are
// whole Paris days, which is how the figures number them.
func Compute(ctx context.Context, src Source, cafs []string, from, to Date) (*Summary, error) {
	s, err := compute(cafs, from, to, func(cafs []string, p bounds, tallies map[string]*tally) error {
		return readFigures(ctx, src, cafs, p, tallies)
	})
	if err != nil {
		return nil, err
	}
	return s, readOverpayments(ctx, src, s, from, to)
}

// reader reads the counts of the periods p for cafs into their tallies.
type reader func(cafs []string, p bounds, tallies map[string]*tally) error

func compute(cafs []string, from, to Date, read reader) (*Summary, error) {
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
	if err := read(cafs, p, tallies); err != nil {
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

// bounds are the days of the two periods, as the figures number them:
// [prevStart, start) is the previous period, [start, end) the period.
type bounds struct{ prevStart, start, end int32 }

func dayNumber(d Date) int32 { return figures.DayNumber(d.Year, d.Month, d.Day) }

// periodMeasures are read over the period, value by value; the previous
// period needs only its counts (previousMeasures); the flows of files
// open and overdue are summed over every day before the period's end.
var (
	periodMeasures = []figures.Measure{figures.Received, figures.ByChannel, figures.ByBenefit,
		figures.ByReason, figures.Acknowledgment, figures.Handled, figures.Elapsed,
		figures.ElapsedRaw, figures.ImplicitRejection, figures.Reopened, figures.Mediation,
		figures.MediationOrigin, figures.MediationReason, figures.MediationBenefit, figures.MediationOutcome,
		figures.Referral, figures.ReferralDecided, figures.ReferralInTime}
	previousMeasures = []figures.Measure{figures.Received, figures.Handled, figures.Mediation, figures.Referral}
)

// The queries readFigures asks, by their index.
const (
	queryPeriod = iota
	queryPrevious
	queryFlows
)

// readFigures asks src for the sums of the files' contributions: the
// period's by measure and value, the previous period's and the flows by
// measure.
func readFigures(ctx context.Context, src Source, cafs []string, p bounds, tallies map[string]*tally) error {
	queries := make([]figures.Query, 3)
	queries[queryPeriod] = figures.Query{Measures: periodMeasures, From: p.start, To: p.end, ByValue: true}
	queries[queryPrevious] = figures.Query{Measures: previousMeasures, From: p.prevStart, To: p.start}
	queries[queryFlows] = figures.Query{Measures: figures.Flows, To: p.end, Cumulative: true}
	sums, err := src.SumFigures(ctx, cafs, queries)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	for _, sum := range sums {
		t := tallies[sum.Caf]
		if t == nil || sum.N == 0 {
			continue // a count that fell back to zero
		}
		switch sum.Query {
		case queryPeriod:
			if err := t.addPeriod(sum.Measure, sum.Value, sum.N); err != nil {
				return err
			}
		case queryPrevious:
			t.addPrevious(sum.Measure, sum.N)
		case queryFlows:
			t.addFlow(sum.Measure, sum.N)
		}
	}
	return nil
}

// addPeriod adds n files of the period counted under measure and value.
func (t *tally) addPeriod(measure figures.Measure, value string, n int64) error {
	switch measure {
	case figures.Received:
		t.received += n
	case figures.ByChannel:
		t.byChannel[value] += n
	case figures.ByBenefit:
		t.byBenefit[value] += n
	case figures.ByReason:
		t.byReason[value] += n
	case figures.Acknowledgment:
		switch domain.SLAStatus(value) {
		case domain.SLAMet:
			t.ackMet += n
		case domain.SLAMissed:
			t.ackMissed += n
		}
	case figures.Handled:
		t.handled += n
	case figures.Elapsed, figures.ElapsedRaw:
		days, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("figures: %s %q: %w", measure, value, err)
		}
		if measure == figures.Elapsed {
			t.elapsed[days] += n
		} else {
			t.elapsedRaw[days] += n
		}
	case figures.ImplicitRejection:
		t.implicitRejections += n
	case figures.Reopened:
		t.reopened += n
	case figures.Mediation:
		t.mediations += n
	case figures.MediationOrigin:
		t.origin[value] += n
	case figures.MediationReason:
		t.medReason[value] += n
	case figures.MediationBenefit:
		t.medBenefit[value] += n
	case figures.MediationOutcome:
		t.outcome[value] += n
		t.decided += n
	case figures.Referral:
		t.referrals += n
	case figures.ReferralDecided:
		t.referralsDecided += n
	case figures.ReferralInTime:
		t.referralsInTime += n
	}
	return nil
}

// addPrevious adds the previous period's count of measure.
func (t *tally) addPrevious(measure figures.Measure, n int64) {
	switch measure {
	case figures.Received:
		t.prevReceived += n
	case figures.Handled:
		t.prevHandled += n
	case figures.Mediation:
		t.prevMediations += n
	case figures.Referral:
		t.prevReferrals += n
	}
}

// addFlow adds the sum of a flow over the days before the period's end:
// the complaints open then, and those overdue.
func (t *tally) addFlow(measure figures.Measure, n int64) {
	switch measure {
	case figures.Open:
		t.openAtEnd += n
	case figures.Overdue:
		t.overdueAtEnd += n
	}
}
