package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recours/internal/domain"
	"recours/internal/httpx"
)

// createComplaint registers a complaint; the 201 answers once the file is
// in the store, so a GET right after shows it.
func (s *Server) createComplaint(c *gin.Context) {
	var in domain.NewComplaint
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	out, err := s.Cases.Register(c.Request.Context(), principal(c), in, idem(c, body))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(http.StatusCreated, out)
}

// createMediation registers a request for mediation (from the claimant or
// a third party); a Défenseur des droits referral comes through
// /referrals instead.
func (s *Server) createMediation(c *gin.Context) {
	var in domain.NewMediation
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	out, err := s.Cases.RegisterMediation(c.Request.Context(), principal(c), in, idem(c, body))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(http.StatusCreated, out)
}
