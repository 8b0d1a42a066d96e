package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/workflows"
)

// ObjOverpayment is the policy's object for overpayment notices; its
// actions are create, read and the workflow's (explain, record_call, send).
const ObjOverpayment = "overpayment"

// createOverpayment registers an overpayment notice and starts its
// workflow: below the Caf's threshold the standard notice goes out at once;
// at or above it, the notice waits for the enriched explanation and the
// phone attempt.
func (s *Server) createOverpayment(c *gin.Context) {
	var in domain.NewOverpayment
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	out, err := s.registerOverpayment(c, in, body)
	if answered(c, err) {
		return
	}
	c.Header("Location", "/api/v1/overpayments/"+out.ID)
	c.JSON(http.StatusCreated, out)
}

// registerOverpayment is the core of createOverpayment, shared with the
// web interface. errAnswered means the problem was already answered.
func (s *Server) registerOverpayment(c *gin.Context, in domain.NewOverpayment, body []byte) (domain.Overpayment, error) {
	now := s.now()
	cents, err := in.Validate(now)
	if err != nil {
		return domain.Overpayment{}, err
	}
	u := user(c)
	if !s.Authz.Can(u.Login, in.Caf, ObjOverpayment, "create") {
		return domain.Overpayment{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas notifier de trop-perçu pour cette Caf"}
	}
	org, err := s.Store.Organisation(c.Request.Context(), in.Caf)
	if err != nil {
		return domain.Overpayment{}, err
	}
	id, repeat, _, ok := s.idempotency(c, "POST /api/v1/overpayments", body, newID())
	if !ok {
		return domain.Overpayment{}, errAnswered
	}
	o := domain.NewOverpaymentNotice(id, in, cents, org.OverpaymentThresholdCents, u.Login, now)
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	if err := s.startWorkflow(ctx, workflows.OverpaymentWorkflowID(id), workflows.OverpaymentWorkflowName,
		workflows.OverpaymentInput{Overpayment: o}, id, repeat); err != nil {
		return domain.Overpayment{}, workflows.DomainError(err)
	}
	return s.Store.Overpayment(ctx, id)
}

// readableOverpayment is the notice of the path, when the user may read
// the notices of its Caf: 404 when the user holds no role there (as for
// files), 403 when its role does not allow it. The read is recorded in the
// access trail.
func (s *Server) readableOverpayment(c *gin.Context, id string) (domain.Overpayment, error) {
	if _, err := uuid.Parse(id); err != nil {
		return domain.Overpayment{}, domain.Errorf(domain.ENOTFOUND, "notification de trop-perçu introuvable")
	}
	o, err := s.Store.Overpayment(c.Request.Context(), id)
	if err != nil {
		return o, err
	}
	if err := s.Authz.Check(user(c).Login, o.Caf, ObjOverpayment, "read"); err != nil {
		return domain.Overpayment{}, err
	}
	// The notice names the claimant: its reading goes on the access trail.
	if err := s.recordAccess(c, o.ID, o.Caf, ReadDetail); err != nil {
		return domain.Overpayment{}, err
	}
	return o, nil
}

func (s *Server) getOverpayment(c *gin.Context) {
	o, err := s.readableOverpayment(c, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// listOverpayments lists the notices of the Cafs the user may read,
// newest first (?caf=, ?status=, ?limit=).
func (s *Server) listOverpayments(c *gin.Context) {
	var p domain.Problems
	limit := limitParam(c, &p, 50, 200)
	status := c.Query("status")
	if status != "" && !slices.Contains([]domain.OverpaymentStatus{domain.OverpaymentPending, domain.OverpaymentReady, domain.OverpaymentSent}, domain.OverpaymentStatus(status)) {
		p.Add("status", "statut inconnu (pending, ready ou sent)")
	}
	if err := p.Err(); err != nil {
		fail(c, err)
		return
	}
	cafs := s.Authz.Cafs(user(c).Login, ObjOverpayment, "read")
	if caf := c.Query("caf"); caf != "" {
		if !slices.Contains(cafs, caf) {
			fail(c, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous n'avez pas accès aux trop-perçus de cette Caf"})
			return
		}
		cafs = []string{caf}
	}
	if len(cafs) == 0 {
		fail(c, &domain.Error{Code: domain.EFORBIDDEN, Message: "votre rôle ne permet pas de consulter les trop-perçus"})
		return
	}
	items, err := s.Store.Overpayments(c.Request.Context(), cafs, status, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(items, ""))
}

// actOnOverpayment performs explain, record_call or send on a notice.
func (s *Server) actOnOverpayment(c *gin.Context) {
	action := c.Param("action")
	o, err := s.readableOverpayment(c, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if !slices.Contains(workflows.OverpaymentActions, action) {
		writeProblem(c, http.StatusNotFound, "action inconnue sur un trop-perçu : "+action, nil)
		return
	}
	var args domain.OverpaymentArgs
	body, ok := readJSON(c, &args)
	if !ok {
		return
	}
	out, err := s.overpaymentAction(c, o, action, args, body)
	if answered(c, err) {
		return
	}
	c.JSON(http.StatusOK, out)
}

// overpaymentAction is the core of an action on a notice, shared with the
// web interface: authorise, then send the update, whose validator refuses
// what the notice's state does not allow (a large notice's send before its
// explanation and call: 409) before anything is written.
func (s *Server) overpaymentAction(c *gin.Context, o domain.Overpayment, action string, args domain.OverpaymentArgs, body []byte) (domain.Overpayment, error) {
	u := user(c)
	if err := s.Authz.Check(u.Login, o.Caf, ObjOverpayment, action); err != nil {
		return o, err
	}
	if err := o.Check(action, args); err != nil {
		return o, err
	}
	target := "POST /api/v1/overpayments/" + o.ID + "/actions/" + action
	_, _, release, ok := s.idempotency(c, target, body, o.ID)
	if !ok {
		return o, errAnswered
	}
	var out domain.Overpayment
	err := s.runUpdate(c, workflows.OverpaymentWorkflowID(o.ID), action, hashBody(target, body),
		workflows.OverpaymentRequest{Actor: u.Login, Args: args}, &out, release, "la notification a déjà été envoyée")
	if err != nil {
		return o, err
	}
	return out, nil
}

// disputedOverpayment checks the notice a new complaint or mediation
// names (same Caf, same claimant), or finds the one it disputes when none
// is named: for an overpayment not understood, the claimant's only notice
// for that benefit in the last 60 days.
func (s *Server) disputedOverpayment(ctx context.Context, id *string, caf, number string, benefit domain.Benefit, reason domain.Reason) error {
	if *id == "" {
		if reason != "overpayment_not_understood" {
			return nil
		}
		found, err := s.Store.RecentOverpayment(ctx, caf, number, benefit, s.now())
		*id = found
		return err
	}
	bad := &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide", Fields: []domain.FieldError{
		{Field: "overpayment_id", Message: "aucune notification de trop-perçu de cet allocataire dans cette Caf ne porte cet identifiant"}}}
	if _, err := uuid.Parse(*id); err != nil {
		return bad
	}
	o, err := s.Store.Overpayment(ctx, *id)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && (o.Caf != caf || o.Claimant.Number != number)) {
		return bad
	}
	return err
}

// caseMessages lists what was written to the claimant about a file (or a
// notice): kind, channel, status, attempts.
func (s *Server) caseMessages(c *gin.Context) {
	id := c.Param("id")
	if _, err := s.readable(c, id); err != nil {
		fail(c, err)
		return
	}
	rows, err := s.Store.Messages(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(messageViews(rows), ""))
}

// MessageView is a message to the claimant as the API shows it.
type MessageView struct {
	Kind      string  `json:"kind"`
	Version   int     `json:"version"`
	Channel   string  `json:"channel"`
	Status    string  `json:"status"`
	Reference string  `json:"reference,omitempty"`
	SMS       string  `json:"sms,omitempty"`
	Attempts  int     `json:"attempts"`
	LastError string  `json:"last_error,omitempty"`
	SentAt    *string `json:"sent_at,omitempty"`
	CreatedAt string  `json:"created_at"`
}

func messageViews(rows []store.ClaimantMessage) []MessageView {
	out := make([]MessageView, 0, len(rows))
	for _, r := range rows {
		v := MessageView{Kind: r.Kind, Version: r.Version, Channel: r.Channel, Status: r.Status, Reference: r.Reference,
			SMS: r.SMS, Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC().Format(timeLayout)}
		if r.SentAt != nil {
			at := r.SentAt.UTC().Format(timeLayout)
			v.SentAt = &at
		}
		out = append(out, v)
	}
	return out
}

const timeLayout = "2006-01-02T15:04:05.999999999Z07:00"
