// Package auth signs agents in with OpenID Connect, authorization-code
// flow, as ProConnect (the French public agents' identity federation)
// expects it: discovery from the issuer, the ID token verified (signature
// against the provider's keys, issuer, audience, expiry, nonce), then the
// UserInfo answer, which must be a JWT signed by the same provider and
// name the same subject. It also seals the short-lived values a sign-in
// keeps in the browser between its two legs (state, nonce, form token).
package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// Config configures the OpenID Connect client.
type Config struct {
	// Issuer is the provider's issuer URL (OIDC_ISSUER); its discovery
	// document is at Issuer/.well-known/openid-configuration.
	Issuer string
	// ClientID and ClientSecret identify Recours at the provider
	// (OIDC_CLIENT_ID, OIDC_CLIENT_SECRET).
	ClientID     string
	ClientSecret string
	// RedirectURL is Recours's callback as registered at the provider,
	// https://…/auth/callback (OIDC_REDIRECT_URL).
	RedirectURL string
	// Scopes asked for; openid and email when empty.
	Scopes []string
	// HTTPClient talks to the provider; a client with a 10 s timeout when nil.
	HTTPClient *http.Client
}

// Identity is who the provider says signed in.
type Identity struct {
	// Subject is the provider's stable identifier of the agent (sub).
	Subject string
	// Email is the work email from the signed UserInfo answer.
	Email string
	// IDToken is the raw ID token, kept for the logout's id_token_hint.
	IDToken string
}

// Client is an OpenID Connect relying party. The provider is discovered
// on first use and remembered once discovery succeeds, so Recours starts
// while the provider is unreachable and signs in once it answers.
type Client struct {
	cfg  Config
	http *http.Client

	mu sync.Mutex
	p  *provider
}

// provider is what discovery taught.
type provider struct {
	oauth       oauth2.Config
	verifier    *oidc.IDTokenVerifier
	keys        *oidc.RemoteKeySet
	userInfoURL string
	endSession  string
	algs        []jose.SignatureAlgorithm
}

// New checks the configuration; it makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "" {
		return nil, errors.New("auth: OIDC needs OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URL (or PUBLIC_URL)")
	}
	if err := secureURL(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("auth: OIDC_ISSUER: %w", err)
	}
	if err := secureURL(cfg.RedirectURL); err != nil {
		return nil, fmt.Errorf("auth: OIDC_REDIRECT_URL: %w", err)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "email"}
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{cfg: cfg, http: hc}, nil
}

// secureURL accepts an absolute https URL, or http on the loopback
// interface (a provider started by a test, a developer's machine).
func secureURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is no absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("%q must be https", raw)
}

// Issuer is the configured issuer URL.
func (c *Client) Issuer() string { return c.cfg.Issuer }

func (c *Client) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.http)
}

// asymmetric keeps the signing algorithms a provider's public keys can
// verify: never "none", never a MAC keyed with the client secret.
func asymmetric(names []string) []jose.SignatureAlgorithm {
	allowed := []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384,
		jose.ES512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA}
	var out []jose.SignatureAlgorithm
	for _, n := range names {
		if a := jose.SignatureAlgorithm(n); slices.Contains(allowed, a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []jose.SignatureAlgorithm{jose.RS256} // the one OpenID Connect requires
	}
	return out
}

