package activities

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorTextHidesTheRecipient(t *testing.T) {
	got := errorText(errors.New(`550 5.1.1 <jeanne.martin@example.org>: user unknown; sms to +33 6 12 34 56 78 refused`))
	assert.NotContains(t, got, "jeanne.martin")
	assert.NotContains(t, got, "12 34 56")
	assert.Contains(t, got, "550 5.1.1")
	assert.Contains(t, got, "user unknown")
}
