package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/testutil"
)

// The check finds each way a store can disagree with the workflows (a row
// behind or ahead, an event lost, an event a lost task wrote, a file's row
// gone) and, with --repair, has each workflow write its file again, after
// which the store agrees.
func TestCheckConsistency_FindsAndRepairs(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r := testutil.Start(t, db.URL(t))
			ctx := context.Background()
			ids := make([]string, 5)
			for i := range ids {
				resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
				require.Equal(t, 201, resp.Status, string(resp.Body))
				ids[i] = resp.Map(t)["id"].(string)
				resp = r.Do("POST", "/api/v1/cases/"+ids[i]+"/actions/assign", "manager.demo", map[string]any{"assignee": "gca.demo"})
				require.Equal(t, 200, resp.Status, string(resp.Body))
			}
			// Every message to the claimant has been written.
			require.Eventually(t, func() bool {
				rep, err := app.CheckConsistency(ctx, r.Store, r.Client, r.Temporal.Namespace(), false)
				return err == nil && rep.Clean() && rep.Checked >= len(ids)
			}, 20*time.Second, 200*time.Millisecond, "a fresh store should agree with its workflows")

			raw := r.SQL()
			exec := func(sql string, args ...any) {
				t.Helper()
				_, err := raw.Exec(sql, args...)
				require.NoError(t, err)
			}
			exec("UPDATE cases SET version = version - 1, status = 'open', data = replace(data, '\"assigned\"', '\"open\"') WHERE id = $1", ids[0])
			exec("DELETE FROM case_events WHERE case_id = $1 AND seq = 1", ids[1])
			exec("INSERT INTO case_events (case_id, seq, caf, at, actor, action, from_status, to_status, details, write_task) VALUES ($1, 99, '071', $2, 'ghost', 'start', 'assigned', 'in_progress', '', 1)",
				ids[2], time.Now().UTC())
			exec("DELETE FROM cases WHERE id = $1", ids[3])
			exec("UPDATE cases SET version = version + 3 WHERE id = $1", ids[4])

			rep, err := app.CheckConsistency(ctx, r.Store, r.Client, r.Temporal.Namespace(), false)
			require.NoError(t, err)
			assert.False(t, rep.Clean())
			differ := map[string]string{}
			for _, d := range rep.Differences {
				differ[d.CaseID] = d.What
			}
			for _, id := range ids {
				assert.Contains(t, differ, id, "a difference went unseen")
			}
			t.Log(rep.Differences)

			rep, err = app.CheckConsistency(ctx, r.Store, r.Client, r.Temporal.Namespace(), true)
			require.NoError(t, err)
			for _, d := range rep.Differences {
				assert.True(t, d.Repaired, "%s: %s", d.CaseID, d.What)
			}
			rep, err = app.CheckConsistency(ctx, r.Store, r.Client, r.Temporal.Namespace(), false)
			require.NoError(t, err)
			assert.True(t, rep.Clean(), "after the repair: %v", rep.Differences)

			// The repaired files are whole again: the lost event and the
			// lost row are back, the ghost is gone.
			evs, err := r.Store.Events(ctx, ids[1])
			require.NoError(t, err)
			require.NotEmpty(t, evs)
			assert.Equal(t, "created", evs[0].Action)
			got, err := r.Store.Case(ctx, ids[3])
			require.NoError(t, err)
			assert.Equal(t, "gca.demo", got.Assignee)
			var ghosts int64
			require.NoError(t, raw.QueryRow("SELECT count(*) FROM case_events WHERE actor = 'ghost'").Scan(&ghosts))
			assert.Zero(t, ghosts)
		})
	}
}
