package messages

import (
	"context"
	"strings"
	"time"

	"recours/internal/domain"
)

// Channel is how a message reaches the claimant.
type Channel string

// Channels.
const (
	ChannelEmail  Channel = "email"
	ChannelLetter Channel = "letter"
	ChannelSMS    Channel = "sms"
	ChannelOutbox Channel = "outbox"
)

// Recipient is who a message is sent to.
type Recipient struct {
	Name       string
	Number     string // numéro allocataire
	Email      string
	Phone      string
	Preference string // domain.PreferEmail, domain.PreferLetter or ""
	Address    string // postal address, lines separated by "\n"
}

// RecipientOf is the claimant of c as a recipient.
func RecipientOf(c domain.Case) Recipient { return RecipientFor(c.Claimant) }

// RecipientFor is a claimant as a recipient.
func RecipientFor(c domain.Claimant) Recipient {
	return Recipient{Name: c.Name, Number: c.Number, Email: strings.TrimSpace(c.Email),
		Phone: strings.TrimSpace(c.Phone), Preference: c.ContactPreference, Address: c.Address}
}

// Status is what became of a delivery.
type Status string

// Delivery statuses.
const (
	StatusSent    Status = "sent"
	StatusFailed  Status = "failed"  // may succeed if retried
	StatusBounced Status = "bounced" // refused for good: reach the claimant another way
)

// Outcome is the result of one delivery.
type Outcome struct {
	Channel Channel
	Status  Status
	// Reference names what was sent: the Message-ID, the outbox files, the
	// provider's answer.
	Reference string
	// AlreadySent is true when the message had been delivered before under
	// the same idempotency key and was not sent again.
	AlreadySent bool
	At          time.Time
}

// Sender delivers a message to a recipient.
type Sender interface {
	Send(ctx context.Context, m Message, to Recipient) (Outcome, error)
}

// messageID is the Message-ID (without angle brackets) derived from the
// idempotency key: the same message always carries the same Message-ID.
func messageID(m Message) string {
	return safeName(m.IdempotencyKey, '.') + "@recours.invalid"
}

// safeName keeps letters, digits, '-' and '_' of s and writes sep for any
// other character.
func safeName(s string, sep rune) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return sep
	}, s)
}
