package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/auth"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// AuthConfig configures the browser sign-in (the /auth routes and the
// session cookie the API accepts beside bearer tokens).
type AuthConfig struct {
	// OIDC signs agents in with OpenID Connect (ProConnect); nil: not
	// configured.
	OIDC *auth.Client
	// LocalLogin offers the local demo login, without any provider: for
	// the embedded default only.
	LocalLogin bool
	// SessionKey signs the short-lived sign-in cookies (state and nonce,
	// the local form's token). Empty: a random key per process, which
	// suits one API process; several behind one address share a key.
	SessionKey []byte
	// PublicURL is the address browsers reach Recours at (https://…): the
	// session cookie is Secure when it is https (or the request came over
	// TLS), and the provider sends the agent back to it after logout.
	PublicURL string
	// SessionTTL is a session's absolute lifetime; store.DefaultSessionTTL
	// when zero.
	SessionTTL time.Duration
}

const (
	sessionCookie = auth.SessionCookie
	// loginCookie carries, sealed, what the sign-in's second leg checks.
	loginCookie = "recours_login"
	loginTTL    = 10 * time.Minute
	sealOIDC    = "oidc-login"
	sealLocal   = "local-login"
	csrfHeader  = auth.CSRFHeader
	// LocalLoginNotice is what the local login page says of itself.
	LocalLoginNotice = "Connexion locale de démonstration : sans ProConnect, réservée au mode embarqué"
)

// oidcLogin is what the sign-in keeps between the redirect to the provider
// and the callback.
type oidcLogin struct {
	State string `json:"s"`
	Nonce string `json:"n"`
}

// localLogin is the local form's double-submit token.
type localLogin struct {
	CSRF string `json:"c"`
}

// initAuth prepares the sealer of the sign-in cookies.
func (s *Server) initAuth() {
	if len(s.Auth.SessionKey) == 0 {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic("api: no randomness: " + err.Error())
		}
		s.Auth.SessionKey = key
	}
	s.seal = auth.NewSealer(s.Auth.SessionKey)
}

var tokensEqual = auth.TokensEqual

// secure tells whether cookies must be Secure.
func (s *Server) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.HasPrefix(strings.ToLower(s.Auth.PublicURL), "https://")
}

// publicURL is where browsers reach Recours, without a trailing slash.
func (s *Server) publicURL(c *gin.Context) string {
	if s.Auth.PublicURL != "" {
		return strings.TrimRight(s.Auth.PublicURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (s *Server) setCookie(c *gin.Context, name, value, path string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		Secure: s.secure(c), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c *gin.Context, name, path string) { s.setCookie(c, name, "", path, -1) }

// partnerRefusal is what a partner's account is told of the web
// interface: the API refuses it every route but its referrals, and the
// pages are for the Cafs' agents.
const partnerRefusal = "un compte partenaire n'a pas accès à l'interface web des agents : il utilise l'API (/api/v1/referrals) avec son jeton"

// startSession opens a session for u and sets its cookie. A partner's
// account gets none, whatever its roles.
func (s *Server) startSession(c *gin.Context, u store.User, idToken string) bool {
	if u.Partner != "" {
		slog.WarnContext(c, "sign-in of a partner's account refused")
		s.refuse(c, http.StatusForbidden, partnerRefusal)
		return false
	}
	ttl := s.Auth.SessionTTL
	if ttl <= 0 {
		ttl = store.DefaultSessionTTL
	}
	id, _, err := s.Store.CreateSession(c.Request.Context(), u.ID, idToken, s.now(), ttl)
	if err != nil {
		httpx.Fail(c, err)
		return false
	}
	s.setCookie(c, sessionCookie, id, "/", int(ttl.Seconds()))
	return true
}

// currentSession reads the session cookie: ok false when there is none
// or it is no longer valid (an error is answered only on a store failure).
func (s *Server) currentSession(c *gin.Context) (store.User, store.Session, bool) {
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return store.User{}, store.Session{}, false
	}
	u, sess, err := s.Store.SessionUser(c.Request.Context(), store.HashSessionID(ck.Value), s.now())
	if err != nil {
		if domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			httpx.Fail(c, err)
		}
		return store.User{}, store.Session{}, false
	}
	return u, sess, true
}

// login starts a sign-in: to the provider with a fresh state and nonce,
// or, without a provider and in the embedded default, the local demo form.
func (s *Server) login(c *gin.Context) {
	now := s.now()
	switch {
	case s.Auth.OIDC != nil:
		st := oidcLogin{State: auth.RandomString(), Nonce: auth.RandomString()}
		to, err := s.Auth.OIDC.AuthCodeURL(c, st.State, st.Nonce)
		if err != nil {
			slog.WarnContext(c, "OIDC provider unavailable", "err", err)
			s.refuse(c, http.StatusServiceUnavailable, "le fournisseur d'identité ne répond pas : réessayez dans un instant")
			return
		}
		sealed, err := s.seal.Seal(sealOIDC, st, now.Add(loginTTL))
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		s.setCookie(c, loginCookie, sealed, "/auth", int(loginTTL.Seconds()))
		c.Redirect(http.StatusFound, to)
	case s.Auth.LocalLogin:
		form := localLogin{CSRF: auth.RandomString()}
		sealed, err := s.seal.Seal(sealLocal, form, now.Add(loginTTL))
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		s.setCookie(c, loginCookie, sealed, "/auth", int(loginTTL.Seconds()))
		s.page(c, http.StatusOK, "Connexion", localPage, map[string]any{
			"Notice": LocalLoginNotice, "CSRF": form.CSRF, "Users": agents(store.DemoUsers),
		})
	default:
		httpx.WriteProblem(c, http.StatusNotFound, "connexion par navigateur non configurée (OIDC_ISSUER)", nil)
	}
}

// agents are the demo users who may sign in here: not the partner's
// account (the demo liaison), which uses the API.
func agents(users []store.DemoUser) []store.DemoUser {
	return slices.DeleteFunc(slices.Clone(users), func(u store.DemoUser) bool { return u.Login == store.DemoPartnerLogin })
}

// readForm reads a small URL-encoded form body.
func readForm(c *gin.Context) bool {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		httpx.WriteProblem(c, http.StatusUnsupportedMediaType, "formulaire attendu (application/x-www-form-urlencoded)", nil)
		return false
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 16<<10)
	if err := c.Request.ParseForm(); err != nil {
		httpx.WriteProblem(c, http.StatusBadRequest, "formulaire illisible", nil)
		return false
	}
	return true
}

