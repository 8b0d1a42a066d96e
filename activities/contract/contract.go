// Package contract is what the workflows know of the activities: their
// names, arguments, results, error types and options. It imports only the
// domain and the Temporal SDK, so that workflow code links no database,
// mail or PDF library (make lint checks it). Package activities implements
// it; the worker registers each activity under these names.
package contract

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"recours/internal/domain"
)

// Names of the activities, as registered (the methods of
// activities.Activities). Never rename one: recorded histories name them.
const (
	Save            = "Save"
	SaveOverpayment = "SaveOverpayment"
	AwaitSaved      = "AwaitSaved"
	SendMessage     = "SendMessage"
	DeliverDecision = "DeliverDecision"
)

// MessageRequest asks for one message to the claimant: of kind Kind about
// the file Case (or the overpayment notice Overpayment), composed as of At.
// Occurrence tells apart two messages of the same kind on one file (the
// answer after a reopening): it is the seq of the event that asked for it.
type MessageRequest struct {
	Kind        string              `json:"kind"`
	Case        domain.Case         `json:"case"`
	Overpayment *domain.Overpayment `json:"overpayment,omitempty"`
	At          time.Time           `json:"at"`
	Occurrence  int64               `json:"occurrence"`
	// Signatory is the login of the agent whose action the message follows,
	// who signs it (CRPA L212-1); empty, or no agent of the Caf: the Caf's
	// default signatory (for a notice, the officer who created it).
	Signatory string `json:"signatory,omitempty"`
}

// Error types of the message activity.
const (
	ErrTypeMessageBounced = "MessageBounced" // not retried: the claimant cannot be reached this way
	ErrTypeMessageInvalid = "MessageInvalid" // not retried: the file lacks what the message must say
	ErrTypeMessageFailed  = "MessageFailed"  // retried
	// ErrTypeMessageUncertain: not retried; an attempt stopped after
	// handing the message over: it may have left, so it is not sent again.
	ErrTypeMessageUncertain = "MessageUncertain"
)

// MessageStartToClose bounds one attempt.
const MessageStartToClose = time.Minute

// MessageRetryPolicy retries a message with backoff, from 5 s doubling
// to an hour, fourteen attempts in all (about six hours): past that, the
// officer is asked to reach the claimant another way.
func MessageRetryPolicy() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Hour,
		MaximumAttempts:        14,
		NonRetryableErrorTypes: []string{ErrTypeMessageBounced, ErrTypeMessageInvalid, ErrTypeMessageUncertain},
	}
}

// Decision is what is pushed to the partner (JSON body, snake_case).
type Decision struct {
	DDDReference string    `json:"ddd_reference"`
	CaseID       string    `json:"case_id"`
	Caf          string    `json:"caf"`
	Status       string    `json:"status"`
	Outcome      string    `json:"outcome"`
	Explanation  string    `json:"explanation"`
	DecidedAt    time.Time `json:"decided_at"`
}

// DeliveryRequest names where the decision goes and which partner's secret
// signs it.
type DeliveryRequest struct {
	URL      string
	Partner  string
	Decision Decision
}

// DeliveryResult is what an acknowledged delivery reports.
type DeliveryResult struct {
	Attempts   int32 `json:"attempts"`
	StatusCode int   `json:"status_code"`
}

// Error types of the delivery's application errors.
const (
	ErrTypeUnknownPartner    = "UnknownPartner"     // not retried
	ErrTypeInvalidCallback   = "InvalidCallbackURL" // not retried
	ErrTypeInvalidDecision   = "InvalidDecision"    // not retried: the decision cannot be encoded
	ErrTypeDeliveryFailed    = "DeliveryFailed"     // retried: the partner answered other than 2xx
	ErrTypeDeliveryTransport = "DeliveryTransport"  // retried: no answer (network, timeout)
	ErrTypeDeliveryStore     = "DeliveryStore"      // retried: the database could not be read
)

// DeliveryStartToClose bounds one attempt (the HTTP client gives up
// sooner).
const DeliveryStartToClose = 30 * time.Second

// DeliveryRetryPolicy retries a delivery from 1 s, doubling up to an hour,
// without a maximum of attempts: the workflow bounds it with its own alarm.
func DeliveryRetryPolicy() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Hour,
		MaximumAttempts:    0,
		NonRetryableErrorTypes: []string{
			ErrTypeUnknownPartner, ErrTypeInvalidCallback, ErrTypeInvalidDecision,
		},
	}
}
