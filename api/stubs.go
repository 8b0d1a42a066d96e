package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func notYet(c *gin.Context) { writeProblem(c, http.StatusNotImplemented, "pas encore disponible", nil) }

func (s *Server) createMediation(c *gin.Context)  { notYet(c) }
func (s *Server) createReferral(c *gin.Context)   { notYet(c) }
func (s *Server) listReferrals(c *gin.Context)    { notYet(c) }
func (s *Server) getReferral(c *gin.Context)      { notYet(c) }
func (s *Server) followUpReferral(c *gin.Context) { notYet(c) }
func (s *Server) openAPIDocument(c *gin.Context)  { notYet(c) }
