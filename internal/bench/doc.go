// Package bench measures Recours on the embedded server (make bench): the
// rate of complaints filed through the API against raw Temporal workflow
// starts on the same server, and an action's round trip against a raw
// Temporal Update's. BENCHMARKS.md holds the figures and the method.
package bench
