package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
	"recours/internal/figures"
)

// Record is what one save writes (see domain.Record).
type Record = domain.Record

// errCreatedMeanwhile makes a write retry: the row it meant to create was
// created by another transaction meanwhile.
var errCreatedMeanwhile = errors.New("store: the file's row was created meanwhile, retry")

// Save writes a record in one transaction, so a retried Save writes
// nothing twice. An ordered record makes the store hold the file as the
// record has it (see Record.Ordered); an unordered one writes the events
// not yet there, keyed by (case, seq), and moves the projection forward
// only (its version is the seq of the last event).
func (s *Store) Save(ctx context.Context, r Record) error {
	if len(r.Changes) == 0 && (!r.Ordered || r.Seq == 0) {
		return errors.New("store: a record needs at least one change, or an ordered record its seq")
	}
	data, err := json.Marshal(r.Case)
	if err != nil {
		return fmt.Errorf("store: encode case: %w", err)
	}
	c := r.Case
	row := rowOf(c, r.LastSeq(), string(data))
	row.WriteRun, row.WriteTask = r.Run, r.Task
	defer s.writeLock()()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if r.Ordered {
			return saveOrdered(tx, r, &row)
		}
		for _, ch := range r.Changes {
			if err := saveChange(tx, c, ch); err != nil {
				return err
			}
		}
		return saveRow(tx, &row, upsertRow) // the row, and the figures' rollup with it
	})
}

// saveOrdered writes an ordered record through tx: the events it holds
// (replacing those a lost task wrote at the same seqs, with their queue
// entries), none beyond, and the row.
func saveOrdered(tx *gorm.DB, r Record, row *CaseRow) error {
	tx = tx.Session(&gorm.Session{SkipHooks: true})
	old, found, err := lockRow(tx, row.ID)
	if err != nil {
		return err
	}
	if found && old.WriteRun == r.Run && old.WriteTask > r.Task {
		return nil // a later workflow task wrote the file: this one was overtaken
	}
	if err := replaceChanges(tx, r); err != nil {
		return err
	}
	// A record from seq 1 holds the whole timeline (a creation, a resync):
	// nothing may follow it.
	if found && (old.Version > row.Version || (len(r.Changes) > 0 && r.Changes[0].Event.Seq == 1)) {
		// Written by a task that never completed: the workflow has no such events.
		for _, m := range []any{&EventRow{}, &Notification{}} {
			if err := tx.Where("case_id = ? AND seq > ?", row.ID, row.Version).Delete(m).Error; err != nil {
				return fmt.Errorf("store: events beyond %d: %w", row.Version, err)
			}
		}
	}
	f := figures.Changes{}
	if !found {
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
		if ins.Error != nil {
			return fmt.Errorf("store: case: %w", ins.Error)
		}
		if ins.RowsAffected == 0 {
			return errCreatedMeanwhile
		}
	} else {
		if err := tx.Select("*").Omit("created_at", "imported", "reference", "ref_number").Save(row).Error; err != nil {
			return fmt.Errorf("store: case: %w", err)
		}
		f.Add(figureFile(&old), -1)
	}
	f.Add(figureFile(row), 1)
	return writeFigures(tx, f)
}

// replaceChanges writes the record's events: one already there as the
// record has it (an earlier try of this write) stays, with its queue
// entries as their recipients left them; one that differs (a lost task's)
// is replaced, and its queue entries with it.
func replaceChanges(tx *gorm.DB, r Record) error {
	if len(r.Changes) == 0 {
		return nil
	}
	c := r.Case
	first, last := r.Changes[0].Event.Seq, r.Changes[len(r.Changes)-1].Event.Seq
	var there []EventRow
	if err := tx.Where("case_id = ? AND seq BETWEEN ? AND ?", c.ID, first, last).Find(&there).Error; err != nil {
		return fmt.Errorf("store: events: %w", err)
	}
	bySeq := make(map[int64]EventRow, len(there))
	for _, ev := range there {
		bySeq[ev.Seq] = ev
	}
	for _, ch := range r.Changes {
		row, err := eventRowOf(c, ch.Event)
		if err != nil {
			return err
		}
		row.WriteTask = r.Task
		prev, ok := bySeq[row.Seq]
		if ok && sameEvent(prev, row) {
			continue
		}
		if ok {
			if err := tx.Where("case_id = ? AND seq = ?", c.ID, row.Seq).Delete(&Notification{}).Error; err != nil {
				return fmt.Errorf("store: notifications: %w", err)
			}
			if err := tx.Save(&row).Error; err != nil {
				return fmt.Errorf("store: event: %w", err)
			}
		} else if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: event: %w", err)
		}
		if err := createNotifications(tx, c, ch); err != nil {
			return err
		}
	}
	return nil
}

// sameEvent reports whether two rows are the same entry of the timeline
// (times compared to the microsecond PostgreSQL keeps).
func sameEvent(a, b EventRow) bool {
	return a.Action == b.Action && a.Actor == b.Actor && a.FromStatus == b.FromStatus &&
		a.ToStatus == b.ToStatus && a.Details == b.Details &&
		a.At.Truncate(time.Microsecond).Equal(b.At.Truncate(time.Microsecond))
}

// eventRowOf is the timeline row of ev, an event of c.
func eventRowOf(c domain.Case, ev domain.Event) (EventRow, error) {
	details := ""
	if len(ev.Details) > 0 {
		b, err := json.Marshal(ev.Details)
		if err != nil {
			return EventRow{}, fmt.Errorf("store: encode details: %w", err)
		}
		details = string(b)
	}
	return EventRow{CaseID: c.ID, Seq: ev.Seq, Caf: c.Caf, At: ev.At, Actor: ev.Actor,
		Action: ev.Action, FromStatus: string(ev.FromStatus), ToStatus: string(ev.ToStatus), Details: details}, nil
}

// saveChange writes an event not yet there, with its queue entries; an
// event already there (written by an earlier attempt) is left as it is.
func saveChange(tx *gorm.DB, c domain.Case, ch domain.Change) error {
	row, err := eventRowOf(c, ch.Event)
	if err != nil {
		return err
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return fmt.Errorf("store: event: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil // written by an earlier attempt, with its queue entries
	}
	return createNotifications(tx, c, ch)
}

func createNotifications(tx *gorm.DB, c domain.Case, ch domain.Change) error {
	for _, n := range ch.Notifications {
		nr := Notification{CaseID: c.ID, Seq: ch.Event.Seq, Recipient: n.Recipient, Caf: c.Caf,
			Kind: n.Kind, Message: n.Message, DueAt: n.DueAt, CreatedAt: ch.Event.At}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&nr).Error; err != nil {
			return fmt.Errorf("store: notification: %w", err)
		}
	}
	return nil
}

// upsertRow writes the projection row, unless a newer one is there.
func upsertRow(tx *gorm.DB, row *CaseRow) *gorm.DB {
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "sla_status", "assignee",
			"parent_id", "ddd_reference", "outcome", "target_due", "legal_due", "answered_at",
			"decided_at", "closed_at", "ack_status", "elapsed_days", "elapsed_days_raw",
			"paused_seconds", "implicit_rejection_at", "clock_paused", "name_key", "email_key", "phone_key", "version", "write_run", "write_task", "data", "updated_at"}),
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "cases.version < excluded.version"}}},
	}).Create(row)
}
