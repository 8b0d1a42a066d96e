package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// FigureRow is one count of the figures' rollup (table figures_rollup):
// how many files of a Caf count under a measure, for one value, on one
// day (a Paris calendar day, as a number of days since 1970-01-01). The
// rollup is kept in the transaction that writes a file's row (Save, the
// history import, any create through GORM): each file adds its
// contributions (contributions), a change of the file subtracts its old
// ones and adds the new. So the figures of a Caf-year read tens of
// thousands of small rows instead of every file (internal/reports).
//
// A count may fall to zero and stay: readers skip those.
type FigureRow struct {
	Caf     string `gorm:"primaryKey;size:3"`
	Measure string `gorm:"primaryKey"`
	Day     int32  `gorm:"primaryKey;autoIncrement:false"`
	Value   string `gorm:"primaryKey"`
	N       int64  `gorm:"not null"`
}

// TableName names the rollup table.
func (FigureRow) TableName() string { return "figures_rollup" }

// The measures of the rollup. A complaint counts on the day it was
// received (received and its channel, benefit, reason and acknowledgment
// status), on the day it was answered (handled, and its elapsed days,
// paused days removed and raw), on the day of its implicit rejection, and
// in the flows of files open (and overdue): +1 on the day it opens, −1 on
// the day it stops, so that the files open at the end of a day E are the
// sum of the flow over the days before E. A mediation file counts on the
// day it was received, by origin, reason, benefit and outcome; a referral
// of the Défenseur des droits also by whether it was decided, and by the
// date the Défenseur expected.
const (
	MeasureReceived          = "received"
	MeasureChannel           = "channel"
	MeasureBenefit           = "benefit"
	MeasureReason            = "reason"
	MeasureAck               = "ack"
	MeasureHandled           = "handled"
	MeasureElapsed           = "elapsed"
	MeasureElapsedRaw        = "elapsed_raw"
	MeasureImplicitRejection = "implicit_rejection"
	MeasureOpen              = "open"
	MeasureOverdue           = "overdue"
	MeasureMediation         = "mediation"
	MeasureOrigin            = "origin"
	MeasureMedReason         = "med_reason"
	MeasureMedBenefit        = "med_benefit"
	MeasureOutcome           = "outcome"
	MeasureReferral          = "referral"
	MeasureReferralDecided   = "referral_decided"
	MeasureReferralInTime    = "referral_in_time"
)

// DayOf is the Paris calendar day of t, as the rollup numbers days.
func DayOf(t time.Time) int32 {
	y, m, d := t.In(calendar.Paris).Date()
	return DayNumber(y, m, d)
}

// DayNumber is the number of the calendar day y-m-d (days since
// 1970-01-01).
func DayNumber(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// FigureKey identifies a count of the rollup.
type FigureKey struct {
	Caf, Measure string
	Day          int32
	Value        string
}

// Figures are changes to the rollup, summed by key before they are
// written: the contributions of the files written, minus those of the
// rows they replaced.
type Figures map[FigureKey]int64

// Add adds sign times the contributions of row (sign is 1 for a row
// written, -1 for the row it replaces).
func (f Figures) Add(row *CaseRow, sign int64) {
	add := func(measure string, day int32, value string) {
		f[FigureKey{row.Caf, measure, day, value}] += sign
	}
	stop := func(measure string, day int32) {
		f[FigureKey{row.Caf, measure, day, ""}] -= sign
	}
	received := DayOf(row.ReceivedAt)
	switch domain.Kind(row.Kind) {
	case domain.KindComplaint:
		add(MeasureReceived, received, "")
		add(MeasureChannel, received, row.Channel)
		add(MeasureBenefit, received, row.Benefit)
		add(MeasureReason, received, row.Reason)
		add(MeasureAck, received, row.AckStatus)
		if row.AnsweredAt != nil {
			answered := DayOf(*row.AnsweredAt)
			add(MeasureHandled, answered, "")
			if row.ElapsedDays != nil {
				add(MeasureElapsed, answered, strconv.Itoa(*row.ElapsedDays))
			}
			if row.ElapsedDaysRaw != nil {
				add(MeasureElapsedRaw, answered, strconv.Itoa(*row.ElapsedDaysRaw))
			}
		}
		if row.ImplicitRejectionAt != nil {
			add(MeasureImplicitRejection, DayOf(*row.ImplicitRejectionAt), "")
		}
		// Open at the end of day E: received before E, and neither
		// answered nor closed before E. A file that stopped before its
		// receipt is never open (its stop is moved to its receipt).
		end := row.AnsweredAt
		if row.ClosedAt != nil && (end == nil || row.ClosedAt.Before(*end)) {
			end = row.ClosedAt
		}
		add(MeasureOpen, received, "")
		if end != nil {
			stop(MeasureOpen, max(DayOf(*end), received))
		}
		// Overdue at the end of E: open then, and its legal date before E.
		if row.LegalDue != nil {
			from := max(received, DayOf(*row.LegalDue))
			add(MeasureOverdue, from, "")
			if end != nil {
				stop(MeasureOverdue, max(DayOf(*end), from))
			}
		}
	case domain.KindMediation:
		add(MeasureMediation, received, "")
		add(MeasureOrigin, received, row.Origin)
		add(MeasureMedReason, received, row.Reason)
		add(MeasureMedBenefit, received, row.Benefit)
		if row.Outcome != "" {
			add(MeasureOutcome, received, row.Outcome)
		}
		if row.Origin == string(domain.OriginDDD) {
			add(MeasureReferral, received, "")
			if row.DecidedAt != nil {
				add(MeasureReferralDecided, received, "")
				if row.LegalDue != nil && !row.DecidedAt.After(*row.LegalDue) {
					add(MeasureReferralInTime, received, "")
				}
			}
		}
	}
}

// Rows are the changes that are not zero, in the order of the table's key
// (so that concurrent writers lock the counts they share in one order).
func (f Figures) Rows() []FigureRow {
	keys := slices.SortedFunc(maps.Keys(f), func(a, b FigureKey) int {
		return cmp.Or(cmp.Compare(a.Caf, b.Caf), cmp.Compare(a.Measure, b.Measure),
			cmp.Compare(a.Day, b.Day), cmp.Compare(a.Value, b.Value))
	})
	out := make([]FigureRow, 0, len(keys))
	for _, k := range keys {
		if n := f[k]; n != 0 {
			out = append(out, FigureRow{Caf: k.Caf, Measure: k.Measure, Day: k.Day, Value: k.Value, N: n})
		}
	}
	return out
}

// UpsertFigures is the PostgreSQL statement that adds rows given as five
// arrays (caf, measure, day, value, n) to the rollup, for a pgx
// connection.
const UpsertFigures = `INSERT INTO figures_rollup (caf, measure, day, value, n)
	SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[])
	ON CONFLICT (caf, measure, day, value) DO UPDATE SET n = figures_rollup.n + excluded.n`

// Write adds the changes to the rollup through tx, and empties f.
func (f Figures) Write(tx *gorm.DB) error {
	rows := f.Rows()
	clear(f)
	for chunk := range slices.Chunk(rows, 1000) {
		err := tx.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "caf"}, {Name: "measure"}, {Name: "day"}, {Name: "value"}},
			DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr("figures_rollup.n + excluded.n")}),
		}).Create(&chunk).Error
		if err != nil {
			return fmt.Errorf("store: figures: %w", err)
		}
	}
	return nil
}

