package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// RandomString returns 32 random bytes, base64url without padding: 43
// characters, for a state, a nonce or a form token.
func RandomString() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Sealer signs short-lived values kept by the browser (a cookie) with an
// HMAC-SHA256 key: the browser can read them but not forge or alter them,
// nor replay one past its expiry or for another purpose.
type Sealer struct{ key []byte }

// NewSealer signs with key; an empty key means a random one, good for one
// process only (values sealed by one API process open on no other).
func NewSealer(key []byte) *Sealer {
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic("auth: no randomness: " + err.Error())
		}
	}
	return &Sealer{key: append([]byte(nil), key...)}
}

type sealed struct {
	Purpose string          `json:"p"`
	Expires int64           `json:"e"`
	Value   json.RawMessage `json:"v"`
}

// ErrSealed is a sealed value that is forged, altered, expired or meant
// for another purpose.
var ErrSealed = errors.New("auth: sealed value invalid or expired")

// Seal encodes v for purpose, valid until expires.
func (s *Sealer) Seal(purpose string, v any, expires time.Time) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(sealed{Purpose: purpose, Expires: expires.Unix(), Value: raw})
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload)), nil
}

// Open checks a sealed value for purpose at now and decodes it into v.
func (s *Sealer) Open(purpose, value string, now time.Time, v any) error {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return ErrSealed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return ErrSealed
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ErrSealed
	}
	var sv sealed
	if err := json.Unmarshal(body, &sv); err != nil || sv.Purpose != purpose || !now.Before(time.Unix(sv.Expires, 0)) {
		return ErrSealed
	}
	if err := json.Unmarshal(sv.Value, v); err != nil {
		return ErrSealed
	}
	return nil
}

func (s *Sealer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}
