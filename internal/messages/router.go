package messages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"recours/internal/domain"
)

// Config says where messages go. With no SMTP server and no mail-room
// folder, everything goes to the outbox folder: the embedded default.
type Config struct {
	// OutboxDir receives every message as .eml and .pdf files when no
	// channel is configured (RECOURS_OUTBOX, DIR/outbox under recours dev).
	OutboxDir string
	// Email is the SMTP server (SMTP_HOST, SMTP_PORT, SMTP_TLS, SMTP_FROM,
	// SMTP_USERNAME, SMTP_PASSWORD).
	Email EmailConfig
	// LetterDir is the mail-room folder that receives the PDF letters to
	// print and post (LETTER_DIR).
	LetterDir string
	// SMSEndpoint and SMSKey configure the HTTP SMS provider (SMS_ENDPOINT,
	// SMS_API_KEY); no SMS when empty.
	SMSEndpoint string
	SMSKey      string
}

// Router sends a message on the claimant's channel: by email when the
// claimant gave an address and an SMTP server is configured, by letter
// otherwise, with the short notice by SMS as a complement when a phone
// number is known and a provider configured. With Outbox set, every
// message goes to the outbox instead.
type Router struct {
	Email  Sender
	Letter Sender
	SMS    Sender
	Outbox *OutboxSender
}

// NewRouter builds the router of cfg.
func NewRouter(cfg Config) Router {
	var r Router
	if cfg.Email.Host == "" && cfg.LetterDir == "" {
		dir := cfg.OutboxDir
		if dir == "" {
			dir = "outbox"
		}
		r.Outbox = &OutboxSender{Dir: dir, From: cfg.Email.From}
		return r
	}
	if cfg.Email.Host != "" {
		r.Email = EmailSender{Config: cfg.Email}
	}
	if cfg.LetterDir != "" {
		r.Letter = LetterSender{Post: MailRoom(cfg.LetterDir)}
	}
	if cfg.SMSEndpoint != "" {
		r.SMS = SMSSender{Provider: HTTPSMSProvider{Endpoint: cfg.SMSEndpoint, Key: cfg.SMSKey}}
	}
	return r
}

// ErrNoChannel is returned when no configured channel reaches the
// claimant: a permanent failure.
var ErrNoChannel = errors.New("messages: no configured channel reaches the claimant")

// Main is the main channel's sender for to, or nil when none reaches
// them: the outbox when set; else email when the claimant has an address
// and did not ask for letters; else a letter; else email even so. SMS is
// never the main channel: a message to a claimant must be complete and
// keepable.
func (r Router) Main(to Recipient) Sender {
	email := to.Email != "" && r.Email != nil
	switch {
	case r.Outbox != nil:
		return r.Outbox
	case email && to.Preference != domain.PreferLetter:
		return r.Email
	case r.Letter != nil:
		return r.Letter
	case email:
		return r.Email
	}
	return nil
}

// ChannelOf is the channel of one of the router's senders ("" for nil).
func ChannelOf(s Sender) Channel {
	switch s.(type) {
	case *OutboxSender, OutboxSender:
		return ChannelOutbox
	case EmailSender, *EmailSender:
		return ChannelEmail
	case LetterSender, *LetterSender:
		return ChannelLetter
	case SMSSender, *SMSSender:
		return ChannelSMS
	}
	return ""
}

// Complement is the SMS sender when the short notice may go to to as
// well: a phone number is known and a provider configured.
func (r Router) Complement(to Recipient) Sender {
	if r.Outbox != nil || to.Phone == "" {
		return nil
	}
	return r.SMS
}

// MailRoom posts letters by writing each PDF, once, into dir, where the
// print service collects them: the file 0600, the folder 0700 when it
// creates it (one the operator made keeps its mode). The reference is the
// letter's name in dir, never its path on the server.
func MailRoom(dir string) func(ctx context.Context, m Message, to Recipient, pdf []byte) (string, error) {
	return func(_ context.Context, m Message, _ Recipient, pdf []byte) (string, error) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("messages: mail room: %w", err)
		}
		base := safeName(m.IdempotencyKey, '_') + ".pdf"
		if _, err := writeOnce(filepath.Join(dir, base), func(b *bytes.Buffer) error { _, err := b.Write(pdf); return err }); err != nil {
			return "", err
		}
		return base, nil
	}
}
