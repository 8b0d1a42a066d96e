package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) importHistory(c *gin.Context) {
	writeProblem(c, http.StatusNotImplemented, "pas encore disponible", nil)
}
