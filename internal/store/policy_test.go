package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
)

func TestCasbinRule_Fields(t *testing.T) {
	r, err := store.NewCasbinRule("p", []string{"gca", "*", "complaint", "start"})
	require.NoError(t, err)
	assert.Equal(t, "gca", r.V0)
	assert.Equal(t, "start", r.V3)
	assert.Equal(t, []string{"gca", "*", "complaint", "start"}, r.Fields())
	_, err = store.NewCasbinRule("p", make([]string, 7))
	assert.Error(t, err)
}
