package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"recours/internal/domain"
	"recours/internal/figures"
)

// HistoryRow is a file of a previous system's history as the history
// import writes it (ImportHistory): a row of the projection that no
// workflow owns (imported, version 1), whose Reference is its key in the
// previous system, unique within its Caf, and whose data is empty: the
// store builds the file from its columns when it is read (history.go).
type HistoryRow struct {
	ID, Kind, Caf, Status, SLAStatus          string
	Channel, Benefit, Reason, Origin, Outcome string
	Reference                                 string
	ReceivedAt                                time.Time
	TargetDue, LegalDue                       *time.Time
	AnsweredAt, DecidedAt, ClosedAt           *time.Time
	ImplicitRejectionAt                       *time.Time
	ElapsedDays, ElapsedDaysRaw               *int
	PausedSeconds                             int64
}

// File is what the figures read of the row (as figureFile reads its row
// once written).
func (r *HistoryRow) File() figures.File {
	return figures.File{Kind: domain.Kind(r.Kind), Caf: r.Caf, Channel: r.Channel, Benefit: r.Benefit,
		Reason: r.Reason, Origin: r.Origin, Outcome: r.Outcome, ReceivedAt: r.ReceivedAt, LegalDue: r.LegalDue,
		AnsweredAt: r.AnsweredAt, DecidedAt: r.DecidedAt, ClosedAt: r.ClosedAt, ImplicitRejectionAt: r.ImplicitRejectionAt,
		ElapsedDays: r.ElapsedDays, ElapsedDaysRaw: r.ElapsedDaysRaw}
}

// caseRow is the projection row of r, written at now.
func (r *HistoryRow) caseRow(now time.Time) CaseRow {
	return CaseRow{
		ID: r.ID, Kind: r.Kind, Caf: r.Caf, Status: r.Status, SLAStatus: r.SLAStatus,
		Channel: r.Channel, Benefit: r.Benefit, Reason: r.Reason, Origin: r.Origin, Outcome: r.Outcome,
		ReceivedAt: r.ReceivedAt, TargetDue: r.TargetDue, LegalDue: r.LegalDue, AnsweredAt: r.AnsweredAt,
		DecidedAt: r.DecidedAt, ClosedAt: r.ClosedAt, ElapsedDays: r.ElapsedDays, ElapsedDaysRaw: r.ElapsedDaysRaw,
		PausedSeconds: r.PausedSeconds, ImplicitRejectionAt: r.ImplicitRejectionAt,
		Imported: true, Reference: &r.Reference, Version: 1, Data: "", CreatedAt: now, UpdatedAt: now,
	}
}

// caseColumns are the columns of cases, in the order of caseValues: what
// a COPY into cases writes.
var caseColumns = []string{"id", "kind", "caf", "status", "sla_status", "assignee", "claimant_number",
	"channel", "benefit", "reason", "origin", "outcome", "parent_id", "ddd_reference",
	"received_at", "target_due", "legal_due", "answered_at", "decided_at", "closed_at",
	"ack_status", "elapsed_days", "elapsed_days_raw", "paused_seconds", "implicit_rejection_at",
	"clock_paused", "imported", "reference", "version", "write_run", "write_task", "data", "created_at", "updated_at"}

// caseValues puts the values of row's caseColumns in v.
func caseValues(row *CaseRow, v []any) {
	v[0], v[1], v[2], v[3], v[4], v[5], v[6] = row.ID, row.Kind, row.Caf, row.Status, row.SLAStatus, row.Assignee, row.ClaimantNumber
	v[7], v[8], v[9], v[10], v[11], v[12], v[13] = row.Channel, row.Benefit, row.Reason, row.Origin, row.Outcome, row.ParentID, row.DDDReference
	v[14], v[15], v[16], v[17], v[18], v[19] = row.ReceivedAt, row.TargetDue, row.LegalDue, row.AnsweredAt, row.DecidedAt, row.ClosedAt
	v[20], v[21], v[22], v[23], v[24] = row.AckStatus, row.ElapsedDays, row.ElapsedDaysRaw, row.PausedSeconds, row.ImplicitRejectionAt
	v[25], v[26], v[27], v[28], v[29], v[30] = row.ClockPaused, row.Imported, row.Reference, row.Version, row.WriteRun, row.WriteTask
	v[31], v[32], v[33] = row.Data, row.CreatedAt, row.UpdatedAt
}

