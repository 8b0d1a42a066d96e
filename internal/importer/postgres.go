package importer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"recours/internal/store"
)

// copyColumns are the columns of cases an import writes, in the order of
// copySource's values.
var copyColumns = []string{"id", "kind", "caf", "status", "sla_status", "assignee", "claimant_number",
	"channel", "benefit", "reason", "origin", "outcome", "parent_id", "ddd_reference",
	"received_at", "target_due", "legal_due", "answered_at", "decided_at", "closed_at",
	"ack_status", "elapsed_days", "elapsed_days_raw", "paused_seconds", "implicit_rejection_at",
	"clock_paused", "imported", "reference", "version", "data", "created_at", "updated_at"}

// pgBatch is how many rows one COPY writes: the rows of a batch, and of
// the next one being read meanwhile, are all the import holds (a few MB).
const pgBatch = 4096

// importLock is the transaction-scoped advisory lock that serialises the
// imports: only they write references, so under it the references read
// before a COPY are still all there are when it runs.
const importLock = 0x7265636f75727331 // "recours1"

// importPostgres writes the valid rows with COPY straight into cases, in
// one transaction on one of the store's connections, and returns how many
// it inserted. COPY knows no ON CONFLICT: the references of each batch that
// the Caf already holds are looked up first and their rows left out (not
// needed while the Caf holds no reference at all, as for its first
// import). A reader goroutine validates the next batch while the database
// writes one.
func importPostgres(ctx context.Context, st *store.Store, rd *reader) (int64, error) {
	sqlDB, err := st.DB.DB()
	if err != nil {
		return 0, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("importer: connection: %w", err)
	}
	defer conn.Close()
	var inserted int64
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("importer: PostgreSQL driver %T is not pgx", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("importer: begin: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // a no-op once committed
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(importLock)); err != nil {
			return fmt.Errorf("importer: lock: %w", err)
		}
		var anyReference bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE caf = $1 AND reference IS NOT NULL)`, rd.caf).Scan(&anyReference); err != nil {
			return fmt.Errorf("importer: references: %w", err)
		}

		batches := make(chan batch)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(batches)
			produce(rd, batches, stop)
		}()
		defer func() {
			close(stop)
			<-done
		}()

		src := &copySource{now: rd.now, vals: make([]any, len(copyColumns))}
		var refs []string
		figures := store.Figures{}
		for b := range batches {
			batch := b.rows
			if anyReference {
				refs = refs[:0]
				for i := range batch {
					refs = append(refs, batch[i].reference)
				}
				rows, err := tx.Query(ctx, `SELECT reference FROM cases WHERE caf = $1 AND reference = ANY($2)`, rd.caf, refs)
				if err != nil {
					return fmt.Errorf("importer: references: %w", err)
				}
				there := map[string]bool{}
				for rows.Next() {
					var ref string
					if err := rows.Scan(&ref); err != nil {
						rows.Close()
						return fmt.Errorf("importer: references: %w", err)
					}
					there[ref] = true
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return fmt.Errorf("importer: references: %w", err)
				}
				if len(there) > 0 {
					kept := batch[:0]
					clear(b.figures)
					for _, row := range batch {
						if !there[row.reference] {
							kept = append(kept, row)
							row.addFigures(b.figures)
						}
					}
					batch = kept
				}
			}
			if len(batch) == 0 {
				continue
			}
			src.rows, src.i = batch, -1
			n, err := tx.CopyFrom(ctx, pgx.Identifier{"cases"}, copyColumns, src)
			if err != nil {
				return fmt.Errorf("importer: copy: %w", err)
			}
			inserted += n
			for k, n := range b.figures {
				figures[k] += n
			}
			if len(figures) > maxFigures {
				if err := writeFigures(ctx, tx, figures); err != nil {
					return err
				}
			}
		}
		<-done // the reader is through: its report and error may be read
		if rd.err != nil {
			return rd.err
		}
		if rd.aborting() {
			return errAbort
		}
		if err := writeFigures(ctx, tx, figures); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("importer: commit: %w", err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAbort) && ctx.Err() != nil {
		err = errors.Join(ctx.Err(), err)
	}
	return inserted, err
}

// batch is rows to COPY, and their contributions to the figures'
// rollup, counted by the reader on its own core.
type batch struct {
	rows    []caseRow
	figures store.Figures
}

// produce reads the file and sends its valid rows in batches, until the
// end of the file or stop. Once aborting it reads on, for the report, but
// sends nothing more.
func produce(rd *reader, batches chan<- batch, stop <-chan struct{}) {
	b := batch{rows: make([]caseRow, 0, pgBatch), figures: store.Figures{}}
	send := func() bool {
		select {
		case batches <- b:
			b = batch{rows: make([]caseRow, 0, pgBatch), figures: store.Figures{}}
			return true
		case <-stop:
			return false
		}
	}
	for {
		row, ok := rd.next()
		if !ok {
			break
		}
		if rd.aborting() {
			b.rows = b.rows[:0]
			continue
		}
		b.rows = append(b.rows, row)
		row.addFigures(b.figures)
		if len(b.rows) == pgBatch && !send() {
			return
		}
	}
	if len(b.rows) > 0 && !rd.aborting() {
		send()
	}
}

// writeFigures adds the rollup changes f to the table, in one statement,
// and empties f.
func writeFigures(ctx context.Context, tx pgx.Tx, f store.Figures) error {
	rows := f.Rows()
	clear(f)
	if len(rows) == 0 {
		return nil
	}
	cafs, measures, values := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	days, ns := make([]int32, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		cafs[i], measures[i], days[i], values[i], ns[i] = r.Caf, r.Measure, r.Day, r.Value, r.N
	}
	if _, err := tx.Exec(ctx, store.UpsertFigures, cafs, measures, days, values, ns); err != nil {
		return fmt.Errorf("importer: figures: %w", err)
	}
	return nil
}

// copySource feeds COPY with a batch of rows.
type copySource struct {
	rows []caseRow
	i    int
	now  time.Time
	vals []any
}

func (s *copySource) Next() bool {
	s.i++
	if s.i >= len(s.rows) {
		return false
	}
	row := &s.rows[s.i]
	v := s.vals
	v[0], v[1], v[2], v[3], v[4], v[5], v[6] = row.id, row.kind, row.caf, row.status, row.sla, "", ""
	v[7], v[8], v[9], v[10], v[11], v[12], v[13] = row.channel, row.benefit, row.reason, row.origin, row.outcome, "", ""
	v[14], v[15], v[16], v[17], v[18], v[19] = row.received, row.targetDue, row.legalDue, row.answered, row.decided, row.closed
	v[20], v[21], v[22], v[23], v[24] = "", row.elapsed, row.elapsedRaw, row.pausedSeconds, row.implicitRejected
	v[25], v[26], v[27], v[28], v[29], v[30], v[31] = false, true, row.reference, int64(1), "", s.now, s.now
	return true
}

func (s *copySource) Values() ([]any, error) { return s.vals, nil }

func (s *copySource) Err() error { return nil }