// localLogin signs a demo user in, without a provider: the embedded
// default only. The form must carry the token its page set in the sealed
// cookie (double submit).
func (s *Server) localLogin(c *gin.Context) {
	if !s.Auth.LocalLogin || s.Auth.OIDC != nil {
		httpx.WriteProblem(c, http.StatusNotFound, "ressource inconnue", nil)
		return
	}
	if !readForm(c) {
		return
	}
	var form localLogin
	ck, err := c.Request.Cookie(loginCookie)
	if err != nil || s.seal.Open(sealLocal, ck.Value, s.now(), &form) != nil ||
		!tokensEqual(c.Request.PostForm.Get("csrf_token"), form.CSRF) {
		s.refuse(c, http.StatusForbidden, "jeton CSRF manquant ou invalide : rouvrez la page de connexion")
		return
	}
	login := c.Request.PostForm.Get("login")
	if !slices.ContainsFunc(store.DemoUsers, func(d store.DemoUser) bool { return d.Login == login }) {
		s.refuse(c, http.StatusForbidden, "seuls les utilisateurs de démonstration se connectent ici")
		return
	}
	u, err := s.Store.UserByLogin(c.Request.Context(), login)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			s.refuse(c, http.StatusForbidden, "utilisateur de démonstration inconnu")
			return
		}
		httpx.Fail(c, err)
		return
	}
	s.clearCookie(c, loginCookie, "/auth")
	if s.startSession(c, u, "") {
		c.Redirect(http.StatusSeeOther, "/")
	}
}

// callback ends an OpenID Connect sign-in: the state against the sealed
// cookie, then the code exchanged and every answer verified (ID token,
// nonce, signed UserInfo), then the agent found by email. No account is
// ever created here.
func (s *Server) callback(c *gin.Context) {
	if s.Auth.OIDC == nil {
		httpx.WriteProblem(c, http.StatusNotFound, "ressource inconnue", nil)
		return
	}
	var st oidcLogin
	ck, err := c.Request.Cookie(loginCookie)
	s.clearCookie(c, loginCookie, "/auth") // one try per sign-in
	if err != nil || s.seal.Open(sealOIDC, ck.Value, s.now(), &st) != nil {
		s.refuse(c, http.StatusBadRequest, "connexion expirée ou commencée dans un autre navigateur : recommencez")
		return
	}
	q := c.Request.URL.Query()
	if q.Get("error") != "" {
		s.refuse(c, http.StatusUnauthorized, "le fournisseur d'identité n'a pas confirmé la connexion")
		return
	}
	if !tokensEqual(q.Get("state"), st.State) {
		s.refuse(c, http.StatusBadRequest, "paramètre state invalide : recommencez la connexion")
		return
	}
	id, err := s.Auth.OIDC.Exchange(c, q.Get("code"), st.Nonce)
	var refusal *auth.Refusal
	switch {
	case errors.As(err, &refusal):
		slog.WarnContext(c, "OIDC sign-in refused", "reason", refusal.Reason)
		s.refuse(c, http.StatusUnauthorized, "identification refusée : la réponse du fournisseur d'identité n'est pas valide")
		return
	case err != nil:
		slog.WarnContext(c, "OIDC provider unavailable", "err", err)
		s.refuse(c, http.StatusServiceUnavailable, "le fournisseur d'identité ne répond pas : réessayez dans un instant")
		return
	}
	u, err := s.Store.AgentByEmail(c.Request.Context(), id.Email)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		slog.WarnContext(c, "OIDC sign-in of no known agent")
		s.refuse(c, http.StatusForbidden, "aucun agent de Recours n'a l'adresse électronique transmise par le fournisseur d'identité : un administrateur doit d'abord créer votre compte avec votre adresse professionnelle")
		return
	}
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if s.startSession(c, u, id.IDToken) {
		c.Redirect(http.StatusFound, "/")
	}
}

