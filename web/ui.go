package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// The agents' web interface: server-rendered pages over the same cores as
// the JSON API (registerComplaint, perform, listFiles, readable, summary),
// so no business rule lives here. Its pages are not part of the partners'
// contract (openapi.json).

//go:embed ui/templates/*.html
var uiTemplates embed.FS

//go:embed ui/static
var uiStatic embed.FS

const (
	// uiCafCookie remembers the Caf an agent of several Cafs works in.
	uiCafCookie = "recours_caf"
	ctxUI       = "recours.ui"
	// uiMaxForm bounds a form's body: a description is 10,000 characters.
	uiMaxForm = 128 << 10
)

// uiCSP allows scripts and styles from Recours only: no inline script, no
// inline style, no other origin.
const uiCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// uiCtx is who is signed in, in which Caf, with which roles there.
type uiCtx struct {
	User  store.User
	CSRF  string
	Caf   string
	Cafs  []string
	Roles []domain.Role
	Nav   []uiNavItem
	Path  string
	// Search says the agent may read files (the header's search box);
	// Query is the search shown in it.
	Search bool
	Query  string
}

type uiNavItem struct {
	Href, Label string
	obj, act    string
}

// uiNav lists the pages, each behind the Casbin permission it needs in the
// current Caf; the first a role may open is its home.
var uiNav = []uiNavItem{
	{Href: "/ui/equipe", Label: "File d'équipe", obj: authz.ObjComplaint, act: string(domain.ActionAssign)},
	{Href: "/ui/ma-file", Label: "Ma file", obj: authz.ObjComplaint, act: string(domain.ActionStart)},
	{Href: "/ui/reclamations/nouvelle", Label: "Nouvelle réclamation", obj: authz.ObjComplaint, act: authz.ActCreate},
	{Href: "/ui/mediation", Label: "Médiation", obj: authz.ObjMediation, act: string(domain.ActionDecide)},
	{Href: "/ui/mediations/nouvelle", Label: "Nouvelle médiation", obj: authz.ObjMediation, act: authz.ActCreate},
	{Href: "/ui/saisines/nouvelle", Label: "Saisine du Défenseur des droits", obj: authz.ObjMediation, act: authz.ActCreate},
	{Href: "/ui/chiffres", Label: "Chiffres", obj: "report", act: authz.ActRead},
	{Href: "/ui/trop-percus", Label: "Trop-perçus", obj: cases.ObjOverpayment, act: authz.ActRead},
}

