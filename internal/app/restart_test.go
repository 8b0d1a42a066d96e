package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/testutil"
)

// TestRestart_DeadlineFiresAfterRestart opens a file whose legal limit
// falls a few seconds later, stops the whole process (API, worker and
// Temporal server), starts it again on the same data directory, and waits:
// the deadline still fires, once.
func TestRestart_DeadlineFiresAfterRestart(t *testing.T) {
	dir := t.TempDir()
	r := testutil.StartIn(t, dir, "")
	// Received 15 days ago, less 20 s, and counted by the clock as files
	// registered before the code's counting are: the legal limit passes in
	// 20 s.
	c := testutil.ClockCountedComplaint("1234567", time.Now().UTC().Add(-15*24*time.Hour+20*time.Second))
	testutil.StartFile(t, r.Client, c)
	id := c.ID
	r.Stop()

	r = testutil.StartIn(t, dir, "")
	var file map[string]any
	require.Eventually(t, func() bool {
		file = r.Do("GET", "/api/v1/cases/"+id, "manager.demo", nil).Map(t)
		return file["sla_status"] == "overdue"
	}, 90*time.Second, 500*time.Millisecond, "the legal limit fired after the restart")
	assert.Equal(t, "open", file["status"], "the status stays what it was")

	var timeline struct{ Items []struct{ Action string } }
	r.Do("GET", "/api/v1/cases/"+id+"/events", "manager.demo", nil).JSON(t, &timeline)
	var passed int
	for _, ev := range timeline.Items {
		if ev.Action == "legal_limit_passed" {
			passed++
		}
	}
	assert.Equal(t, 1, passed, "the legal limit is recorded once")
	notes, err := r.Store.CaseNotifications(context.Background(), id)
	require.NoError(t, err)
	var n int
	for _, note := range notes {
		if note.Kind == "legal_limit_passed" && note.Recipient == "role:manager" {
			n++
		}
	}
	assert.Equal(t, 1, n, "the managers' queue has the file once")
}
