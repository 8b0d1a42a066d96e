package messages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	mail "github.com/wneessen/go-mail"
)

// TLSPolicy is how the email channel uses TLS.
type TLSPolicy string

// TLS policies.
const (
	TLSMandatory     TLSPolicy = "mandatory"     // STARTTLS required
	TLSOpportunistic TLSPolicy = "opportunistic" // STARTTLS when offered
	TLSNone          TLSPolicy = "none"          // plain text (local test servers only)
	TLSImplicit      TLSPolicy = "implicit"      // TLS from the first byte (SMTPS, port 465)
)

// EmailConfig is the SMTP server and the sender address.
type EmailConfig struct {
	Host     string
	Port     int
	TLS      TLSPolicy // TLSMandatory when empty
	From     string
	Username string // optional: no authentication when empty
	Password string
	Timeout  time.Duration // 30 s when zero
}

// EmailSender sends messages by SMTP.
type EmailSender struct {
	Config EmailConfig
}

// BuildEmail is m as a plain-text email from from to to, with a Message-ID
// derived from the idempotency key.
func BuildEmail(m Message, from string, to Recipient) (*mail.Msg, error) {
	if to.Email == "" {
		return nil, errors.New("messages: the recipient has no email address")
	}
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("messages: sender %q: %w", from, err)
	}
	// A refused address is said without the address nor the name: the
	// text reaches the file's timeline and the API.
	addr := to.Email
	if to.Name != "" {
		if err := msg.AddToFormat(to.Name, to.Email); err != nil {
			return nil, errors.New("messages: the recipient's address is not valid")
		}
	} else if err := msg.To(addr); err != nil {
		return nil, errors.New("messages: the recipient's address is not valid")
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID(m))
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	msg.SetDateWithValue(at)
	msg.SetGenHeader("X-Recours-Idempotency-Key", m.IdempotencyKey)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	return msg, nil
}

// WriteEmail writes m as an RFC 5322 message (an .eml file).
func WriteEmail(w io.Writer, m Message, from string, to Recipient) error {
	msg, err := BuildEmail(m, from, to)
	if err != nil {
		return err
	}
	_, err = msg.WriteTo(w)
	return err
}

// Send delivers m to to.Email. A refusal the server gives as permanent
// (5xx) is reported as bounced; any other error as failed.
func (s EmailSender) Send(ctx context.Context, m Message, to Recipient) (Outcome, error) {
	out := Outcome{Channel: ChannelEmail, Status: StatusFailed, Reference: "<" + messageID(m) + ">", At: time.Now()}
	msg, err := BuildEmail(m, s.Config.From, to)
	if err != nil {
		out.Status = StatusBounced
		return out, err
	}
	c, err := s.client()
	if err != nil {
		return out, err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			out.Status = StatusBounced
		}
		return out, fmt.Errorf("messages: email: %w", err)
	}
	out.Status = StatusSent
	return out, nil
}

func (s EmailSender) client() (*mail.Client, error) {
	cfg := s.Config
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithTimeout(timeout)}
	if cfg.Port != 0 {
		opts = append(opts, mail.WithPort(cfg.Port))
	}
	switch cfg.TLS {
	case TLSMandatory, "":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("messages: unknown TLS policy %q", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("messages: email client: %w", err)
	}
	return c, nil
}
