// Package cluster runs, for tests, the parts of Recours's production shape
// that live outside its binary: a standalone Temporal server (the
// go.temporal.io/server version go.mod pins, built by
// deploy/temporal/build.sh, configured by deploy/temporal/config.yaml) on
// PostgreSQL, and private PostgreSQL instances. A fault test stops, kills and
// restarts them under running `recours serve` and `recours worker`
// processes.
//
//	pg := cluster.StartPostgres(t)       // initdb in a temp dir, own port
//	db := pg.URL(pg.CreateDatabase(t, "recours"))
//	tp := cluster.StartTemporal(t, cluster.TemporalConfig{})
//	// TEMPORAL_ADDRESS=tp.HostPort() DATABASE_URL=db recours worker …
//	pg.Stop(t); pg.Start(t)             // same port, same data
//	tp.Kill(t); tp.Start(t)             // same databases, same ports
//
// Everything a helper starts is stopped and removed by t.Cleanup; Temporal's
// databases get random names on the shared test PostgreSQL (127.0.0.1:5432,
// or RECOURS_TEST_POSTGRES) and are dropped after. The shared server is
// never stopped.
//
// The package is for tests only and must not import Recours's own packages
// (the server under test is run from outside, as in production), nor the
// embedded Temporal server.
package cluster
