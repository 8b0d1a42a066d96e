package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/store"
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

// writeProblem answers with a problem document and stops the chain. A
// status that is not an error's (0, say, for a code the table above does
// not know) answers 500: a failure never answers 2xx.
func writeProblem(c *gin.Context, status int, detail string, fields []domain.FieldError) {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", strconv.Itoa(RetryAfterSeconds))
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

// RetryAfterSeconds is what a 503 tells the client to wait before it
// retries: about how long a save takes to resume once the database or
// Temporal is back (workflows.SaveRetryInterval).
const RetryAfterSeconds = 5

// detailUnavailable is the 503's detail, for people.
const detailUnavailable = "service momentanément indisponible : réessayez dans quelques secondes"

// fail maps any error to its problem, in one place: a domain error to the
// status of its code; the database's, Temporal's and the context's
// transient failures to 503 with Retry-After; anything else to 500,
// logged, its text never in the answer.
func fail(c *gin.Context, err error) {
	status, detail, fields := problemOf(err)
	switch status {
	case http.StatusServiceUnavailable:
		slog.WarnContext(c, "dependency unavailable", "route", c.FullPath(), "err", err)
	case http.StatusInternalServerError:
		slog.ErrorContext(c, "request failed", "route", c.FullPath(), "err", err)
	}
	writeProblem(c, status, detail, fields)
}

// problemOf is the status, detail and field errors err answers with.
func problemOf(err error) (int, string, []domain.FieldError) {
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		status, ok := statusOf[de.Code]
		switch {
		case !ok || de.Code == domain.EINTERNAL:
			return http.StatusInternalServerError, "erreur interne", nil
		case de.Code == domain.EUNAVAILABLE && de.Message == "":
			return status, detailUnavailable, nil
		}
		return status, de.Message, de.Fields
	case cases.IsUnavailable(err), store.Unavailable(err):
		return http.StatusServiceUnavailable, detailUnavailable, nil
	}
	return http.StatusInternalServerError, "erreur interne", nil
}
