package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// ordered is a record of the file f at its last change, written by the
// workflow task of history length task.
func ordered(f domain.Case, task int64, changes ...domain.Change) store.Record {
	return store.Record{Case: f, Changes: changes, Seq: changes[len(changes)-1].Event.Seq, Ordered: true, Task: task}
}

// assignment is the event of f's assignment to login, at seq.
func assignment(seq int64, login string) domain.Change {
	ch := change(seq, "assign", domain.Notification{Recipient: login, Kind: "assigned"})
	ch.Event.Details = map[string]any{"assignee": login}
	return ch
}

func assigned(f domain.Case, to string) domain.Case {
	f = f.Clone()
	f.Status, f.Assignee = domain.StatusAssigned, to
	return f
}

func actionsOf(t *testing.T, st *store.Store, id string) []string {
	t.Helper()
	evs, err := st.Events(context.Background(), id)
	require.NoError(t, err)
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Action
	}
	return out
}

func recipients(t *testing.T, st *store.Store, id string) []string {
	t.Helper()
	var out []string
	require.NoError(t, store.DB(st).Model(&store.Notification{}).Where("case_id = ?", id).Order("seq, recipient").
		Pluck("recipient", &out).Error)
	return out
}

// A save made in a workflow task that never completed (Temporal restarted
// before the task's completion reached the history) wrote event 2; the
// task is retried and another action takes event 2: the later attempt's
// event, queue entries and state win (issue 11, ghost writes).
func TestSave_ALaterTaskReplacesTheEventOfALostOne(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-0000000000a1"
		f := newFile(id)
		require.NoError(t, st.Save(ctx, ordered(f, 3, change(1, "created"))))
		ghost := assigned(f, "gca.demo")
		require.NoError(t, st.Save(ctx, ordered(ghost, 8, assignment(2, "gca.demo"))))

		retried := assigned(f, "autre.gca")
		require.NoError(t, st.Save(ctx, ordered(retried, 11, assignment(2, "autre.gca"))))
		got, err := st.Case(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "autre.gca", got.Assignee)
		evs, err := st.Events(ctx, id)
		require.NoError(t, err)
		require.Len(t, evs, 2)
		assert.Equal(t, []string{"autre.gca"}, recipients(t, st, id), "the lost task's queue entry is gone")

		// The same record again (a retried attempt of the same write)
		// leaves the queue entry as its recipient left it.
		require.NoError(t, store.DB(st).Model(&store.Notification{}).Where("case_id = ?", id).Update("read_at", t0).Error)
		require.NoError(t, st.Save(ctx, ordered(retried, 11, assignment(2, "autre.gca"))))
		var n store.Notification
		require.NoError(t, store.DB(st).Where("case_id = ?", id).Take(&n).Error)
		assert.NotNil(t, n.ReadAt, "a repeated write reset a read queue entry")
	})
}

// A lost task wrote events 2 and 3; the workflow, retried, writes only
// event 2 (or nothing new, a resync): event 3 and its queue entry go, and
// the row is the workflow's.
func TestSave_EventsBeyondTheRecordAreALostTasksAndGo(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-0000000000a2"
		f := newFile(id)
		require.NoError(t, st.Save(ctx, ordered(f, 3, change(1, "created"))))
		ghost := assigned(f, "gca.demo")
		require.NoError(t, st.Save(ctx, ordered(ghost, 8, change(2, "assign"),
			change(3, "target_missed", domain.Notification{Recipient: "role:manager", Kind: "target_missed"}))))

		start := assigned(f, "gca.demo")
		start.Status = domain.StatusInProgress
		require.NoError(t, st.Save(ctx, ordered(start, 11, change(2, "start"))))
		assert.Equal(t, []string{"created", "start"}, actionsOf(t, st, id))
		assert.Empty(t, recipients(t, st, id))
		got, err := st.Case(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, domain.StatusInProgress, got.Status)

		// A resync at seq 1 (the workflow holds only the creation).
		require.NoError(t, st.Save(ctx, store.Record{Case: f, Seq: 1, Ordered: true, Task: 14}))
		assert.Equal(t, []string{"created"}, actionsOf(t, st, id))
		got, err = st.Case(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, domain.StatusOpen, got.Status)
		assert.Empty(t, got.Assignee)

		// The rollup followed each replacement.
		before := rollup(t, st)
		require.NoError(t, st.RebuildRollup(ctx))
		assert.Equal(t, rollup(t, st), before)
	})
}

