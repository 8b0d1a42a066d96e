package activities

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestErrorTextHidesTheRecipient(t *testing.T) {
	got := errorText(errors.New(`550 5.1.1 <jeanne.martin@example.org>: user unknown; sms to +33 6 12 34 56 78 refused`))
	assert.NotContains(t, got, "jeanne.martin")
	assert.NotContains(t, got, "12 34 56")
	assert.Contains(t, got, "550 5.1.1")
	assert.Contains(t, got, "user unknown")
	assert.NotContains(t, errorText(errors.New("refused for 06-12-34-56-78")), "34-56")
	long := errorText(errors.New(strings.Repeat("é", 500)))
	assert.True(t, utf8.ValidString(long), "cut on a character, not inside one")
}
