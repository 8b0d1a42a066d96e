package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz answers 200 when the database and Temporal both answer.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := gin.H{"database": "ok", "temporal": "ok"}
	ok := true
	if err := s.Store.Ping(ctx); err != nil {
		checks["database"], ok = "unreachable", false
	}
	if _, err := s.Temporal.CheckHealth(ctx, nil); err != nil {
		checks["temporal"], ok = "unreachable", false
	}
	if !ok {
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}
