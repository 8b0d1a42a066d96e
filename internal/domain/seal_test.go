package domain

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A seal holds for its one request: another file, update, action, actor
// or argument, or another key, breaks it.
func TestActorKey_SealHoldsForOneRequestOnly(t *testing.T) {
	key := ActorKey([]byte("0123456789abcdef0123456789abcdef"))
	actor := Actor{Login: "manager.demo", Roles: []Role{RoleManager}}
	args := ActionArgs{Assignee: "gca.demo"}
	seal := key.Seal("complaint-1", "u1", "assign", actor, args)
	assert.True(t, key.Verify(seal, "complaint-1", "u1", "assign", actor, args))
	for name, ok := range map[string]bool{
		"another file":   key.Verify(seal, "complaint-2", "u1", "assign", actor, args),
		"another update": key.Verify(seal, "complaint-1", "u2", "assign", actor, args),
		"another action": key.Verify(seal, "complaint-1", "u1", "close", actor, args),
		"another actor":  key.Verify(seal, "complaint-1", "u1", "assign", Actor{Login: "admin.demo", Roles: []Role{RoleManager}}, args),
		"another role":   key.Verify(seal, "complaint-1", "u1", "assign", Actor{Login: "manager.demo", Roles: []Role{RoleAdmin}}, args),
		"another arg":    key.Verify(seal, "complaint-1", "u1", "assign", actor, ActionArgs{Assignee: "autre"}),
		"no seal":        key.Verify("", "complaint-1", "u1", "assign", actor, args),
		"another key":    ActorKey([]byte("fedcba9876543210fedcba9876543210")).Verify(seal, "complaint-1", "u1", "assign", actor, args),
	} {
		assert.False(t, ok, name)
	}
}

func TestParseActorKey(t *testing.T) {
	raw := []byte("0123456789abcdef0123456789abcdef")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		k, err := ParseActorKey(enc.EncodeToString(raw) + "\n")
		require.NoError(t, err)
		assert.Equal(t, ActorKey(raw), k)
	}
	_, err := ParseActorKey(base64.StdEncoding.EncodeToString(raw[:16]))
	assert.ErrorContains(t, err, "32 octets")
	_, err = ParseActorKey("pas du base64 !")
	assert.ErrorContains(t, err, "base64")
}
