package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// accessTrail lets an auditor read the trail of the Cafs it audits, per
// file (case_id) or per agent (actor), newest first.
func (s *Server) accessTrail(c *gin.Context) {
	var p domain.Problems
	f := store.AccessFilter{CaseID: c.Query("case_id"), Actor: c.Query("actor"),
		Cafs: s.Authz.Cafs(user(c).Login, "audit", "read")}
	if len(f.Cafs) == 0 {
		httpx.WriteProblem(c, http.StatusForbidden, "réservé aux auditeurs", nil)
		return
	}
	if f.CaseID != "" {
		if _, err := uuid.Parse(f.CaseID); err != nil {
			p.Add("case_id", "identifiant de dossier invalide")
		}
	}
	f.Limit = limitParam(c, &p, 50, 200)
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseUint(cur, 10, 64)
		if err != nil || n == 0 {
			p.Add("cursor", "curseur invalide")
		}
		f.Before = n
	}
	if err := p.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	entries, more, err := s.Store.AccessEntries(c.Request.Context(), f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	next := ""
	if more {
		next = strconv.FormatUint(entries[len(entries)-1].ID, 10)
	}
	c.JSON(http.StatusOK, page(entries, next))
}
