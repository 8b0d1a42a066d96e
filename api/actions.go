package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/workflows"
)

// act performs an action on a file: authorise in the file's Caf, check the
// arguments, then send the update; its validator refuses what the state
// does not allow before anything is written. The Idempotency-Key becomes
// the update ID, so a retried request is applied once.
func (s *Server) act(c *gin.Context) {
	action := domain.Action(c.Param("action"))
	if !domain.IsComplaintAction(action) {
		writeProblem(c, http.StatusNotFound, "action inconnue : "+string(action), nil)
		return
	}
	file, ok := s.readableCase(c)
	if !ok {
		return
	}
	u := user(c)
	if err := s.Authz.Check(u.Login, file.Caf, authz.ObjComplaint, string(action)); err != nil {
		fail(c, err)
		return
	}
	var raw map[string]json.RawMessage
	body, ok := readJSON(c, &raw)
	if !ok {
		return
	}
	var p domain.Problems
	for k := range raw {
		if !slices.Contains(action.Fields(), k) {
			p.Add(k, "champ inconnu pour l'action "+string(action))
		}
	}
	args, err := actionArgs(action, body, p)
	if err != nil {
		fail(c, err)
		return
	}
	if action == domain.ActionAssign {
		if args.Assignee, err = s.assignee(c, args.Assignee, file.Caf); err != nil {
			fail(c, err)
			return
		}
	}
	target := "POST /api/v1/cases/" + file.ID + "/actions/" + string(action)
	_, _, release, ok := s.idempotency(c, target, body, file.ID)
	if !ok {
		return
	}
	updateID := newID()
	if key := c.GetHeader("Idempotency-Key"); key != "" {
		updateID = "key:" + u.Login + ":" + key
	}
	ctx, cancel := context.WithTimeout(c, s.RequestTimeout)
	defer cancel()
	var h client.WorkflowUpdateHandle
	req := workflows.ActionRequest{Actor: domain.Actor{Login: u.Login, Roles: s.Authz.Roles(u.Login, file.Caf)}, Args: args}
	h, err = s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.ComplaintWorkflowID(file.ID), UpdateID: updateID, UpdateName: string(action),
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var out domain.Case
	if err == nil {
		err = h.Get(ctx, &out)
	}
	var notFound *serviceerror.NotFound
	if err != nil && !isUnavailable(err) {
		release() // refused: a retry with this key is a first attempt (a timed-out one may have applied)
	}
	switch {
	case errors.As(err, &notFound):
		writeProblem(c, http.StatusConflict, "le dossier est clos : plus aucune action n'est possible", nil)
	case err != nil:
		fail(c, workflows.DomainError(err))
	default:
		c.JSON(http.StatusOK, out)
	}
}

// actionArgs decodes and checks an action's arguments; p holds the
// unknown fields already found.
func actionArgs(action domain.Action, body []byte, p domain.Problems) (domain.ActionArgs, error) {
	var args domain.ActionArgs
	if err := p.Err(); err != nil {
		return args, err
	}
	if err := decodeStrict(body, &args); err != nil {
		return args, err
	}
	return args, domain.ValidateArgs(action, args)
}

// assignee returns the login of the benefits officer of caf named login
// (as stored: logins are matched whatever their case), or EINVALID.
func (s *Server) assignee(c *gin.Context, login, caf string) (string, error) {
	invalid := &domain.Error{Code: domain.EINVALID, Message: "attribution impossible",
		Fields: []domain.FieldError{{Field: "assignee", Message: "aucun gestionnaire de cette Caf ne porte cet identifiant"}}}
	u, err := s.Store.UserByLogin(c, login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", invalid
	}
	if err != nil {
		return "", err
	}
	ok, err := s.Store.HasRole(c, u.Login, caf, domain.RoleGCA)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", invalid
	}
	return u.Login, nil
}
