// Package domain holds what Recours is about: the kinds of file
// (complaint, mediation), their statuses and actions, the vocabularies of
// the API contract, the deadline policy and the error codes.
//
// It imports no framework (no Gin, GORM or Temporal) so that every rule is
// tested in microseconds and shared by the workflows, the activities, the
// store and the API, which depend on it and never the reverse.
package domain
