package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
)

// principal is the caller, as the service knows it.
func principal(c *gin.Context) domain.Principal { return httpx.Principal(c) }

// idem is the request's idempotency: its Idempotency-Key and body.
func idem(c *gin.Context, body []byte) cases.Idempotency {
	return cases.Idempotency{Key: c.GetHeader("Idempotency-Key"), Body: body}
}

// act performs an action on a file.
func (s *Server) act(c *gin.Context) {
	action := domain.Action(c.Param("action"))
	if !domain.IsAction(action) {
		// Unknown whatever the file: 404 before the body is read.
		httpx.Fail(c, domain.Errorf(domain.ENOTFOUND, "action inconnue sur ce dossier : %s", action))
		return
	}
	var args domain.ActionArgs
	body, ok := readJSON(c, &args)
	if !ok {
		return
	}
	out, err := s.Cases.Act(c.Request.Context(), principal(c), c.Param("id"), action, args, idem(c, body))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
