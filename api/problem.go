package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"recours/internal/domain"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors []domain.FieldError `json:"errors,omitempty"`
}

var statusOf = map[string]int{
	domain.EINVALID:      http.StatusBadRequest,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

// problemType is the URI naming each kind of problem.
func problemType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "/problems/invalid-request"
	case http.StatusUnauthorized:
		return "/problems/unauthenticated"
	case http.StatusForbidden:
		return "/problems/forbidden"
	case http.StatusNotFound:
		return "/problems/not-found"
	case http.StatusConflict:
		return "/problems/conflict"
	case http.StatusRequestEntityTooLarge:
		return "/problems/too-large"
	case http.StatusUnsupportedMediaType:
		return "/problems/unsupported-media-type"
	case http.StatusServiceUnavailable:
		return "/problems/unavailable"
	}
	return "about:blank"
}

// writeProblem answers with a problem document and stops the chain.
func writeProblem(c *gin.Context, status int, detail string, fields []domain.FieldError) {
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="recours"`)
	}
	// Set before writing: the JSON renderer keeps a content type already set.
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(status, Problem{
		Type: problemType(status), Title: http.StatusText(status), Status: status,
		Detail: detail, Errors: fields,
	})
}

// fail maps any error to its problem: domain codes in one table, Temporal's
// and the context's failures to 503.
func fail(c *gin.Context, err error) {
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		writeProblem(c, statusOf[de.Code], de.Message, de.Fields)
		return
	case isUnavailable(err):
		slog.WarnContext(c, "dependency unavailable", "route", c.FullPath(), "err", err)
		writeProblem(c, http.StatusServiceUnavailable, "service momentanément indisponible, réessayez", nil)
		return
	}
	slog.ErrorContext(c, "request failed", "route", c.FullPath(), "err", err)
	writeProblem(c, http.StatusInternalServerError, "erreur interne", nil)
}

func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavailable) || errors.As(err, &deadline) ||
		errors.Is(err, context.DeadlineExceeded)
}
