package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AccessEntry records one read of a file: who, when, from where, which
// file, what was read. Entries are chained: each signs the previous one's
// hash with the trail's key (see access_chain.go), so an entry altered or
// removed afterwards breaks the chain, and nobody without the key can
// compute a chain again.
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
	// Chain is how Hash was made: ChainKeyed, or ChainLegacy for the
	// entries written before the trail had a key.
	Chain string `gorm:"size:16;not null;default:'sha256'" json:"chain"`
	// KeyID names the key of a keyed entry (TrailKeyID), so that a key
	// rotation can tell which key verifies which entries.
	KeyID string `gorm:"size:8;not null;default:''" json:"key_id"`
}

// ListedPrefix begins the what of a list's entry, followed by the ids of
// the files it showed, separated by spaces: one entry for a page of files.
const ListedPrefix = "list: "

// TableName names the access trail.
func (AccessEntry) TableName() string { return "access_trail" }

// accessLockKey serialises appends on PostgreSQL (an advisory lock held for
// the transaction): each entry must see the one before it.
const accessLockKey = 726_1001

// RecordAccess appends an entry to the access trail.
func (s *Store) RecordAccess(ctx context.Context, e AccessEntry) error {
	return s.RecordAccesses(ctx, []AccessEntry{e})
}

// RecordAccesses appends entries to the access trail in one transaction,
// in order: a list records each file it returned. It fails without a key
// (SetTrailKey): an entry nobody can verify is not written, and a read
// that cannot be traced is not served.
//
// The ids are the last entry's plus one, drawn under the lock rather than
// from the table's sequence: a transaction that rolls back leaves no hole,
// so the ids of the keyed trail are consecutive and a missing id is an
// entry removed.
func (s *Store) RecordAccesses(ctx context.Context, entries []AccessEntry) error {
	if len(entries) == 0 {
		return nil
	}
	key := s.trail.Load()
	if key == nil {
		return fmt.Errorf("store: access trail: no key (SetTrailKey)")
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
	prev, id := last.Hash, last.ID
	rows := make([]AccessEntry, len(entries))
	for i, e := range entries {
		// Microseconds: what both databases keep, so the hash verifies later.
		e.At = e.At.UTC().Truncate(time.Microsecond)
		id++
		e.ID, e.PrevHash, e.Chain, e.KeyID = id, prev, ChainKeyed, key.id
		e.Hash = key.hash(e)
		rows[i], prev = e, e.Hash
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("store: access trail: %w", err)
	}
	return tx.Commit().Error
}

// AccessHead is the newest entry of the trail: its id, its hash, and how
// many entries there are up to it.
type AccessHead struct {
	ID    uint64
	Hash  string
	Count int64
}

// AccessTrailHead returns the trail's newest entry (a zero head when the
// trail is empty), what a checkpoint records.
func (s *Store) AccessTrailHead(ctx context.Context) (AccessHead, error) {
	var last AccessEntry
	db := s.db.WithContext(ctx)
	if err := db.Select("id", "hash").Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return AccessHead{}, fmt.Errorf("store: access trail: %w", err)
	}
	if last.ID == 0 {
		return AccessHead{}, nil
	}
	h := AccessHead{ID: last.ID, Hash: last.Hash}
	// Up to the head only: entries appended since are not this head's.
	if err := db.Model(&AccessEntry{}).Where("id <= ?", last.ID).Count(&h.Count).Error; err != nil {
		return AccessHead{}, fmt.Errorf("store: access trail: %w", err)
	}
	return h, nil
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
