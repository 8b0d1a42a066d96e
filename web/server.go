// Package web is the agents' web interface: server-rendered French pages
// (templates and assets embedded), the browser sign-in (OpenID Connect, or
// the local demo login of the embedded default) and its sessions. Every
// page calls the service core (internal/cases) the JSON API calls, so no
// business rule lives here. Its pages are not part of the partners'
// contract (openapi.json).
package web

import (
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/auth"
	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// Server holds what the pages need.
type Server struct {
	Cases *cases.Service
	Store *store.Store
	Authz *authz.Authorizer
	// Auth configures the browser sign-in (OIDC, the local demo login)
	// and the session cookie the API accepts beside bearer tokens.
	Auth AuthConfig
	// OutboxDir is the folder the messages to claimants are written to
	// when no channel is configured (the embedded default): the pages
	// serve a file's .eml and .pdf from there, and from nowhere else.
	// Empty: no download.
	OutboxDir string
	// Limits bounds request rates per address (nil: none).
	Limits *httpx.Limits

	seal *auth.Sealer
}

// Mount serves the sign-in under /auth and the pages under /ui (and /
// redirects there).
func (s *Server) Mount(r *gin.Engine) {
	s.initAuth()
	signIn := r.Group("/auth", s.Limits.ByAddress)
	signIn.GET("/login", s.login)
	signIn.POST("/local", s.localLogin)
	signIn.GET("/callback", s.callback)
	signIn.POST("/logout", s.logout)
	signIn.GET("/session", s.sessionInfo)
	s.mountUI(r)
}

func (s *Server) now() time.Time { return s.Cases.Clock() }

// principal is the signed-in agent, as the service knows it.
func principal(c *gin.Context) domain.Principal { return httpx.Principal(c) }

// recordRead appends the read to the access trail before the file is
// served: a read that cannot be traced is not served.
func (s *Server) recordRead(c *gin.Context, file domain.Case, what string) bool {
	if err := s.Cases.Record(c.Request.Context(), principal(c), file.ID, file.Caf, what); err != nil {
		s.uiFail(c, err)
		return false
	}
	return true
}
