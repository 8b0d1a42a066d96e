package domain

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// MaxEmailLength is the longest email address an account may have (RFC
// 5321's limit on a path, less its angle brackets).
const MaxEmailLength = 254

// AccountEmail is s, an account's work email, as it is stored and matched
// at sign-in: trimmed and lower-cased, so that two spellings of one
// address are one address. ok is false unless s is one bare address (no
// name, no angle brackets, no list) of at most MaxEmailLength characters.
// "" is ok: an account without email, which no provider signs in.
func AccountEmail(s string) (email string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if utf8.RuneCountInString(s) > MaxEmailLength {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	return strings.ToLower(s), true
}
