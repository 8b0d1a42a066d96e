package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/store"
)

// What a read of a file was, in the access trail.
const (
	ReadDetail  = cases.ReadDetail
	ReadEvents  = cases.ReadEvents
	ReadMessage = cases.ReadMessage
)

// recordRead appends the read to the access trail before the file is
// served: a read that cannot be traced is not served.
func (s *Server) recordRead(c *gin.Context, file domain.Case, what string) bool {
	if err := s.recordAccess(c, file.ID, file.Caf, what); err != nil {
		fail(c, err)
		return false
	}
	return true
}

// recordAccess appends the caller's reading of what of the file (or
// notice) id of caf to the access trail.
func (s *Server) recordAccess(c *gin.Context, id, caf, what string) error {
	return s.Cases.Record(c.Request.Context(), principal(c), id, caf, what)
}

// accessTrail lets an auditor read the trail of the Cafs it audits, per
// file (case_id) or per agent (actor), newest first.
func (s *Server) accessTrail(c *gin.Context) {
	var p domain.Problems
	f := store.AccessFilter{CaseID: c.Query("case_id"), Actor: c.Query("actor"),
		Cafs: s.Authz.Cafs(user(c).Login, "audit", "read")}
	if len(f.Cafs) == 0 {
		writeProblem(c, http.StatusForbidden, "réservé aux auditeurs", nil)
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
		fail(c, err)
		return
	}
	entries, more, err := s.Store.AccessEntries(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	next := ""
	if more {
		next = strconv.FormatUint(entries[len(entries)-1].ID, 10)
	}
	c.JSON(http.StatusOK, page(entries, next))
}
