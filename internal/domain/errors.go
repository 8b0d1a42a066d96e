package domain

import (
	"errors"
	"fmt"
)

// Error codes. The API maps each to one HTTP status in one place.
const (
	EINVALID      = "invalid"      // bad input: 400
	EUNAUTHORIZED = "unauthorized" // no or bad credentials: 401
	EFORBIDDEN    = "forbidden"    // not allowed for this role or Caf: 403
	ENOTFOUND     = "not_found"    // unknown, or not visible to the caller: 404
	ECONFLICT     = "conflict"     // the file's state does not allow it: 409
	EREFUSED      = "refused"      // well formed, but the caller's settings refuse it: 422
	EUNAVAILABLE  = "unavailable"  // a dependency is down: 503
	EINTERNAL     = "internal"     // a bug: 500
)

// KnownCode reports whether code is one of the codes above.
func KnownCode(code string) bool {
	switch code {
	case EINVALID, EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECONFLICT, EREFUSED, EUNAVAILABLE, EINTERNAL:
		return true
	}
	return false
}

// FieldError names one invalid field of a request, with a message for people.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a code, a message for the caller and, for
// validation, the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	return fmt.Sprintf("%s: %s: %s", e.Message, e.Fields[0].Field, e.Fields[0].Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL when it has none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Problems collects field errors while validating a request.
type Problems []FieldError

// Add records that field is invalid.
func (p *Problems) Add(field, message string) { *p = append(*p, FieldError{field, message}) }

// Has reports whether a problem of field was recorded.
func (p Problems) Has(field string) bool {
	for _, fe := range p {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was recorded, an EINVALID error otherwise.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "la demande est invalide", Fields: p}
}
