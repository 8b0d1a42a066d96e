package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recours/internal/domain"
	"recours/workflows"
)

// act performs an action on a file: authorise in the file's Caf, check the
// arguments, then send the update; its validator refuses what the state
// does not allow before anything is written. The Idempotency-Key becomes
// the update ID, so a retried request is applied once.
func (s *Server) act(c *gin.Context) {
	action := domain.Action(c.Param("action"))
	file, ok := s.readableCase(c)
	if !ok {
		return
	}
	if !file.Kind.Public(action) {
		writeProblem(c, http.StatusNotFound, "action inconnue sur ce dossier : "+string(action), nil)
		return
	}
	u := user(c)
	if err := s.Authz.Check(u.Login, file.Caf, string(file.Kind), string(action)); err != nil {
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
		if !slices.Contains(domain.Fields(file.Kind, action), k) {
			p.Add(k, "champ inconnu pour l'action "+string(action))
		}
	}
	args, err := actionArgs(file.Kind, action, body, p, s.now())
	var out domain.Case
	if err == nil {
		out, err = s.perform(c, file, action, args, body)
	}
	if answered(c, err) {
		return
	}
	c.JSON(http.StatusOK, out)
}

// perform is the core of an action, shared by the API and the web
// interface, once its arguments are checked: authorise in the file's Caf,
// check what the arguments name in the store, then send the update.
// errAnswered means the problem was already answered.
func (s *Server) perform(c *gin.Context, file domain.Case, action domain.Action, args domain.ActionArgs, body []byte) (domain.Case, error) {
	if err := s.Authz.Check(user(c).Login, file.Caf, string(file.Kind), string(action)); err != nil {
		return domain.Case{}, err
	}
	if err := s.checkReferences(c, file, action, &args); err != nil {
		return domain.Case{}, err
	}
	return s.sendUpdate(c, file, action, args, "POST /api/v1/cases/"+file.ID+"/actions/"+string(action), body)
}

// update sends an action to the file's workflow and answers any failure.
func (s *Server) update(c *gin.Context, file domain.Case, action domain.Action, args domain.ActionArgs, target string, body []byte) (domain.Case, error) {
	out, err := s.sendUpdate(c, file, action, args, target, body)
	if err != nil && !errors.Is(err, errAnswered) {
		fail(c, err)
	}
	return out, err
}

// sendUpdate sends an action to the file's workflow. The client's
// Idempotency-Key becomes the update ID, so a retried request is applied
// once; target and body tell a repeat from another request. errAnswered
// means the problem was already answered.
func (s *Server) sendUpdate(c *gin.Context, file domain.Case, action domain.Action, args domain.ActionArgs, target string, body []byte) (domain.Case, error) {
	_, _, release, ok := s.idempotency(c, target, body, file.ID)
	if !ok {
		return domain.Case{}, errAnswered
	}
	u := user(c)
	req := workflows.ActionRequest{Actor: domain.Actor{Login: u.Login, Roles: s.Authz.Roles(u.Login, file.Caf)}, Args: args}
	var out domain.Case
	err := s.runUpdate(c, workflows.WorkflowID(file.Kind, file.ID), string(action), hashBody(target, body), req, &out, release,
		"le dossier est clos : plus aucune action n'est possible")
	return out, err
}

// runUpdate sends the update name with arg to the workflow wid and decodes
// its result into out. The client's Idempotency-Key (with hash, the
// request's, so that another body under a released key is another update)
// becomes the update ID. With no worker polling, nothing is sent: 503. A
// refusal releases the key (a retry is a first attempt); one that did not
// answer in time keeps it, since the update may yet apply, and answers
// 503: a retry with the same key then gets its result. A workflow that
// has ended answers 409 with closed.
func (s *Server) runUpdate(c *gin.Context, wid, name, hash string, arg, out any, release func(), closed string) error {
	if err := s.requireWorker(c.Request.Context()); err != nil {
		release()
		return err
	}
	updateID := newID()
	if key := c.GetHeader("Idempotency-Key"); key != "" {
		updateID = "key:" + user(c).Login + ":" + key + ":" + hash[:16]
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateID: updateID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil && !isUnavailable(err) {
		release()
	}
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return &domain.Error{Code: domain.ECONFLICT, Message: closed}
	case isUnavailable(err):
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: detailPending}
	case err != nil:
		return workflows.DomainError(err)
	}
	return nil
}

// detailPending answers an action that did not complete in time.
const detailPending = "l'action n'a pas abouti dans le délai : elle peut encore s'appliquer ; " +
	"réessayez avec la même Idempotency-Key pour obtenir son résultat"

// errAnswered says the request was already answered with a problem.
var errAnswered = errors.New("answered")

// answered answers err, unless it is nil or errAnswered, and reports
// whether the request has its answer.
func answered(c *gin.Context, err error) bool {
	if err != nil && !errors.Is(err, errAnswered) {
		fail(c, err)
	}
	return err != nil
}

// actionArgs decodes and checks an action's arguments; p holds the
// unknown fields already found.
func actionArgs(kind domain.Kind, action domain.Action, body []byte, p domain.Problems, now time.Time) (domain.ActionArgs, error) {
	var args domain.ActionArgs
	if err := p.Err(); err != nil {
		return args, err
	}
	if err := decodeStrict(body, &args); err != nil {
		return args, err
	}
	return args, domain.ValidateArgs(kind, action, args, now)
}

// checkReferences checks what an action names in the store: the officer
// a file is assigned to, the prior file that makes a mediation admissible.
func (s *Server) checkReferences(c *gin.Context, file domain.Case, action domain.Action, args *domain.ActionArgs) error {
	var err error
	switch action {
	case domain.ActionAssign:
		args.Assignee, err = s.assignee(c, args.Assignee, file.Caf)
	case domain.ActionAdmit:
		if args.PriorContactCaseID != "" {
			err = s.priorContact(c, file, args.PriorContactCaseID)
		}
	}
	return err
}

// priorContact checks that the file named as the claimant's prior approach
// exists, is the same claimant's in the same Caf, and was answered or let
// pass its deadline (CSS L217-7-1).
func (s *Server) priorContact(c *gin.Context, file domain.Case, id string) error {
	invalid := func(msg string) error {
		return &domain.Error{Code: domain.EINVALID, Message: "médiation non recevable sur ce fondement",
			Fields: []domain.FieldError{{Field: "prior_contact_case_id", Message: msg}}}
	}
	prior, err := s.Store.Case(c.Request.Context(), id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return invalid("dossier introuvable")
	}
	if err != nil {
		return err
	}
	if prior.Caf != file.Caf || prior.Claimant.Number != file.Claimant.Number {
		return invalid("ce dossier n'est pas celui du même allocataire dans cette Caf")
	}
	if !prior.AskedAndAnsweredOrLate() {
		return invalid("la Caf n'a pas encore répondu à cette demande et son délai court encore")
	}
	return nil
}

// assignee returns the login of the benefits officer of caf named login
// (as stored: logins are matched whatever their case), or EINVALID.
func (s *Server) assignee(c *gin.Context, login, caf string) (string, error) {
	invalid := &domain.Error{Code: domain.EINVALID, Message: "attribution impossible",
		Fields: []domain.FieldError{{Field: "assignee", Message: "aucun gestionnaire de cette Caf ne porte cet identifiant"}}}
	u, err := s.Store.UserByLogin(c.Request.Context(), login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", invalid
	}
	if err != nil {
		return "", err
	}
	ok, err := s.Store.HasRole(c.Request.Context(), u.Login, caf, domain.RoleGCA)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", invalid
	}
	return u.Login, nil
}
