package api

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/jsonbody"
)

// openAPIJSON is the contract of the API: served as is at
// GET /api/openapi.json, and the single source the requests are validated
// against.
//
//go:embed openapi.json
var openAPIJSON []byte

// contract holds, by Gin route ("POST /api/v1/cases/:id/actions/:action"),
// the operation of the document that route serves.
type contract struct {
	routes map[string]*routers.Route
}

// loadContract loads and validates the embedded document once; a test
// checks that it loads, so a failure here is a broken build.
var loadContract = sync.OnceValues(func() (*contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIJSON)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	ct := &contract{routes: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ct.routes[method+" "+ginPath(path)] = &routers.Route{
				Spec: doc, Path: path, PathItem: item, Method: method, Operation: op,
			}
		}
	}
	return ct, nil
})

// ginPath turns an OpenAPI path template (/cases/{id}) into Gin's (/cases/:id).
func ginPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}

// openAPIDocument serves the contract; it is public.
func (s *Server) openAPIDocument(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", openAPIJSON)
}

// formats are the string formats the document uses, checked as the
// handlers check them (an empty email means none, as in the domain).
var formats = map[string]openapi3.StringFormatValidator{
	"date-time": openapi3.NewCallbackValidator(func(v string) error {
		_, err := time.Parse(time.RFC3339, v)
		return err
	}),
	"date": openapi3.NewCallbackValidator(func(v string) error {
		_, err := time.Parse(time.DateOnly, v)
		return err
	}),
	"uuid": openapi3.NewCallbackValidator(func(v string) error {
		if _, err := uuid.Parse(v); err != nil || len(v) != 36 {
			return errors.New("not a UUID")
		}
		return nil
	}),
	"email": openapi3.NewCallbackValidator(func(v string) error {
		if v == "" {
			return nil
		}
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
			return errors.New("not an email address")
		}
		return nil
	}),
	"uri": openapi3.NewCallbackValidator(func(v string) error {
		if u, err := url.Parse(v); err != nil || !u.IsAbs() || u.Host == "" {
			return errors.New("not an absolute URI")
		}
		return nil
	}),
}

var validationOptions = &openapi3filter.Options{
	MultiError:          true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc, // authenticate ran before
	SkipSettingDefaults: true,                                  // the request reaches the handler as sent
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidators(formats),
	},
}

// streamedBodyOptions validate an operation whose body is not JSON: its
// parameters only.
var streamedBodyOptions = func() *openapi3filter.Options {
	o := *validationOptions
	o.ExcludeRequestBody = true
	return &o
}()

// validateRequest checks a request against the document: its path and
// query parameters, its headers and its body. A route the document does
// not describe, or a path parameter it refuses (an unknown action, an id
// that is no UUID), goes on to the handler, which answers 404 as before.
// A body is checked as readJSON checks it (415 unless JSON, 413 above
// MaxBody, 400 when malformed), then against its schema; every violation
// is a 400 naming the field. The handlers keep their own checks.
func (s *Server) validateRequest(c *gin.Context) {
	ct, err := loadContract()
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	route, ok := ct.routes[c.Request.Method+" "+c.FullPath()]
	if !ok {
		c.Next()
		return
	}
	req := c.Request.Clone(c.Request.Context())
	options := validationOptions
	if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil && rb.Value.Content.Get("application/json") == nil {
		// A body that is not JSON (the history import's text/csv) is the
		// handler's to stream: neither read nor buffered here (the
		// security check would read it all), only the path and query
		// parameters are checked.
		options = streamedBodyOptions
		req.Body, req.ContentLength = http.NoBody, 0
	} else if route.Operation.RequestBody != nil {
		body, ok := readBody(c)
		if !ok {
			return
		}
		var v any
		if err := jsonbody.Decode(body, &v); err != nil {
			httpx.Fail(c, err)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		// The handler reads the body again.
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		c.Request.ContentLength = int64(len(body))
	}
	params := make(map[string]string, len(c.Params))
	for _, p := range c.Params {
		params[p.Key] = p.Value
	}
	err = openapi3filter.ValidateRequest(c.Request.Context(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route, Options: options,
	})
	if err == nil {
		c.Next()
		return
	}
	fields, inPath := fieldErrors(err)
	if inPath {
		c.Next()
		return
	}
	if len(fields) == 0 {
		fields = []domain.FieldError{{Field: "body", Message: "requête non conforme"}}
	}
	httpx.WriteProblem(c, http.StatusBadRequest, "la demande est invalide", fields)
}

// fieldErrors turns a validation error into the fields at fault: the
// dotted path in the body (claimant.number; for an unknown property, its
// name), or the parameter's name. inPath tells that a path parameter was
// refused.
func fieldErrors(err error) (fields []domain.FieldError, inPath bool) {
	seen := map[domain.FieldError]bool{}
	add := func(f domain.FieldError) {
		if !seen[f] {
			seen[f] = true
			fields = append(fields, f)
		}
	}
	// Type switches, not errors.As: a MultiError answers errors.As with
	// its first element, and a RequestError unwraps to its cause.
	var walk func(err error)
	walk = func(err error) {
		switch re := err.(type) {
		case openapi3.MultiError:
			for _, e := range re {
				walk(e)
			}
		case *openapi3filter.RequestError:
			switch {
			case re.Parameter != nil && re.Parameter.In == openapi3.ParameterInPath:
				inPath = true
			case re.Parameter != nil:
				for _, f := range parameterErrors(re) {
					add(f)
				}
			default:
				for _, f := range schemaErrors("", re.Err) {
					add(f)
				}
			}
		default:
			add(domain.FieldError{Field: "body", Message: "requête non conforme"})
		}
	}
	walk(err)
	return fields, inPath
}

// parameterErrors names a query or header parameter at fault.
func parameterErrors(re *openapi3filter.RequestError) []domain.FieldError {
	name := re.Parameter.Name
	_, parse := re.Err.(*openapi3filter.ParseError)
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return []domain.FieldError{{Field: name, Message: "paramètre obligatoire"}}
	case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
		return []domain.FieldError{{Field: name, Message: "valeur vide non permise"}}
	case parse:
		msg := "type incorrect"
		if sr := re.Parameter.Schema; sr != nil && sr.Value != nil {
			msg = typeMessage(sr.Value)
		}
		return []domain.FieldError{{Field: name, Message: msg}}
	}
	if fs := schemaErrors(name, re.Err); len(fs) > 0 {
		return fs
	}
	return []domain.FieldError{{Field: name, Message: "valeur invalide"}}
}

