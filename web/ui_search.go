package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recours/internal/cases"
	"recours/internal/domain"
)

// uiSearchPage is a page of a search's results.
type uiSearchPage struct {
	Query string
	Files []domain.Case
	// Next is the cursor of the next page; Offset this page's.
	Next, Offset string
	Error        string
}

// uiSearch finds files from the box in every page's header: a reference
// (whole or its last digits), a claimant number, a name, an email, a
// phone, a Défenseur des droits reference, in every Caf the agent may
// read, best matches first, each file found on the access trail.
func (s *Server) uiSearch(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	d := uiSearchPage{Query: q, Offset: c.Query("suite")}
	status := http.StatusOK
	if q != "" {
		page, err := s.Cases.List(c.Request.Context(), principal(c), cases.Filter{Q: q, Cursor: d.Offset, Limit: "50"})
		switch code := domain.ErrorCode(err); {
		case err == nil:
			d.Files, d.Next = page.Items, page.Next
			if len(page.Items) == 1 && d.Offset == "" && c.Query("liste") == "" {
				// One file: open it, as an agent with its reference expects.
				c.Redirect(http.StatusSeeOther, "/ui/dossiers/"+page.Items[0].ID)
				return
			}
		case code == domain.EINVALID || code == domain.EFORBIDDEN:
			d.Error, status = uiErrText(err), http.StatusBadRequest
			if code == domain.EFORBIDDEN {
				status = http.StatusForbidden
			}
		default:
			s.uiFail(c, err)
			return
		}
	}
	uiOf(c).Query = q
	s.uiRender(c, status, "search", "Rechercher un dossier", d)
}
