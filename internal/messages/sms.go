package messages

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SMSProvider sends a text message to a phone number.
type SMSProvider interface {
	SendSMS(ctx context.Context, to, text string) (reference string, err error)
}

// SMSSender sends a message's short notice (Message.Short) by SMS. It is a
// complement to the main channel, never the only one (see ChooseChannel).
type SMSSender struct {
	Provider SMSProvider
}

// Send sends m.Short to to.Phone.
func (s SMSSender) Send(ctx context.Context, m Message, to Recipient) (Outcome, error) {
	out := Outcome{Channel: ChannelSMS, Status: StatusFailed, At: time.Now()}
	if to.Phone == "" {
		out.Status = StatusBounced
		return out, errors.New("messages: the recipient has no phone number")
	}
	if m.Short == "" {
		return out, errors.New("messages: the message has no short notice")
	}
	ref, err := s.Provider.SendSMS(ctx, to.Phone, m.Short)
	if err != nil {
		return out, err
	}
	out.Status, out.Reference = StatusSent, ref
	return out, nil
}

// HTTPSMSProvider posts {"to": …, "text": …} as JSON to Endpoint with the
// header "Authorization: Bearer <Key>". Any answer other than 2xx is an
// error.
type HTTPSMSProvider struct {
	Endpoint string
	Key      string
	Client   *http.Client // http.DefaultClient with a 15 s timeout when nil
}

type smsRequest struct {
	To   string `json:"to"`
	Text string `json:"text"`
}

// SendSMS posts the SMS; the reference is the answer's body, cut short.
func (p HTTPSMSProvider) SendSMS(ctx context.Context, to, text string) (string, error) {
	body, err := json.Marshal(smsRequest{To: to, Text: text})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("messages: sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if p.Key != "" {
		req.Header.Set("Authorization", "Bearer "+p.Key)
	}
	client := p.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("messages: sms: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", fmt.Errorf("messages: sms: provider answered %s: %s", resp.Status, bytes.TrimSpace(answer))
	}
	return string(bytes.TrimSpace(answer)), nil
}
