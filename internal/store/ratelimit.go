package store

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// rateHitsMigration adds the counts of the shared rate limit: one row per
// key (a hashed address or credential) and window. On PostgreSQL the
// table is UNLOGGED: counts of the last seconds need no write-ahead log
// and are worth losing in a crash.
var rateHitsMigration = &gormigrate.Migration{
	ID: "202612090004_rate_hits",
	Migrate: func(tx *gorm.DB) error {
		unlogged := "UNLOGGED "
		if tx.Dialector.Name() == "sqlite" {
			unlogged = ""
		}
		return tx.Exec("CREATE " + unlogged + "TABLE IF NOT EXISTS rate_hits (" +
			"key VARCHAR(80) NOT NULL, window_start BIGINT NOT NULL, hits BIGINT NOT NULL, " +
			"PRIMARY KEY (key, window_start))").Error
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("rate_hits") },
}

// RateCounter counts requests in windows shared by every API process
// (httpx.Counter): one statement a request, whatever the number of keys.
type RateCounter struct {
	s     *Store
	swept atomic.Int64 // start of the newest window swept (unix s)
}

// RateCounter is the shared counter of the rate limits over this store.
func (s *Store) RateCounter() *RateCounter { return &RateCounter{s: s} }

// rateKeep is how long a window's counts are kept.
const rateKeep = 10 * time.Minute

// Hit adds one to the count of each key in the window starting at start
// and returns the counts, in the order of keys. Keys are written in
// sorted order, so two requests never lock the same rows in opposite
// orders.
func (r *RateCounter) Hit(ctx context.Context, start time.Time, keys []string) ([]int64, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	window := start.Unix()
	values := make([]string, len(sorted))
	args := make([]any, 0, 2*len(sorted))
	for i, k := range sorted {
		values[i] = "(?, ?, 1)"
		args = append(args, k, window)
	}
	var rows []struct {
		Key  string
		Hits int64
	}
	if r.s.sqlite {
		defer r.s.writeLock()()
	}
	err := r.s.db.WithContext(ctx).Raw("INSERT INTO rate_hits (key, window_start, hits) VALUES "+strings.Join(values, ", ")+
		" ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_hits.hits + 1 RETURNING key, hits", args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: rate count: %w", err)
	}
	by := make(map[string]int64, len(rows))
	for _, row := range rows {
		by[row.Key] = row.Hits
	}
	out := make([]int64, len(keys))
	for i, k := range keys {
		out[i] = by[k]
	}
	if last := r.swept.Load(); window-last >= 60 && r.swept.CompareAndSwap(last, window) {
		go r.sweep(context.WithoutCancel(ctx), start.Add(-rateKeep))
	}
	return out, nil
}

// sweep forgets the windows that ended before before.
func (r *RateCounter) sweep(ctx context.Context, before time.Time) {
	if r.s.sqlite {
		defer r.s.writeLock()()
	}
	if err := r.s.db.WithContext(ctx).Exec("DELETE FROM rate_hits WHERE window_start < ?", before.Unix()).Error; err != nil {
		slog.WarnContext(ctx, "forgetting old rate counts failed", "err", err)
	}
}
