package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recours/internal/auth"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/jsonbody"
	"recours/internal/store"
)

// authenticate checks the bearer token, or without one the browser's
// session cookie (with its CSRF token on unsafe methods), and puts the
// user in the context.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if ck, err := c.Request.Cookie(auth.SessionCookie); h == "" && err == nil && ck.Value != "" {
		s.authenticateSession(c, ck.Value)
		return
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		httpx.WriteProblem(c, http.StatusUnauthorized, "jeton d'accès manquant (Authorization: Bearer …)", nil)
		return
	}
	u, err := s.Store.Authenticate(c.Request.Context(), strings.TrimSpace(token), s.now())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetCaller(c, u)
	httpx.SetCredential(c, "token", strings.TrimSpace(token))
	c.Next()
}

// authenticateSession authenticates a request by its session cookie (no
// Authorization header): an unsafe method must also carry the session's
// CSRF token in X-CSRF-Token.
func (s *Server) authenticateSession(c *gin.Context, id string) {
	u, sess, err := s.Store.SessionUser(c.Request.Context(), store.HashSessionID(id), s.now())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !auth.TokensEqual(c.GetHeader(auth.CSRFHeader), sess.CSRF) {
			httpx.WriteProblem(c, http.StatusForbidden, "jeton CSRF manquant ou invalide", nil)
			return
		}
	}
	httpx.SetCaller(c, u)
	httpx.SetCredential(c, "session", sess.ID)
	c.Next()
}

func user(c *gin.Context) store.User { return httpx.Caller(c) }

// readJSON reads a JSON body: 415 unless it is JSON, 413 above MaxBody,
// 400 when malformed, when a field is unknown or of the wrong type
// (jsonbody.Decode). It returns the raw body too, for the idempotency
// hash.
func readJSON(c *gin.Context, into any) ([]byte, bool) {
	body, ok := readBody(c)
	if !ok {
		return nil, false
	}
	if err := jsonbody.Decode(body, into); err != nil {
		httpx.Fail(c, err)
		return nil, false
	}
	// Every text field of every body, whatever the route: no control
	// character or bidirectional override (domain.CheckText); the domain's
	// own checks say it again for the pages.
	var p domain.Problems
	domain.CheckText(&p, "", into)
	if err := p.Err(); err != nil {
		httpx.Fail(c, err)
		return nil, false
	}
	return body, true
}

// readBody reads a JSON body: 415 unless it is JSON, 413 above MaxBody.
func readBody(c *gin.Context) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		httpx.WriteProblem(c, http.StatusUnsupportedMediaType, "le corps doit être du JSON (Content-Type: application/json)", nil)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		httpx.WriteProblem(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("corps trop volumineux (%d octets au plus)", MaxBody), nil)
		return nil, false
	}
	if err != nil {
		httpx.WriteProblem(c, http.StatusBadRequest, "corps illisible", nil)
		return nil, false
	}
	return body, true
}
