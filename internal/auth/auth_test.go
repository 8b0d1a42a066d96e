package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/auth"
	"recours/internal/auth/authtest"
)

func TestSealer_RefusesForgedExpiredAndMisused(t *testing.T) {
	s := auth.NewSealer([]byte("a key of thirty-two characters!!"))
	now := time.Now()
	type v struct{ State string }
	sealed, err := s.Seal("oidc-login", v{"abc"}, now.Add(10*time.Minute))
	require.NoError(t, err)

	var got v
	require.NoError(t, s.Open("oidc-login", sealed, now, &got))
	assert.Equal(t, "abc", got.State)

	assert.ErrorIs(t, s.Open("local-login", sealed, now, &got), auth.ErrSealed, "another purpose")
	assert.ErrorIs(t, s.Open("oidc-login", sealed, now.Add(11*time.Minute), &got), auth.ErrSealed, "expired")
	payload, sig, _ := strings.Cut(sealed, ".")
	assert.ErrorIs(t, s.Open("oidc-login", payload[:len(payload)-1]+"A."+sig, now, &got), auth.ErrSealed, "altered")
	assert.ErrorIs(t, s.Open("oidc-login", payload, now, &got), auth.ErrSealed, "unsigned")
	other := auth.NewSealer([]byte("another key of 32 characters!!!!"))
	assert.ErrorIs(t, other.Open("oidc-login", sealed, now, &got), auth.ErrSealed, "another key")
	assert.ErrorIs(t, auth.NewSealer(nil).Open("oidc-login", sealed, now, &got), auth.ErrSealed, "a random key per process")
}

func TestRandomString_32Bytes(t *testing.T) {
	a, b := auth.RandomString(), auth.RandomString()
	assert.Len(t, a, 43)
	assert.NotEqual(t, a, b)
}

func TestNew_ChecksTheConfiguration(t *testing.T) {
	ok := auth.Config{Issuer: "https://auth.agentconnect.gouv.fr/api/v2", ClientID: "id", ClientSecret: "secret",
		RedirectURL: "https://recours.caf.example/auth/callback"}
	_, err := auth.New(ok)
	require.NoError(t, err)
	for name, change := range map[string]func(c *auth.Config){
		"no client id":          func(c *auth.Config) { c.ClientID = "" },
		"no secret":             func(c *auth.Config) { c.ClientSecret = "" },
		"no redirect":           func(c *auth.Config) { c.RedirectURL = "" },
		"http issuer":           func(c *auth.Config) { c.Issuer = "http://idp.example" },
		"http redirect":         func(c *auth.Config) { c.RedirectURL = "http://recours.caf.example/auth/callback" },
		"relative redirect URL": func(c *auth.Config) { c.RedirectURL = "/auth/callback" },
	} {
		c := ok
		change(&c)
		_, err := auth.New(c)
		assert.Error(t, err, name)
	}
	loopback := ok
	loopback.Issuer, loopback.RedirectURL = "http://127.0.0.1:5556", "http://localhost:8080/auth/callback"
	_, err = auth.New(loopback)
	assert.NoError(t, err, "http on loopback, for tests and a developer's machine")
}

// authorize plays the browser at the provider and returns the code.
func authorize(t *testing.T, to string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(to)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return back.Query().Get("code")
}

func TestClient_ExchangeVerifiesEverything(t *testing.T) {
	op := authtest.Start(t, "client", "secret")
	c, err := auth.New(auth.Config{Issuer: op.URL, ClientID: "client", ClientSecret: "secret", RedirectURL: "http://127.0.0.1/auth/callback"})
	require.NoError(t, err)
	ctx := context.Background()
	op.Set(authtest.Behaviour{Subject: "sub-1", Email: "agent@caf.example"})

	state, nonce := auth.RandomString(), auth.RandomString()
	to, err := c.AuthCodeURL(ctx, state, nonce)
	require.NoError(t, err)
	code := authorize(t, to)
	id, err := c.Exchange(ctx, code, nonce)
	require.NoError(t, err)
	assert.Equal(t, "sub-1", id.Subject)
	assert.Equal(t, "agent@caf.example", id.Email)
	assert.NotEmpty(t, id.IDToken)

	_, err = c.Exchange(ctx, code, nonce)
	var refusal *auth.Refusal
	assert.True(t, errors.As(err, &refusal), "a code serves once: %v", err)

	code = authorize(t, to)
	_, err = c.Exchange(ctx, code, auth.RandomString())
	assert.True(t, errors.As(err, &refusal), "another nonce: %v", err)

	out, err := url.Parse(c.LogoutURL(ctx, id.IDToken, "https://recours.caf.example/", "st"))
	require.NoError(t, err)
	assert.Equal(t, op.EndSessionURL(), out.Scheme+"://"+out.Host+out.Path)
	assert.Equal(t, id.IDToken, out.Query().Get("id_token_hint"))
	assert.Equal(t, "https://recours.caf.example/", out.Query().Get("post_logout_redirect_uri"))
}
