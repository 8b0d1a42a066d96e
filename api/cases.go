package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
)

// Page is the shape of every list.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func page[T any](items []T, next string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if next != "" {
		p.NextCursor = &next
	}
	return p
}

func (s *Server) getCase(c *gin.Context) {
	view, err := s.Cases.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

func (s *Server) caseEvents(c *gin.Context) {
	events, err := s.Cases.Events(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(events, ""))
}

// listCases lists the files of the Cafs the caller may read, filtered.
func (s *Server) listCases(c *gin.Context) {
	files, err := s.Cases.List(c.Request.Context(), principal(c), cases.Filter{
		Caf: c.Query("caf"), Kind: c.Query("kind"), Status: c.Query("status"), Assignee: c.Query("assignee"),
		SLAStatus: c.Query("sla_status"), Q: c.Query("q"), Cursor: c.Query("cursor"), Limit: c.Query("limit"),
	})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(files.Items, files.Next))
}

// caseMessages lists what was written to the claimant about a file: kind,
// channel, status, attempts.
func (s *Server) caseMessages(c *gin.Context) {
	rows, err := s.Cases.Messages(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(messageViews(rows), ""))
}

// limitParam reads ?limit=, between 1 and max (def when absent), and
// records a problem otherwise.
func limitParam(c *gin.Context, p *domain.Problems, def, max int) int {
	l := c.Query("limit")
	if l == "" {
		return def
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > max {
		p.Add("limit", fmt.Sprintf("entre 1 et %d", max))
	}
	return n
}
