package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func notYet(c *gin.Context) { writeProblem(c, http.StatusNotImplemented, "pas encore disponible", nil) }