// A worker that lost its task but still runs (a long pause) writes after
// the task that replaced it: its record is older, and writes nothing.
func TestSave_ARecordOfAnOlderTaskWritesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-0000000000a3"
		f := newFile(id)
		require.NoError(t, st.Save(ctx, ordered(f, 3, change(1, "created"))))
		require.NoError(t, st.Save(ctx, ordered(assigned(f, "autre.gca"), 11, change(2, "assign"))))
		require.NoError(t, st.Save(ctx, ordered(assigned(f, "gca.demo"), 8, change(2, "assign"), change(3, "start"))))
		got, err := st.Case(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "autre.gca", got.Assignee)
		assert.Equal(t, []string{"created", "assign"}, actionsOf(t, st, id))
	})
}

func TestSave_ARecordWithoutChangeNeedsItsSeq(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		err := st.Save(context.Background(), store.Record{Case: newFile("01a20000-0000-7000-8000-0000000000a4"), Ordered: true, Task: 3})
		require.Error(t, err)
	})
}

// Four processes starting on a new database migrate it at once: one
// migrates, the others wait, and every one starts (issue 11: three of
// four exited on a duplicate key in the migrations table).
func TestMigrate_FourProcessesAtOnce(t *testing.T) {
	url := testutil.PostgresURL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			st, err := store.Open(url)
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			errs <- st.Migrate(ctx)
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}

// An overpayment notice written by a task that never completed is
// replaced by the retried task's, its queue entries beyond the notice's
// state gone; a write of an older task than the last changes nothing.
func TestSaveOverpayment_ALaterTaskReplacesALostOnes(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := domain.NewOverpayment{Caf: "071", Claimant: domain.Claimant{Number: "1234567"}, Benefit: "rsa",
			PeriodStart: "2025-01-01", PeriodEnd: "2025-06-30", Cause: "Ressources mises à jour."}
		o := domain.NewOverpaymentNotice("01a20000-0000-7000-8000-0000000000b1", n, 200000, 0, "gca.demo", t0)
		require.NoError(t, st.SaveOverpayment(ctx, o, nil, "run-1", 3))
		ghost := o.Clone()
		notes := ghost.Remind(t0.Add(time.Hour))
		require.NoError(t, st.SaveOverpayment(ctx, ghost, notes, "run-1", 8))
		require.Equal(t, []string{"gca.demo"}, recipients(t, st, o.ID))

		retried := o.Clone()
		require.NoError(t, retried.Apply(t0.Add(2*time.Hour), "gca.demo", domain.OverpaymentRecordCall,
			domain.OverpaymentArgs{CallResult: domain.CallReached}))
		require.NoError(t, st.SaveOverpayment(ctx, retried, nil, "run-1", 11))
		got, err := st.Overpayment(ctx, o.ID)
		require.NoError(t, err)
		require.NotNil(t, got.Call, "the retried task's state")
		assert.Nil(t, got.RemindedAt, "the lost task's reminder is gone")
		assert.Empty(t, recipients(t, st, o.ID), "the lost task's queue entry is gone")

		require.NoError(t, st.SaveOverpayment(ctx, ghost, notes, "run-1", 8))
		got, err = st.Overpayment(ctx, o.ID)
		require.NoError(t, err)
		assert.NotNil(t, got.Call, "an older task overwrote a newer one")
	})
}

// Every PostgreSQL connection waits at most LockTimeout for a lock, the
// migrations' own included once they are done; a lock_timeout in the URL
// wins.
func TestOpen_ConnectionsWaitForALockAtMostLockTimeout(t *testing.T) {
	url := testutil.PostgresURL(t)
	st, err := store.Open(url)
	require.NoError(t, err)
	defer st.Close()
	sqlDB, err := store.DB(st).DB()
	require.NoError(t, err)
	sqlDB.SetMaxOpenConns(1) // the migrations' connection is the one asked after
	require.NoError(t, st.Migrate(context.Background()))
	var v string
	require.NoError(t, store.DB(st).Raw("SHOW lock_timeout").Scan(&v).Error)
	assert.Equal(t, "5s", v)

	own, err := store.Open(url + "&lock_timeout=1500")
	require.NoError(t, err)
	defer own.Close()
	require.NoError(t, store.DB(own).Raw("SHOW lock_timeout").Scan(&v).Error)
	assert.Equal(t, "1500ms", v)
}
