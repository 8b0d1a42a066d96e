package auth

import "crypto/subtle"

const (
	// SessionCookie carries a browser session's random id; the store
	// keeps its hash. The web interface sets it at sign-in; the API
	// accepts it beside bearer tokens.
	SessionCookie = "recours_session"
	// CSRFHeader carries the session's CSRF token on unsafe requests.
	CSRFHeader = "X-CSRF-Token"
)

// TokensEqual compares two secrets in constant time; an empty one equals
// nothing.
func TokensEqual(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
