package browsertest

import (
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/testutil"
	"recours/web"
)

// TestBrowser_SignInPage_DemoUserSignsInByClicking: the embedded default's
// sign-in page, in Chromium, is accessible, reads at 200 % zoom, and signs a
// demo user in with one click into an HttpOnly session cookie.
func TestBrowser_SignInPage_DemoUserSignsInByClicking(t *testing.T) {
	b := New(t)
	r := testutil.Start(t, "")
	b.BaseURL = r.URL

	require.Equal(t, http.StatusOK, b.Open("/auth/login"))
	b.WaitText(web.LocalLoginNotice)
	assert.Contains(t, b.Text("h2"), "Connexion")
	AssertAccessible(t, b)
	b.AssertZoom200()
	b.Screenshot("sign-in")
	assert.Empty(t, b.ConsoleErrors(), "no script error nor blocked resource on the sign-in page")
	assert.Nil(t, b.Cookie(SessionCookie), "no session before signing in")

	b.ClickAndWait(`button[name="login"][value="gca.demo"]`)
	session := b.Cookie(SessionCookie)
	require.NotNil(t, session, "signed in: %s", b.Text("body"))
	assert.True(t, session.HTTPOnly, "the session cookie is out of the page's scripts' reach")
	assert.Equal(t, network.CookieSameSiteLax, session.SameSite)
	assert.Equal(t, "/", session.Path)

	// The browser is signed in as gca.demo: the session answers with it.
	b.Open("/auth/session")
	assert.Contains(t, b.Text("body"), `"login":"gca.demo"`)

	// Another session in the same Chromium has its own cookies.
	other := b.NewSession()
	other.SignIn("manager.demo")
	other.Open("/auth/session")
	assert.Contains(t, other.Text("body"), `"login":"manager.demo"`)
	b.Open("/auth/session")
	assert.Contains(t, b.Text("body"), `"login":"gca.demo"`, "the first session is untouched")
}

// badPage has an unlabelled field and a low-contrast text, and a block
// wider than any phone.
const badPage = `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Mauvaise page</title></head>
<body><main><h1>Mauvaise page</h1>
<form><input type="text" id="nom"></form>
<p style="color:#ccc;background:#fff">Texte pâle</p>
<div id="large" style="width:900px">Large</div>
</main></body></html>`

func serve(t *testing.T, html string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, html)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// recorder stands for a test, to check that an assertion fails.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Errorf(f string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, args...))
}

// TestAxe_FindsAnUnlabelledField: the accessibility check is real, so it
// cannot pass silently: axe-core reports the unlabelled field and the pale
// text, AssertAccessible fails on them, and AssertZoom200 on the wide block.
func TestAxe_FindsAnUnlabelledField(t *testing.T) {
	b := New(t)
	require.Equal(t, http.StatusOK, b.Open(serve(t, badPage)))

	found := map[string]Violation{}
	for _, v := range b.Axe() {
		found[v.ID] = v
	}
	require.Contains(t, found, "label", "axe %s reports the unlabelled field", AxeVersion())
	assert.Equal(t, "critical", found["label"].Impact)
	require.NotEmpty(t, found["label"].Nodes)
	assert.Equal(t, "#nom", found["label"].Nodes[0].Target)
	assert.Contains(t, found, "color-contrast")

	rec := &recorder{TB: t}
	AssertAccessible(rec, b)
	require.Len(t, rec.errors, 1)
	assert.Contains(t, rec.errors[0], "label (critical)")
	assert.Contains(t, rec.errors[0], "#nom")
	assert.Contains(t, rec.errors[0], "color-contrast (serious)")

	b.t = rec
	b.AssertZoom200()
	b.t = t
	require.Len(t, rec.errors, 2, "the 900 px block scrolls at 200 %% zoom")
	assert.Contains(t, rec.errors[1], "div#large")

	// Axe runs again on the same page without injecting twice.
	assert.NotEmpty(t, b.Axe())
}

// TestBrowser_FormSteps: fill, choose, submit and wait, and full-page
// screenshots at both widths where they are asked.
func TestBrowser_FormSteps(t *testing.T) {
	b := New(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
			fmt.Fprintf(w, `<!doctype html><html lang="fr"><title>Reçu</title><p id="got">%s / %s</p>`,
				r.PostForm.Get("nom"), r.PostForm.Get("canal"))
			return
		}
		fmt.Fprint(w, `<!doctype html><html lang="fr"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Formulaire</title><form method="post" id="f">
<label for="nom">Nom</label><input id="nom" name="nom" value="à effacer" required>
<label for="canal">Canal</label><select id="canal" name="canal"><option value="phone">Téléphone</option><option value="online">En ligne</option></select>
<button>Envoyer</button></form>`+strings.Repeat("<p>ligne</p>", 80))
	}))
	t.Cleanup(srv.Close)
	b.BaseURL = srv.URL

	b.Open("/")
	b.Fill("#nom", "Jeanne Martin")
	b.Fill("#canal", "online")
	dir := t.TempDir()
	b.ScreenshotDir = dir
	b.Screenshot("form")
	assert.Equal(t, http.StatusOK, b.Submit("#nom"))
	b.WaitText("Jeanne Martin / online")
	assert.Equal(t, "Jeanne Martin / online", b.Text("#got"))
	assert.True(t, b.Has("#got"))
	assert.False(t, b.Has("#nom"))

	for name, width := range map[string]int{"form-desktop.png": DesktopWidth, "form-mobile.png": MobileWidth} {
		f, err := os.Open(filepath.Join(dir, name))
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err, name)
		assert.Equal(t, width, img.Bounds().Dx(), name)
		assert.Greater(t, img.Bounds().Dy(), 1500, "%s: the whole page, not the viewport", name)
	}
}
