package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// How an entry's hash was made.
const (
	// ChainKeyed: HMAC-SHA256, with the trail's key, of the entry's id,
	// the previous hash, its fields and its key id.
	ChainKeyed = "hmac-sha256"
	// ChainLegacy: the unkeyed SHA-256 of the entries written before the
	// trail had a key. Anyone can compute it again, so it is believed only
	// for the trail's beginning, before its first keyed entry, whose
	// signature covers the last legacy hash and so, link by link, every
	// legacy entry before it.
	ChainLegacy = "sha256"
)

// MinTrailKey is the shortest key of the trail, in bytes.
const MinTrailKey = 32

// trailKey is the key that signs the trail's entries, and its id.
type trailKey struct {
	key []byte
	id  string
}

// TrailKeyID names a key without revealing it: the first 8 hex digits of
// its SHA-256.
func TrailKeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// SetTrailKey gives the store the key that signs the access trail; without
// one, RecordAccesses refuses to write. The key is held outside the
// database (RECOURS_AUDIT_KEY, a file): whoever can change the database
// but not read the key cannot chain an entry again. The stores WithLogger
// derives share it.
func (s *Store) SetTrailKey(key []byte) error {
	if len(key) < MinTrailKey {
		return fmt.Errorf("store: the access trail's key holds %d bytes, %d at least", len(key), MinTrailKey)
	}
	s.trail.Store(&trailKey{key: append([]byte(nil), key...), id: TrailKeyID(key)})
	return nil
}

// TrailKeyID is the id of the key set by SetTrailKey, "" when none.
func (s *Store) TrailKeyID() string {
	if k := s.trail.Load(); k != nil {
		return k.id
	}
	return ""
}

