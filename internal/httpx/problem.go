// Package httpx is the HTTP plumbing the JSON API and the web interface
// share: how an error answers (problem+json, its status and Retry-After),
// the rate limits, and the security headers of every answer.
package httpx

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

// StatusOf is the HTTP status of each domain error code.
var StatusOf = map[string]int{
	domain.EINVALID:      http.StatusBadRequest,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.EREFUSED:      http.StatusUnprocessableEntity,
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
	case http.StatusUnprocessableEntity:
		return "/problems/refused"
	case http.StatusRequestEntityTooLarge:
		return "/problems/too-large"
	case http.StatusUnsupportedMediaType:
		return "/problems/unsupported-media-type"
	case http.StatusServiceUnavailable:
		return "/problems/unavailable"
	}
	return "about:blank"
}

// WriteProblem answers with a problem document and stops the chain. A
// status that is not an error's (0, say, for a code the table above does
// not know) answers 500: a failure never answers 2xx.
func WriteProblem(c *gin.Context, status int, detail string, fields []domain.FieldError) {
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

// DetailUnavailable is the 503's detail, for people.
const DetailUnavailable = "service momentanément indisponible : réessayez dans quelques secondes"

// Fail maps any error to its problem, in one place: a domain error to the
// status of its code; the database's, Temporal's and the context's
// transient failures to 503 with Retry-After; anything else to 500,
// logged, its text never in the answer.
func Fail(c *gin.Context, err error) {
	status, detail, fields := Of(err)
	switch status {
	case http.StatusServiceUnavailable:
		slog.WarnContext(c, "dependency unavailable", "route", c.FullPath(), "err", err)
	case http.StatusInternalServerError:
		slog.ErrorContext(c, "request failed", "route", c.FullPath(), "err", err)
	}
	WriteProblem(c, status, detail, fields)
}

// Of is the status, detail and field errors err answers with.
func Of(err error) (int, string, []domain.FieldError) {
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		status, ok := StatusOf[de.Code]
		switch {
		case !ok || de.Code == domain.EINTERNAL:
			return http.StatusInternalServerError, "erreur interne", nil
		case de.Code == domain.EUNAVAILABLE && de.Message == "":
			return status, DetailUnavailable, nil
		}
		return status, de.Message, de.Fields
	case cases.IsUnavailable(err), store.Unavailable(err):
		return http.StatusServiceUnavailable, DetailUnavailable, nil
	}
	return http.StatusInternalServerError, "erreur interne", nil
}
