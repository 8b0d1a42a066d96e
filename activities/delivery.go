package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"recours/activities/contract"
	"recours/internal/domain"
	"recours/internal/store"
)

// The delivery's contract with the workflows (see package contract).
type (
	Decision        = contract.Decision
	DeliveryRequest = contract.DeliveryRequest
	DeliveryResult  = contract.DeliveryResult
)

// Its error types and options.
const (
	ErrTypeUnknownPartner    = contract.ErrTypeUnknownPartner
	ErrTypeInvalidCallback   = contract.ErrTypeInvalidCallback
	ErrTypeInvalidDecision   = contract.ErrTypeInvalidDecision
	ErrTypeDeliveryFailed    = contract.ErrTypeDeliveryFailed
	ErrTypeDeliveryTransport = contract.ErrTypeDeliveryTransport
	ErrTypeDeliveryStore     = contract.ErrTypeDeliveryStore
	DeliveryStartToClose     = contract.DeliveryStartToClose
)

// DeliveryRetryPolicy is contract.DeliveryRetryPolicy.
func DeliveryRetryPolicy() *temporal.RetryPolicy { return contract.DeliveryRetryPolicy() }

const (
	// SignatureHeader carries "sha256=" + hex(HMAC-SHA256(secret, body)).
	SignatureHeader = "X-Recours-Signature"
	// DeliveryHeader carries a stable id per decision (case id +
	// ":decision"), for the receiver to drop duplicates.
	DeliveryHeader = "X-Recours-Delivery"

	deliveryTimeout = 15 * time.Second
	maxErrorText    = 200
)

// Sign returns the value of SignatureHeader for body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// DeliveryID is the value of DeliveryHeader for the file's decision.
func DeliveryID(caseID string) string { return caseID + ":decision" }

// DeliverDecision pushes a decision to the partner's callback URL, signed
// with the partner's secret. It succeeds only on a 2xx; any other answer,
// a redirect included, is a retryable error, and an unknown partner, an
// unusable URL, a host off the partner's list or an internal address a
// non-retryable one. Every attempt is recorded.
func (a *Activities) DeliverDecision(ctx context.Context, req DeliveryRequest) (DeliveryResult, error) {
	return a.DeliverAttempt(ctx, req, activity.GetInfo(ctx).Attempt)
}

// DeliverAttempt is one attempt of DeliverDecision, numbered attempt. It
// needs no activity context, so tests run it attempt by attempt. Once an
// attempt was acknowledged (a 2xx recorded for the file), later ones send
// nothing and report that acknowledgment.
func (a *Activities) DeliverAttempt(ctx context.Context, req DeliveryRequest, attempt int32) (DeliveryResult, error) {
	st := a.Store
	caseID := req.Decision.CaseID
	res := DeliveryResult{Attempts: attempt}

	// Acknowledged already (a retry after the worker lost the result):
	// never send the decision twice.
	previous, err := st.DeliveryAttempts(ctx, caseID)
	if err != nil {
		return res, temporal.NewApplicationErrorWithCause("lecture des tentatives de livraison impossible", ErrTypeDeliveryStore, err)
	}
	for _, p := range previous {
		if p.Delivered {
			return DeliveryResult{Attempts: p.Attempt, StatusCode: p.StatusCode}, nil
		}
	}

	record := func(status int, text string, delivered bool) {
		// The URL's origin only: its path or query may carry a partner's
		// token, which the record would show to whoever reads it.
		err := st.RecordDeliveryAttempt(ctx, store.DeliveryAttempt{
			CaseID: caseID, Attempt: attempt, URL: domain.CallbackOrigin(req.URL), StatusCode: status,
			Error: truncate(text), Delivered: delivered, At: time.Now().UTC(),
		})
		if err != nil {
			// Ids and outcome only: neither the body nor the decision.
			slog.WarnContext(ctx, "recording a delivery attempt failed", "case_id", caseID,
				"attempt", attempt, "status_code", status, "delivered", delivered, "err", err)
		}
	}
	refuse := func(text string) (DeliveryResult, error) {
		record(0, text, false)
		return res, temporal.NewNonRetryableApplicationError(text, ErrTypeInvalidCallback, nil)
	}

	partner, err := st.Partner(ctx, req.Partner)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			record(0, "partenaire inconnu", false)
			return res, temporal.NewNonRetryableApplicationError("partenaire inconnu : "+req.Partner, ErrTypeUnknownPartner, nil)
		}
		return res, temporal.NewApplicationErrorWithCause("lecture du partenaire impossible", ErrTypeDeliveryStore, err)
	}

	u, err := url.Parse(req.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return refuse("adresse de rappel invalide")
	case u.User != nil:
		return refuse("adresse de rappel invalide : elle contient des identifiants")
	case !domain.CallbackHostAllowed(partner.Hosts(), domain.CallbackHost(u)):
		// The list as it is now: a host the partner no longer uses
		// receives nothing more.
		return refuse("hôte de rappel non autorisé pour ce partenaire : " + domain.CallbackHost(u))
	}

	body, err := json.Marshal(req.Decision)
	if err != nil {
		return res, temporal.NewNonRetryableApplicationError("encodage de la décision impossible", ErrTypeInvalidDecision, err)
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(body))
	if err != nil {
		return refuse("adresse de rappel invalide")
	}
	httpReq.Header.Set("Content-Type", "application/json")
	httpReq.Header.Set("User-Agent", "Recours")
	httpReq.Header.Set(SignatureHeader, Sign(partner.CallbackSecret, body))
	httpReq.Header.Set(DeliveryHeader, DeliveryID(caseID))

	client := deliveryClient
	if a.AllowPrivateCallbacks {
		client = privateDeliveryClient
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		var refused *RefusedAddressError
		if errors.As(err, &refused) {
			// Where the name led is not the partner's: no retry reaches
			// it until its DNS says otherwise, and then a new decision
			// on the file would.
			return refuse(refused.Error())
		}
		text := transportError(err)
		record(0, text, false)
		return res, temporal.NewApplicationError("livraison impossible : "+text, ErrTypeDeliveryTransport)
	}
	// The answer's body is never read into the record or the logs; it is
	// drained (bounded) so the connection is reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()

	res.StatusCode = resp.StatusCode
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		record(resp.StatusCode, "", true)
		return res, nil
	}
	text := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		text += " (redirection non suivie)"
	}
	record(resp.StatusCode, text, false)
	return res, temporal.NewApplicationError("livraison refusée : "+text, ErrTypeDeliveryFailed)
}

// transportError describes a failure to get an answer in a few words,
// without the URL (it may carry a partner's token).
func transportError(err error) string {
	var nerr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return "délai dépassé"
	case errors.Is(err, context.Canceled):
		return "annulée"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

func truncate(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	// Cut on a rune boundary.
	for i := maxErrorText; i > 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return s[:i]
		}
	}
	return ""
}
