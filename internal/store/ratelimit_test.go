package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// TestRateCounter_CountsEachKeyPerWindowAcrossCounters: two counters over
// one database (two API processes) add to the same counts, in the order of
// the keys asked, and a new window starts from one.
func TestRateCounter_CountsEachKeyPerWindowAcrossCounters(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, b := st.RateCounter(), st.RateCounter()
		w := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		got, err := a.Hit(ctx, w, []string{"token:x", "ip:y"})
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 1}, got)
		got, err = b.Hit(ctx, w, []string{"ip:y", "token:x"})
		require.NoError(t, err)
		assert.Equal(t, []int64{2, 2}, got, "the other process counts in the same window")
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := a.Hit(ctx, w, []string{"token:x", "ip:y"})
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		got, err = a.Hit(ctx, w, []string{"token:x"})
		require.NoError(t, err)
		assert.Equal(t, []int64{23}, got, "concurrent hits all count")
		got, err = a.Hit(ctx, w.Add(10*time.Second), []string{"token:x"})
		require.NoError(t, err)
		assert.Equal(t, []int64{1}, got, "a new window")
	})
}
