package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/store"
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

// readableCase loads a file the caller may read: 404 when it does not
// exist or the caller holds no role in its Caf, 403 when it holds one that
// cannot read files.
func (s *Server) readableCase(c *gin.Context) (domain.Case, bool) {
	file, err := s.readable(c, c.Param("id"))
	if err != nil {
		fail(c, err)
		return domain.Case{}, false
	}
	return file, true
}

// readable is readableCase's core, shared with the web interface.
func (s *Server) readable(c *gin.Context, id string) (domain.Case, error) {
	if _, err := uuid.Parse(id); err != nil {
		return domain.Case{}, &domain.Error{Code: domain.ENOTFOUND, Message: "dossier introuvable"}
	}
	file, err := s.Store.Case(c.Request.Context(), id)
	if err == nil {
		err = s.Authz.Check(user(c).Login, file.Caf, authz.ObjCase, authz.ActRead)
	}
	return file, err
}

// caseView is a file with the chain it belongs to (complaint → mediation
// → referral), when it has links.
type caseView struct {
	domain.Case
	Chain []store.Link `json:"chain,omitempty"`
	// PriorFiles are the claimant's other files in the Caf, shown on a
	// mediation so the mediator sees the prior approaches.
	PriorFiles []store.PriorFile `json:"prior_files,omitempty"`
}

func (s *Server) getCase(c *gin.Context) {
	file, ok := s.readableCase(c)
	if !ok || !s.recordRead(c, file, ReadDetail) {
		return
	}
	view, err := s.viewOf(c.Request.Context(), file)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

// viewOf adds to a file its chain and, on a mediation, the claimant's
// prior files.
func (s *Server) viewOf(ctx context.Context, file domain.Case) (caseView, error) {
	view := caseView{Case: file}
	var err error
	if view.Chain, err = s.Store.Chain(ctx, file.ID); err == nil && file.Kind == domain.KindMediation {
		view.PriorFiles, err = s.Store.PriorFiles(ctx, file.Caf, file.Claimant.Number, file.ID)
	}
	return view, err
}

func (s *Server) caseEvents(c *gin.Context) {
	file, ok := s.readableCase(c)
	if !ok || !s.recordRead(c, file, ReadEvents) {
		return
	}
	events, err := s.Store.Events(c.Request.Context(), file.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(events, ""))
}

// listCases lists the files of the Cafs the caller may read, filtered.
func (s *Server) listCases(c *gin.Context) {
	f, err := caseFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	files, next, err := s.listFiles(c, f, c.Query("caf"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(files, next))
}

// listFiles is listCases's core, shared with the web interface: the files
// of f in caf, or without caf in every Caf the caller may read.
func (s *Server) listFiles(c *gin.Context, f store.CaseFilter, caf string) ([]domain.Case, string, error) {
	readable := s.Authz.Cafs(user(c).Login, authz.ObjCase, authz.ActRead)
	if caf != "" {
		if !slices.Contains(readable, caf) {
			return nil, "", &domain.Error{Code: domain.EFORBIDDEN, Message: "vous n'avez pas accès aux dossiers de cette Caf"}
		}
		readable = []string{caf}
	}
	if len(readable) == 0 {
		return nil, "", &domain.Error{Code: domain.EFORBIDDEN, Message: "votre rôle ne permet pas de consulter les dossiers"}
	}
	f.Cafs = readable
	return s.Store.Cases(c.Request.Context(), f)
}

// caseFilter reads and checks the list's query parameters.
func caseFilter(c *gin.Context) (store.CaseFilter, error) {
	var p domain.Problems
	f := store.CaseFilter{
		Kind: c.Query("kind"), Status: c.Query("status"), Assignee: c.Query("assignee"),
		SLAStatus: c.Query("sla_status"), Query: c.Query("q"), Cursor: c.Query("cursor"),
	}
	if k := domain.Kind(f.Kind); f.Kind != "" && k != domain.KindComplaint && k != domain.KindMediation {
		p.Add("kind", "type de dossier inconnu (complaint ou mediation)")
	}
	if f.Status != "" && !slices.Contains(domain.ComplaintStatuses, domain.Status(f.Status)) {
		p.Add("status", "statut inconnu")
	}
	if f.SLAStatus != "" && !domain.SLAStatus(f.SLAStatus).Valid() {
		p.Add("sla_status", "état de délai inconnu")
	}
	if caf := c.Query("caf"); caf != "" && !domain.ValidCafCode(caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	if f.Cursor != "" {
		if _, err := uuid.Parse(f.Cursor); err != nil {
			p.Add("cursor", "curseur invalide")
		}
	}
	f.Limit = limitParam(c, &p, 50, 200)
	return f, p.Err()
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
