// Package authtest is an OpenID Connect provider for tests, with a real
// RSA signing key: discovery, JWKS, an authorization endpoint that approves
// at once, a token endpoint issuing RS256 ID tokens, a UserInfo endpoint
// answering a signed JWT (application/jwt, as ProConnect does) and an
// end-session endpoint. A test makes it misbehave, one answer at a time,
// to check that each fault is refused.
package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Behaviour is how the provider answers the next sign-ins; its zero value
// is an honest provider (Email aside, which the test sets).
type Behaviour struct {
	// Subject and Email of the agent who signs in.
	Subject, Email string
	// TamperIDToken alters the signed ID token's payload (its subject)
	// after signing, keeping the signature.
	TamperIDToken bool
	// Nonce, when set, replaces the nonce the client sent.
	Nonce string
	// IDTokenExpiry is the ID token's lifetime from now (5 min when zero;
	// negative for one already expired).
	IDTokenExpiry time.Duration
	// Audience, when set, replaces the client id as the ID token's aud.
	Audience string
	// UserInfoKey, when set, signs the UserInfo JWT instead of the
	// provider's key (with the same key id).
	UserInfoKey *rsa.PrivateKey
	// UserInfoSubject, when set, is the UserInfo answer's sub.
	UserInfoSubject string
	// UserInfoPlainJSON answers UserInfo as unsigned application/json.
	UserInfoPlainJSON bool
}

// Provider is the running provider.
type Provider struct {
	URL          string
	ClientID     string
	ClientSecret string
	Key          *rsa.PrivateKey
	KeyID        string

	srv *httptest.Server

	mu      sync.Mutex
	b       Behaviour
	codes   map[string]grant
	access  map[string]grant
	auths   []url.Values
	logouts []url.Values
}

type grant struct {
	nonce, redirectURI string
	b                  Behaviour
}

// Start starts a provider for clientID and secret, stopped when the test
// ends.
func Start(t testing.TB, clientID, secret string) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: secret, Key: key, KeyID: "authtest-1",
		codes: map[string]grant{}, access: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /session/end", p.endSession)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// Set changes how the next sign-ins are answered.
func (p *Provider) Set(b Behaviour) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.b = b
}

// Authorizations are the queries the authorization endpoint received.
func (p *Provider) Authorizations() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.auths...)
}

// Logouts are the queries the end-session endpoint received.
func (p *Provider) Logouts() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.logouts...)
}

// EndSessionURL is the provider's end_session_endpoint.
func (p *Provider) EndSessionURL() string { return p.URL + "/session/end" }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"userinfo_endpoint":                     p.URL + "/userinfo",
		"jwks_uri":                              p.URL + "/jwks",
		"end_session_endpoint":                  p.EndSessionURL(),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"userinfo_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.Key.PublicKey, KeyID: p.KeyID, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize approves at once: back to redirect_uri with a code and the state.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.auths = append(p.auths, q)
	b := p.b
	p.mu.Unlock()
	if q.Get("response_type") != "code" || q.Get("client_id") != p.ClientID || q.Get("redirect_uri") == "" ||
		!strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		http.Error(w, "invalid_request", http.StatusBadRequest)
		return
	}
	code := randomString()
	p.mu.Lock()
	p.codes[code] = grant{nonce: q.Get("nonce"), redirectURI: q.Get("redirect_uri"), b: b}
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "invalid_request", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code) // a code serves once
	p.mu.Unlock()
	if r.PostForm.Get("grant_type") != "authorization_code" || !found || r.PostForm.Get("redirect_uri") != g.redirectURI {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	b := g.b
	now := time.Now()
	life := b.IDTokenExpiry
	if life == 0 {
		life = 5 * time.Minute
	}
	aud := p.ClientID
	if b.Audience != "" {
		aud = b.Audience
	}
	nonce := g.nonce
	if b.Nonce != "" {
		nonce = b.Nonce
	}
	at := randomString()
	sum := sha256.Sum256([]byte(at))
	idToken := p.sign(p.Key, map[string]any{
		"iss": p.URL, "aud": aud, "sub": b.Subject, "nonce": nonce,
		"exp": now.Add(life).Unix(), "iat": now.Unix(), "auth_time": now.Unix(),
		"at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]),
		"acr":     "eidas1",
	})
	if b.TamperIDToken {
		idToken = tamper(idToken)
	}
	p.mu.Lock()
	p.access[at] = g
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "token_type": "Bearer", "expires_in": 60, "id_token": idToken, "scope": "openid email",
	})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	g, found := p.access[at]
	p.mu.Unlock()
	if !ok || !found {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	b := g.b
	sub := b.Subject
	if b.UserInfoSubject != "" {
		sub = b.UserInfoSubject
	}
	claims := map[string]any{
		"sub": sub, "email": b.Email, "given_name": "Agent", "usual_name": "De Test",
		"iss": p.URL, "aud": p.ClientID, "iat": time.Now().Unix(),
	}
	if b.UserInfoPlainJSON {
		writeJSON(w, http.StatusOK, claims)
		return
	}
	key := p.Key
	if b.UserInfoKey != nil {
		key = b.UserInfoKey
	}
	w.Header().Set("Content-Type", "application/jwt; charset=utf-8")
	_, _ = w.Write([]byte(p.sign(key, claims)))
}

func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.logouts = append(p.logouts, r.URL.Query())
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("session terminée"))
}

// sign makes a compact RS256 JWS with the provider's key id.
func (p *Provider) sign(key *rsa.PrivateKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: p.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

// tamper rewrites the payload of a compact JWS (another subject), keeping
// its header and signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		panic(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil {
		panic(err)
	}
	claims["sub"] = "someone-else"
	body, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(body)
	return strings.Join(parts, ".")
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
