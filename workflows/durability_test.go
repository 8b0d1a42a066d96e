package workflows_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"recours/internal/domain"
	"recours/internal/store"
)

// failSaves makes the saves of records holding action fail with err for
// their first n attempts; the others go through to the store.
func (h *harness) failSaves(action string, n int32, err error) *atomic.Int32 {
	var failed atomic.Int32
	h.env.OnActivity(h.acts.Save, mock.Anything, mock.Anything).Return(func(ctx context.Context, r store.Record) error {
		for _, ch := range r.Changes {
			if ch.Event.Action == action && failed.Load() < n {
				failed.Add(1)
				return err
			}
		}
		return h.acts.Save(ctx, r)
	})
	return &failed
}

// The database is away for longer than a save's first attempts: 11
// attempts, 52.6 s of backoff (issue 11: the save failed for good after
// 30 s, and the action with it). The action waits, then is saved and
// answered; nothing is lost and nothing is written twice.
func TestSave_RetriedAsLongAsTheDatabaseIsAway(t *testing.T) {
	h := newHarness(t, "online")
	failed := h.failSaves(string(domain.ActionAssign), 10, errors.New("failed to connect to the database"))
	assign := h.send(time.Hour, domain.ActionAssign, "assign-1", manager, domain.ActionArgs{Assignee: gca.Login})
	h.at(time.Hour+45*time.Second, func() {
		assert.Zero(t, assign.completed, "the action answered while the database was away")
		assert.Equal(t, domain.StatusOpen, h.state().Status, "the workflow took the change before it was saved")
		assert.Equal(t, domain.StatusOpen, h.projection().Status)
	})
	h.at(time.Hour+2*time.Minute, func() {
		requireApplied(t, assign, "assign")
		assert.Equal(t, int32(10), failed.Load())
		assert.Equal(t, domain.StatusAssigned, h.state().Status)
		assert.Equal(t, domain.StatusAssigned, h.projection().Status)
		assert.Equal(t, []string{"created", "assign"}, actions(h.events()))
		assert.Len(t, h.notifications(gca.Login), 1, "the assignment's queue entry, once")
	})
	h.cancelAt(3 * time.Hour)
	h.runCancelled()
}

// A save refused for good leaves the workflow as it was (issue 11: the
// file stayed in_progress in the workflow and assigned in the store, so
// start answered 409 for ever): the action fails, and the same action
// later succeeds.
func TestAction_NotSavedIsNotTaken(t *testing.T) {
	h := newHarness(t, "online")
	h.failSaves(string(domain.ActionStart), 1, temporal.NewNonRetryableApplicationError("refused", "Refused", nil))
	assign := h.send(time.Hour, domain.ActionAssign, "assign-1", manager, domain.ActionArgs{Assignee: gca.Login})
	first := h.send(2*time.Hour, domain.ActionStart, "start-1", gca, domain.ActionArgs{})
	h.at(2*time.Hour+time.Minute, func() {
		requireApplied(t, assign, "assign")
		require.Equal(t, 1, first.completed)
		require.Error(t, first.err, "a start that was not saved answered success")
		s := h.state()
		assert.Equal(t, domain.StatusAssigned, s.Status, "the workflow kept a change its store never recorded")
		assert.Equal(t, s.Status, h.projection().Status)
	})
	again := h.send(3*time.Hour, domain.ActionStart, "start-2", gca, domain.ActionArgs{})
	h.at(3*time.Hour+time.Minute, func() {
		requireApplied(t, again, "start again")
		assert.Equal(t, domain.StatusInProgress, h.state().Status)
		assert.Equal(t, domain.StatusInProgress, h.projection().Status)
		assert.Equal(t, []string{"created", "assign", "start"}, actions(h.events()))
	})
	h.cancelAt(4 * time.Hour)
	h.runCancelled()
}

// An admission that arrives with a new mediation's first workflow task
// waits for the creation to be saved (issue 11: it took event 1, its event
// was dropped, « created » was written again as event 2 with the status
// admitted, and « mediation received » was raised twice).
func TestMediation_AnActionInTheFirstTaskComesAfterTheCreation(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	admit := h.admit(0)
	h.at(time.Minute, func() {
		requireApplied(t, admit, "admit")
		evs := h.events()
		require.Equal(t, []string{"created", string(domain.ActionAdmit)}, actions(evs))
		assert.Equal(t, int64(1), evs[0].Seq)
		assert.Equal(t, domain.StatusReceived, evs[0].ToStatus, "created is written with the status it had")
		assert.Equal(t, domain.StatusAdmitted, evs[1].ToStatus)
		assert.Equal(t, []string{"mediation_received"}, h.kindsFor(roleMediator))
		assert.Equal(t, domain.StatusAdmitted, h.projection().Status)
	})
	h.cancelAt(time.Hour)
	h.runMediationCancelled()
}