// mountUI serves the web interface under /ui (and / redirects there).
func (s *Server) mountUI(r *gin.Engine) {
	static, err := fs.Sub(uiStatic, "ui/static")
	if err != nil {
		panic("api: ui static files: " + err.Error())
	}
	files := http.StripPrefix("/ui/static/", http.FileServer(http.FS(static)))
	r.GET("/ui/static/*filepath", func(c *gin.Context) {
		// Files only: a folder is not listed, it is not found.
		name := strings.TrimPrefix(c.Param("filepath"), "/")
		if info, err := fs.Stat(static, name); err != nil || info.IsDir() {
			httpx.WriteProblem(c, http.StatusNotFound, "ressource inconnue", nil)
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(c.Writer, c.Request)
	})
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/ui/") })
	ui := r.Group("/ui", s.Limits.ByAddress, s.uiSession, s.Limits.ByCredential)
	ui.GET("/", s.uiHome)
	ui.POST("/caf", s.uiSwitchCaf)
	ui.GET("/ma-file", s.uiMyQueue)
	ui.GET("/equipe", s.uiTeamQueue)
	ui.POST("/equipe/attribuer", s.uiAssign)
	for _, k := range []uiIntakeKind{uiComplaintIntake, uiMediationIntake, uiReferralIntake} {
		ui.GET(strings.TrimPrefix(k.Path, "/ui"), s.uiIntakeForm(k))
		ui.POST(strings.TrimPrefix(k.Action, "/ui"), s.uiIntake(k))
	}
	ui.GET("/recherche", s.uiSearch)
	ui.GET("/allocataire", s.uiClaimant)
	ui.GET("/dossiers/:id", s.uiCase)
	ui.POST("/dossiers/:id/actions/:action", s.uiAction)
	ui.GET("/dossiers/:id/messages/:n/:format", s.uiCaseMessage)
	ui.GET("/mediation", s.uiMediationDesk)
	ui.GET("/chiffres", s.uiFigures)
	ui.GET("/trop-percus", s.uiNotices)
	ui.GET("/trop-percus/nouveau", s.uiNoticeNew)
	ui.POST("/trop-percus", s.uiNoticeCreate)
	ui.GET("/trop-percus/:id", s.uiNotice)
	ui.POST("/trop-percus/:id/actions/:action", s.uiNoticeAct)
	ui.GET("/trop-percus/:id/messages/:n/:format", s.uiNoticeMessageFile)
}

// uiSession lets through a signed-in agent only (others go to the sign-in
// page), checks the session's CSRF token on every unsafe request (form
// field csrf_token or header X-CSRF-Token), and sets the current Caf.
func (s *Server) uiSession(c *gin.Context) {
	c.Header("Content-Security-Policy", uiCSP)
	u, sess, ok := s.currentSession(c)
	if c.IsAborted() {
		return
	}
	if !ok {
		if c.GetHeader("HX-Request") != "" {
			c.Header("HX-Redirect", "/auth/login")
		}
		c.Redirect(http.StatusSeeOther, "/auth/login")
		c.Abort()
		return
	}
	if u.Partner != "" {
		// Whatever its roles: the API refuses a partner's account all but
		// its referrals, and so do the pages (a session opened before the
		// sign-in refused it ends here too).
		s.uiError(c, http.StatusForbidden, "Un compte partenaire n'a pas accès à l'interface web des agents : il utilise l'API (/api/v1/referrals) avec son jeton.")
		return
	}
	httpx.SetCaller(c, u)
	httpx.SetCredential(c, "session", sess.ID)
	if !uiSafe(c.Request.Method) {
		token := c.GetHeader(csrfHeader)
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "application/x-www-form-urlencoded" {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, uiMaxForm)
			if err := c.Request.ParseForm(); err != nil {
				s.uiError(c, http.StatusBadRequest, "Formulaire illisible ou trop long.")
				return
			}
			if token == "" {
				token = c.Request.PostForm.Get("csrf_token")
			}
		}
		if !tokensEqual(token, sess.CSRF) {
			s.uiError(c, http.StatusForbidden, "Jeton de sécurité (CSRF) manquant ou invalide : rechargez la page et recommencez.")
			return
		}
	}
	cafs, err := s.Store.UserCafs(c.Request.Context(), u.Login)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ui := &uiCtx{User: u, CSRF: sess.CSRF, Cafs: cafs, Path: c.Request.URL.Path,
		Search: len(s.Authz.Cafs(u.Login, authz.ObjCase, authz.ActRead)) > 0}
	if ck, err := c.Request.Cookie(uiCafCookie); err == nil && slices.Contains(cafs, ck.Value) {
		ui.Caf = ck.Value
	} else if len(cafs) > 0 {
		ui.Caf = cafs[0]
	}
	if ui.Caf != "" {
		ui.Roles = s.Authz.Roles(u.Login, ui.Caf)
		for _, n := range uiNav {
			if s.Authz.Can(u.Login, ui.Caf, n.obj, n.act) {
				ui.Nav = append(ui.Nav, n)
			}
		}
	}
	c.Set(ctxUI, ui)
	c.Next()
}

func uiSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func uiOf(c *gin.Context) *uiCtx {
	if v, ok := c.Get(ctxUI); ok {
		return v.(*uiCtx)
	}
	return nil
}

// uiAllow tells whether the agent may do act on obj in the current Caf,
// and answers 403 when not.
func (s *Server) uiAllow(c *gin.Context, obj, act string) bool {
	ui := uiOf(c)
	if ui.Caf != "" && s.Authz.Can(ui.User.Login, ui.Caf, obj, act) {
		return true
	}
	s.uiError(c, http.StatusForbidden, "Votre rôle dans cette Caf ne donne pas accès à cette page.")
	return false
}

// uiHome sends the agent to the first page of their roles.
func (s *Server) uiHome(c *gin.Context) {
	ui := uiOf(c)
	if len(ui.Nav) > 0 {
		c.Redirect(http.StatusFound, ui.Nav[0].Href)
		return
	}
	s.uiRender(c, http.StatusOK, "home", "Accueil", nil)
}

