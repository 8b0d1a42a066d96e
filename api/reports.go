package api

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/reports"
)

// maxSummaryYears bounds the period of a summary: enough for three annual
// reports side by side, and a bound on what one request may scan.
const maxSummaryYears = 3

// reportSummary answers the figures of the days from..to (both included,
// in Europe/Paris) for one Caf, or without caf for every Caf whose reports
// the caller may read (the figures over all of them, and per Caf), with
// the previous period of the same length: JSON, or with format=csv one
// long table (caf, section, figure, key, value).
func (s *Server) reportSummary(c *gin.Context) {
	q, err := summaryQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	sum, err := s.summary(c, q.caf, q.from, q.to)
	if err != nil {
		fail(c, err)
		return
	}
	if q.format != "csv" {
		c.JSON(http.StatusOK, sum)
		return
	}
	var out bytes.Buffer
	if err := sum.WriteCSV(&out); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="chiffres-%s-%s-%s.csv"`,
		strings.Join(sum.Cafs, "-"), sum.From, sum.To))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", out.Bytes())
}

// summary is reportSummary's core, shared with the web interface: the
// figures of from..to for caf, or without caf for every Caf whose reports
// the caller may read.
func (s *Server) summary(c *gin.Context, caf string, from, to reports.Date) (*reports.Summary, error) {
	cafs := s.Authz.Cafs(user(c).Login, "report", authz.ActRead)
	if caf != "" {
		if !slices.Contains(cafs, caf) {
			return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas consulter les chiffres de cette Caf"}
		}
		cafs = []string{caf}
	}
	if len(cafs) == 0 {
		return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: "votre rôle ne permet pas de consulter les chiffres"}
	}
	return reports.Compute(c.Request.Context(), s.Store, cafs, from, to)
}

type summaryParams struct {
	caf, format string
	from, to    reports.Date
}

// summaryQuery reads and checks the summary's query parameters.
func summaryQuery(c *gin.Context) (summaryParams, error) {
	var p domain.Problems
	q := summaryParams{caf: c.Query("caf"), format: c.Query("format")}
	date := func(name string) (reports.Date, bool) {
		d, err := reports.ParseDate(c.Query(name))
		if err != nil {
			p.Add(name, "date attendue au format AAAA-MM-JJ")
		}
		return d, err == nil
	}
	from, okFrom := date("from")
	to, okTo := date("to")
	q.from, q.to = from, to
	switch {
	case !okFrom || !okTo:
	case to.Before(from):
		p.Add("to", "la fin de la période précède son début")
	case from.AddYears(maxSummaryYears).AddDays(-1).Before(to):
		p.Add("to", fmt.Sprintf("la période ne peut dépasser %d ans", maxSummaryYears))
	}
	if q.caf != "" && !domain.ValidCafCode(q.caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	if q.format != "" && q.format != "json" && q.format != "csv" {
		p.Add("format", "json ou csv")
	}
	return q, p.Err()
}

// annualReport answers the printable annual report (PDF, in French) of a
// year: for one Caf, or without caf for all those whose reports the caller
// may read (the figures over all of them, then per Caf).
func (s *Server) annualReport(c *gin.Context) {
	var p domain.Problems
	year, err := strconv.Atoi(c.Query("year"))
	if err != nil || year < 2000 || year > 2100 {
		p.Add("year", "année attendue, de 2000 à 2100")
	}
	caf := c.Query("caf")
	if caf != "" && !domain.ValidCafCode(caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	if err := p.Err(); err != nil {
		fail(c, err)
		return
	}
	cafs := s.Authz.Cafs(user(c).Login, "report", authz.ActRead)
	if caf != "" {
		if !slices.Contains(cafs, caf) {
			writeProblem(c, http.StatusForbidden, "vous ne pouvez pas consulter les chiffres de cette Caf", nil)
			return
		}
		cafs = []string{caf}
	}
	if len(cafs) == 0 {
		writeProblem(c, http.StatusForbidden, "votre rôle ne permet pas de consulter les chiffres", nil)
		return
	}
	slices.Sort(cafs)
	sum, err := reports.Compute(c.Request.Context(), s.Store, cafs,
		reports.Date{Year: year, Month: time.January, Day: 1}, reports.Date{Year: year, Month: time.December, Day: 31})
	if err != nil {
		fail(c, err)
		return
	}
	names := make([]string, len(cafs))
	for i, code := range cafs {
		org, err := s.Store.Organisation(c.Request.Context(), code)
		if err != nil {
			fail(c, err)
			return
		}
		names[i] = org.Name
	}
	title := strings.Join(names, ", ")
	if len(names) > 3 {
		title = fmt.Sprintf("%d Caf", len(names))
	}
	var pdf bytes.Buffer
	if err := reports.AnnualPDF(&pdf, sum, title, year); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="rapport-%s-%d.pdf"`, strings.Join(cafs, "-"), year))
	c.Data(http.StatusOK, "application/pdf", pdf.Bytes())
}
