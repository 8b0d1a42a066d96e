package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/auth"
	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/web"
)

// pagesOn serves the sign-in and the pages alone over st, with the local
// demo login: enough for who may open them, no Temporal needed.
func pagesOn(t *testing.T, st *store.Store) string {
	t.Helper()
	az, err := authz.New(context.Background(), st)
	require.NoError(t, err)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	(&web.Server{Cases: &cases.Service{Store: st, Authz: az}, Store: st, Authz: az,
		Auth: web.AuthConfig{LocalLogin: true}}).Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// sessionOf is a browser holding a session of login, opened in the store
// as a sign-in would (or as one opened before the sign-in refused it).
func sessionOf(t *testing.T, st *store.Store, site, login string) (*browser, string) {
	t.Helper()
	u, err := st.UserByLogin(context.Background(), login)
	require.NoError(t, err)
	id, sess, err := st.CreateSession(context.Background(), u.ID, "", time.Now(), 0)
	require.NoError(t, err)
	b := newBrowser(t, site)
	b.cookies[auth.SessionCookie] = id
	return b, sess.CSRF
}

// TestUI_PartnerAccount_NeverReachesTheWebInterface: a partner's account
// (the demo liaison, even given an agent's role) is refused a session at
// sign-in, and a session it holds opens no page: a French 403 on every
// /ui/ route, as the API refuses it all but its referrals.
func TestUI_PartnerAccount_NeverReachesTheWebInterface(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		// Another role, an agent's: still no web interface.
		_, err := st.GrantRole(ctx, "test", store.DemoPartnerLogin, "071", domain.RoleGCA)
		require.NoError(t, err)
		site := pagesOn(t, st)

		b := newBrowser(t, site)
		page := b.do("GET", site+"/auth/login", nil)
		require.Equal(t, http.StatusOK, page.Status)
		assert.NotContains(t, page.Body, `value="`+store.DemoPartnerLogin+`"`, "the demo liaison is not offered")
		m := csrfField.FindStringSubmatch(page.Body)
		require.Len(t, m, 2, page.Body)
		refused := b.do("POST", site+"/auth/local", url.Values{"login": {store.DemoPartnerLogin}, "csrf_token": {m[1]}}, "Accept", "text/html")
		assert.Equal(t, http.StatusForbidden, refused.Status)
		assert.Contains(t, html.UnescapeString(refused.Body), "un compte partenaire n'a pas accès à l'interface web")
		assert.Nil(t, cookieNamed(refused.Cookies, auth.SessionCookie), "no session")
		c, err := st.Contents(ctx)
		require.NoError(t, err)
		assert.Zero(t, c.Sessions)

		partner, csrf := sessionOf(t, st, site, store.DemoPartnerLogin)
		for _, path := range []string{"/ui/", "/ui/ma-file", "/ui/equipe", "/ui/reclamations/nouvelle", "/ui/recherche?q=1234567",
			"/ui/dossiers/01a20000-0000-7000-8000-000000000001", "/ui/trop-percus", "/ui/chiffres"} {
			got := partner.do("GET", site+path, nil)
			assert.Equal(t, http.StatusForbidden, got.Status, path)
			assert.Contains(t, html.UnescapeString(got.Body), "Un compte partenaire n'a pas accès à l'interface web des agents", path)
			assert.Contains(t, got.Body, `<html lang="fr">`, path)
		}
		post := partner.do("POST", site+"/ui/caf", url.Values{"caf": {"071"}, "csrf_token": {csrf}})
		assert.Equal(t, http.StatusForbidden, post.Status)
		assert.Equal(t, http.StatusOK, partner.do("GET", site+"/ui/static/recours.css", nil).Status, "the public assets stay public")

		// An agent of the same role opens its pages.
		agent, _ := sessionOf(t, st, site, "gca.demo")
		assert.Equal(t, http.StatusFound, agent.do("GET", site+"/ui/", nil).Status)
	})
}
