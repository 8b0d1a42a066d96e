package trail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"recours/internal/store"
)

// Checkpoint is the head of the access trail at a moment, signed: one JSON
// line of the checkpoints' log.
type Checkpoint struct {
	V      int       `json:"v"`       // the format, 1
	At     time.Time `json:"at"`      // when it was taken
	LastID uint64    `json:"last_id"` // the newest entry
	Hash   string    `json:"hash"`    // its hash
	Count  int64     `json:"count"`   // the entries up to it
	KeyID  string    `json:"key_id"`  // store.TrailKeyID of the signing key
	Writer string    `json:"writer"`  // the process that took it: host and pid
	Sig    string    `json:"sig"`     // HMAC-SHA256 of the fields above (signed)
}

// signed is the HMAC of c's fields but Sig, each written with its length,
// under a label of its own: no entry of the trail, signed with the same
// key, gives a checkpoint's signature.
func (c Checkpoint) signed(key []byte) string {
	m := hmac.New(sha256.New, key)
	for _, f := range []string{"recours-checkpoint-v1", strconv.Itoa(c.V), c.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatUint(c.LastID, 10), c.Hash, strconv.FormatInt(c.Count, 10), c.KeyID, c.Writer} {
		fmt.Fprintf(m, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// NewCheckpoint is the signed checkpoint of head, taken at now by writer.
func NewCheckpoint(key []byte, head store.AccessHead, now time.Time, writer string) Checkpoint {
	c := Checkpoint{V: 1, At: now.UTC(), LastID: head.ID, Hash: head.Hash, Count: head.Count,
		KeyID: store.TrailKeyID(key), Writer: writer}
	c.Sig = c.signed(key)
	return c
}

// Valid says whether c is signed with key.
func (c Checkpoint) Valid(key []byte) bool {
	return c.V == 1 && hmac.Equal([]byte(c.signed(key)), []byte(c.Sig))
}
