package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/jsonbody"
)

// An administrator manages the users of the Cafs where it holds the admin
// role: creates accounts, grants and revokes roles. Every change is in the
// trail of grants, and takes effect at once here and within seconds on
// every other API process.

func (s *Server) adminCafs(c *gin.Context) ([]string, bool) {
	cafs := s.Authz.Cafs(user(c).Login, authz.ObjUser, authz.ActManage)
	if len(cafs) == 0 {
		httpx.WriteProblem(c, http.StatusForbidden, "réservé aux administrateurs", nil)
	}
	return cafs, len(cafs) > 0
}

func (s *Server) createUser(c *gin.Context) {
	if _, ok := s.adminCafs(c); !ok {
		return
	}
	var in jsonbody.NewUser
	if _, ok := readJSON(c, &in); !ok {
		return
	}
	if in.Partner != "" && !s.nationalAdmin(c) {
		return
	}
	u, err := s.Store.CreateUser(c.Request.Context(), in.Login, in.Name, in.Email, in.Partner)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"login": u.Login, "name": u.Name, "email": u.Email, "partner": u.Partner, "roles": gin.H{}})
}

// nationalAdmin answers 403 unless the caller administers every Caf. A
// partner's account acts for an organisation whose referrals may name any
// Caf, and what it sends is trusted as that organisation's: tying an
// account to one is not a Caf's to decide.
func (s *Server) nationalAdmin(c *gin.Context) bool {
	ok, err := s.Authz.National(c.Request.Context(), user(c).Login, authz.ObjUser, authz.ActManage)
	if err != nil {
		httpx.Fail(c, err)
		return false
	}
	if !ok {
		httpx.WriteProblem(c, http.StatusForbidden, "seul un administrateur national peut rattacher un compte à une organisation partenaire", nil)
	}
	return ok
}

func (s *Server) listUsers(c *gin.Context) {
	cafs, ok := s.adminCafs(c)
	if !ok {
		return
	}
	users, err := s.Store.Users(c.Request.Context(), cafs)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(users, ""))
}

// grantRole gives a role in a Caf the administrator manages.
func (s *Server) grantRole(c *gin.Context) {
	var in jsonbody.Grant
	if _, ok := readJSON(c, &in); !ok {
		return
	}
	if !s.canManage(c, in.Caf) {
		return
	}
	created, err := s.Store.GrantRole(c.Request.Context(), user(c).Login, c.Param("login"), in.Caf, in.Role)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	s.reloadPolicy(c)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"login": c.Param("login"), "caf": in.Caf, "role": in.Role})
}

func (s *Server) revokeRole(c *gin.Context) {
	caf := c.Param("caf")
	if !s.canManage(c, caf) {
		return
	}
	if err := s.Store.RevokeRole(c.Request.Context(), user(c).Login, c.Param("login"), caf, domain.Role(c.Param("role"))); err != nil {
		httpx.Fail(c, err)
		return
	}
	s.reloadPolicy(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) canManage(c *gin.Context, caf string) bool {
	if !domain.ValidCafCode(caf) {
		httpx.Fail(c, &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide",
			Fields: []domain.FieldError{{Field: "caf", Message: "numéro de Caf attendu sur 3 chiffres"}}})
		return false
	}
	if !s.Authz.Can(user(c).Login, caf, authz.ObjUser, authz.ActManage) {
		httpx.WriteProblem(c, http.StatusForbidden, "vous n'administrez pas cette Caf", nil)
		return false
	}
	return true
}

// reloadPolicy applies a change of roles to this process at once (the
// others poll the policy's version).
func (s *Server) reloadPolicy(c *gin.Context) {
	if err := s.Authz.Reload(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
	}
}

// grantTrail lists the role changes in the Cafs the administrator manages
// (or an auditor audits), newest first.
func (s *Server) grantTrail(c *gin.Context) {
	login := user(c).Login
	cafs := append(s.Authz.Cafs(login, authz.ObjUser, authz.ActManage), s.Authz.Cafs(login, "audit", "read")...)
	if len(cafs) == 0 {
		httpx.WriteProblem(c, http.StatusForbidden, "réservé aux administrateurs et aux auditeurs", nil)
		return
	}
	var p domain.Problems
	limit := limitParam(c, &p, 200, 1000)
	if err := p.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	events, err := s.Store.GrantEvents(c.Request.Context(), cafs, c.Query("login"), limit)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(grantViews(events), ""))
}

// The Caf's recourse routes: what its letters tell a claimant about
// contesting a decision, benefit by benefit.

func (s *Server) listRecourseRoutes(c *gin.Context) {
	routes, err := s.Cases.RecourseRoutes(c.Request.Context(), principal(c), c.Param("caf"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": routes})
}

func (s *Server) setRecourseRoute(c *gin.Context) {
	var in domain.RecourseRoute
	if _, ok := readJSON(c, &in); !ok {
		return
	}
	in.Benefit = domain.Benefit(c.Param("benefit"))
	r, err := s.Cases.SetRecourseRoute(c.Request.Context(), principal(c), c.Param("caf"), in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) resetRecourseRoute(c *gin.Context) {
	r, err := s.Cases.ResetRecourseRoute(c.Request.Context(), principal(c), c.Param("caf"), domain.Benefit(c.Param("benefit")))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
