package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// ActorKey signs who asks for an action. The API, which authenticated and
// authorised the actor, seals each action it sends to a file's workflow;
// the worker's update validator refuses an action whose seal does not
// hold. Anyone who reaches the Temporal frontend can send an update, but
// without the key (shared by the API and the workers only, never stored
// in Temporal or the database) cannot make one in an agent's name.
type ActorKey []byte

// MinActorKey is the shortest key accepted, in bytes.
const MinActorKey = 32

// ParseActorKey reads a key as given in the environment: base64 (standard
// or URL alphabet, padded or not) of at least MinActorKey bytes.
func ParseActorKey(s string) (ActorKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < MinActorKey {
				return nil, errors.New("la clé de signature des actions doit compter au moins 32 octets (base64)")
			}
			return ActorKey(b), nil
		}
	}
	return nil, errors.New("la clé de signature des actions doit être en base64 (32 octets au moins)")
}

// Seal is the seal of action (an update named action, with updateID, on
// the workflow wid) asked by actor with args: HMAC-SHA256 over their JSON,
// so a seal holds for that one request and no other.
func (k ActorKey) Seal(wid, updateID, action string, actor, args any) string {
	a, _ := json.Marshal(actor)
	b, _ := json.Marshal(args)
	mac := hmac.New(sha256.New, k)
	for _, part := range [][]byte{[]byte(wid), []byte(updateID), []byte(action), a, b} {
		var n [8]byte
		for i, l := 0, uint64(len(part)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		mac.Write(n[:]) // length-prefixed: no two requests share a message
		mac.Write(part)
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reports whether seal is the seal of that request.
func (k ActorKey) Verify(seal, wid, updateID, action string, actor, args any) bool {
	return seal != "" && hmac.Equal([]byte(seal), []byte(k.Seal(wid, updateID, action, actor, args)))
}

// ErrUnsealed is the refusal of an action whose seal does not hold.
var ErrUnsealed = &Error{Code: EFORBIDDEN, Message: "action refusée : elle ne vient pas de l'API de Recours (signature de l'acteur absente ou invalide)"}