// discover fetches the provider's metadata once it answers.
func (c *Client) discover(ctx context.Context) (*provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p != nil {
		return c.p, nil
	}
	op, err := oidc.NewProvider(c.ctx(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: discovery at %s: %w", c.cfg.Issuer, err)
	}
	var meta struct {
		JWKSURI     string   `json:"jwks_uri"`
		EndSession  string   `json:"end_session_endpoint"`
		IDTokenAlgs []string `json:"id_token_signing_alg_values_supported"`
		UserInfoAlg []string `json:"userinfo_signing_alg_values_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("auth: discovery: %w", err)
	}
	if meta.JWKSURI == "" || op.UserInfoEndpoint() == "" {
		return nil, errors.New("auth: discovery: the provider names no jwks_uri or no userinfo_endpoint")
	}
	idAlgs := asymmetric(meta.IDTokenAlgs)
	names := make([]string, len(idAlgs))
	for i, a := range idAlgs {
		names[i] = string(a)
	}
	// One key set for the ID token and the UserInfo answer: the provider's
	// published keys, fetched again when an unknown key id shows up.
	keys := oidc.NewRemoteKeySet(c.ctx(context.Background()), meta.JWKSURI)
	c.p = &provider{
		oauth: oauth2.Config{
			ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret,
			Endpoint: op.Endpoint(), RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes,
		},
		verifier: oidc.NewVerifier(c.cfg.Issuer, keys, &oidc.Config{
			ClientID: c.cfg.ClientID, SupportedSigningAlgs: names,
		}),
		keys:        keys,
		userInfoURL: op.UserInfoEndpoint(),
		endSession:  meta.EndSession,
		algs:        asymmetric(append(meta.UserInfoAlg, meta.IDTokenAlgs...)),
	}
	return c.p, nil
}

// AuthCodeURL is where to send the browser to sign in, with state and nonce.
func (c *Client) AuthCodeURL(ctx context.Context, state, nonce string) (string, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth.AuthCodeURL(state, oidc.Nonce(nonce)), nil
}

// Refusal is a sign-in the provider's answer does not allow: a bad ID
// token or UserInfo answer. Reason says why, for the log (no personal data).
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return "auth: sign-in refused: " + r.Reason }

func refused(format string, args ...any) error {
	return &Refusal{Reason: fmt.Sprintf(format, args...)}
}

// Exchange trades the code for tokens and checks them all: the ID token
// (signature, issuer, audience, expiry, the nonce given), the access
// token's hash when the ID token has one, and the UserInfo answer, a JWT
// signed by the provider about the same subject. It returns the identity,
// or a *Refusal when an answer does not hold, another error when the
// provider could not be reached.
func (c *Client) Exchange(ctx context.Context, code, nonce string) (Identity, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	if code == "" || len(nonce) < 32 {
		return Identity{}, refused("no code or no nonce")
	}
	tok, err := p.oauth.Exchange(c.ctx(ctx), code)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, refused("token endpoint: %s", re.ErrorCode)
		}
		return Identity{}, fmt.Errorf("auth: token endpoint: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, refused("no id_token in the token answer")
	}
	idt, err := p.verifier.Verify(c.ctx(ctx), raw)
	if err != nil {
		return Identity{}, refused("id token: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, refused("id token: nonce mismatch")
	}
	if idt.Subject == "" {
		return Identity{}, refused("id token: no subject")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Identity{}, refused("id token: at_hash: %v", err)
		}
	}
	email, err := c.userInfo(ctx, p, tok.AccessToken, idt.Subject)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Subject: idt.Subject, Email: email, IDToken: raw}, nil
}

// userInfo fetches the UserInfo answer and requires a signed JWT
// (application/jwt, as ProConnect answers): its signature by one of the
// provider's keys, its sub equal to the ID token's, its iss, aud and exp
// right when present. It returns the email.
func (c *Client) userInfo(ctx context.Context, p *provider, accessToken, subject string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.userInfoURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/jwt")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("auth: userinfo: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("auth: userinfo: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", refused("userinfo: status %d", resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/jwt" {
		return "", refused("userinfo: %q is no signed JWT (application/jwt required)", mt)
	}
	raw := strings.TrimSpace(string(body))
	jws, err := jose.ParseSigned(raw, p.algs)
	if err != nil {
		return "", refused("userinfo: %v", err)
	}
	if len(jws.Signatures) != 1 {
		return "", refused("userinfo: one signature expected")
	}
	// The algorithm is checked above; the key set tries the provider's keys.
	payload, err := p.keys.VerifySignature(c.ctx(ctx), raw)
	if err != nil {
		return "", refused("userinfo: signature: %v", err)
	}
	var claims struct {
		Sub   string          `json:"sub"`
		Email string          `json:"email"`
		Iss   string          `json:"iss"`
		Aud   json.RawMessage `json:"aud"`
		Exp   *float64        `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", refused("userinfo: claims: %v", err)
	}
	if claims.Sub == "" || subtle.ConstantTimeCompare([]byte(claims.Sub), []byte(subject)) != 1 {
		return "", refused("userinfo: sub differs from the id token's")
	}
	if claims.Iss != "" && claims.Iss != c.cfg.Issuer {
		return "", refused("userinfo: issued by another provider")
	}
	if len(claims.Aud) > 0 && !audienceHas(claims.Aud, c.cfg.ClientID) {
		return "", refused("userinfo: for another client")
	}
	if claims.Exp != nil && time.Unix(int64(*claims.Exp), 0).Before(time.Now()) {
		return "", refused("userinfo: expired")
	}
	if claims.Email == "" {
		return "", refused("userinfo: no email")
	}
	return claims.Email, nil
}

// audienceHas reads aud, a string or an array of strings.
func audienceHas(aud json.RawMessage, clientID string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == clientID
	}
	var many []string
	return json.Unmarshal(aud, &many) == nil && slices.Contains(many, clientID)
}

// LogoutURL is the provider's end_session_endpoint with the ID token as
// hint, where to come back and a state; "" when the provider has none (or
// does not answer: the local session is ended all the same).
func (c *Client) LogoutURL(ctx context.Context, idToken, postLogoutRedirect, state string) string {
	p, err := c.discover(ctx)
	if err != nil || p.endSession == "" {
		return ""
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	if postLogoutRedirect != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirect)
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
