package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/auth"
	"recours/internal/auth/authtest"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/web"
)

// browser is a browser for the sign-in tests: it keeps Recours's cookies
// (every attribute aside, as a browser over HTTPS would) and follows no
// redirect by itself, so each step can be checked.
type browser struct {
	t       *testing.T
	host    string // Recours's host: its cookies go there only
	cookies map[string]string
}

type answer struct {
	Status  int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
}

func newBrowser(t *testing.T, recoursURL string) *browser {
	u, err := url.Parse(recoursURL)
	require.NoError(t, err)
	return &browser{t: t, host: u.Host, cookies: map[string]string{}}
}

var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends a request; body is nil, url.Values (a form) or a value sent as
// JSON. headers alternate name and value.
func (b *browser) do(method, target string, body any, headers ...string) answer {
	b.t.Helper()
	var rd io.Reader
	ctype := ""
	switch v := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(v)
		require.NoError(b.t, err)
		rd, ctype = strings.NewReader(string(buf)), "application/json"
	}
	req, err := http.NewRequest(method, target, rd)
	require.NoError(b.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if req.URL.Host == b.host {
		for name, value := range b.cookies {
			req.AddCookie(&http.Cookie{Name: name, Value: value})
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	if req.URL.Host == b.host {
		for _, c := range resp.Cookies() {
			if c.MaxAge < 0 || c.Value == "" {
				delete(b.cookies, c.Name)
			} else {
				b.cookies[c.Name] = c.Value
			}
		}
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: string(out), Cookies: resp.Cookies()}
}

func cookieNamed(cookies []*http.Cookie, name string) *http.Cookie {
	for _, c := range cookies {
		if c.Name == name && c.MaxAge >= 0 && c.Value != "" {
			return c
		}
	}
	return nil
}

// assertSessionCookie checks the session cookie's attributes.
func assertSessionCookie(t *testing.T, a answer, secure bool) *http.Cookie {
	t.Helper()
	c := cookieNamed(a.Cookies, "recours_session")
	require.NotNil(t, c, "no session cookie: %d %s", a.Status, a.Body)
	assert.True(t, c.HttpOnly, "HttpOnly")
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite, "SameSite=Lax")
	assert.Equal(t, "/", c.Path)
	assert.Equal(t, secure, c.Secure, "Secure")
	assert.Equal(t, int(store.DefaultSessionTTL.Seconds()), c.MaxAge, "the cookie lasts as long as the session")
	assert.GreaterOrEqual(t, len(c.Value), 43)
	return c
}

// contents counts what the store holds.
func contents(t *testing.T, r *testutil.Recours) store.Contents {
	t.Helper()
	c, err := r.Store.Contents(context.Background())
	require.NoError(t, err)
	return c
}

// oidcRecours is Recours signing in at a test OpenID provider.
type oidcRecours struct {
	*testutil.Recours
	op  *authtest.Provider
	url string
}

func startOIDC(t *testing.T) oidcRecours {
	r := testutil.Start(t, "")
	op := authtest.Start(t, "recours-test", "client-secret-for-the-test")
	// The callback URL is Recours's own: the server starts first, its
	// handler is built once configured.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { handler.ServeHTTP(w, req) }))
	t.Cleanup(srv.Close)
	client, err := auth.New(auth.Config{Issuer: op.URL, ClientID: op.ClientID, ClientSecret: op.ClientSecret,
		RedirectURL: srv.URL + "/auth/callback"})
	require.NoError(t, err)
	r.Web.Auth = web.AuthConfig{OIDC: client, PublicURL: srv.URL}
	handler = r.API.Handler()
	// The agent's work email, as the administrator recorded it.
	_, err = r.SQL().Exec("UPDATE users SET email = $1 WHERE login = $2", "gaelle.caron@caf71.example", "gca.demo")
	require.NoError(t, err)
	return oidcRecours{Recours: r, op: op, url: srv.URL}
}

// honest is the provider's answer for gca.demo, the email in another case.
var honest = authtest.Behaviour{Subject: "proconnect-sub-gca", Email: "Gaelle.Caron@CAF71.example"}

// signIn plays the authorization-code flow: Recours's login, the
// provider's authorization (approved at once), back to the callback,
// whose answer it returns. change, if not nil, alters the callback URL.
func (o oidcRecours) signIn(t *testing.T, b *browser, change func(u *url.URL), headers ...string) answer {
	t.Helper()
	start := b.do("GET", o.url+"/auth/login", nil)
	require.Equal(t, http.StatusFound, start.Status, start.Body)
	to, err := url.Parse(start.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, o.op.URL+"/authorize", to.Scheme+"://"+to.Host+to.Path)
	q := to.Query()
	assert.GreaterOrEqual(t, len(q.Get("state")), 43, "state of 32 random bytes")
	assert.GreaterOrEqual(t, len(q.Get("nonce")), 43, "nonce of 32 random bytes")
	assert.NotEqual(t, q.Get("state"), q.Get("nonce"))
	assert.Equal(t, o.url+"/auth/callback", q.Get("redirect_uri"))
	assert.Contains(t, strings.Fields(q.Get("scope")), "openid")
	login := cookieNamed(start.Cookies, "recours_login")
	require.NotNil(t, login)
	assert.True(t, login.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, login.SameSite)
	assert.LessOrEqual(t, login.MaxAge, 600, "ten minutes at most")
	assert.NotContains(t, login.Value, q.Get("state"), "the cookie is sealed, not the bare state")

	approved := b.do("GET", to.String(), nil)
	require.Equal(t, http.StatusFound, approved.Status, approved.Body)
	back, err := url.Parse(approved.Header.Get("Location"))
	require.NoError(t, err)
	if change != nil {
		change(back)
	}
	return b.do("GET", back.String(), nil, headers...)
}

// TestAuth_OIDCLoginEndToEnd signs an agent in at a real OpenID provider
// started for the test (RS256 keys, signed UserInfo), then uses the API
// with the session cookie, its CSRF token required on unsafe requests.
func TestAuth_OIDCLoginEndToEnd(t *testing.T) {
	o := startOIDC(t)
	o.op.Set(honest)
	b := newBrowser(t, o.url)
	done := o.signIn(t, b, nil)
	require.Equal(t, http.StatusFound, done.Status, done.Body)
	assert.Equal(t, "/", done.Header.Get("Location"))
	assert.Nil(t, cookieNamed(done.Cookies, "recours_login"), "the sign-in cookie is spent")
	session := assertSessionCookie(t, done, false)

	// Only the session id's hash is stored, with the ID token for logout.
	ctx := context.Background()
	_, row, err := o.Store.SessionUser(ctx, store.HashSessionID(session.Value), time.Now())
	require.NoError(t, err)
	assert.NotEmpty(t, row.IDToken)
	assert.WithinDuration(t, time.Now().Add(store.DefaultSessionTTL), row.ExpiresAt, time.Minute, "8 hours, absolute")
	_, _, err = o.Store.SessionUser(ctx, session.Value, time.Now())
	assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "the session id itself is not stored")

	// The API answers the cookie as gca.demo.
	cases := b.do("GET", o.url+"/api/v1/cases", nil)
	assert.Equal(t, http.StatusOK, cases.Status, cases.Body)
	who := b.do("GET", o.url+"/auth/session", nil)
	require.Equal(t, http.StatusOK, who.Status, who.Body)
	var info web.SessionInfo
	require.NoError(t, json.Unmarshal([]byte(who.Body), &info))
	assert.Equal(t, "gca.demo", info.Login)
	assert.Equal(t, row.CSRF, info.CSRFToken)
	assert.GreaterOrEqual(t, len(info.CSRFToken), 43)

	// An unsafe request with the cookie needs the CSRF token.
	before := o.Counts()
	for _, h := range [][]string{nil, {"X-CSRF-Token", "not-the-token"}} {
		refused := b.do("POST", o.url+"/api/v1/complaints", testutil.Complaint("071"), h...)
		assert.Equal(t, http.StatusForbidden, refused.Status, refused.Body)
		assert.Contains(t, refused.Body, "jeton CSRF manquant ou invalide")
	}
	assert.Equal(t, before, o.Counts(), "a refused request wrote nothing")
	created := b.do("POST", o.url+"/api/v1/complaints", testutil.Complaint("071"), "X-CSRF-Token", info.CSRFToken)
	require.Equal(t, http.StatusCreated, created.Status, created.Body)

	// A bearer token is unchanged: it wins over the cookie, with no CSRF.
	bearer := b.do("POST", o.url+"/api/v1/complaints", testutil.Complaint("071"), "Authorization", "Bearer "+o.Token("csu.demo"))
	assert.Equal(t, http.StatusCreated, bearer.Status, bearer.Body)

	// The local demo login is not offered beside OpenID Connect.
	local := b.do("POST", o.url+"/auth/local", url.Values{"login": {"admin.demo"}, "csrf_token": {"x"}})
	assert.Equal(t, http.StatusNotFound, local.Status, local.Body)

	// Logout: the CSRF token is required, then the session is deleted and
	// the browser sent to the provider's end_session_endpoint.
	noToken := b.do("POST", o.url+"/auth/logout", url.Values{})
	assert.Equal(t, http.StatusForbidden, noToken.Status, noToken.Body)
	out := b.do("POST", o.url+"/auth/logout", url.Values{"csrf_token": {info.CSRFToken}})
	require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	end, err := url.Parse(out.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, o.op.EndSessionURL(), end.Scheme+"://"+end.Host+end.Path)
	assert.Equal(t, row.IDToken, end.Query().Get("id_token_hint"))
	assert.Equal(t, o.url+"/", end.Query().Get("post_logout_redirect_uri"))
	assert.NotEmpty(t, end.Query().Get("state"))
	assert.Empty(t, b.cookies["recours_session"], "the cookie is cleared")
	ended := b.do("GET", end.String(), nil)
	assert.Equal(t, http.StatusOK, ended.Status)
	require.Len(t, o.op.Logouts(), 1)

	// The old cookie opens nothing any more.
	_, _, err = o.Store.SessionUser(ctx, store.HashSessionID(session.Value), time.Now())
	assert.Equal(t, domain.EUNAUTHORIZED, domain.ErrorCode(err), "the session is deleted")
	stale := newBrowser(t, o.url)
	stale.cookies["recours_session"] = session.Value
	after := stale.do("GET", o.url+"/api/v1/cases", nil)
	assert.Equal(t, http.StatusUnauthorized, after.Status, after.Body)
	assert.Equal(t, http.StatusUnauthorized, stale.do("GET", o.url+"/auth/session", nil).Status)
}

