package workflows

import (
	"sync/atomic"

	"go.temporal.io/sdk/workflow"

	"recours/internal/domain"
)

// actorKey is the key the validators check the actions' seals with; nil
// (no key given to the worker) checks none. It is read only by update
// validators, which run when an update arrives and never on replay, so
// it bears on no workflow's history.
var actorKey atomic.Pointer[domain.ActorKey]

// RequireSeals makes this process's validators refuse every action whose
// seal does not hold under key (the worker's start sets it, with the key
// the API seals with); nil checks none.
func RequireSeals(key domain.ActorKey) {
	if key == nil {
		actorKey.Store(nil)
		return
	}
	actorKey.Store(&key)
}

// sealed reports whether the update being validated carries the API's
// seal of its actor and arguments, or no key is required.
func sealed(ctx workflow.Context, action, seal string, actor, args any) bool {
	key := actorKey.Load()
	if key == nil {
		return true
	}
	info := workflow.GetCurrentUpdateInfo(ctx)
	if info == nil {
		return false
	}
	return key.Verify(seal, workflow.GetInfo(ctx).WorkflowExecution.ID, info.ID, action, actor, args)
}
