// Package cases is the service core behind the JSON API and the web
// interface: every use case on a file (register, act, read, list, refer,
// notify an overpayment) is one method here, taking the caller as a
// domain.Principal, typed arguments and the idempotency key, and
// returning domain values and *domain.Error. It authorises once (the
// Casbin policy in the Caf it touches, then the object rules), validates
// once, and holds the rules that need the store (an assignee is a benefits
// officer of the Caf, a prior approach is the same claimant's and was
// answered, a related file or a disputed notice is the claimant's). It
// knows nothing of HTTP, Gin or HTML.
package cases

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/notify"
	"recours/internal/store"
)

// ObjOverpayment is the policy's object for overpayment notices; its
// actions are create, read and the workflow's (explain, record_call, send).
const ObjOverpayment = "overpayment"

// Service runs the use cases. Its zero value is not usable: Store,
// Temporal and Authz are required.
type Service struct {
	Store    *store.Store
	Temporal client.Client
	Authz    *authz.Authorizer
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// RequestTimeout bounds how long a registration or an action waits for
	// its workflow (10 s when zero: a healthy one takes tens of
	// milliseconds); past it, EUNAVAILABLE, and a retry with the same
	// idempotency key gets the outcome.
	RequestTimeout time.Duration
	// Saved, when a worker shares the process, tells of files saved.
	Saved *notify.Hub
	// WorkerInProcess says a worker runs in this process (the embedded
	// default): it lives and dies with the service, so no write waits for
	// one.
	WorkerInProcess bool
	// InsecureCallbacks accepts http:// callback URLs on referrals (the
	// embedded default); production requires https.
	InsecureCallbacks bool
	// ActorKey seals each action sent to a workflow with who asks for it
	// (domain.ActorKey), for workers that require seals; nil seals none.
	ActorKey domain.ActorKey

	workers workerWatch
}

// Clock is the service's time, in UTC.
func (s *Service) Clock() time.Time { return s.now() }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) timeout() time.Duration {
	if s.RequestTimeout == 0 {
		return 10 * time.Second
	}
	return s.RequestTimeout
}

// Page is one page of a list: its items and the cursor of the next page,
// empty on the last.
type Page[T any] struct {
	Items []T
	Next  string
}

// newID returns a time-ordered UUID (v7): lists sort newest first by id.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// IsUnavailable reports whether err is Temporal's or the context's way of
// saying "not now": the server unreachable, overloaded or too slow, or the
// request cut short (its outcome is then unknown, as after a timeout).
func IsUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var exhausted *serviceerror.ResourceExhausted
	var canceled *serviceerror.Canceled
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &exhausted) ||
		errors.As(err, &canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// Detail messages of the failures a client may retry.
const (
	// DetailPending answers an action that did not complete in time.
	DetailPending = "l'action n'a pas abouti dans le délai : elle peut encore s'appliquer ; " +
		"réessayez avec la même Idempotency-Key pour obtenir son résultat"
	// DetailPendingStart answers a registration that did not complete in time.
	DetailPendingStart = "l'enregistrement n'a pas abouti dans le délai : il peut encore aboutir ; " +
		"réessayez avec la même Idempotency-Key pour obtenir le dossier"
	// DetailNoWorker answers a write when no worker takes the files' tasks.
	DetailNoWorker = "aucun worker ne traite les dossiers pour le moment : réessayez dans quelques secondes"
)