// hash is a keyed entry's hash. Each field is written with its length, so
// that no two entries write the same bytes (an actor "a|b" and an address
// "" against "a" and "b|", say); the label keeps these signatures apart
// from any other made with the same key (the checkpoints').
func (k *trailKey) hash(e AccessEntry) string {
	m := hmac.New(sha256.New, k.key)
	for _, f := range []string{"recours-trail-v1", strconv.FormatUint(e.ID, 10), e.PrevHash,
		e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.IP, e.CaseID, e.Caf, e.What, e.KeyID} {
		fmt.Fprintf(m, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// EntryHash is the hash e should have, as e.Chain says it is made: with
// key for a keyed entry, unkeyed after e.PrevHash for a legacy one. For a
// tool or a test that chains entries as the store does.
func EntryHash(key []byte, e AccessEntry) string {
	if e.Chain == ChainLegacy {
		return legacyHash(e.PrevHash, e)
	}
	return (&trailKey{key: key, id: TrailKeyID(key)}).hash(e)
}

// legacyHash is the hash of an entry written before the trail had a key:
// SHA-256 of the previous hash and the entry's fields, in a fixed order.
func legacyHash(prev string, e AccessEntry) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%s", prev, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.IP, e.CaseID, e.Caf, e.What)
	return hex.EncodeToString(h.Sum(nil))
}

// Why an entry breaks the chain.
const (
	// BreakLink: its previous hash is not the hash of the entry before it
	// (an entry removed or inserted before it, or the chain made again).
	BreakLink = "link"
	// BreakHash: its hash is not that of its fields (the entry altered, or
	// chained with another key).
	BreakHash = "hash"
	// BreakUnkeyed: an unkeyed entry after a keyed one.
	BreakUnkeyed = "unkeyed"
	// BreakOtherKey: signed by another key than the store's (its KeyID).
	BreakOtherKey = "other-key"
	// BreakNoKey: a keyed entry, and the store has no key to check it.
	BreakNoKey = "no-key"
	// BreakChain: a chain this store does not know.
	BreakChain = "chain"
)

// TrailBreak is an entry that does not hold in the chain.
type TrailBreak struct {
	ID     uint64
	Reason string
	KeyID  string // the entry's, for BreakOtherKey
}

// TrailGap is a run of missing ids, From to To included, before the entry
// To+1. Legacy says the entry after it is unkeyed: its id was drawn from
// the table's sequence, where a transaction that rolled back leaves a hole.
type TrailGap struct {
	From, To uint64
	Legacy   bool
}

// TrailPoint is an entry a checkpoint names, as found by the walk: its hash
// and how many entries there are up to it.
type TrailPoint struct {
	Hash string
	Rank int64
}

// maxReported bounds the breaks and gaps a check lists (it counts them all).
const maxReported = 100

// TrailCheck is what a walk of the whole trail found.
type TrailCheck struct {
	Entries int64      // entries walked
	Legacy  int64      // unkeyed entries, before the first keyed one
	Intact  int64      // entries before the first break
	Last    AccessHead // the newest entry
	// Breaks (the first maxReported) and their number. After a break the
	// walk goes on from the entry's own hash, so that one altered entry is
	// one break and the others are still checked.
	Breaks  []TrailBreak
	NBreaks int64
	// Gaps (the first maxReported), their number, and how many of them
	// are Legacy.
	Gaps        []TrailGap
	NGaps       int64
	NLegacyGaps int64
	// Points are the wanted entries found.
	Points map[uint64]TrailPoint
}

// CheckAccessTrail walks the whole trail in order: every link, with the
// store's key for the keyed entries; every id, which follow each other
// from 1; and, for each id of want (the entries checkpoints name), its
// hash and rank.
func (s *Store) CheckAccessTrail(ctx context.Context, want map[uint64]bool) (TrailCheck, error) {
	key := s.trail.Load()
	c := TrailCheck{Points: map[uint64]TrailPoint{}}
	prev, keyed := "", false
	var after uint64
	broken := func(b TrailBreak) {
		if c.NBreaks == 0 {
			c.Intact = c.Entries
		}
		c.NBreaks++
		if len(c.Breaks) < maxReported {
			c.Breaks = append(c.Breaks, b)
		}
	}
	for {
		var batch []AccessEntry
		if err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return c, fmt.Errorf("store: access trail: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for _, e := range batch {
			legacy := e.Chain == ChainLegacy
			if e.ID != after+1 {
				g := TrailGap{From: after + 1, To: e.ID - 1, Legacy: legacy && !keyed}
				c.NGaps++
				if g.Legacy {
					c.NLegacyGaps++
				}
				if len(c.Gaps) < maxReported {
					c.Gaps = append(c.Gaps, g)
				}
			}
			switch {
			case e.Chain == ChainKeyed && key == nil:
				broken(TrailBreak{ID: e.ID, Reason: BreakNoKey})
			case e.Chain == ChainKeyed && e.KeyID != key.id:
				broken(TrailBreak{ID: e.ID, Reason: BreakOtherKey, KeyID: e.KeyID})
			case legacy && keyed:
				broken(TrailBreak{ID: e.ID, Reason: BreakUnkeyed})
			case !legacy && e.Chain != ChainKeyed:
				broken(TrailBreak{ID: e.ID, Reason: BreakChain})
			case e.PrevHash != prev:
				broken(TrailBreak{ID: e.ID, Reason: BreakLink})
			case legacy && legacyHash(prev, e) != e.Hash,
				!legacy && !hmac.Equal([]byte(key.hash(e)), []byte(e.Hash)):
				broken(TrailBreak{ID: e.ID, Reason: BreakHash})
			}
			keyed = keyed || e.Chain == ChainKeyed
			c.Entries++
			if legacy && !keyed {
				c.Legacy++
			}
			if want[e.ID] {
				c.Points[e.ID] = TrailPoint{Hash: e.Hash, Rank: c.Entries}
			}
			prev, after = e.Hash, e.ID
			c.Last = AccessHead{ID: e.ID, Hash: e.Hash, Count: c.Entries}
		}
	}
	if c.NBreaks == 0 {
		c.Intact = c.Entries
	}
	return c, nil
}

// VerifyAccessTrail walks the whole trail in order and returns the number
// of entries before the first whose hash or link does not hold, and its id
// (0 when the chain is whole). CheckAccessTrail says more.
func (s *Store) VerifyAccessTrail(ctx context.Context) (n int64, broken uint64, err error) {
	c, err := s.CheckAccessTrail(ctx, nil)
	if err != nil || c.NBreaks == 0 {
		return c.Entries, 0, err
	}
	return c.Intact, c.Breaks[0].ID, nil
}
