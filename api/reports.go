package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
)

// reportSummary answers the figures of the days from..to (both included,
// in Europe/Paris) for one Caf, or without caf for every Caf whose reports
// the caller may read (the figures over all of them, and per Caf), with
// the previous period of the same length: JSON, or with format=csv one
// long table (caf, section, figure, key, value).
func (s *Server) reportSummary(c *gin.Context) {
	format := c.Query("format")
	if format != "" && format != "json" && format != "csv" {
		httpx.Fail(c, &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide",
			Fields: []domain.FieldError{{Field: "format", Message: "json ou csv"}}})
		return
	}
	sum, err := s.Cases.Summary(c.Request.Context(), principal(c),
		cases.SummaryQuery{Caf: c.Query("caf"), From: c.Query("from"), To: c.Query("to")})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if format != "csv" {
		c.JSON(http.StatusOK, sum)
		return
	}
	var out bytes.Buffer
	if err := sum.WriteCSV(&out); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="chiffres-%s-%s-%s.csv"`,
		strings.Join(sum.Cafs, "-"), sum.From, sum.To))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", out.Bytes())
}

// annualReport answers the printable annual report (PDF, in French) of a
// year.
func (s *Server) annualReport(c *gin.Context) {
	pdf, name, err := s.Cases.AnnualReport(c.Request.Context(), principal(c), c.Query("caf"), c.Query("year"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Data(http.StatusOK, "application/pdf", pdf)
}
