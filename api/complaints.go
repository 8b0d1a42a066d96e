package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/workflows"
)

// createComplaint registers a complaint: validate, authorise, then start
// its workflow with an update-with-start that answers once the file is in
// the store, so a GET right after the 201 shows it.
func (s *Server) createComplaint(c *gin.Context) {
	var in domain.NewComplaint
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	now := s.now()
	if err := in.Validate(now); err != nil {
		fail(c, err)
		return
	}
	u := user(c)
	if !s.Authz.Can(u.Login, in.Caf, authz.ObjComplaint, authz.ActCreate) {
		writeProblem(c, http.StatusForbidden, "vous ne pouvez pas enregistrer de réclamation pour cette Caf", nil)
		return
	}
	org, err := s.Store.Organisation(c, in.Caf)
	if err != nil {
		fail(c, err)
		return
	}
	// The key is kept even if the start fails: the outcome of a timed-out
	// start is unknown, and a retry must find the same file, not make one.
	id, _, ok := s.idempotency(c, "POST /api/v1/complaints", body, newID())
	if !ok {
		return
	}
	file := domain.NewComplaintCase(id, in, now, org.Policy())
	ctx, cancel := context.WithTimeout(c, s.RequestTimeout)
	defer cancel()
	out, err := s.startComplaint(ctx, file, u.Login)
	if err != nil {
		fail(c, workflows.DomainError(err))
		return
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(http.StatusCreated, out)
}

// startComplaint starts (or, for a repeated idempotent request, finds) the
// workflow of file and waits until the file is saved.
func (s *Server) startComplaint(ctx context.Context, file domain.Case, actor string) (domain.Case, error) {
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.ComplaintWorkflowID(file.ID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.ComplaintWorkflowName, workflows.ComplaintInput{Case: file, Actor: actor})
	h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: workflows.UpdateRegister, UpdateName: workflows.UpdateRegister,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return domain.Case{}, err
	}
	var out domain.Case
	err = h.Get(ctx, &out)
	return out, err
}

// newID returns a time-ordered UUID (v7): lists sort newest first by id.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