// schemaErrors lists the schema violations within err, their fields
// prefixed by prefix (a parameter's name, or "" for the body).
func schemaErrors(prefix string, err error) []domain.FieldError {
	var out []domain.FieldError
	var walk func(err error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case openapi3.MultiError:
			for _, e := range e {
				walk(e)
			}
		case *openapi3.SchemaError:
			out = append(out, schemaFieldError(prefix, e))
		case *openapi3filter.ParseError:
			out = append(out, domain.FieldError{Field: orBody(prefix), Message: "JSON mal formé"})
		default:
			if inner := errors.Unwrap(err); inner != nil {
				walk(inner)
				return
			}
			out = append(out, domain.FieldError{Field: orBody(prefix), Message: "valeur invalide"})
		}
	}
	walk(err)
	return out
}

func orBody(field string) string {
	if field == "" {
		return "body"
	}
	return field
}

// schemaFieldError maps one violation to its field and a short French
// message.
func schemaFieldError(prefix string, se *openapi3.SchemaError) domain.FieldError {
	path := se.JSONPointer()
	if prefix != "" {
		path = append([]string{prefix}, path...)
	}
	field := orBody(strings.Join(path, "."))
	sc := se.Schema
	if sc == nil {
		sc = &openapi3.Schema{}
	}
	switch se.SchemaField {
	case "properties": // additionalProperties: false
		if name, ok := unsupportedProperty(se.Reason); ok {
			return domain.FieldError{Field: name, Message: "champ inconnu"}
		}
		return domain.FieldError{Field: field, Message: "champ inconnu"}
	case "required":
		return domain.FieldError{Field: field, Message: "champ obligatoire"}
	case "enum":
		return domain.FieldError{Field: field, Message: "valeur non permise (" + enumList(sc.Enum) + ")"}
	case "type", "nullable":
		return domain.FieldError{Field: field, Message: typeMessage(sc)}
	case "format":
		return domain.FieldError{Field: field, Message: formatMessage(sc.Format)}
	case "pattern":
		return domain.FieldError{Field: field, Message: "format invalide (attendu : " + sc.Pattern + ")"}
	case "minLength":
		if sc.MinLength <= 1 {
			return domain.FieldError{Field: field, Message: "trop court : ne peut pas être vide"}
		}
		return domain.FieldError{Field: field, Message: fmt.Sprintf("trop court (%d caractères au moins)", sc.MinLength)}
	case "maxLength":
		if sc.MaxLength != nil {
			return domain.FieldError{Field: field, Message: fmt.Sprintf("trop long (%d caractères au plus)", *sc.MaxLength)}
		}
		return domain.FieldError{Field: field, Message: "trop long"}
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		return domain.FieldError{Field: field, Message: boundsMessage(sc)}
	}
	return domain.FieldError{Field: field, Message: "valeur invalide"}
}

// unsupportedProperty reads the name out of kin-openapi's reason for an
// additional property: `property "iban" is unsupported`.
func unsupportedProperty(reason string) (string, bool) {
	q, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	if q, ok = strings.CutSuffix(q, " is unsupported"); !ok {
		return "", false
	}
	name, err := strconv.Unquote(q)
	return name, err == nil
}

func enumList(values []any) string {
	words := make([]string, 0, len(values))
	for _, v := range values {
		words = append(words, fmt.Sprint(v))
	}
	return strings.Join(words, ", ")
}

func typeMessage(sc *openapi3.Schema) string {
	switch {
	case sc.Type.Is(openapi3.TypeString):
		return "type incorrect : texte attendu"
	case sc.Type.Is(openapi3.TypeInteger):
		return "type incorrect : nombre entier attendu"
	case sc.Type.Is(openapi3.TypeNumber):
		return "type incorrect : nombre attendu"
	case sc.Type.Is(openapi3.TypeBoolean):
		return "type incorrect : true ou false attendu"
	case sc.Type.Is(openapi3.TypeObject):
		return "type incorrect : objet attendu"
	case sc.Type.Is(openapi3.TypeArray):
		return "type incorrect : liste attendue"
	}
	return "type incorrect"
}

func formatMessage(format string) string {
	switch format {
	case "date":
		return "format invalide : date AAAA-MM-JJ attendue"
	case "date-time":
		return "format invalide : date et heure RFC 3339 attendues"
	case "uuid":
		return "format invalide : identifiant UUID attendu"
	case "email":
		return "format invalide : adresse électronique attendue"
	case "uri":
		return "format invalide : adresse absolue attendue"
	}
	return "format invalide"
}

func boundsMessage(sc *openapi3.Schema) string {
	switch {
	case sc.Min != nil && sc.Max != nil:
		return fmt.Sprintf("hors limites : entre %g et %g", *sc.Min, *sc.Max)
	case sc.Min != nil:
		return fmt.Sprintf("hors limites : %g au moins", *sc.Min)
	case sc.Max != nil:
		return fmt.Sprintf("hors limites : %g au plus", *sc.Max)
	}
	return "hors limites"
}