// TestAuth_OIDCRefusals: each fault of the provider's answers, or of the
// browser's request, is refused; no session opens, no account is created.
func TestAuth_OIDCRefusals(t *testing.T) {
	o := startOIDC(t)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	with := func(change func(b *authtest.Behaviour)) authtest.Behaviour {
		b := honest
		change(&b)
		return b
	}
	tests := []struct {
		name      string
		behaviour authtest.Behaviour
		callback  func(u *url.URL)
		status    int
	}{
		{"tampered ID token", with(func(b *authtest.Behaviour) { b.TamperIDToken = true }), nil, http.StatusUnauthorized},
		{"wrong nonce", with(func(b *authtest.Behaviour) { b.Nonce = auth.RandomString() }), nil, http.StatusUnauthorized},
		{"expired ID token", with(func(b *authtest.Behaviour) { b.IDTokenExpiry = -time.Minute }), nil, http.StatusUnauthorized},
		{"ID token for another client", with(func(b *authtest.Behaviour) { b.Audience = "another-client" }), nil, http.StatusUnauthorized},
		{"UserInfo signed by another key", with(func(b *authtest.Behaviour) { b.UserInfoKey = otherKey }), nil, http.StatusUnauthorized},
		{"UserInfo not signed", with(func(b *authtest.Behaviour) { b.UserInfoPlainJSON = true }), nil, http.StatusUnauthorized},
		{"UserInfo about another subject", with(func(b *authtest.Behaviour) { b.UserInfoSubject = "someone-else" }), nil, http.StatusUnauthorized},
		{"unknown email", with(func(b *authtest.Behaviour) { b.Email = "inconnu@caf71.example" }), nil, http.StatusForbidden},
		{"wrong state", honest, func(u *url.URL) {
			q := u.Query()
			q.Set("state", auth.RandomString())
			u.RawQuery = q.Encode()
		}, http.StatusBadRequest},
		{"no state", honest, func(u *url.URL) {
			q := u.Query()
			q.Del("state")
			u.RawQuery = q.Encode()
		}, http.StatusBadRequest},
		{"provider error", honest, func(u *url.URL) { u.RawQuery = "error=access_denied&state=" + u.Query().Get("state") }, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.op.Set(tt.behaviour)
			before := contents(t, o.Recours)
			b := newBrowser(t, o.url)
			got := o.signIn(t, b, tt.callback)
			p := testutil.AssertProblem(t, testutil.Response{Status: got.Status, Header: got.Header, Body: []byte(got.Body)}, tt.status)
			assert.NotEmpty(t, p.Detail)
			assert.Nil(t, cookieNamed(got.Cookies, "recours_session"), "no session cookie")
			after := contents(t, o.Recours)
			assert.Equal(t, before.Sessions, after.Sessions, "no session")
			assert.Equal(t, before.Users, after.Users, "no account created")
			assert.Equal(t, http.StatusUnauthorized, b.do("GET", o.url+"/api/v1/cases", nil).Status)
		})
	}

	t.Run("unknown email, in a browser: a French page", func(t *testing.T) {
		o.op.Set(with(func(b *authtest.Behaviour) { b.Email = "inconnu@caf71.example" }))
		got := o.signIn(t, newBrowser(t, o.url), nil, "Accept", "text/html")
		assert.Equal(t, http.StatusForbidden, got.Status)
		assert.Equal(t, "text/html", strings.Split(got.Header.Get("Content-Type"), ";")[0])
		assert.Contains(t, html.UnescapeString(got.Body), "aucun agent de Recours n'a l'adresse électronique")
		assert.Contains(t, got.Body, `lang="fr"`)
	})

	t.Run("a callback replayed, or opened in another browser", func(t *testing.T) {
		o.op.Set(honest)
		b := newBrowser(t, o.url)
		var callback string
		done := o.signIn(t, b, func(u *url.URL) { callback = u.String() })
		require.Equal(t, http.StatusFound, done.Status, done.Body)
		again := b.do("GET", callback, nil)
		assert.Equal(t, http.StatusBadRequest, again.Status, "the sign-in cookie serves once")
		elsewhere := newBrowser(t, o.url).do("GET", callback, nil)
		assert.Equal(t, http.StatusBadRequest, elsewhere.Status, "no sign-in cookie")
	})

	t.Run("a forged sign-in cookie", func(t *testing.T) {
		o.op.Set(honest)
		b := newBrowser(t, o.url)
		got := o.signIn(t, b, func(u *url.URL) {
			sealed := b.cookies["recours_login"]
			b.cookies["recours_login"] = sealed[:len(sealed)-2] + "AA"
		})
		assert.Equal(t, http.StatusBadRequest, got.Status, got.Body)
	})
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestAuth_LocalDemoLogin: the embedded default signs the demo users in
// without a provider, says so, and requires the form's CSRF token; the
// login is refused where it is not enabled.
func TestAuth_LocalDemoLogin(t *testing.T) {
	r := testutil.Start(t, "") // the embedded default: local demo login
	b := newBrowser(t, r.URL)
	page := b.do("GET", r.URL+"/auth/login", nil)
	require.Equal(t, http.StatusOK, page.Status, page.Body)
	assert.Equal(t, "text/html", strings.Split(page.Header.Get("Content-Type"), ";")[0])
	text := html.UnescapeString(page.Body)
	assert.Contains(t, text, "Connexion locale de démonstration : sans ProConnect, réservée au mode embarqué")
	assert.Contains(t, text, "gca.demo")
	assert.Contains(t, page.Header.Get("Content-Security-Policy"), "form-action 'self'")
	m := csrfField.FindStringSubmatch(page.Body)
	require.Len(t, m, 2, "the form carries a CSRF token")
	token := m[1]
	assert.GreaterOrEqual(t, len(token), 43)

	sessions := contents(t, r).Sessions
	for name, form := range map[string]url.Values{
		"no token":            {"login": {"gca.demo"}},
		"another token":       {"login": {"gca.demo"}, "csrf_token": {auth.RandomString()}},
		"not a demo user":     {"login": {"nobody"}, "csrf_token": {token}},
		"the token, no login": {"csrf_token": {token}},
	} {
		got := b.do("POST", r.URL+"/auth/local", form)
		assert.Equal(t, http.StatusForbidden, got.Status, "%s: %s", name, got.Body)
		assert.Nil(t, cookieNamed(got.Cookies, "recours_session"), name)
	}
	noCookie := newBrowser(t, r.URL).do("POST", r.URL+"/auth/local", url.Values{"login": {"gca.demo"}, "csrf_token": {token}})
	assert.Equal(t, http.StatusForbidden, noCookie.Status, "the token without its cookie")
	assert.Equal(t, sessions, contents(t, r).Sessions)

	done := b.do("POST", r.URL+"/auth/local", url.Values{"login": {"gca.demo"}, "csrf_token": {token}})
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/", done.Header.Get("Location"))
	assertSessionCookie(t, done, false)
	assert.Equal(t, http.StatusOK, b.do("GET", r.URL+"/api/v1/cases", nil).Status)
	var info web.SessionInfo
	who := b.do("GET", r.URL+"/auth/session", nil)
	require.NoError(t, json.Unmarshal([]byte(who.Body), &info), who.Body)
	assert.Equal(t, "gca.demo", info.Login)

	// The expiry is the server's: past 8 hours the cookie opens nothing.
	r.API.Cases.Now = func() time.Time { return time.Now().Add(store.DefaultSessionTTL + time.Minute) }
	assert.Equal(t, http.StatusUnauthorized, b.do("GET", r.URL+"/api/v1/cases", nil).Status, "expired")
	r.API.Cases.Now = nil
	assert.Equal(t, http.StatusOK, b.do("GET", r.URL+"/api/v1/cases", nil).Status)

	// Logout without a provider: back to the login page.
	out := b.do("POST", r.URL+"/auth/logout", nil, "X-CSRF-Token", info.CSRFToken)
	require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	assert.Equal(t, "/auth/login", out.Header.Get("Location"))
	assert.Equal(t, http.StatusUnauthorized, b.do("GET", r.URL+"/auth/session", nil).Status)

	t.Run("Secure cookies behind https", func(t *testing.T) {
		r.Web.Auth.PublicURL = "https://recours.caf.example"
		srv := httptest.NewServer(r.API.Handler())
		defer srv.Close()
		b := newBrowser(t, srv.URL)
		page := b.do("GET", srv.URL+"/auth/login", nil)
		require.Equal(t, http.StatusOK, page.Status)
		assert.True(t, cookieNamed(page.Cookies, "recours_login").Secure)
		done := b.do("POST", srv.URL+"/auth/local", url.Values{"login": {"gca.demo"}, "csrf_token": {csrfField.FindStringSubmatch(page.Body)[1]}})
		require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
		assertSessionCookie(t, done, true)
	})

	t.Run("refused where not enabled", func(t *testing.T) {
		r.Web.Auth = web.AuthConfig{}
		srv := httptest.NewServer(r.API.Handler())
		defer srv.Close()
		b := newBrowser(t, srv.URL)
		assert.Equal(t, http.StatusNotFound, b.do("GET", srv.URL+"/auth/login", nil).Status)
		got := b.do("POST", srv.URL+"/auth/local", url.Values{"login": {"gca.demo"}, "csrf_token": {token}})
		assert.Equal(t, http.StatusNotFound, got.Status, got.Body)
		assert.Equal(t, http.StatusNotFound, b.do("GET", srv.URL+"/auth/callback?code=x&state=y", nil).Status)
	})
}

// TestAuth_ProviderDown: Recours starts while the provider is unreachable,
// and a sign-in then is a 503, not a crash.
func TestAuth_ProviderDown(t *testing.T) {
	r := testutil.Start(t, "")
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	client, err := auth.New(auth.Config{Issuer: dead.URL, ClientID: "c", ClientSecret: "s", RedirectURL: "http://127.0.0.1/auth/callback"})
	require.NoError(t, err)
	r.Web.Auth = web.AuthConfig{OIDC: client}
	srv := httptest.NewServer(r.API.Handler())
	defer srv.Close()
	got := newBrowser(t, srv.URL).do("GET", srv.URL+"/auth/login", nil)
	assert.Equal(t, http.StatusServiceUnavailable, got.Status, got.Body)
	_, err = client.Exchange(context.Background(), "code", auth.RandomString())
	assert.Error(t, err)
}
