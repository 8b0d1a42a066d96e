package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/workflows"
)

// createMediation registers a request for mediation (from the claimant or
// a third party); a Défenseur des droits referral comes through
// /referrals instead.
func (s *Server) createMediation(c *gin.Context) {
	var in domain.NewMediation
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	if err := in.Validate(); err != nil {
		fail(c, err)
		return
	}
	if in.Origin == domain.OriginDDD {
		fail(c, &domain.Error{Code: domain.EINVALID, Message: "une saisine du Défenseur des droits passe par /api/v1/referrals",
			Fields: []domain.FieldError{{Field: "origin", Message: "origine réservée aux saisines du Défenseur des droits"}}})
		return
	}
	u := user(c)
	if !s.Authz.Can(u.Login, in.Caf, authz.ObjMediation, authz.ActCreate) {
		writeProblem(c, http.StatusForbidden, "vous ne pouvez pas enregistrer de médiation pour cette Caf", nil)
		return
	}
	if in.RelatedCaseID != "" {
		if err := s.relatedCase(c, in); err != nil {
			fail(c, err)
			return
		}
	}
	if err := s.disputedOverpayment(c.Request.Context(), &in.OverpaymentID, in.Caf, in.Claimant.Number, in.Benefit, in.Reason); err != nil {
		fail(c, err)
		return
	}
	org, err := s.Store.Organisation(c.Request.Context(), in.Caf)
	if err != nil {
		fail(c, err)
		return
	}
	id, repeat, _, ok := s.idempotency(c, "POST /api/v1/mediations", body, newID())
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	out, err := s.startFile(ctx, domain.NewMediationCase(id, in, s.now(), org.Policy()), u.Login, repeat)
	if err != nil {
		fail(c, workflows.DomainError(err))
		return
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(http.StatusCreated, out)
}

// relatedCase checks that the file a mediation request names is the same
// claimant's, in the same Caf.
func (s *Server) relatedCase(c *gin.Context, in domain.NewMediation) error {
	rel, err := s.Store.Case(c.Request.Context(), in.RelatedCaseID)
	if err == nil && (rel.Caf != in.Caf || rel.Claimant.Number != in.Claimant.Number) {
		err = domain.Errorf(domain.ENOTFOUND, "")
	}
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return &domain.Error{Code: domain.EINVALID, Message: "dossier lié introuvable",
			Fields: []domain.FieldError{{Field: "related_case_id", Message: "aucun dossier de cet allocataire dans cette Caf ne porte cet identifiant"}}}
	}
	return err
}
