package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) reportSummary(c *gin.Context) {
	writeProblem(c, http.StatusNotImplemented, "pas encore disponible", nil)
}

func (s *Server) annualReport(c *gin.Context) {
	writeProblem(c, http.StatusNotImplemented, "pas encore disponible", nil)
}
