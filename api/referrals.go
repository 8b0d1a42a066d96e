package api

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/workflows"
)

// Referral is what the liaison sees of a referral's file.
type Referral struct {
	DDDReference       string     `json:"ddd_reference"`
	CaseID             string     `json:"case_id"`
	Caf                string     `json:"caf"`
	Status             string     `json:"status"`
	ResponseExpectedBy string     `json:"response_expected_by"`
	Outcome            string     `json:"outcome,omitempty"`
	Explanation        string     `json:"explanation,omitempty"`
	DecidedAt          *time.Time `json:"decided_at,omitempty"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

func referralOf(c domain.Case) Referral {
	r := Referral{DDDReference: c.DDDReference, CaseID: c.ID, Caf: c.Caf, Status: string(c.Status),
		ResponseExpectedBy: c.ResponseExpectedBy, UpdatedAt: c.UpdatedAt}
	if c.DecidedAt != nil {
		r.Outcome, r.Explanation, r.DecidedAt = c.Outcome, c.Explanation, c.DecidedAt
	}
	return r
}

// partnerOf returns the partner organisation of a liaison's account, or
// answers 403.
func partnerOf(c *gin.Context) (string, bool) {
	p := user(c).Partner
	if p == "" {
		writeProblem(c, http.StatusForbidden, "ce compte n'appartient à aucune organisation partenaire", nil)
	}
	return p, p != ""
}

// createReferral opens the mediation file of a Défenseur des droits
// referral. The reference is the key: the same body again answers 200
// with the same file, a different body 409.
func (s *Server) createReferral(c *gin.Context) {
	var in domain.NewReferral
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	now := s.now()
	if err := in.Validate(now, s.InsecureCallbacks); err != nil {
		fail(c, err)
		return
	}
	u := user(c)
	if !s.Authz.Can(u.Login, in.Caf, authz.ObjReferral, authz.ActCreate) {
		writeProblem(c, http.StatusForbidden, "vous ne pouvez pas saisir cette Caf", nil)
		return
	}
	partner, ok := partnerOf(c)
	if !ok {
		return
	}
	org, err := s.Store.Organisation(c.Request.Context(), in.Caf)
	if err != nil {
		fail(c, err)
		return
	}
	hash := hashBody("POST /api/v1/referrals", body)
	rec, created, err := s.Store.CreateReferral(c.Request.Context(), store.Referral{DDDReference: strings.TrimSpace(in.DDDReference),
		CaseID: newID(), Partner: partner, SubmittedBy: u.Login, RequestHash: hash})
	if err != nil {
		fail(c, err)
		return
	}
	if !created && (rec.Partner != partner || rec.RequestHash != hash) {
		writeProblem(c, http.StatusConflict, "cette référence a déjà été transmise avec un autre contenu", nil)
		return
	}
	file, err := domain.NewReferralCase(rec.CaseID, in, partner, now, org.Policy())
	if err != nil {
		fail(c, err)
		return
	}
	parent, linked, err := s.Store.ReferredMediation(c.Request.Context(), in.Caf, file.DDDReference)
	if err != nil {
		fail(c, err)
		return
	}
	if linked {
		file.ParentID = parent.ID
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	out, err := s.startFile(ctx, file, u.Login, !created)
	if err != nil {
		fail(c, workflows.DomainError(err))
		return
	}
	if linked && created {
		s.linkReferral(ctx, parent, out.ID, u.Login)
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(status, out)
}

// linkReferral tells the mediation the claimant took to the Défenseur des
// droits that the referral arrived, for its timeline. The referral already
// names it as parent, so a failure here loses no link.
func (s *Server) linkReferral(ctx context.Context, parent domain.Case, referralID, actor string) {
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.WorkflowID(parent.Kind, parent.ID), UpdateID: "link:" + referralID,
		UpdateName: string(domain.ActionLinkReferral), WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.ActionRequest{Actor: domain.Actor{Login: actor, Roles: []domain.Role{domain.RoleDDDLiaison}},
			Args: domain.ActionArgs{ReferralID: referralID}}},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		slog.WarnContext(ctx, "linking a referral to its mediation failed", "case_id", parent.ID, "referral_id", referralID, "err", err)
	}
}

// partnerReferral loads the file of a reference the caller's organisation
// submitted (404 otherwise) and checks act on it.
func (s *Server) partnerReferral(c *gin.Context, act string) (domain.Case, bool) {
	partner, ok := partnerOf(c)
	if !ok {
		return domain.Case{}, false
	}
	rec, err := s.Store.Referral(c.Request.Context(), c.Param("ddd_reference"))
	if err == nil && rec.Partner != partner {
		err = domain.Errorf(domain.ENOTFOUND, "saisine inconnue")
	}
	var file domain.Case
	if err == nil {
		file, err = s.Store.Case(c.Request.Context(), rec.CaseID)
	}
	if err == nil {
		err = s.Authz.Check(user(c).Login, file.Caf, authz.ObjReferral, act)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = domain.Errorf(domain.ENOTFOUND, "saisine inconnue") // as for an unknown reference
		}
	}
	if err != nil {
		fail(c, err)
		return domain.Case{}, false
	}
	return file, true
}

func (s *Server) getReferral(c *gin.Context) {
	if file, ok := s.partnerReferral(c, authz.ActRead); ok {
		c.JSON(http.StatusOK, referralOf(file))
	}
}

// followUpReferral records a follow-up of the Défenseur des droits (a
// request for explanation or a formal notice) and moves the file's legal
// limit to its new date.
func (s *Server) followUpReferral(c *gin.Context) {
	file, ok := s.partnerReferral(c, string(domain.ActionFollowUp))
	if !ok {
		return
	}
	var args domain.ActionArgs
	var in struct {
		Kind               string `json:"kind"`
		ResponseExpectedBy string `json:"response_expected_by"`
		Note               string `json:"note,omitempty"`
	}
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	args.Kind, args.ResponseExpectedBy, args.Note = in.Kind, in.ResponseExpectedBy, in.Note
	if err := domain.ValidateArgs(file.Kind, domain.ActionFollowUp, args, s.now()); err != nil {
		fail(c, err)
		return
	}
	out, err := s.update(c, file, domain.ActionFollowUp, args, "POST /api/v1/referrals/"+file.DDDReference+"/follow-ups", body)
	if err != nil {
		return
	}
	c.JSON(http.StatusOK, referralOf(out))
}

// listReferrals answers what changed since updated_since, oldest change
// first, for the liaison's polling.
func (s *Server) listReferrals(c *gin.Context) {
	partner, ok := partnerOf(c)
	if !ok {
		return
	}
	var p domain.Problems
	f := store.ReferralFilter{Partner: partner,
		Cafs: s.Authz.Cafs(user(c).Login, authz.ObjReferral, authz.ActRead)}
	if v := c.Query("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			p.Add("updated_since", "date et heure RFC 3339 attendues")
		}
		f.Since = t
	}
	f.Limit = limitParam(c, &p, 50, 200)
	if cur := c.Query("cursor"); cur != "" {
		t, id, ok := decodeCursor(cur)
		if !ok {
			p.Add("cursor", "curseur invalide")
		}
		f.AfterTime, f.AfterID = t, id
	}
	if err := p.Err(); err != nil {
		fail(c, err)
		return
	}
	files, more, err := s.Store.ReferralFiles(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]Referral, len(files))
	for i, file := range files {
		items[i] = referralOf(file)
	}
	next := ""
	if more && len(files) > 0 {
		last := files[len(files)-1]
		next = encodeCursor(last.UpdatedAt, last.ID)
	}
	c.JSON(http.StatusOK, page(items, next))
}

func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(s string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", false
	}
	ts, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, id, ok && err == nil && id != ""
}
