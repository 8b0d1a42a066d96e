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
	Name   string
	Number string // numéro allocataire
	Email  string
	Phone  string
}

// RecipientOf is the claimant of c as a recipient.
func RecipientOf(c domain.Case) Recipient {
	return Recipient{Name: c.Claimant.Name, Number: c.Claimant.Number,
		Email: strings.TrimSpace(c.Claimant.Email), Phone: strings.TrimSpace(c.Claimant.Phone)}
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

// ChooseChannel is the channel of the main message to the claimant of c:
//
//   - email when the claimant gave an email address;
//   - otherwise a letter by post.
//
// SMS is never the main channel: a message to a claimant must be complete
// and keepable. When a phone number is known, SMS may be used as well as
// the main channel, for the short notice (Message.Short) only; see
// SMSComplement.
func ChooseChannel(c domain.Case) Channel {
	if strings.TrimSpace(c.Claimant.Email) != "" {
		return ChannelEmail
	}
	return ChannelLetter
}

// SMSComplement reports whether a short SMS notice may complement the
// main channel: when the claimant's phone number is known.
func SMSComplement(c domain.Case) bool { return strings.TrimSpace(c.Claimant.Phone) != "" }

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
