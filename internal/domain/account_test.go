package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
)

func TestAccountEmail_OneBareAddressLowerCased(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"  ":                         "",
		"Nadia.Benali@CAF.example":   "nadia.benali@caf.example",
		" nadia.benali@caf.example ": "nadia.benali@caf.example",
		strings.Repeat("a", 242) + "@caf.example": strings.Repeat("a", 242) + "@caf.example",
	} {
		got, ok := domain.AccountEmail(in)
		assert.True(t, ok, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	for _, bad := range []string{
		"nadia", "nadia@", "@caf.example", "Nadia <nadia@caf.example>", "<nadia@caf.example>",
		"nadia@caf.example, marc@caf.example", "nadia@caf.example (Nadia)", "nadia benali@caf.example",
		strings.Repeat("a", 243) + "@caf.example",
	} {
		_, ok := domain.AccountEmail(bad)
		assert.False(t, ok, "%q", bad)
	}
}
