package api

import (
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/importer"
)

// MaxImportBody is the largest history file accepted (413 above): 2 GiB,
// about twenty million rows. A variable for the tests.
var MaxImportBody int64 = 2 << 30

// importTimeout bounds how long a history file may take to arrive and be
// imported, beyond the server's usual deadlines.
const importTimeout = time.Hour

// importHistory loads a CSV file of closed files from the previous system
// (POST /api/v1/admin/imports?caf=&skip_invalid=): the body is streamed to
// the importer as it arrives, never held whole. 200 with the report; 400
// naming each bad line ("ligne N") when rows were invalid and nothing was
// imported, or when the header is wrong.
func (s *Server) importHistory(c *gin.Context) {
	caf := c.Query("caf")
	if !s.Authz.Can(user(c).Login, caf, "history", "import") {
		httpx.WriteProblem(c, http.StatusForbidden, "seul un administrateur de cette Caf peut importer son historique", nil)
		return
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "text/csv" {
		httpx.WriteProblem(c, http.StatusUnsupportedMediaType, "le corps doit être un fichier CSV (Content-Type: text/csv)", nil)
		return
	}
	skip := false
	if v, ok := c.GetQuery("skip_invalid"); ok {
		b, err := strconv.ParseBool(v)
		if v != "" && err != nil {
			httpx.WriteProblem(c, http.StatusBadRequest, "la demande est invalide",
				[]domain.FieldError{{Field: "skip_invalid", Message: "true ou false attendu"}})
			return
		}
		skip = v == "" || b // ?skip_invalid alone means true
	}
	if c.Request.ContentLength > MaxImportBody {
		httpx.WriteProblem(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("fichier trop volumineux (%d octets au plus)", MaxImportBody), nil)
		return
	}
	// A large file takes longer to arrive than the server's deadlines allow
	// an ordinary request.
	rc := http.NewResponseController(c.Writer)
	deadline := time.Now().Add(importTimeout)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)

	body := http.MaxBytesReader(c.Writer, c.Request.Body, MaxImportBody)
	rep, err := importer.Import(c.Request.Context(), s.Store, caf, body, importer.Options{SkipInvalid: skip, Now: s.now})
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		httpx.WriteProblem(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("fichier trop volumineux (%d octets au plus) : rien n'a été importé", MaxImportBody), nil)
	case errors.Is(err, importer.ErrInvalidRows):
		fields := make([]domain.FieldError, len(rep.Errors))
		for i, e := range rep.Errors {
			fields[i] = domain.FieldError{Field: fmt.Sprintf("ligne %d", e.Line), Message: e.Reason}
		}
		detail := fmt.Sprintf("%d ligne(s) invalide(s) sur %d : rien n'a été importé (corrigez-les, ou relancez avec skip_invalid=true pour importer les autres)", rep.Invalid, rep.Read)
		if rep.Invalid > len(rep.Errors) {
			detail += fmt.Sprintf(" ; seules les %d premières sont listées", len(rep.Errors))
		}
		httpx.WriteProblem(c, http.StatusBadRequest, detail, fields)
	case err != nil:
		httpx.Fail(c, err)
	default:
		slog.InfoContext(c, "history imported", "caf", caf, "read", rep.Read, "imported", rep.Imported,
			"unchanged", rep.Unchanged, "skipped", rep.Skipped)
		c.JSON(http.StatusOK, rep)
	}
}
