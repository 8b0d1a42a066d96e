package cases

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recours/internal/domain"
	"recours/workflows"
)

// startFile starts (or, for a repeated idempotent request, finds) the
// workflow of file and returns the file once it is saved.
func (s *Service) startFile(ctx context.Context, file domain.Case, actor string, repeat bool) (domain.Case, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if repeat {
		if stored, err := s.Store.Stored(ctx, file.ID); err != nil || stored {
			if err != nil {
				return domain.Case{}, err
			}
			return s.Store.Case(ctx, file.ID)
		}
	}
	if file.Reference == "" {
		// Drawn before the start: the workflow draws nothing from the
		// store. A repeat whose first try started the file gets the
		// first try's reference, and the number drawn again is lost.
		ref, err := s.Store.NextReference(ctx, domain.SeriesOf(file.Caf, file.Kind, file.Origin, s.now()))
		if err != nil {
			return domain.Case{}, err
		}
		file.Reference = ref
	}
	err := s.startWorkflow(ctx, workflows.WorkflowID(file.Kind, file.ID), workflows.WorkflowName(file.Kind),
		workflows.NewFile(file, actor), file.ID, repeat)
	if err != nil {
		return domain.Case{}, workflows.DomainError(err)
	}
	return s.Store.Case(ctx, file.ID)
}

// startWorkflow starts (or, for a repeated idempotent request, finds) the
// workflow wid of type name and returns once it saved the record id.
// Where a worker shares this process (the embedded default) the start is
// eager (the worker runs the first workflow task straight from the start's
// answer) and the save is awaited in process; otherwise, and for a repeat,
// the workflow's register update answers once the record is saved.
func (s *Service) startWorkflow(ctx context.Context, wid, name string, input any, id string, repeat bool) error {
	if repeat {
		// A repeat of a registration whose file is saved answers with the
		// file: its workflow may have ended (and its history gone), and a
		// file is never started twice.
		if stored, err := s.Store.Stored(ctx, id); err != nil || stored {
			return err
		}
	}
	if err := s.requireWorker(ctx); err != nil {
		return err
	}
	err := s.startAndWait(ctx, wid, name, input, id, repeat)
	if IsUnavailable(err) && ctx.Err() != nil {
		// Started, perhaps, but not yet saved: a retry with the same key finds it.
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: DetailPendingStart}
	}
	return err
}

// startAndWait is startWorkflow once a worker is known to poll.
func (s *Service) startAndWait(ctx context.Context, wid, name string, input any, id string, repeat bool) error {
	var saved <-chan struct{}
	if s.Saved != nil && !repeat {
		var forget func()
		saved, forget = s.Saved.Subscribe(id)
		defer forget()
	}
	// A file has one workflow run: a repeat finds the running one, and one
	// that ended is not started again (startWorkflow found its file).
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       wid,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		EnableEagerStart:         true,
	}, name, input)
	var ended *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &ended) {
		return nil
	}
	if err != nil {
		return err
	}
	if saved != nil {
		select {
		case <-saved:
			return nil
		case <-time.After(localSaveWait):
			// The task went to another worker: ask the workflow.
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateID: workflows.UpdateRegister, UpdateName: workflows.UpdateRegister,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

// localSaveWait is how long a registration waits for a worker of this
// process to save the file before asking the workflow instead.
const localSaveWait = 500 * time.Millisecond

// update sends the update name with arg to the workflow wid and decodes
// its result into out. The update ID comes from the idempotency key (see
// updateID). With no worker polling, nothing is sent. A refusal releases
// the key (a retry is a first attempt); one that did not answer in time
// keeps it, since the update may yet apply, and answers EUNAVAILABLE: a
// retry with the same key then gets its result. A workflow that has ended
// answers ECONFLICT with closed.
func (s *Service) update(ctx context.Context, wid, name, id string, arg, out any, release func(), closed string) error {
	if err := s.requireWorker(ctx); err != nil {
		release()
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateID: id, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil && !IsUnavailable(err) {
		release()
	}
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return &domain.Error{Code: domain.ECONFLICT, Message: closed}
	case IsUnavailable(err):
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: DetailPending}
	case err != nil:
		return workflows.DomainError(err)
	}
	return nil
}
