package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/workflows"
)

// createComplaint registers a complaint: validate, authorise, then start
// its workflow and wait for its register update, which answers once the
// file is in the store, so a GET right after the 201 shows it.
func (s *Server) createComplaint(c *gin.Context) {
	var in domain.NewComplaint
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	out, err := s.registerComplaint(c, in, body)
	if answered(c, err) {
		return
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(http.StatusCreated, out)
}

// registerComplaint is the core of a registration, shared by the API and
// the web interface: validate, authorise, then start the file's workflow
// and wait until it is saved. body is what the Idempotency-Key hashes.
// errAnswered means the problem was already answered.
func (s *Server) registerComplaint(c *gin.Context, in domain.NewComplaint, body []byte) (domain.Case, error) {
	now := s.now()
	if err := in.Validate(now); err != nil {
		return domain.Case{}, err
	}
	u := user(c)
	if !s.Authz.Can(u.Login, in.Caf, authz.ObjComplaint, authz.ActCreate) {
		return domain.Case{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas enregistrer de réclamation pour cette Caf"}
	}
	if err := s.disputedOverpayment(c.Request.Context(), &in.OverpaymentID, in.Caf, in.Claimant.Number, in.Benefit, in.Reason); err != nil {
		return domain.Case{}, err
	}
	org, err := s.Store.Organisation(c.Request.Context(), in.Caf)
	if err != nil {
		return domain.Case{}, err
	}
	// The key is kept even if the start fails: the outcome of a timed-out
	// start is unknown, and a retry must find the same file, not make one.
	id, repeat, _, ok := s.idempotency(c, "POST /api/v1/complaints", body, newID())
	if !ok {
		return domain.Case{}, errAnswered
	}
	file := domain.NewComplaintCase(id, in, now, org.Policy())
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	out, err := s.startFile(ctx, file, u.Login, repeat)
	if err != nil {
		return domain.Case{}, workflows.DomainError(err)
	}
	return out, nil
}

// startFile starts (or, for a repeated idempotent request, finds) the
// workflow of file and returns the file once it is saved.
func (s *Server) startFile(ctx context.Context, file domain.Case, actor string, repeat bool) (domain.Case, error) {
	err := s.startWorkflow(ctx, workflows.WorkflowID(file.Kind, file.ID), workflows.WorkflowName(file.Kind),
		workflows.ComplaintInput{Case: file, Actor: actor}, file.ID, repeat)
	if err != nil {
		return domain.Case{}, err
	}
	return s.Store.Case(ctx, file.ID)
}

// startWorkflow starts (or, for a repeated idempotent request, finds) the
// workflow wid of type name and returns once it saved the record id.
// Where a worker shares this process (the embedded default) the start is
// eager (the worker runs the first workflow task straight from the start's
// answer) and the save is awaited in process; otherwise, and for a repeat,
// the workflow's register update answers once the record is saved.
func (s *Server) startWorkflow(ctx context.Context, wid, name string, input any, id string, repeat bool) error {
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
	if isUnavailable(err) && ctx.Err() != nil {
		// Started, perhaps, but not yet saved: a retry with the same key finds it.
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: detailPendingStart}
	}
	return err
}

// detailPendingStart answers a registration that did not complete in time.
const detailPendingStart = "l'enregistrement n'a pas abouti dans le délai : il peut encore aboutir ; " +
	"réessayez avec la même Idempotency-Key pour obtenir le dossier"

// startAndWait is startWorkflow once a worker is known to poll.
func (s *Server) startAndWait(ctx context.Context, wid, name string, input any, id string, repeat bool) error {
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

// newID returns a time-ordered UUID (v7): lists sort newest first by id.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
