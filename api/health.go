package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"recours/internal/httpx"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
)

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz answers 200 when the database answers, Temporal answers for the
// namespace, and a worker polls the files' task queue; otherwise 503,
// with what is missing.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := gin.H{"database": "ok", "temporal": "ok", "workers": "ok"}
	ok := true
	if err := s.Store.Ping(ctx); err != nil {
		checks["database"], ok = "unreachable", false
	}
	polling, err := s.Cases.WorkersPolling(ctx)
	if err == nil {
		_, err = s.Temporal.CheckHealth(ctx, nil)
	}
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		checks["temporal"], checks["workers"], ok = "namespace missing", "unknown", false
	case err != nil:
		checks["temporal"], checks["workers"], ok = "unreachable", "unknown", false
	case !polling:
		checks["workers"], ok = "none polling", false
	}
	if !ok {
		c.Header("Retry-After", strconv.Itoa(httpx.RetryAfterSeconds))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}
