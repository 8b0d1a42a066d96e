// Package trail keeps the access trail verifiable from outside the
// database: the key that chains its entries, read from the environment or
// a file (the embedded default makes one in its data directory), and the
// checkpoints of the trail's head, signed with that key and appended at an
// interval to a log outside the database, so that `recours audit verify`
// sees an entry removed at the end of the trail, where no later link
// breaks.
//
// It imports the store, never the API, the workflows or Temporal.
package trail
