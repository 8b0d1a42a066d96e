package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"recours/internal/figures"
)

// SumFigures answers queries from the rollup for cafs: the sums of the
// contributions of their files (live files and imported history alike),
// in one statement whatever the number of Cafs or queries. The primary
// key of the rollup (caf, measure, day, value) serves each query with one
// range per Caf and measure. Sums may be zero (counts that fell back).
func (s *Store) SumFigures(ctx context.Context, cafs []string, queries []figures.Query) ([]figures.Sum, error) {
	var sql strings.Builder
	var args []any
	for i, q := range queries {
		if len(q.Measures) == 0 {
			continue
		}
		if sql.Len() > 0 {
			sql.WriteString("\nUNION ALL\n")
		}
		value, group := "''", "caf, measure"
		if q.ByValue {
			value, group = "value", "caf, measure, value"
		}
		fmt.Fprintf(&sql, "SELECT %d, caf, measure, %s, sum(n) FROM figures_rollup WHERE caf IN ? AND measure IN ?", i, value)
		args = append(args, cafs, measureNames(q.Measures))
		if !q.Cumulative {
			sql.WriteString(" AND day >= ?")
			args = append(args, q.From)
		}
		sql.WriteString(" AND day < ? GROUP BY " + group)
		args = append(args, q.To)
	}
	if sql.Len() == 0 || len(cafs) == 0 {
		return nil, nil
	}
	rows, err := s.db.WithContext(ctx).Raw(sql.String(), args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	defer rows.Close()
	var out []figures.Sum
	for rows.Next() {
		var sum figures.Sum
		var measure string
		if err := rows.Scan(&sum.Query, &sum.Caf, &measure, &sum.Value, &sum.N); err != nil {
			return nil, fmt.Errorf("store: figures: %w", err)
		}
		sum.Measure = figures.Measure(measure)
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	return out, nil
}

func measureNames(ms []figures.Measure) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

// noticeRow is a notice with one of the files that dispute it (none:
// DisputedAt is nil).
type noticeRow struct {
	ID         string
	Caf        string
	Large      bool
	Explained  bool
	CallResult string
	CreatedAt  time.Time
	SentAt     *time.Time
	DisputedAt *time.Time
}

// SumNoticeFigures answers queries of the notices' measures
// (figures.NoticeMeasures) for cafs: the notices notified on the days the
// queries cover are read with the files that dispute them, and their
// contributions summed (the notices are few: they have no rollup).
func (s *Store) SumNoticeFigures(ctx context.Context, cafs []string, queries []figures.Query) ([]figures.Sum, error) {
	if len(queries) == 0 || len(cafs) == 0 {
		return nil, nil
	}
	from, to, bounded := queries[0].From, queries[0].To, true
	for _, q := range queries {
		from, to = min(from, q.From), max(to, q.To)
		bounded = bounded && !q.Cumulative
	}
	q := s.db.WithContext(ctx).Table("overpayments AS o").
		Select("o.id, o.caf, o.large, o.explained, o.call_result, o.created_at, o.sent_at, d.received_at AS disputed_at").
		Joins("LEFT JOIN overpayment_disputes d ON d.overpayment_id = o.id").
		Where("o.caf IN ? AND o.created_at < ?", cafs, figures.DayStart(to))
	if bounded {
		q = q.Where("o.created_at >= ?", figures.DayStart(from))
	}
	var rows []noticeRow
	if err := q.Order("o.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: overpayments: %w", err)
	}
	c := figures.Changes{}
	for i := 0; i < len(rows); {
		r := rows[i]
		n := figures.Notice{Caf: r.Caf, Large: r.Large, Explained: r.Explained, CallResult: r.CallResult,
			CreatedAt: r.CreatedAt, SentAt: r.SentAt}
		for ; i < len(rows) && rows[i].ID == r.ID; i++ {
			if at := rows[i].DisputedAt; at != nil {
				n.Disputes = append(n.Disputes, *at)
			}
		}
		c.AddNotice(n, 1)
	}
	return figures.Sums(c, cafs, queries), nil
}

// Rollup returns the counts of the rollup that are not zero, for checks
// (a rebuild gives the counts the writes kept).
func (s *Store) Rollup(ctx context.Context) (figures.Changes, error) {
	var rows []FigureRow
	if err := s.db.WithContext(ctx).Where("n <> 0").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	out := make(figures.Changes, len(rows))
	for _, r := range rows {
		out[figures.Key{Caf: r.Caf, Measure: figures.Measure(r.Measure), Day: r.Day, Value: r.Value}] = r.N
	}
	return out, nil
}

// FigureFiles returns what the figures read of every file of cafs, live
// files and imported history alike, for checks of the rollup against the
// files themselves. It reads every row of those Cafs.
func (s *Store) FigureFiles(ctx context.Context, cafs []string) ([]figures.File, error) {
	if len(cafs) == 0 {
		return nil, nil
	}
	var rows []CaseRow
	if err := s.db.WithContext(ctx).Select(figureColumns).Where("caf IN ?", cafs).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	out := make([]figures.File, len(rows))
	for i := range rows {
		out[i] = figureFile(&rows[i])
	}
	return out, nil
}
