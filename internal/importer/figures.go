package importer

import (
	"recours/internal/store"
)

// addFigures adds the contributions of row to the figures' rollup
// changes f (see store.FigureRow), as the store counts the row it writes.
func (row *caseRow) addFigures(f store.Figures) {
	r := store.CaseRow{Kind: row.kind, Caf: row.caf, Channel: row.channel, Benefit: row.benefit,
		Reason: row.reason, Origin: row.origin, Outcome: row.outcome, ReceivedAt: row.received,
		LegalDue: row.legalDue, AnsweredAt: row.answered, DecidedAt: row.decided, ClosedAt: row.closed,
		ElapsedDays: row.elapsed, ElapsedDaysRaw: row.elapsedRaw, ImplicitRejectionAt: row.implicitRejected}
	f.Add(&r, 1)
}

// maxFigures bounds the rollup changes an import holds before writing
// them: they are counted by Caf, day, measure and value, so a year of
// history makes tens of thousands, whatever its number of rows.
const maxFigures = 100_000
