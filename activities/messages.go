package activities

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"recours/activities/contract"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
)

// The message's contract with the workflows (see package contract).
type MessageRequest = contract.MessageRequest

// Its error types and options.
const (
	ErrTypeMessageBounced   = contract.ErrTypeMessageBounced
	ErrTypeMessageInvalid   = contract.ErrTypeMessageInvalid
	ErrTypeMessageFailed    = contract.ErrTypeMessageFailed
	ErrTypeMessageUncertain = contract.ErrTypeMessageUncertain
	MessageStartToClose     = contract.MessageStartToClose
)

// MessageRetryPolicy is contract.MessageRetryPolicy.
func MessageRetryPolicy() *temporal.RetryPolicy { return contract.MessageRetryPolicy() }

// SendMessage composes the message and sends it on the claimant's channel,
// once: a message already sent is not sent again. By email, each attempt
// is claimed under the message's idempotency key before the message is
// handed over, and one whose last attempt stopped while handing it over is
// not sent again (its outcome is unknown: the officer is asked to check).
// The outbox and the mail room write each message's files once, so
// sending again cannot duplicate it: their attempt is recorded once, with
// its outcome, one write instead of a claim and an outcome. A permanent
// refusal is a non-retryable MessageBounced error; a temporary failure is
// retried.
func (a *Activities) SendMessage(ctx context.Context, req MessageRequest) (domain.MessageOutcome, error) {
	m, to, caf, err := a.compose(ctx, req)
	if err != nil {
		return domain.MessageOutcome{}, err
	}
	out := domain.MessageOutcome{Kind: req.Kind, Key: m.IdempotencyKey}
	prev, found, err := a.Store.Message(ctx, m.IdempotencyKey)
	if err != nil {
		return out, temporal.NewApplicationErrorWithCause("lecture des messages impossible", ErrTypeMessageFailed, err)
	}
	if found && prev.Status == domain.MessageSent {
		out.Channel, out.Status, out.Reference, out.SMS = prev.Channel, prev.Status, prev.Reference, prev.SMS
		return out, nil
	}
	rec := store.ClaimantMessage{Key: m.IdempotencyKey, CaseID: m.CaseID, Caf: caf, Kind: req.Kind, Version: m.Version}
	if found && prev.Status == store.MessageSending && !idempotentChannel(prev.Channel) {
		// An attempt handed the message over and stopped before it could
		// record what happened: sending again could send it twice.
		rec.Channel, rec.Status = prev.Channel, domain.MessageFailed
		rec.LastError = "issue inconnue : une tentative s'est interrompue pendant l'envoi ; le message a pu partir"
		return out, a.outcome(ctx, rec, temporal.NewNonRetryableApplicationError(rec.LastError, ErrTypeMessageUncertain, nil))
	}
	sender := a.Messages.Main(to)
	if sender == nil {
		rec.Status, rec.LastError = domain.MessageBounced, "aucun canal configuré ne joint l'allocataire"
		return out, a.outcomeWith(ctx, a.Store.RecordMessageAttempt, rec,
			temporal.NewNonRetryableApplicationError(rec.LastError, ErrTypeMessageBounced, messages.ErrNoChannel))
	}
	rec.Channel = string(messages.ChannelOf(sender))
	// Claim the attempt before handing the message over, unless the
	// channel writes it once (see above).
	claimed := !idempotentChannel(rec.Channel)
	if claimed {
		rec.Status = store.MessageSending
		if err := a.Store.RecordMessageAttempt(ctx, rec); err != nil {
			return out, temporal.NewApplicationErrorWithCause("enregistrement du message impossible", ErrTypeMessageFailed, err)
		}
	}
	// record writes the attempt's outcome: on the claim, or as the attempt.
	record := a.Store.SetMessageOutcome
	if !claimed {
		record = a.Store.RecordMessageAttempt
	}
	res, err := sender.Send(ctx, m, to)
	rec.Reference = res.Reference
	if res.Channel != "" {
		rec.Channel = string(res.Channel)
	}
	if err != nil {
		rec.Status, rec.LastError = string(res.Status), errorText(err, claimantOf(req))
		if res.Status == messages.StatusBounced {
			return out, a.outcomeWith(ctx, record, rec, temporal.NewNonRetryableApplicationError(rec.LastError, ErrTypeMessageBounced, nil))
		}
		rec.Status = domain.MessageFailed
		return out, a.outcomeWith(ctx, record, rec, temporal.NewApplicationError(rec.LastError, ErrTypeMessageFailed))
	}
	if sms := a.Messages.Complement(to); sms != nil {
		// The SMS is a complement: its failure is recorded, not retried.
		if _, err := sms.Send(ctx, m, to); err != nil {
			rec.SMS = domain.MessageFailed
			slog.WarnContext(ctx, "SMS complement failed", "case_id", m.CaseID, "kind", req.Kind)
		} else {
			rec.SMS = domain.MessageSent
		}
	}
	now := time.Now().UTC()
	rec.Status, rec.SentAt, rec.LastError = domain.MessageSent, &now, ""
	if err := record(ctx, rec); err != nil {
		// Sent but not recorded: the retry finds the claim and does not
		// send again, the officer being asked to check; or, on a channel
		// that writes a message once, finds its files and records it.
		return out, temporal.NewApplicationErrorWithCause("enregistrement du message impossible", ErrTypeMessageFailed, err)
	}
	out.Channel, out.Status, out.Reference, out.SMS = rec.Channel, rec.Status, rec.Reference, rec.SMS
	return out, nil
}

