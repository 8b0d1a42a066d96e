package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// Unavailable reports whether err says the database is away or busy for
// now (unreachable, restarting, out of connections, a lock or a statement
// that timed out), rather than that the request or the code is wrong: the
// caller may retry later, and the API answers 503 with Retry-After.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	var liteErr sqlite3.Error
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, context.DeadlineExceeded),
		pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pgErr):
		return transientState(pgErr.Code)
	case errors.As(err, &liteErr):
		return liteErr.Code == sqlite3.ErrBusy || liteErr.Code == sqlite3.ErrLocked
	}
	// A connection closed under a query (the server shut down).
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "connection reset by peer") || strings.Contains(msg, "broken pipe")
}

// transientState reports whether a PostgreSQL SQLSTATE says "try again":
// connection exceptions (08), server shutting down or not yet up (57P0x),
// a cancelled or timed-out statement (57014), too many connections
// (53300), a lock not available (55P03), serialisation failures and
// deadlocks (40001, 40P01).
func transientState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "57P"):
		return true
	}
	switch code {
	case "57014", "53300", "55P03", "40001", "40P01":
		return true
	}
	return false
}
