package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// AccessEntry records one read of a file: who, when, from where, which
// file, what was read. Entries are chained: each hashes the previous one,
// so an entry altered or removed afterwards breaks the chain.
type AccessEntry struct {
	ID       uint64    `gorm:"primaryKey;autoIncrement" json:"id"`
	At       time.Time `gorm:"not null" json:"at"`
	Actor    string    `gorm:"index;not null" json:"actor"`
	IP       string    `json:"ip"`
	CaseID   string    `gorm:"index;size:36;not null" json:"case_id"`
	Caf      string    `gorm:"index;size:3;not null" json:"caf"`
	What     string    `gorm:"not null" json:"what"`
	PrevHash string    `gorm:"size:64;not null" json:"prev_hash"`
	Hash     string    `gorm:"size:64;not null" json:"hash"`
}

// ListedPrefix begins the what of a list's entry, followed by the ids of
// the files it showed, separated by spaces: one entry for a page of files.
const ListedPrefix = "list: "

// TableName names the access trail.
func (AccessEntry) TableName() string { return "access_trail" }

// chainHash is an entry's hash: SHA-256 of the previous hash and the
// entry's fields, in a fixed order.
func chainHash(prev string, e AccessEntry) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%s", prev, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.IP, e.CaseID, e.Caf, e.What)
	return hex.EncodeToString(h.Sum(nil))
}

// accessLockKey serialises appends on PostgreSQL (an advisory lock held for
// the transaction): each entry must see the one before it.
const accessLockKey = 726_1001

// RecordAccess appends an entry to the access trail.
func (s *Store) RecordAccess(ctx context.Context, e AccessEntry) error {
	return s.RecordAccesses(ctx, []AccessEntry{e})
}

// RecordAccesses appends entries to the access trail in one transaction,
// in order: a list records each file it returned.
func (s *Store) RecordAccesses(ctx context.Context, entries []AccessEntry) error {
	if len(entries) == 0 {
		return nil
	}
	defer s.writeLock()()
	tx := s.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		return tx.Error
	}
	defer tx.Rollback()
	if !s.sqlite {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", accessLockKey).Error; err != nil {
			return fmt.Errorf("store: access trail lock: %w", err)
		}
	}
	var last AccessEntry
	if err := tx.Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return fmt.Errorf("store: access trail: %w", err)
	}
	prev := last.Hash
	rows := make([]AccessEntry, len(entries))
	for i, e := range entries {
		// Microseconds: what both databases keep, so the hash verifies later.
		e.At = e.At.UTC().Truncate(time.Microsecond)
		e.ID = 0
		e.PrevHash = prev
		e.Hash = chainHash(e.PrevHash, e)
		rows[i], prev = e, e.Hash
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("store: access trail: %w", err)
	}
	return tx.Commit().Error
}

// VerifyAccessTrail walks the whole trail in order and returns the number
// of entries, and the id of the first entry whose hash or link does not
// hold (0 when the chain is whole).
func (s *Store) VerifyAccessTrail(ctx context.Context) (n int64, broken uint64, err error) {
	prev := ""
	var after uint64
	for {
		var batch []AccessEntry
		if err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return n, 0, err
		}
		if len(batch) == 0 {
			return n, 0, nil
		}
		for _, e := range batch {
			if e.PrevHash != prev || chainHash(prev, e) != e.Hash {
				return n, e.ID, nil
			}
			prev, after = e.Hash, e.ID
			n++
		}
	}
}

// AccessFilter selects entries of the trail, newest first.
type AccessFilter struct {
	Cafs   []string
	CaseID string
	Actor  string
	Before uint64 // the id of the last entry of the previous page
	Limit  int
}

// AccessEntries returns the entries matching f, newest first, and whether
// more follow.
func (s *Store) AccessEntries(ctx context.Context, f AccessFilter) ([]AccessEntry, bool, error) {
	if len(f.Cafs) == 0 {
		return nil, false, nil
	}
	q := s.db.WithContext(ctx).Where("caf IN ?", f.Cafs)
	if f.CaseID != "" {
		// A list's entry names the files it showed in its what.
		q = q.Where("case_id = ? OR (case_id = '' AND what LIKE ?)", f.CaseID, ListedPrefix+"%"+f.CaseID+"%")
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", strings.ToLower(f.Actor))
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []AccessEntry
	if err := q.Order("id DESC").Limit(f.Limit + 1).Find(&out).Error; err != nil {
		return nil, false, err
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}