// HistoryBatch is rows of history to write, with their contributions to
// the figures (the sum of figures.Changes.Add of each row's File, which
// the caller counts as it reads them, on its own core).
type HistoryBatch struct {
	Rows    []HistoryRow
	Figures figures.Changes
}

// Batch sizes of the history import: one COPY of a batch on PostgreSQL
// (the rows of a batch, and of the next one being read meanwhile, are all
// an import holds: a few MB); one multi-row INSERT on SQLite (34 columns
// each, under its 32,766 parameters).
const (
	pgHistoryBatch     = 4096
	sqliteHistoryBatch = 500
)

// maxHistoryFigures bounds the rollup changes an import holds before
// writing them: they are counted by Caf, day, measure and value, so a
// year of history makes tens of thousands, whatever its number of rows.
const maxHistoryFigures = 100_000

// historyLock is the transaction-scoped advisory lock that serialises the
// imports on PostgreSQL: only they write references, so under it the
// references read before a COPY are still all there are when it runs.
const historyLock = 0x7265636f75727331 // "recours1"

// upsertFigures adds rows given as five arrays (caf, measure, day, value,
// n) to the rollup, on a pgx connection.
const upsertFigures = `INSERT INTO figures_rollup (caf, measure, day, value, n)
	SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[])
	ON CONFLICT (caf, measure, day, value) DO UPDATE SET n = figures_rollup.n + excluded.n`

// HistoryImport writes the batches of one history import, in its
// transaction (see ImportHistory).
type HistoryImport struct {
	ctx     context.Context
	caf     string
	now     time.Time
	figures figures.Changes
	// PostgreSQL: the transaction, and whether the Caf held any reference
	// when it began (when not, as for its first import, no batch needs
	// looking up).
	pg           pgx.Tx
	anyReference bool
	src          *copySource
	// SQLite: the transaction, and the rows of a batch.
	tx   *gorm.DB
	rows []CaseRow
}

// BatchSize is how many rows a batch should hold.
func (h *HistoryImport) BatchSize() int {
	if h.pg != nil {
		return pgHistoryBatch
	}
	return sqliteHistoryBatch
}

