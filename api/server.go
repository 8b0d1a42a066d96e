package api

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/httpx"
	"recours/internal/store"
)

// MaxBody is the largest request body accepted (413 above).
const MaxBody = 1 << 20

// Server holds what the handlers need.
type Server struct {
	Store    *store.Store
	Temporal client.Client
	Authz    *authz.Authorizer
	// Cases is the service core every handler calls; its clock is the
	// API's (tests move it).
	Cases *cases.Service
	// Limits bounds request rates per address and per token (nil: none).
	Limits *httpx.Limits
	// TrustedProxies are the addresses whose X-Forwarded-For names the
	// client (the TLS-terminating proxy); none by default.
	TrustedProxies []string
	// Web, when set, mounts the agents' web interface and its sign-in on
	// the same router (the web package): its pages call the same service.
	Web interface{ Mount(r *gin.Engine) }

	metrics     *metrics
	metricsOnce sync.Once
}

func (s *Server) now() time.Time {
	if s.Cases != nil {
		return s.Cases.Clock()
	}
	return time.Now().UTC()
}

// Handler builds the router.
func (s *Server) Handler() http.Handler {
	if s.Cases == nil {
		s.Cases = &cases.Service{Store: s.Store, Temporal: s.Temporal, Authz: s.Authz}
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// Route on the raw path: a Défenseur des droits reference may hold a
	// slash, sent encoded (%2F), and must stay one path segment.
	r.UseRawPath = true
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		slog.Warn("ignoring bad trusted proxies", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.recoverer, s.observe, httpx.SecureHeaders)
	r.NoRoute(func(c *gin.Context) { httpx.WriteProblem(c, http.StatusNotFound, "ressource inconnue", nil) })
	r.NoMethod(func(c *gin.Context) {
		httpx.WriteProblem(c, http.StatusMethodNotAllowed, "méthode non permise sur cette ressource", nil)
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	// No /metrics here: MetricsHandler is served on its own listener.

	r.GET("/api/openapi.json", s.openAPIDocument)
	if s.Web != nil {
		s.Web.Mount(r)
	}

	v1 := r.Group("/api/v1", s.Limits.ByAddress, s.authenticate, s.limitCredential)
	v1.Use(s.scopeToken, s.validateRequest)
	v1.POST("/complaints", s.createComplaint)
	v1.POST("/mediations", s.createMediation)
	v1.GET("/cases", s.listCases)
	v1.GET("/cases/:id", s.getCase)
	v1.GET("/cases/:id/events", s.caseEvents)
	v1.POST("/cases/:id/actions/:action", s.act)
	v1.GET("/cases/:id/messages", s.caseMessages)
	v1.POST("/overpayments", s.createOverpayment)
	v1.GET("/overpayments", s.listOverpayments)
	v1.GET("/overpayments/:id", s.getOverpayment)
	v1.POST("/overpayments/:id/actions/:action", s.actOnOverpayment)
	v1.POST("/referrals", s.createReferral)
	v1.GET("/referrals", s.listReferrals)
	v1.GET("/referrals/:ddd_reference", s.getReferral)
	v1.POST("/referrals/:ddd_reference/follow-ups", s.followUpReferral)
	v1.GET("/reports/summary", s.reportSummary)
	v1.GET("/reports/annual", s.annualReport)
	v1.POST("/admin/imports", s.importHistory)
	v1.GET("/audit/access", s.accessTrail)
	v1.GET("/audit/grants", s.grantTrail)
	v1.POST("/admin/users", s.createUser)
	v1.GET("/admin/users", s.listUsers)
	v1.POST("/admin/users/:login/roles", s.grantRole)
	v1.DELETE("/admin/users/:login/roles/:caf/:role", s.revokeRole)
	v1.POST("/admin/tokens", s.createToken)
	v1.GET("/admin/tokens", s.listTokens)
	v1.DELETE("/admin/tokens/:id", s.revokeToken)
	v1.GET("/admin/cafs/:caf/recourse-routes", s.listRecourseRoutes)
	v1.PUT("/admin/cafs/:caf/recourse-routes/:benefit", s.setRecourseRoute)
	v1.DELETE("/admin/cafs/:caf/recourse-routes/:benefit", s.resetRecourseRoute)
	return r
}

// limitCredential bounds the rate of each token or browser session.
func (s *Server) limitCredential(c *gin.Context) { s.Limits.ByCredential(c) }

// recoverer turns a panic into a 500 problem, logging no request content.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			slog.ErrorContext(c, "panic in handler", "route", c.FullPath(), "panic", v)
			httpx.WriteProblem(c, http.StatusInternalServerError, "erreur interne", nil)
		}
	}()
	c.Next()
}

// observe logs and counts each request by route and status. The route is
// the pattern (/api/v1/cases/:id), never the query string, which may hold a
// claimant's number.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metricsOf().observe(c.Request.Method, route, c.Writer.Status(), time.Since(start))
	slog.DebugContext(c, "request", "method", c.Request.Method, "route", route,
		"status", c.Writer.Status(), "duration_ms", time.Since(start).Milliseconds())
}