// logout ends the session (its CSRF token required, as a form field or
// the X-CSRF-Token header), then ends the provider's too when the agent
// signed in there.
func (s *Server) logout(c *gin.Context) {
	_, sess, ok := s.currentSession(c)
	if c.IsAborted() {
		return
	}
	if !ok {
		s.clearCookie(c, sessionCookie, "/")
		c.Redirect(http.StatusSeeOther, "/auth/login")
		return
	}
	token := c.GetHeader(csrfHeader)
	if token == "" {
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "application/x-www-form-urlencoded" {
			if !readForm(c) {
				return
			}
			token = c.Request.PostForm.Get("csrf_token")
		}
	}
	if !tokensEqual(token, sess.CSRF) {
		httpx.WriteProblem(c, http.StatusForbidden, "jeton CSRF manquant ou invalide", nil)
		return
	}
	if err := s.Store.DeleteSession(c.Request.Context(), sess.ID); err != nil {
		httpx.Fail(c, err)
		return
	}
	s.clearCookie(c, sessionCookie, "/")
	if s.Auth.OIDC != nil && sess.IDToken != "" {
		if to := s.Auth.OIDC.LogoutURL(c, sess.IDToken, s.publicURL(c)+"/", auth.RandomString()); to != "" {
			c.Redirect(http.StatusSeeOther, to)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/auth/login")
}

// SessionInfo is what GET /auth/session tells the signed-in browser.
type SessionInfo struct {
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// sessionInfo answers who is signed in, with the CSRF token the web UI
// sends back on unsafe requests.
func (s *Server) sessionInfo(c *gin.Context) {
	u, sess, ok := s.currentSession(c)
	if c.IsAborted() {
		return
	}
	if !ok {
		httpx.WriteProblem(c, http.StatusUnauthorized, "aucune session : connectez-vous par /auth/login", nil)
		return
	}
	c.JSON(http.StatusOK, SessionInfo{Login: u.Login, Name: u.Name, CSRFToken: sess.CSRF, ExpiresAt: sess.ExpiresAt.UTC()})
}

// refuse answers a failed sign-in: a short French page to a browser, a
// problem document otherwise.
func (s *Server) refuse(c *gin.Context, status int, message string) {
	if !strings.Contains(c.GetHeader("Accept"), "text/html") {
		httpx.WriteProblem(c, status, message, nil)
		return
	}
	s.page(c, status, "Connexion impossible", errorPage, map[string]any{"Message": message})
	c.Abort()
}

// pageStyle is the pages' only style, allowed by its hash.
const pageStyle = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#161616}` +
	`.notice{background:#fff4e5;border-left:4px solid #b34000;padding:.75rem 1rem}` +
	`button{display:block;width:100%;margin:.4rem 0;padding:.6rem;text-align:left;font-size:1rem;cursor:pointer}`

var pageCSP = func() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}()

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Recours</title><style>{{.Style}}</style></head>
<body><h1>Recours</h1><h2>{{.Title}}</h2>{{.Body}}</body></html>
`))

var localPage = template.Must(template.New("local").Parse(`<p class="notice" role="note"><strong>{{.Notice}}.</strong>
Choisissez un utilisateur de démonstration ; en production, les agents se connectent avec ProConnect.</p>
<form method="post" action="/auth/local">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
{{range .Users}}<button type="submit" name="login" value="{{.Login}}">{{.Name}} — {{.Login}}</button>
{{end}}</form>
`))

var errorPage = template.Must(template.New("error").Parse(`<p role="alert">{{.Message}}.</p>
<p><a href="/auth/login">Recommencer la connexion</a></p>
`))

// page renders body inside the pages' frame.
func (s *Server) page(c *gin.Context, status int, title string, body *template.Template, data any) {
	var inner strings.Builder
	if err := body.Execute(&inner, data); err != nil {
		httpx.Fail(c, err)
		return
	}
	var out strings.Builder
	err := pageTemplate.Execute(&out, map[string]any{
		"Title": title, "Style": template.CSS(pageStyle), "Body": template.HTML(inner.String()),
	})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", pageCSP)
	c.Data(status, "text/html; charset=utf-8", []byte(out.String()))
}
