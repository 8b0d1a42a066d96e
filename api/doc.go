// Package api is the HTTP face of Recours (Gin): it authenticates the
// caller, asks Casbin, validates the request, and turns it into a workflow
// start, update or query; lists and details read the projection. Handlers
// stay thin: decode, authorise, call, encode. Errors are problem+json,
// mapped from domain error codes in one place (problem.go).
package api
