package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/jsonbody"
	"recours/internal/store"
)

// API tokens, for partners and scripts: an administrator creates one for a
// user of the Cafs it administers, with an expiry; the token is shown once
// (only its hash is kept) and acts with that user's roles until it expires
// or is revoked.
//
// The store is called with the request's context, not the *gin.Context:
// gin reuses a Context once its handler returns, while database/sql may
// still read the context it was given (the race detector reports it).

// createToken makes a token: an administrator for itself, or a national
// administrator (one who administers every Caf) for another user, whose
// roles it then administers all; 201 with the token, shown this once. A
// token for another user acts in that user's name: who made it is kept
// with it (created_by), written to the grants trail, and named beside
// the user in every access-trail entry of a read made with it.
func (s *Server) createToken(c *gin.Context) {
	cafs, ok := s.adminCafs(c)
	if !ok {
		return
	}
	var in jsonbody.NewToken
	if _, ok := readJSON(c, &in); !ok {
		return
	}
	ttl, err := time.ParseDuration(in.TTL)
	if err != nil || ttl <= 0 || ttl > store.MaxTokenTTL {
		httpx.Fail(c, &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide",
			Fields: []domain.FieldError{{Field: "ttl", Message: "durée attendue, de 1s à 8760h (un an), par exemple 720h"}}})
		return
	}
	if !s.managesUser(c, cafs, in.Login, true) {
		return
	}
	by := user(c).Login
	if !strings.EqualFold(strings.TrimSpace(in.Login), by) {
		national, err := s.Authz.National(c.Request.Context(), by, authz.ObjUser, authz.ActManage)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		if !national {
			httpx.WriteProblem(c, http.StatusForbidden, "seul un administrateur national crée un jeton pour un autre utilisateur : le jeton agirait en son nom", nil)
			return
		}
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = "api"
	}
	info, token, err := s.Store.IssueToken(c.Request.Context(), by, in.Login, label, ttl)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	slog.InfoContext(c, "API token created", "token_id", info.ID, "login", info.Login, "by", user(c).Login, "expires_at", info.ExpiresAt)
	c.JSON(http.StatusCreated, gin.H{"id": info.ID, "token": token, "login": info.Login, "label": info.Label,
		"created_at": info.CreatedAt, "expires_at": info.ExpiresAt, "created_by": info.CreatedBy})
}

// listTokens lists, without their secrets, the tokens of a user
// (?login=) or of every user holding a role in a Caf the administrator
// manages.
func (s *Server) listTokens(c *gin.Context) {
	cafs, ok := s.adminCafs(c)
	if !ok {
		return
	}
	f := store.TokenFilter{Cafs: cafs}
	if login := c.Query("login"); login != "" {
		if !s.managesUser(c, cafs, login, false) {
			return
		}
		f = store.TokenFilter{Login: login}
	}
	tokens, err := s.Store.Tokens(c.Request.Context(), f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(tokens, ""))
}

// revokeToken revokes a token of a user the administrator manages: 204,
// also when it was revoked already; 404 when there is no such token.
func (s *Server) revokeToken(c *gin.Context) {
	cafs, ok := s.adminCafs(c)
	if !ok {
		return
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		httpx.WriteProblem(c, http.StatusNotFound, "jeton inconnu", nil)
		return
	}
	info, err := s.Store.Token(c.Request.Context(), uint(id))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if !s.managesUser(c, cafs, info.Login, false) {
		return
	}
	if _, err := s.Store.RevokeToken(c.Request.Context(), user(c).Login, info.ID, s.now()); err != nil {
		httpx.Fail(c, err)
		return
	}
	slog.InfoContext(c, "API token revoked", "token_id", info.ID, "login", info.Login, "by", user(c).Login)
	c.Status(http.StatusNoContent)
}

// managesUser answers 404 for an unknown user and 403 for one who holds
// no role in the Cafs the administrator manages (cafs). With all, every
// Caf where the user holds a role must be one of them: a token acts with
// all the user's roles, so only who administers all of those Cafs may
// make one (an administrator of 071 makes none for an agent who is also
// administrator of 074); listing and revoking need one Caf in common.
func (s *Server) managesUser(c *gin.Context, cafs []string, login string, all bool) bool {
	held, err := s.Store.UserCafs(c.Request.Context(), login)
	if err != nil {
		httpx.Fail(c, err)
		return false
	}
	some, every := false, len(held) > 0
	for _, caf := range held {
		if slices.Contains(cafs, caf) {
			some = true
		} else {
			every = false
		}
	}
	switch {
	case !some:
		httpx.WriteProblem(c, http.StatusForbidden, "cet utilisateur ne détient aucun rôle dans une Caf que vous administrez", nil)
		return false
	case all && !every:
		httpx.WriteProblem(c, http.StatusForbidden, "cet utilisateur détient aussi des rôles dans des Caf que vous n'administrez pas : un jeton agirait avec eux", nil)
		return false
	}
	return true
}

// partnerPaths are the only routes a partner's account reaches.
const partnerPaths = "/api/v1/referrals"

// scopeToken runs once the caller is authenticated: a partner's account
// (the Défenseur des droits liaison) reaches only /api/v1/referrals*,
// whatever roles it was granted (403 elsewhere, the same for every path,
// so nothing leaks); and the bearer token's last use is recorded, at most
// once per store.TokenUseResolution.
func (s *Server) scopeToken(c *gin.Context) {
	if user(c).Partner != "" && !strings.HasPrefix(c.FullPath(), partnerPaths) {
		httpx.WriteProblem(c, http.StatusForbidden, "un compte partenaire n'accède qu'à /api/v1/referrals", nil)
		return
	}
	if token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok {
		s.touchToken(c, store.HashToken(strings.TrimSpace(token)))
	}
	c.Next()
}

// tokenUses remembers when this process last recorded each token's use
// (by hash), so that a token in steady use costs one write a minute, not
// one per request.
var tokenUses = struct {
	sync.Mutex
	last map[string]time.Time
}{last: map[string]time.Time{}}

func (s *Server) touchToken(c *gin.Context, hash string) {
	now := s.now()
	tokenUses.Lock()
	last, seen := tokenUses.last[hash]
	fresh := seen && now.Sub(last) < store.TokenUseResolution && !now.Before(last)
	if !fresh {
		if len(tokenUses.last) > 10000 {
			clear(tokenUses.last)
		}
		tokenUses.last[hash] = now
	}
	tokenUses.Unlock()
	if fresh {
		return
	}
	if err := s.Store.TouchToken(context.WithoutCancel(c.Request.Context()), hash, now); err != nil {
		slog.WarnContext(c, "recording a token's use failed", "err", err)
	}
}