// AfterCreate adds the contributions of a file's row created through GORM
// (tests, tools) to the rollup, in the same transaction. Save and the
// import skip this hook and write the rollup themselves.
func (r *CaseRow) AfterCreate(tx *gorm.DB) error {
	f := Figures{}
	f.Add(r, 1)
	return f.Write(tx)
}

// figureColumns are the columns of cases the rollup reads.
var figureColumns = []string{"id", "kind", "caf", "channel", "benefit", "reason", "origin", "outcome",
	"received_at", "legal_due", "answered_at", "decided_at", "closed_at", "ack_status",
	"elapsed_days", "elapsed_days_raw", "implicit_rejection_at", "version"}

// lockRow reads the row of id that a write is to replace, with what the
// rollup and the write's rules need, locked (PostgreSQL: FOR UPDATE;
// SQLite writes one transaction at a time), so that the contributions
// subtracted are those of the row replaced. found is false when there is
// none yet.
func lockRow(tx *gorm.DB, id string) (old CaseRow, found bool, err error) {
	q := tx.Select(append(figureColumns, "write_run", "write_task")).Where("id = ?", id)
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	res := q.Limit(1).Find(&old)
	if res.Error != nil {
		return old, false, fmt.Errorf("store: case: %w", res.Error)
	}
	return old, res.RowsAffected == 1, nil
}

// saveRow writes a file's row, unless the row there is as new, and moves
// the rollup from the row it replaces to it, in tx. A row not there yet is
// inserted with ON CONFLICT DO NOTHING: when another transaction created
// it meanwhile, it is read again, locked.
func saveRow(tx *gorm.DB, row *CaseRow, upsert func(*gorm.DB, *CaseRow) *gorm.DB) error {
	tx = tx.Session(&gorm.Session{SkipHooks: true})
	for range 2 {
		old, found, err := lockRow(tx, row.ID)
		if err != nil {
			return err
		}
		f := Figures{}
		if !found {
			ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
			if ins.Error != nil {
				return fmt.Errorf("store: case: %w", ins.Error)
			}
			if ins.RowsAffected == 0 {
				continue // created meanwhile by another transaction
			}
			f.Add(row, 1)
			return f.Write(tx)
		}
		if old.Version >= row.Version {
			return nil // the projection only moves forward
		}
		if err := upsert(tx, row).Error; err != nil {
			return fmt.Errorf("store: case: %w", err)
		}
		f.Add(&old, -1)
		f.Add(row, 1)
		return f.Write(tx)
	}
	return fmt.Errorf("store: case %s: created and gone meanwhile", row.ID)
}

// RebuildRollup recomputes the rollup from every row of cases, in one
// transaction: for rows written around the store (a bulk COPY) and for
// repair. It reads cases in pages of the primary key.
func (s *Store) RebuildRollup(ctx context.Context) error {
	defer s.writeLock()()
	return s.DB.WithContext(ctx).Transaction(rebuildRollup)
}

// rebuildRollup empties the rollup and adds the contributions of every
// row of cases, through tx.
func rebuildRollup(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM figures_rollup").Error; err != nil {
		return fmt.Errorf("store: rebuild figures: %w", err)
	}
	const page = 20_000
	f := Figures{}
	after := ""
	for {
		var rows []CaseRow
		if err := tx.Select(figureColumns).Where("id > ?", after).Order("id").Limit(page).Find(&rows).Error; err != nil {
			return fmt.Errorf("store: rebuild figures: %w", err)
		}
		for i := range rows {
			f.Add(&rows[i], 1)
		}
		if len(f) > 200_000 || len(rows) < page {
			if err := f.Write(tx); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