// uiSwitchCaf changes the Caf the agent works in, among theirs.
func (s *Server) uiSwitchCaf(c *gin.Context) {
	ui := uiOf(c)
	caf := c.Request.PostForm.Get("caf")
	if !slices.Contains(ui.Cafs, caf) {
		s.uiError(c, http.StatusForbidden, "Vous n'avez aucun rôle dans cette Caf.")
		return
	}
	s.setCookie(c, uiCafCookie, caf, "/ui", 0)
	c.Redirect(http.StatusSeeOther, uiBack(c.Request.PostForm.Get("back")))
}

// uiBack is where the Caf switcher may send the agent back to: a page of
// the interface, judged after cleaning (so /ui/../x and /ui/..\x are no
// way out) and rebuilt from its path alone. A file's page is not one (it
// belongs to the Caf just left), nor anything with a backslash, a scheme,
// a host or a control character, which a browser could read as another
// site.
func uiBack(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		strings.ContainsAny(back+u.Path, "\\\x00\r\n\t") || !strings.HasPrefix(u.Path, "/ui/") {
		return "/ui/"
	}
	clean := path.Clean(u.Path)
	if !strings.HasPrefix(clean+"/", "/ui/") || strings.HasPrefix(clean, "/ui/dossiers/") || strings.HasPrefix(clean, "//") {
		return "/ui/"
	}
	return clean
}

// uiPage is what every page's template receives.
type uiPage struct {
	UI    *uiCtx
	Title string
	Flash string
	Data  any
}

var uiPages = map[string]*template.Template{}

func init() {
	// *.partial.html are shared by every page, as parts.html.
	base := template.Must(template.New("").Funcs(uiFuncs).ParseFS(uiTemplates,
		"ui/templates/layout.html", "ui/templates/parts.html", "ui/templates/*.partial.html"))
	names, err := fs.Glob(uiTemplates, "ui/templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "ui/templates/"), ".html")
		if name == "layout" || name == "parts" || strings.HasSuffix(name, ".partial") {
			continue
		}
		uiPages[name] = template.Must(template.Must(base.Clone()).ParseFS(uiTemplates, n))
	}
}

// uiRender renders a page in the layout.
func (s *Server) uiRender(c *gin.Context, status int, page, title string, data any) {
	s.uiRenderFlash(c, status, page, title, "", data)
}

func (s *Server) uiRenderFlash(c *gin.Context, status int, page, title, flash string, data any) {
	var out strings.Builder
	err := uiPages[page].ExecuteTemplate(&out, "layout", uiPage{UI: uiOf(c), Title: title, Flash: flash, Data: data})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", uiCSP)
	c.Header("Vary", "HX-Request")
	c.Data(status, "text/html; charset=utf-8", []byte(out.String()))
}

// uiError answers an HTML page saying why, and stops the chain.
func (s *Server) uiError(c *gin.Context, status int, message string) {
	s.uiRender(c, status, "error", uiErrorTitle(status), message)
	c.Abort()
}

func uiErrorTitle(status int) string {
	switch status {
	case http.StatusForbidden:
		return "Accès refusé"
	case http.StatusNotFound:
		return "Page introuvable"
	case http.StatusBadRequest:
		return "Demande invalide"
	case http.StatusServiceUnavailable:
		return "Service momentanément indisponible"
	}
	return "Erreur"
}

// uiFail answers err as an HTML page, with the API's mapping of codes:
// the domain's message, or a French sentence for a service away (with
// Retry-After) or an internal error (logged, never shown).
func (s *Server) uiFail(c *gin.Context, err error) {
	status, detail, _ := httpx.Of(err)
	switch status {
	case http.StatusServiceUnavailable:
		slog.WarnContext(c, "dependency unavailable", "route", c.FullPath(), "err", err)
		c.Header("Retry-After", strconv.Itoa(httpx.RetryAfterSeconds))
		if detail == httpx.DetailUnavailable {
			detail = "Un service dont Recours dépend ne répond pas : réessayez dans un instant"
		}
		s.uiError(c, status, detail+".")
	case http.StatusInternalServerError:
		slog.ErrorContext(c, "request failed", "route", c.FullPath(), "err", err)
		s.uiError(c, status, "Une erreur interne est survenue : rien n'a été enregistré. Si elle se répète, signalez-la à votre support.")
	default:
		s.uiError(c, status, detail+".")
	}
}
