// Package workflows holds the deterministic code of each kind of file: one
// workflow per file owns its state and its deadlines (durable timers), and
// takes every action as a Temporal Update whose validator rejects what the
// state does not allow before anything is written.
//
// Workflow code uses only workflow.* time, randomness and concurrency; the
// rules themselves live in internal/domain.
package workflows
