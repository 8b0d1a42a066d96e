// Package faults holds the fault tests of the production topology: a
// standalone Temporal server on PostgreSQL, the application database on a
// private PostgreSQL, two API processes and two workers, broken in each
// way an operator meets while files are driven through both APIs. It has
// no code of its own: see faults_test.go.
package faults