// Write writes the rows of b whose reference the Caf does not hold yet
// (the others are left as they are, and their contributions taken out of
// b.Figures), adds the contributions of those written to the rollup, and
// returns how many it wrote. b is the import's from then on.
func (h *HistoryImport) Write(b HistoryBatch) (int64, error) {
	rows := b.Rows
	if h.pg == nil || h.anyReference {
		there, err := h.referencesThere(rows)
		if err != nil {
			return 0, fmt.Errorf("store: history: references: %w", err)
		}
		if len(there) > 0 {
			kept := rows[:0]
			for _, r := range rows {
				if there[r.Reference] {
					b.Figures.Add(r.File(), -1)
				} else {
					kept = append(kept, r)
				}
			}
			rows = kept
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var n int64
	if h.pg != nil {
		h.src.rows, h.src.i = rows, -1
		written, err := h.pg.CopyFrom(h.ctx, pgx.Identifier{"cases"}, caseColumns, h.src)
		if err != nil {
			return 0, fmt.Errorf("store: history: copy: %w", err)
		}
		n = written
	} else {
		h.rows = h.rows[:0]
		for i := range rows {
			h.rows = append(h.rows, rows[i].caseRow(h.now))
		}
		res := h.tx.Create(&h.rows)
		if res.Error != nil {
			return 0, fmt.Errorf("store: history: %w", res.Error)
		}
		n = res.RowsAffected
	}
	h.figures.Merge(b.Figures)
	if len(h.figures) > maxHistoryFigures {
		if err := h.writeFigures(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// referencesThere returns those of the rows' references the Caf holds.
func (h *HistoryImport) referencesThere(rows []HistoryRow) (map[string]bool, error) {
	refs := make([]string, len(rows))
	for i := range rows {
		refs[i] = rows[i].Reference
	}
	there := map[string]bool{}
	if h.pg == nil {
		var found []string
		if err := h.tx.Model(&CaseRow{}).Where("caf = ? AND reference IN ?", h.caf, refs).Pluck("reference", &found).Error; err != nil {
			return nil, err
		}
		for _, ref := range found {
			there[ref] = true
		}
		return there, nil
	}
	res, err := h.pg.Query(h.ctx, `SELECT reference FROM cases WHERE caf = $1 AND reference = ANY($2)`, h.caf, refs)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	for res.Next() {
		var ref string
		if err := res.Scan(&ref); err != nil {
			return nil, err
		}
		there[ref] = true
	}
	return there, res.Err()
}

// writeFigures adds the rollup changes held to the table, and empties
// them.
func (h *HistoryImport) writeFigures() error {
	if h.pg == nil {
		return writeFigures(h.tx, h.figures)
	}
	rows := figureRows(h.figures)
	clear(h.figures)
	if len(rows) == 0 {
		return nil
	}
	cafs, measures, values := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	days, ns := make([]int32, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		cafs[i], measures[i], days[i], values[i], ns[i] = r.Caf, r.Measure, r.Day, r.Value, r.N
	}
	if _, err := h.pg.Exec(h.ctx, upsertFigures, cafs, measures, days, values, ns); err != nil {
		return fmt.Errorf("store: history: figures: %w", err)
	}
	return nil
}

// ImportHistory runs fill in one transaction to write history of caf at
// now: fill writes its batches through the HistoryImport it is given (one
// at a time, from its goroutine). When fill returns nil the rollup changes
// are written and the transaction commits; when it returns an error
// nothing is written, and the error is returned.
//
// PostgreSQL: COPY straight into cases, on one of the store's
// connections, under an advisory lock that serialises the imports (COPY
// knows no ON CONFLICT: the references of each batch that the Caf already
// holds are looked up first and their rows left out). SQLite: multi-row
// INSERTs, under the store's write lock, so no other write runs
// meanwhile.
func (s *Store) ImportHistory(ctx context.Context, caf string, now time.Time, fill func(*HistoryImport) error) error {
	if s.sqlite {
		defer s.writeLock()()
		return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			h := &HistoryImport{ctx: ctx, caf: caf, now: now, figures: figures.Changes{},
				tx: tx.Session(&gorm.Session{SkipHooks: true})} // the rollup is written here
			if err := fill(h); err != nil {
				return err
			}
			return h.writeFigures()
		})
	}
	err := s.importHistoryPostgres(ctx, caf, now, fill)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = errors.Join(ctx.Err(), err)
	}
	return err
}

func (s *Store) importHistoryPostgres(ctx context.Context, caf string, now time.Time, fill func(*HistoryImport) error) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: history: connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: history: PostgreSQL driver %T is not pgx", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("store: history: begin: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // a no-op once committed
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(historyLock)); err != nil {
			return fmt.Errorf("store: history: lock: %w", err)
		}
		h := &HistoryImport{ctx: ctx, caf: caf, now: now, figures: figures.Changes{}, pg: tx,
			src: &copySource{now: now, vals: make([]any, len(caseColumns))}}
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE caf = $1 AND reference IS NOT NULL)`, caf).Scan(&h.anyReference); err != nil {
			return fmt.Errorf("store: history: references: %w", err)
		}
		if err := fill(h); err != nil {
			return err
		}
		if err := h.writeFigures(); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("store: history: commit: %w", err)
		}
		return nil
	})
}

// copySource feeds COPY with a batch of rows of history.
type copySource struct {
	rows []HistoryRow
	i    int
	now  time.Time
	row  CaseRow
	vals []any
}

func (s *copySource) Next() bool {
	s.i++
	if s.i >= len(s.rows) {
		return false
	}
	s.row = s.rows[s.i].caseRow(s.now)
	caseValues(&s.row, s.vals)
	return true
}

func (s *copySource) Values() ([]any, error) { return s.vals, nil }

func (s *copySource) Err() error { return nil }

// BulkInsertCases writes rows straight into the projection, with their
// contributions to the rollup, in one transaction: files that no workflow
// owns, written around the workflows (tests, tools). A row whose id is
// there already fails the whole write.
func (s *Store) BulkInsertCases(ctx context.Context, rows []CaseRow) error {
	defer s.writeLock()()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tx = tx.Session(&gorm.Session{SkipHooks: true}) // the rollup is written here
		f := figures.Changes{}
		for chunk := range slices.Chunk(rows, sqliteHistoryBatch) {
			if err := tx.Create(&chunk).Error; err != nil {
				return fmt.Errorf("store: cases: %w", err)
			}
			for i := range chunk {
				f.Add(figureFile(&chunk[i]), 1)
			}
		}
		return writeFigures(tx, f)
	})
}
