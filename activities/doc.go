// Package activities holds the side effects of the workflows: writing the
// projection of each file and its timeline (idempotently, keyed by file and
// event seq), and later letters, mail and partner callbacks. Dependencies
// hang off the Activities struct so tests name them as a.Save.
package activities
