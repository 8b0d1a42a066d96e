package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/workflows"
)

// fromWorkflow is a domain error as an update's validator or handler
// returns it, across Temporal.
func fromWorkflow(code, msg string) error {
	return temporal.NewApplicationErrorWithOptions(msg, code, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// connectError is what the store returns when PostgreSQL is away: a real
// one, from a port nothing listens on.
func connectError(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := pgconn.Connect(ctx, "postgres://postgres@127.0.0.1:1/recours?sslmode=disable&connect_timeout=2")
	require.Error(t, err)
	return fmt.Errorf("store: authenticate: %w", err)
}

// Every kind of error an update, Temporal or the store can return answers
// its real status: never a 2xx, 503 with Retry-After for what is
// transient, 500 for the rest, and never an internal message in the body
// (issue 11: an activity's error type, unknown to the mapping, gave
// status 0, Gin kept 200, and the body held the database's address).
func TestFail_EveryErrorKindAnswersItsStatus(t *testing.T) {
	unknownType := temporal.NewApplicationError("failed to connect to user=postgres database=recours_prod", "*pgconn.ConnectError")
	for _, tc := range []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"invalid", fromWorkflow(domain.EINVALID, "la demande est invalide"), 400, "la demande est invalide"},
		{"unauthorized", &domain.Error{Code: domain.EUNAUTHORIZED, Message: "jeton inconnu"}, 401, "jeton inconnu"},
		{"forbidden", fromWorkflow(domain.EFORBIDDEN, "ce dossier est attribué à un autre agent"), 403, "ce dossier est attribué à un autre agent"},
		{"not found", fromWorkflow(domain.ENOTFOUND, "dossier introuvable"), 404, "dossier introuvable"},
		{"conflict", fromWorkflow(domain.ECONFLICT, "action start impossible"), 409, "action start impossible"},
		{"unavailable", fromWorkflow(domain.EUNAVAILABLE, ""), 503, DetailUnavailable},
		{"no worker", cases.ErrNoWorker, 503, cases.DetailNoWorker},
		{"internal", fromWorkflow(domain.EINTERNAL, "nil pointer in Apply"), 500, "erreur interne"},
		{"unknown error type", unknownType, 500, "erreur interne"},
		{"an activity's failure", temporal.NewNonRetryableApplicationError("refused", "Refused", nil), 500, "erreur interne"},
		{"workflow cancelled", temporal.NewCanceledError(), 500, "erreur interne"},
		{"temporal unavailable", serviceerror.NewUnavailable("connection refused 10.0.0.3:7233"), 503, DetailUnavailable},
		{"temporal deadline", serviceerror.NewDeadlineExceeded("deadline"), 503, DetailUnavailable},
		{"temporal overloaded", serviceerror.NewResourceExhausted(0, "busy"), 503, DetailUnavailable},
		{"request deadline", fmt.Errorf("update: %w", context.DeadlineExceeded), 503, DetailUnavailable},
		{"database away", connectError(t), 503, DetailUnavailable},
		{"database restarting", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, 503, DetailUnavailable},
		{"table locked", fmt.Errorf("store: %w", &pgconn.PgError{Code: "55P03", Message: "could not obtain lock on relation case_events"}), 503, DetailUnavailable},
		{"sqlite busy", sqlite3.Error{Code: sqlite3.ErrBusy}, 503, DetailUnavailable},
		{"a unique violation", &pgconn.PgError{Code: "23505", Message: `duplicate key value violates unique constraint "cases_pkey"`}, 500, "erreur interne"},
		{"a plain error", errors.New("store: decode case 42: unexpected end of JSON input"), 500, "erreur interne"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/api/v1/cases/x/actions/start", nil)
			Fail(c, workflows.DomainError(tc.err))
			require.Equal(t, tc.status, w.Code)
			var p Problem
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
			assert.Equal(t, tc.status, p.Status)
			assert.Equal(t, tc.detail, p.Detail)
			assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
			if tc.status == http.StatusServiceUnavailable {
				assert.Equal(t, "5", w.Header().Get("Retry-After"))
			} else {
				assert.Empty(t, w.Header().Get("Retry-After"))
			}
			for _, secret := range []string{"postgres", "127.0.0.1", "10.0.0.3", "pointer", "JSON"} {
				assert.False(t, strings.Contains(w.Body.String(), secret), "the body tells %q: %s", secret, w.Body.String())
			}
		})
	}
}

// A status that is not an error's never answers a success.
func TestWriteProblem_NoStatusIsA500(t *testing.T) {
	for _, status := range []int{0, 200, 302} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		WriteProblem(c, status, "x", nil)
		assert.Equal(t, http.StatusInternalServerError, w.Code, "status %d", status)
	}
}
