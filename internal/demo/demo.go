// Package demo seeds the demonstration workload of recours dev --demo, so
// that every queue and every figure shows something on first start:
//
//   - a realistic history for Caf 071, imported as closed files through
//     the history importer (references DEMO-…): the year before the
//     current one in the proportions of the seed report (8,106 complaints
//     handled, 90.5 % within 10 days; 86 mediation files by origin, reason
//     and benefit, 51.3 % of decisions maintained), and the year before
//     that, for the changes from one year to the next. It is generated
//     from a fixed seed, the same at every start, and the import is
//     idempotent by reference: a second start changes nothing;
//   - live files at every stage and deadline state, opened and moved
//     through the real API (so their workflows run): complaints open,
//     assigned, in progress (on time, due soon, past their target, past
//     their legal limit, past the implicit-rejection date), awaiting the
//     claimant, answered, closed and escalated; mediation files received,
//     admitted, awaiting an opinion, in study, decided and closed; two
//     Défenseur des droits referrals. Each is made once: a scenario whose
//     claimant already has a file is skipped.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"recours/internal/calendar"
	"recours/internal/importer"
	"recours/internal/store"
)

// Caf is the Caf the demonstration is about.
const Caf = "071"

// Options tune the seeding.
type Options struct {
	// Now is the clock; nil means time.Now. The history is of the years
	// before Now's.
	Now func() time.Time
}

// Result is what a Seed did.
type Result struct {
	// History has the import report of each year of history, oldest first.
	History []importer.Report
	// Live counts the live files opened by this run (0 when they were
	// already there).
	Live int
	// Overpayments counts the overpayment notices notified by this run.
	Overpayments int
}

// Seed imports the history and opens the live files, as the package
// comment says. api is the Recours API handler (the live files go through
// it); st the store it runs on.
func Seed(ctx context.Context, st *store.Store, api http.Handler, opts Options) (Result, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var res Result
	year := now().In(calendar.Paris).Year()
	for _, spec := range []yearSpec{yearBefore(year - 2), lastYear(year - 1)} {
		rep, err := importYear(ctx, st, spec, now)
		if err != nil {
			return res, fmt.Errorf("demo: history %d: %w", spec.year, err)
		}
		res.History = append(res.History, rep)
		slog.InfoContext(ctx, "demo history", "caf", Caf, "year", spec.year, "imported", rep.Imported, "unchanged", rep.Unchanged)
	}
	n, err := seedLive(ctx, st, api, now)
	res.Live = n
	if err != nil {
		return res, fmt.Errorf("demo: live files: %w", err)
	}
	slog.InfoContext(ctx, "demo live files", "caf", Caf, "opened", n)
	if res.Overpayments, err = seedOverpayments(ctx, st, api, now); err != nil {
		return res, fmt.Errorf("demo: overpayments: %w", err)
	}
	return res, nil
}

// importYear streams the year's generated history into the importer.
func importYear(ctx context.Context, st *store.Store, spec yearSpec, now func() time.Time) (importer.Report, error) {
	y, m, d := now().In(calendar.Paris).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeHistory(pw, Caf, spec, today)) }()
	rep, err := importer.Import(ctx, st, Caf, pr, importer.Options{Now: now})
	_ = pr.CloseWithError(io.ErrClosedPipe) // stops the writer if the import ended early
	if err != nil && len(rep.Errors) > 0 {
		err = fmt.Errorf("%w: ligne %d : %s", err, rep.Errors[0].Line, rep.Errors[0].Reason)
	}
	return rep, err
}
