package activities

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
)

func TestErrorTextHidesTheRecipient(t *testing.T) {
	jeanne := domain.Claimant{Number: "1234567", Name: "Jeanne Martin"}
	got := errorText(errors.New(`550 5.1.1 <jeanne.martin@example.org>: user unknown; sms to +33 6 12 34 56 78 refused`), jeanne)
	assert.NotContains(t, got, "jeanne.martin")
	assert.NotContains(t, got, "12 34 56")
	assert.Contains(t, got, "550 5.1.1")
	assert.Contains(t, got, "user unknown")
	assert.NotContains(t, errorText(errors.New("refused for 06-12-34-56-78"), jeanne), "34-56")
	long := errorText(errors.New(strings.Repeat("é", 500)), jeanne)
	assert.True(t, utf8.ValidString(long), "cut on a character, not inside one")
}

// TestErrorText_NoClaimantNameNumberNorServerPath: a refusal that names
// the claimant, or an outbox that could not write its folder, leaves
// neither the name, the claimant number nor the server's paths in the
// text the API and the timeline show.
func TestErrorText_NoClaimantNameNumberNorServerPath(t *testing.T) {
	c := domain.Claimant{Number: "1234567", Name: "Hélène Dupont-Éluard"}
	refusal := errorText(errors.New(`failed to parse mail address "Hélène DUPONT-Éluard" <h@x>: 1234567 unknown`), c)
	for _, leak := range []string{"Hélène", "DUPONT", "Éluard", "1234567"} {
		assert.NotContains(t, refusal, leak)
	}
	assert.Contains(t, refusal, "failed to parse mail address")

	dir := t.TempDir()
	_, err := os.ReadDir(dir + "/outbox/letters")
	text := errorText(fmt.Errorf("messages: outbox: %w", err), c)
	assert.NotContains(t, text, dir)
	assert.Contains(t, text, "letters")
	assert.Contains(t, text, "no such file or directory")
}