// idempotentChannel reports whether sending again on channel cannot
// duplicate a message: the outbox and the mail room write each message's
// files once.
func idempotentChannel(channel string) bool {
	return channel == string(messages.ChannelOutbox) || channel == string(messages.ChannelLetter)
}

// outcome records the outcome of the attempt under way and returns err.
func (a *Activities) outcome(ctx context.Context, rec store.ClaimantMessage, err error) error {
	return a.outcomeWith(ctx, a.Store.SetMessageOutcome, rec, err)
}

// outcomeWith is outcome, written by record.
func (a *Activities) outcomeWith(ctx context.Context, record func(context.Context, store.ClaimantMessage) error, rec store.ClaimantMessage, err error) error {
	if rerr := record(ctx, rec); rerr != nil {
		return temporal.NewApplicationErrorWithCause("enregistrement du message impossible", ErrTypeMessageFailed, rerr)
	}
	attempt := int32(0)
	if activity.IsActivity(ctx) {
		attempt = activity.GetInfo(ctx).Attempt
	}
	slog.WarnContext(ctx, "message to the claimant failed", "case_id", rec.CaseID, "kind", rec.Kind,
		"status", rec.Status, "attempt", attempt)
	return err
}

// compose writes the message of req, its recipient and the Caf that writes.
func (a *Activities) compose(ctx context.Context, req MessageRequest) (messages.Message, messages.Recipient, string, error) {
	caf, claimant := req.Case.Caf, req.Case.Claimant
	if req.Overpayment != nil {
		caf, claimant = req.Overpayment.Caf, req.Overpayment.Claimant
	}
	signatory := req.Signatory
	if signatory == "" && req.Overpayment != nil {
		signatory = req.Overpayment.CreatedBy
	}
	contact, err := a.cafContact(ctx, caf, signatory)
	if err != nil {
		return messages.Message{}, messages.Recipient{}, caf, temporal.NewApplicationErrorWithCause("lecture de la Caf impossible", ErrTypeMessageFailed, err)
	}
	var m messages.Message
	if req.Overpayment != nil {
		m, err = messages.ComposeOverpayment(*req.Overpayment, contact, req.At)
	} else {
		file := req.Case
		if file.Reference == "" {
			// A file registered before references: its workflow does not
			// know the one the store gave it.
			if stored, err := a.Store.Case(ctx, file.ID); err == nil {
				file.Reference = stored.Reference
			}
		}
		m, err = messages.Compose(messages.Kind(req.Kind), file, contact, req.At)
	}
	if err != nil {
		return m, messages.Recipient{}, caf, temporal.NewNonRetryableApplicationError(errorText(err, claimant), ErrTypeMessageInvalid, nil)
	}
	if req.Occurrence > 1 {
		m.IdempotencyKey += ":" + strconv.FormatInt(req.Occurrence, 10)
	}
	return m, messages.RecipientFor(claimant), caf, nil
}

// cafContact is what messages say of the Caf: its name, address and
// contact, how to reach its mediator, its recourse routes, and who signs:
// the agent with login signatory, or the Caf's default signatory. A Caf
// not in the store is named by its code.
func (a *Activities) cafContact(ctx context.Context, code, signatory string) (messages.CafContact, error) {
	c := messages.CafContact{Name: "Caf " + code}
	o, err := a.Store.Organisation(ctx, code)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return c, err
	}
	if err == nil {
		c.Name, c.MediatorContact, c.Address, c.Contact, c.Service = o.Name, o.MediatorContact, o.Address, o.Contact, o.ServiceName
		c.Signatory = messages.Signatory{Name: o.SignatoryName, Function: o.SignatoryFunction}
		if c.Routes, err = a.Store.RecourseRoutes(ctx, code); err != nil {
			return c, err
		}
	}
	if c.MediatorContact == "" {
		c.MediatorContact = "le médiateur de la " + c.Name + ", par courrier à l'adresse de la Caf ou depuis votre espace Mon Compte sur caf.fr"
	}
	name, function, ok, err := a.Store.Signatory(ctx, signatory, code)
	if err != nil {
		return c, err
	}
	if ok {
		c.Signatory = messages.Signatory{Name: name, Function: function}
	}
	return c, nil
}

// errorText is err's text, cut short, with the claimant (their email
// address, phone, number and name) blotted out and every path on the
// server cut to its file's name: a server's refusal often repeats the
// recipient, an outbox's failure its folder, and the text reaches the
// API (last_error), the timeline and Temporal's history.
func errorText(err error, claimant domain.Claimant) string {
	s := err.Error()
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		s = ae.Message()
	}
	s = domain.RedactMessageError(s, claimant)
	if r := []rune(s); len(r) > maxErrorText {
		s = string(r[:maxErrorText])
	}
	return s
}

// claimantOf is whom req writes to.
func claimantOf(req MessageRequest) domain.Claimant {
	if req.Overpayment != nil {
		return req.Overpayment.Claimant
	}
	return req.Case.Claimant
}
