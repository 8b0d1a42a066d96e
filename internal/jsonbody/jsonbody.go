package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"recours/internal/domain"
)

// Decode decodes one JSON value of body into into, refusing unknown
// fields and trailing data, and names the field at fault.
func Decode(body []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(into)
	if err == nil && dec.More() {
		err = errors.New("données après l'objet JSON")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body" // the document itself, e.g. an array instead of an object
		}
		return &domain.Error{Code: domain.EINVALID, Message: "type de champ incorrect",
			Fields: []domain.FieldError{{Field: field, Message: "attendu : " + typeErr.Type.String()}}}
	case errors.As(err, &syntaxErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EINVALID, "JSON mal formé")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Code: domain.EINVALID, Message: "champ inconnu",
			Fields: []domain.FieldError{{Field: field, Message: "champ inconnu"}}}
	}
	return domain.Errorf(domain.EINVALID, "corps invalide : %v", err)
}

// The bodies below are those the handlers read themselves; the others are
// domain types (domain.NewComplaint, domain.ActionArgs…).

// NewUser is the body of POST /api/v1/admin/users.
type NewUser struct {
	Login   string `json:"login"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Partner string `json:"partner,omitempty"`
}

// Grant is the body of POST /api/v1/admin/users/{login}/roles.
type Grant struct {
	Caf  string      `json:"caf"`
	Role domain.Role `json:"role"`
}

// NewToken is the body of POST /api/v1/admin/tokens: TTL is a Go
// duration (720h).
type NewToken struct {
	Login string `json:"login"`
	TTL   string `json:"ttl"`
	Label string `json:"label,omitempty"`
}

// FollowUp is the body of POST /api/v1/referrals/{ddd_reference}/follow-ups.
type FollowUp struct {
	Kind               string `json:"kind"`
	ResponseExpectedBy string `json:"response_expected_by"`
	Note               string `json:"note,omitempty"`
}

// Args are the follow-up's arguments, as the file's workflow takes them.
func (f FollowUp) Args() domain.ActionArgs {
	return domain.ActionArgs{Kind: f.Kind, ResponseExpectedBy: f.ResponseExpectedBy, Note: f.Note}
}
