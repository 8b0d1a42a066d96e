package cases

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"

	"recours/internal/domain"
	"recours/internal/store"
)

// Idempotency is what makes a retried request apply once: the client's
// key (empty: none) and the request as the client sent it, which a
// repeat under the same key must match. Without Body the typed arguments
// stand for the request.
type Idempotency struct {
	Key  string
	Body []byte
}

// MaxKey is the longest idempotency key accepted.
const MaxKey = 200

// hash is the fingerprint of a request to target: the body as sent
// (compacted, so that formatting does not make two equal bodies differ),
// or the typed arguments.
func (k Idempotency) hash(target string, typed any) string {
	body := k.Body
	if body == nil {
		body, _ = json.Marshal(typed)
	}
	h := sha256.New()
	h.Write([]byte(target))
	h.Write([]byte{0})
	var buf bytes.Buffer
	if json.Compact(&buf, body) == nil {
		body = buf.Bytes()
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// claim is the one path of every write's idempotency key: the first
// request with a key records its target and hash; a repeat with the same
// returns the file id recorded (repeat true); with another request,
// ECONFLICT. Without a key it returns id unchanged. release forgets a key
// this request recorded, for a request that then fails: a failed request
// changes nothing.
func (s *Service) claim(ctx context.Context, p domain.Principal, k Idempotency, target, hash, id string) (string, bool, func(), error) {
	noop := func() {}
	if k.Key == "" {
		return id, false, noop, nil
	}
	if len(k.Key) > MaxKey {
		return "", false, noop, domain.Errorf(domain.EINVALID, "Idempotency-Key trop longue (%d caractères au plus)", MaxKey)
	}
	rec := store.IdempotencyKey{Actor: p.Login, Key: k.Key, Target: target, RequestHash: hash, CaseID: id}
	got, created, err := s.Store.IdempotentRequest(ctx, rec)
	if err != nil {
		return "", false, noop, err
	}
	if !created && (got.Target != target || got.RequestHash != hash) {
		return "", false, noop, domain.Errorf(domain.ECONFLICT, "cette Idempotency-Key a déjà servi pour une autre requête")
	}
	if !created {
		return got.CaseID, true, noop, nil
	}
	return got.CaseID, false, func() {
		if err := s.Store.ForgetIdempotencyKey(context.WithoutCancel(ctx), rec); err != nil {
			slog.WarnContext(ctx, "forgetting an idempotency key failed", "err", err)
		}
	}, nil
}

// updateID is the Temporal update ID of a request: its idempotency key,
// its caller and its hash, so that a retry is the same update and another
// request under a released key another; a fresh one without a key.
func updateID(p domain.Principal, k Idempotency, hash string) string {
	if k.Key == "" {
		return newID()
	}
	return "key:" + p.Login + ":" + k.Key + ":" + hash[:16]
}
