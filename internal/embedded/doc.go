// Package embedded runs a complete single-node Temporal server (frontend,
// history, matching and worker services) inside the current process, backed
// by SQLite.
//
// It powers `recours dev`, where state is kept in a SQLite file so that
// running workflows survive a restart, and end-to-end tests, which use an
// ephemeral in-memory database.
//
// The setup mirrors go.temporal.io/server/temporaltest/internal (which cannot
// be imported) with a few deliberate differences:
//
//   - SQLite pragmas are passed under their bare names ("journal_mode",
//     "synchronous"): the sqlite plugin turns every unknown connect attribute
//     into "_pragma=<key>=<value>", so the "_journal_mode" spelling used by
//     temporaltest becomes an unknown pragma that SQLite silently ignores.
//   - No Prometheus or pprof listener is opened; metrics are discarded.
//   - The database file is created with mode 0600 (its folder 0700), or set
//     to it when an earlier version left it 0644: it holds the histories,
//     claimants' data included.
//   - Server logs are forwarded to a *slog.Logger at WARN level and above,
//     and muted once Stop begins (shutdown only produces benign noise).
//   - Cluster membership rows left by a previous run are deleted before
//     start; otherwise a restart within 20s waits 30s+ for ringpop to give
//     up on the dead previous incarnation.
//   - Start returns only once the frontend sees history, matching and worker
//     in its membership rings, not merely when it answers.
//   - Custom search attributes missing from an existing database are added
//     through the operator API after start, because namespace pre-creation is
//     skipped when the namespace already exists.
//
// Known limitation: the sqlite plugin keeps one pooled connection per DSN for
// the lifetime of the process and never closes it (see conn_pool.go in the
// plugin). Stop therefore releases every port, but the database handle stays
// open until the process exits; a later Start on the same file within the
// same process transparently reuses that connection.
package embedded
