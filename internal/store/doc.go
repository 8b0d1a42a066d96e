// Package store is the relational side of Recours, through GORM, on
// PostgreSQL in production and SQLite in the embedded default: the Cafs,
// users, roles and API tokens; the projection of every file and its
// append-only timeline, written only by the workflows' activities; the
// queues of notifications; the idempotency keys of the API; the access
// trail, chained with the key it is given (SetTrailKey); the figures'
// rollup, the contributions of the files (as internal/figures defines
// them) summed and kept in the transaction that writes a file. The other
// packages reach the database through its methods only.
//
// It imports the domain and internal/figures, never the API, the
// workflows or Temporal.
package store
