package cases

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/reports"
)

// MaxSummaryYears bounds the period of a summary: enough for three annual
// reports side by side, and a bound on what one request may scan.
const MaxSummaryYears = 3

// SummaryQuery is the period and Caf of a summary, as typed: dates
// AAAA-MM-JJ, both included, in Europe/Paris; no Caf: every Caf whose
// reports p may read.
type SummaryQuery struct {
	Caf, From, To string
}

// Summary is the figures of q's period, with the previous period of the
// same length.
func (s *Service) Summary(ctx context.Context, p domain.Principal, q SummaryQuery) (*reports.Summary, error) {
	var probs domain.Problems
	date := func(name, v string) (reports.Date, bool) {
		d, err := reports.ParseDate(v)
		if err != nil {
			probs.Add(name, "date attendue au format AAAA-MM-JJ")
		}
		return d, err == nil
	}
	from, okFrom := date("from", q.From)
	to, okTo := date("to", q.To)
	switch {
	case !okFrom || !okTo:
	case to.Before(from):
		probs.Add("to", "la fin de la période précède son début")
	case from.AddYears(MaxSummaryYears).AddDays(-1).Before(to):
		probs.Add("to", fmt.Sprintf("la période ne peut dépasser %d ans", MaxSummaryYears))
	}
	if q.Caf != "" && !domain.ValidCafCode(q.Caf) {
		probs.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	cafs, err := s.reportCafs(p, q.Caf)
	if err != nil {
		return nil, err
	}
	return reports.Compute(ctx, s.Store, cafs, from, to)
}

// reportCafs is caf, or without it every Caf whose reports p may read.
func (s *Service) reportCafs(p domain.Principal, caf string) ([]string, error) {
	cafs := s.Authz.Cafs(p.Login, "report", authz.ActRead)
	if caf != "" {
		if !slices.Contains(cafs, caf) {
			return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas consulter les chiffres de cette Caf"}
		}
		cafs = []string{caf}
	}
	if len(cafs) == 0 {
		return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: "votre rôle ne permet pas de consulter les chiffres"}
	}
	slices.Sort(cafs)
	return cafs, nil
}

// AnnualReport is the printable annual report (PDF, in French) of a year:
// for caf, or without it for all those whose reports p may read (the
// figures over all of them, then per Caf). name is the file's name.
func (s *Service) AnnualReport(ctx context.Context, p domain.Principal, caf, year string) (pdf []byte, name string, err error) {
	var probs domain.Problems
	y, err := strconv.Atoi(year)
	if err != nil || y < 2000 || y > 2100 {
		probs.Add("year", "année attendue, de 2000 à 2100")
	}
	if caf != "" && !domain.ValidCafCode(caf) {
		probs.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	cafs, err := s.reportCafs(p, caf)
	if err != nil {
		return nil, "", err
	}
	sum, err := reports.Compute(ctx, s.Store, cafs,
		reports.Date{Year: y, Month: time.January, Day: 1}, reports.Date{Year: y, Month: time.December, Day: 31})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(cafs))
	for i, code := range cafs {
		org, err := s.Store.Organisation(ctx, code)
		if err != nil {
			return nil, "", err
		}
		names[i] = org.Name
	}
	title := strings.Join(names, ", ")
	if len(names) > 3 {
		title = fmt.Sprintf("%d Caf", len(names))
	}
	var out bytes.Buffer
	if err := reports.AnnualPDF(&out, sum, title, y); err != nil {
		return nil, "", err
	}
	return out.Bytes(), fmt.Sprintf("rapport-%s-%d.pdf", strings.Join(cafs, "-"), y), nil
}
