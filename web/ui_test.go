package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/testutil"
	"recours/web"
)

// uiAgent is a browser signed in through the local demo login, with its
// session's CSRF token.
type uiAgent struct {
	*browser
	r    *testutil.Recours
	csrf string
}

func uiSignIn(t *testing.T, r *testutil.Recours, login string) *uiAgent {
	t.Helper()
	b := newBrowser(t, r.URL)
	page := b.do("GET", r.URL+"/auth/login", nil)
	m := csrfField.FindStringSubmatch(page.Body)
	require.Len(t, m, 2, page.Body)
	done := b.do("POST", r.URL+"/auth/local", url.Values{"login": {login}, "csrf_token": {m[1]}})
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	var info web.SessionInfo
	who := b.do("GET", r.URL+"/auth/session", nil)
	require.NoError(t, json.Unmarshal([]byte(who.Body), &info), who.Body)
	return &uiAgent{browser: b, r: r, csrf: info.CSRFToken}
}

func (a *uiAgent) get(path string) answer { return a.do("GET", a.r.URL+path, nil) }

// post sends a form with the session's CSRF token.
func (a *uiAgent) post(path string, form url.Values, headers ...string) answer {
	form.Set("csrf_token", a.csrf)
	return a.do("POST", a.r.URL+path, form, headers...)
}

// text is a page's text as a reader sees it (entities decoded).
func text(a answer) string { return html.UnescapeString(a.Body) }

var h1 = regexp.MustCompile(`<h1[ >]`)

// assertPage checks what every page must be: HTML in French, one h1, the
// strict CSP, a skip link to the main landmark.
func assertPage(t *testing.T, a answer) {
	t.Helper()
	assert.Equal(t, "text/html", strings.Split(a.Header.Get("Content-Type"), ";")[0])
	assert.Contains(t, a.Body, `<html lang="fr">`)
	assert.Len(t, h1.FindAllString(a.Body, -1), 1, "one h1 per page")
	assert.Contains(t, a.Body, `<main id="contenu"`)
	assert.Contains(t, a.Body, `href="#contenu"`)
	csp := a.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Contains(t, csp, "style-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, a.Body, "<script>", "no inline script")
	assert.NotContains(t, a.Body, "style=", "no inline style")
}

func createComplaint(t *testing.T, r *testutil.Recours, body map[string]any) string {
	t.Helper()
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
	require.Equal(t, http.StatusCreated, created.Status, string(created.Body))
	return created.Map(t)["id"].(string)
}

func fileOf(t *testing.T, r *testutil.Recours, id string) map[string]any {
	t.Helper()
	got := r.Do("GET", "/api/v1/cases/"+id, "auditor.demo", nil)
	require.Equal(t, http.StatusOK, got.Status, string(got.Body))
	return got.Map(t)
}

// TestUI_EachPageForItsRolesOnly: every page renders for the roles that
// use it and is refused (403) to the others, by the same Casbin rules as
// the API; without a session every page sends to the sign-in.
func TestUI_EachPageForItsRolesOnly(t *testing.T) {
	r := testutil.Start(t, "")
	id := createComplaint(t, r, testutil.Complaint("071"))
	figures := "/ui/chiffres?caf=071&from=2026-01-01&to=2026-12-31"
	pages := []struct {
		path    string
		allowed []string
		refused []string
	}{
		{"/ui/ma-file", []string{"gca.demo", "manager.demo"}, []string{"csu.demo", "mediator.demo", "auditor.demo"}},
		{"/ui/equipe", []string{"manager.demo"}, []string{"gca.demo", "csu.demo", "mediator.demo", "auditor.demo"}},
		{"/ui/reclamations/nouvelle", []string{"csu.demo", "gca.demo", "manager.demo"}, []string{"mediator.demo", "auditor.demo"}},
		{"/ui/mediation", []string{"mediator.demo"}, []string{"gca.demo", "csu.demo", "manager.demo", "auditor.demo"}},
		{figures, []string{"manager.demo", "auditor.demo"}, []string{"gca.demo", "csu.demo", "mediator.demo"}},
		{"/ui/dossiers/" + id, []string{"csu.demo", "gca.demo", "manager.demo", "mediator.demo", "auditor.demo"}, []string{"admin.demo"}},
	}
	agents := map[string]*uiAgent{}
	// (The demo liaison, a partner's account, opens no page at all: see
	// TestUI_PartnerAccount_NeverReachesTheWebInterface.)
	for _, login := range []string{"csu.demo", "gca.demo", "manager.demo", "mediator.demo", "auditor.demo", "admin.demo"} {
		agents[login] = uiSignIn(t, r, login)
	}
	anonymous := newBrowser(t, r.URL)
	for _, p := range pages {
		for _, login := range p.allowed {
			got := agents[login].get(p.path)
			if assert.Equal(t, http.StatusOK, got.Status, "%s as %s: %s", p.path, login, got.Body) {
				assertPage(t, got)
			}
		}
		for _, login := range p.refused {
			got := agents[login].get(p.path)
			assert.Equal(t, http.StatusForbidden, got.Status, "%s as %s", p.path, login)
			assertPage(t, got)
		}
		got := anonymous.do("GET", r.URL+p.path, nil)
		assert.Equal(t, http.StatusSeeOther, got.Status, p.path)
		assert.Equal(t, "/auth/login", got.Header.Get("Location"), p.path)
	}
	// Home sends each agent to the first page of their roles; / goes home.
	assert.Equal(t, "/ui/ma-file", agents["gca.demo"].get("/ui/").Header.Get("Location"))
	assert.Equal(t, "/ui/equipe", agents["manager.demo"].get("/ui/").Header.Get("Location"))
	assert.Equal(t, "/ui/reclamations/nouvelle", agents["csu.demo"].get("/ui/").Header.Get("Location"))
	assert.Equal(t, "/ui/mediation", agents["mediator.demo"].get("/ui/").Header.Get("Location"))
	assert.Equal(t, "/ui/chiffres", agents["auditor.demo"].get("/ui/").Header.Get("Location"))
	assert.Equal(t, "/ui/", anonymous.do("GET", r.URL+"/", nil).Header.Get("Location"))
	// The assets are served, embedded.
	for _, asset := range []string{"/ui/static/vendor/htmx.min.js", "/ui/static/vendor/modern-normalize.css", "/ui/static/recours.css"} {
		assert.Equal(t, http.StatusOK, anonymous.do("GET", r.URL+asset, nil).Status, asset)
	}
}

// TestUI_Intake_BadInputFrenchMessagesNothingSaved: a CSU's form with bad
// fields comes back with a French message beside each, what was typed
// kept, and no row written; the good form registers the complaint.
func TestUI_Intake_BadInputFrenchMessagesNothingSaved(t *testing.T) {
	r := testutil.Start(t, "")
	csu := uiSignIn(t, r, "csu.demo")
	before := r.Counts()
	bad := url.Values{"caf": {"071"}, "channel": {"pigeon"}, "claimant.number": {"12AB"}, "claimant.name": {"Jeanne Martin"},
		"benefit": {"housing_aid"}, "reason": {""}, "subject": {"Trop-perçu APL"}, "description": {"  "}}
	got := csu.post("/ui/reclamations", bad)
	require.Equal(t, http.StatusUnprocessableEntity, got.Status, got.Body)
	assertPage(t, got)
	page := text(got)
	assert.Contains(t, page, "La réclamation n'est pas enregistrée : 4 champ(s) à corriger")
	assert.Contains(t, page, "Le numéro allocataire compte 7 chiffres, sans lettre ni signe.")
	assert.Contains(t, page, "Choisissez le canal par lequel la réclamation est arrivée.")
	assert.Contains(t, page, "Choisissez le motif de la réclamation.")
	assert.Contains(t, page, "Ce champ est obligatoire.")
	// Each message is tied to its input, which says it is invalid.
	assert.Regexp(t, `id="f-claimant-number-error"`, got.Body)
	assert.Regexp(t, `<input type="text" id="f-claimant-number" name="claimant.number" value="12AB"[^>]*aria-describedby="f-claimant-number-hint f-claimant-number-error"[^>]*aria-invalid="true"`, got.Body)
	assert.Contains(t, got.Body, `value="Trop-perçu APL"`, "what was typed is kept")
	assert.Contains(t, got.Body, `<option value="housing_aid" selected>`)
	assert.Equal(t, before, r.Counts(), "nothing written")

	future := url.Values{"caf": {"071"}, "channel": {"phone"}, "claimant.number": {"7654321"}, "benefit": {"rsa"},
		"reason": {"other"}, "subject": {"s"}, "description": {"d"}, "claimant.address": {"1\n2\n3\n4\n5\n6\n7"},
		"decision_notified_on": {time.Now().AddDate(0, 0, 3).Format(time.DateOnly)}}
	got = csu.post("/ui/reclamations", future)
	require.Equal(t, http.StatusUnprocessableEntity, got.Status, got.Body)
	page = text(got)
	assert.Contains(t, page, "Adresse postale de l'allocataire : Une adresse postale tient en 6 lignes au plus.")
	assert.Contains(t, page, "Date de notification de la décision contestée : La date de notification ne peut pas être dans le futur.")
	assert.Equal(t, before, r.Counts(), "nothing written")

	// A name that cannot go into the claimant's mail header, a subject on
	// two lines: said in French, beside the field, nothing written.
	broken := url.Values{"caf": {"071"}, "channel": {"phone"}, "claimant.number": {"7654321"}, "claimant.name": {`Paul "\" Durand`},
		"benefit": {"rsa"}, "reason": {"other"}, "subject": {"RSA\u202e non versé"}, "description": {"Ligne 1\nLigne 2"}}
	got = csu.post("/ui/reclamations", broken)
	require.Equal(t, http.StatusUnprocessableEntity, got.Status, got.Body)
	page = text(got)
	assert.Contains(t, page, "Nom de l'allocataire : Un nom ne peut contenir ni guillemet droit")
	assert.Contains(t, page, "Caractère de mise en forme bidirectionnelle non permis.")
	assert.Equal(t, before, r.Counts(), "nothing written")

	good := url.Values{"caf": {"071"}, "channel": {"phone"}, "claimant.number": {"7654321"}, "claimant.name": {"Paul Durand"},
		"claimant.address": {"  5 chemin des Vignes \r\n\r\n07110 Largentière "},
		"benefit":          {"rsa"}, "reason": {"payment_missing_or_late"}, "subject": {"RSA non versé"}, "description": {"Le RSA de mars n'est pas arrivé."}}
	done := csu.post("/ui/reclamations", good)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	loc := done.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/ui/dossiers/"), loc)
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/ui/dossiers/"), "?fait=created")
	file := fileOf(t, r, id)
	assert.Equal(t, "7654321", file["claimant"].(map[string]any)["number"])
	assert.Equal(t, "5 chemin des Vignes\n07110 Largentière", file["claimant"].(map[string]any)["address"], "one line per line, blank lines dropped")
	assert.Equal(t, "open", file["status"])
	assert.Equal(t, before.Cases+1, r.Counts().Cases)
	page = text(csu.get(loc))
	assert.Contains(t, page, "La réclamation est enregistrée")
	assert.Contains(t, page, "RSA non versé")
	assert.Contains(t, page, "Enregistrement</strong> par csu.demo")
}

// TestUI_UnsafeRequestsWithoutCSRFRefused: every POST of the interface
// without the session's token (or with another) is refused, 403, and
// changes nothing.
func TestUI_UnsafeRequestsWithoutCSRFRefused(t *testing.T) {
	r := testutil.Start(t, "")
	id := createComplaint(t, r, testutil.Complaint("071"))
	mgr := uiSignIn(t, r, "manager.demo")
	before := r.Counts()
	for name, target := range map[string]url.Values{
		"/ui/reclamations":                         {"caf": {"071"}, "channel": {"phone"}, "claimant.number": {"7654321"}, "benefit": {"rsa"}, "reason": {"other"}, "subject": {"s"}, "description": {"d"}},
		"/ui/equipe/attribuer":                     {"case_id": {id}, "assignee": {"gca.demo"}},
		"/ui/dossiers/" + id + "/actions/assign":   {"assignee": {"gca.demo"}},
		"/ui/dossiers/" + id + "/actions/withdraw": {"reason": {"L'allocataire renonce."}},
		"/ui/caf": {"caf": {"071"}},
	} {
		none := mgr.do("POST", r.URL+name, target)
		assert.Equal(t, http.StatusForbidden, none.Status, "%s without a token: %s", name, none.Body)
		assert.Contains(t, text(none), "Jeton de sécurité (CSRF) manquant ou invalide")
		other := url.Values{}
		for k, v := range target {
			other[k] = v
		}
		other.Set("csrf_token", "not-the-session-token")
		assert.Equal(t, http.StatusForbidden, mgr.do("POST", r.URL+name, other).Status, "%s with another token", name)
		assert.Equal(t, http.StatusForbidden, mgr.do("POST", r.URL+name, target, "X-CSRF-Token", "nope").Status, "%s with another header", name)
	}
	assert.Equal(t, before, r.Counts(), "nothing written")
	assert.Equal(t, "open", fileOf(t, r, id)["status"])
	// The token as a header (htmx) is accepted as well as the field.
	got := mgr.do("POST", r.URL+"/ui/dossiers/"+id+"/actions/assign", url.Values{"assignee": {"gca.demo"}}, "X-CSRF-Token", mgr.csrf)
	assert.Equal(t, http.StatusSeeOther, got.Status, got.Body)
	assert.Equal(t, "assigned", fileOf(t, r, id)["status"])
}

// TestUI_ComplaintThroughThePages: a manager assigns two files at once
// from the team queue; the GCA finds them in their queue with their
// deadlines, starts one, asks for documents (the clock stops), and an
// answer too short is refused with why, changing nothing.
func TestUI_ComplaintThroughThePages(t *testing.T) {
	r := testutil.Start(t, "")
	a := createComplaint(t, r, testutil.Complaint("071"))
	other := testutil.Complaint("071")
	other["subject"] = "Deuxième réclamation"
	b := createComplaint(t, r, other)
	mgr := uiSignIn(t, r, "manager.demo")
	team := text(mgr.get("/ui/equipe"))
	assert.Contains(t, team, "2 réclamation(s) sans gestionnaire")
	assert.Regexp(t, `<span class="count">2</span> à attribuer`, team)

	// Nothing checked: said, nothing done.
	none := mgr.post("/ui/equipe/attribuer", url.Values{"assignee": {"gca.demo"}})
	assert.Equal(t, http.StatusUnprocessableEntity, none.Status)
	assert.Contains(t, text(none), "Cochez au moins un dossier à attribuer.")
	done := mgr.post("/ui/equipe/attribuer", url.Values{"case_id": {a, b}, "assignee": {"gca.demo"}})
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	for _, id := range []string{a, b} {
		f := fileOf(t, r, id)
		assert.Equal(t, "assigned", f["status"])
		assert.Equal(t, "gca.demo", f["assignee"])
	}
	assert.Contains(t, text(mgr.get(done.Header.Get("Location"))), "2 dossier(s) attribué(s) à Gaëlle Caron.")
	// A banner never shows the query string's text: a forged link says nothing.
	forged := text(mgr.get("/ui/equipe?attribues=3&a=" + url.QueryEscape("Service fermé, appelez le 08 99 00 00 00")))
	assert.NotContains(t, forged, "appelez le 08 99")
	assert.NotContains(t, forged, "dossier(s) attribué(s)")
	forgedDone := text(mgr.get("/ui/dossiers/" + a + "?fait=" + url.QueryEscape("Votre compte est suspendu")))
	assert.NotContains(t, forgedDone, "Votre compte est suspendu")
	assert.NotContains(t, forgedDone, "C'est fait")

	gca := uiSignIn(t, r, "gca.demo")
	queue := text(gca.get("/ui/ma-file"))
	assert.Contains(t, queue, "2 dossier(s) ouvert(s)")
	assert.Contains(t, queue, "Deuxième réclamation")
	assert.Contains(t, queue, "dans les délais", "the status in words, not colour alone")
	assert.Contains(t, queue, "10 jours", "days left to the target")
	assert.Contains(t, queue, "15 jours", "days left to the legal limit")

	// The file offers only what the GCA may do now: start.
	page := gca.get("/ui/dossiers/" + a)
	assert.Contains(t, page.Body, `id="action-start"`)
	assert.NotContains(t, page.Body, `id="action-answer"`)
	assert.NotContains(t, page.Body, `id="action-assign"`, "assigning is the manager's")
	require.Equal(t, http.StatusSeeOther, gca.post("/ui/dossiers/"+a+"/actions/start", url.Values{}).Status)
	assert.Equal(t, "in_progress", fileOf(t, r, a)["status"])

	// An answer too short: refused with why, the text kept, nothing changed.
	events := r.Counts().Events
	short := gca.post("/ui/dossiers/"+a+"/actions/answer", url.Values{"answer": {"Non."}})
	require.Equal(t, http.StatusUnprocessableEntity, short.Status, short.Body)
	assert.Contains(t, text(short), "Action refusée, rien n'a changé")
	assert.Contains(t, text(short), "La réponse doit expliquer la décision en une phrase au moins.")
	assert.Contains(t, short.Body, ">Non.</textarea>")
	assert.Equal(t, "in_progress", fileOf(t, r, a)["status"])
	assert.Equal(t, events, r.Counts().Events)

	// An action the state does not allow (sent by hand): 409, why, nothing changed.
	conflict := gca.post("/ui/dossiers/"+a+"/actions/close", url.Values{})
	assert.Equal(t, http.StatusConflict, conflict.Status)
	assert.Contains(t, text(conflict), "Action refusée, rien n'a changé")

	// Through htmx: the same answer, the redirect followed to the page.
	docs := gca.post("/ui/dossiers/"+a+"/actions/request_documents", url.Values{"documents": {"Votre avis d'imposition."}, "due_in_days": {"10"}}, "HX-Request", "true")
	require.Equal(t, http.StatusSeeOther, docs.Status, docs.Body)
	docsPage := text(gca.get("/ui/dossiers/" + a))
	assert.Contains(t, docsPage, "Pièces demandées le")
	assert.Contains(t, docsPage, "Votre avis d'imposition.")
	assert.Contains(t, docsPage, "Attendues au plus tard le")
	assert.Contains(t, docsPage, "le rejet implicite sont reportés des jours d'attente")
	f := fileOf(t, r, a)
	assert.Equal(t, "awaiting_claimant", f["status"])
	assert.Equal(t, true, f["clock_paused"])
	assert.Contains(t, text(gca.get("/ui/ma-file")), "délai suspendu")
	timeline := text(gca.get("/ui/dossiers/" + a))
	assert.Contains(t, timeline, "Demander des pièces</strong> par gca.demo")
	assert.Contains(t, timeline, "Attribuer</strong> par manager.demo")
}

// TestUI_MediationDesk: the mediator sees a request among those received,
// with the claimant's prior complaint on its page; admits it there; a
// decision whose explanation is too short is refused with why.
func TestUI_MediationDesk(t *testing.T) {
	r := testutil.Start(t, "")
	prior := createComplaint(t, r, testutil.Complaint("071"))
	for _, step := range []struct{ login, action, body string }{
		{"manager.demo", "assign", `{"assignee":"gca.demo"}`},
		{"gca.demo", "start", `{}`},
		{"gca.demo", "answer", `{"answer":"Le trop-perçu vient de la révision de vos ressources ; il est maintenu."}`},
	} {
		got := r.Do("POST", "/api/v1/cases/"+prior+"/actions/"+step.action, step.login, []byte(step.body))
		require.Equal(t, http.StatusOK, got.Status, string(got.Body))
	}
	med := r.Do("POST", "/api/v1/mediations", "csu.demo", map[string]any{
		"caf": "071", "claimant": map[string]any{"number": "1234567"}, "origin": "social_worker",
		"benefit": "housing_aid", "reason": "overpayment_not_understood", "subject": "Médiation trop-perçu",
		"description": "L'allocataire conteste la réponse.",
	})
	require.Equal(t, http.StatusCreated, med.Status, string(med.Body))
	id := med.Map(t)["id"].(string)

	m := uiSignIn(t, r, "mediator.demo")
	desk := text(m.get("/ui/mediation"))
	assert.Contains(t, desk, "Reçues : recevabilité à décider")
	assert.Contains(t, desk, "Médiation trop-perçu")
	page := m.get("/ui/dossiers/" + id)
	assert.Contains(t, text(page), "Démarches préalables de l'allocataire dans cette Caf")
	assert.Contains(t, page.Body, `<option value="`+prior+`"`)
	assert.Contains(t, page.Body, `id="action-admit"`)
	admitted := m.post("/ui/dossiers/"+id+"/actions/admit", url.Values{"prior_contact_case_id": {prior}, "no_court_case": {"true"}})
	require.Equal(t, http.StatusSeeOther, admitted.Status, admitted.Body)
	assert.Equal(t, "admitted", fileOf(t, r, id)["status"])
	assert.Contains(t, text(m.get("/ui/dossiers/"+id)), "Délais de recours suspendus")

	short := m.post("/ui/dossiers/"+id+"/actions/decide", url.Values{"outcome": {"maintained"}, "explanation": {"Trop court."}})
	require.Equal(t, http.StatusUnprocessableEntity, short.Status)
	assert.Contains(t, text(short), "L'explication destinée à l'allocataire compte au moins 50 caractères.")
	assert.Equal(t, "admitted", fileOf(t, r, id)["status"])
	decided := m.post("/ui/dossiers/"+id+"/actions/decide", url.Values{"outcome": {"partly_revised"},
		"explanation": {"Après examen, une partie du trop-perçu est annulée car vos ressources ont été mal reprises."}})
	require.Equal(t, http.StatusSeeOther, decided.Status, decided.Body)
	assert.Equal(t, string(domain.StatusDecided), fileOf(t, r, id)["status"])
	assert.Contains(t, text(m.get("/ui/mediation")), "Médiation trop-perçu")
}

// TestUI_Figures: the period's key figures, each chart with its table.
func TestUI_Figures(t *testing.T) {
	r := testutil.Start(t, "")
	createComplaint(t, r, testutil.Complaint("071"))
	mgr := uiSignIn(t, r, "manager.demo")
	first := mgr.get("/ui/chiffres")
	require.Equal(t, http.StatusFound, first.Status)
	assert.Contains(t, first.Header.Get("Location"), "caf=071")
	got := mgr.get(first.Header.Get("Location"))
	require.Equal(t, http.StatusOK, got.Status, got.Body)
	page := text(got)
	assert.Contains(t, page, "réclamations reçues")
	assert.Contains(t, page, "Réclamations reçues par canal : les données du graphique")
	assert.Contains(t, got.Body, `<svg role="img" aria-labelledby="h-chart-canal"`)
	assert.Contains(t, page, "Espace en ligne (caf.fr)")
	bad := mgr.get("/ui/chiffres?caf=071&from=2026-12-31&to=2026-01-01")
	assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)
	assert.Contains(t, text(bad), "La fin de la période précède son début.")
	assert.Equal(t, http.StatusForbidden, mgr.get("/ui/chiffres?caf=074&from=2026-01-01&to=2026-12-31").Status)
}

// TestUI_CafSwitcher: an agent with roles in several Cafs works in one at a
// time and switches from the header; a Caf where it holds no role is
// refused, and so is a way back off the site.
func TestUI_CafSwitcher(t *testing.T) {
	r := testutil.Start(t, "")
	csu := uiSignIn(t, r, "csu.demo")
	page := csu.get("/ui/reclamations/nouvelle")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, `id="f-caf-switch"`, "a CSU of four Cafs has the switcher")
	assert.NotContains(t, text(page), "· Caf 074")

	switched := csu.post("/ui/caf", url.Values{"caf": {"074"}, "back": {"/ui/reclamations/nouvelle"}})
	require.Equal(t, http.StatusSeeOther, switched.Status)
	assert.Equal(t, "/ui/reclamations/nouvelle", switched.Header.Get("Location"), "back to the page it came from")
	again := csu.get("/ui/reclamations/nouvelle")
	assert.Contains(t, text(again), "· Caf 074", "the choice stays")
	assert.Contains(t, again.Body, `<option value="074" selected>`, "and the intake form is for that Caf")
	for _, back := range []string{"https://ailleurs.example/", `/ui/../\evil.example`, "/ui/..//evil.example", "//evil.example/ui/",
		`/ui/\\evil.example`, "/ui/%0d%0aSet-Cookie:x=1", "/ui/../../etc/passwd", "javascript:alert(1)//ui/", "/ui/dossiers/x"} {
		away := csu.post("/ui/caf", url.Values{"caf": {"071"}, "back": {back}})
		assert.Equal(t, "/ui/", away.Header.Get("Location"), "never sent off the site nor to a file of the Caf left: %q", back)
	}
	cleaned := csu.post("/ui/caf", url.Values{"caf": {"071"}, "back": {"/ui/recherche/../equipe?x=1"}})
	assert.Equal(t, "/ui/equipe", cleaned.Header.Get("Location"), "judged and sent after cleaning, without the query")

	refused := csu.post("/ui/caf", url.Values{"caf": {"999"}})
	assert.Equal(t, http.StatusForbidden, refused.Status)
	assert.Contains(t, text(refused), "aucun rôle dans cette Caf")

	gca := uiSignIn(t, r, "gca.demo")
	assert.NotContains(t, gca.get("/ui/ma-file").Body, `id="f-caf-switch"`, "one Caf: no switcher")
	assert.Equal(t, http.StatusForbidden, gca.post("/ui/caf", url.Values{"caf": {"074"}}).Status)
}

// TestUI_Intake_SecondSubmitMakesNoSecondFile: the same form sent twice
// (a double click, the back button) shows the file the first made; a form
// sent with another token is another registration; a claimant number
// typed with spaces is read whole, and one too long is refused, never cut.
func TestUI_Intake_SecondSubmitMakesNoSecondFile(t *testing.T) {
	r := testutil.Start(t, "")
	csu := uiSignIn(t, r, "csu.demo")
	form := url.Values{"caf": {"071"}, "channel": {"letter"}, "claimant.number": {"765 43 21"}, "benefit": {"rsa"},
		"reason": {"other"}, "subject": {"Courrier"}, "description": {"Reçu par courrier."}, "form_token": {"f0f0f0f0-0000-4000-8000-000000000001"}}
	before := r.Counts().Cases
	first := csu.post("/ui/reclamations", form)
	require.Equal(t, http.StatusSeeOther, first.Status, first.Body)
	again := csu.post("/ui/reclamations", form)
	require.Equal(t, http.StatusSeeOther, again.Status, again.Body)
	assert.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"), "the file the first submit made")
	assert.Equal(t, before+1, r.Counts().Cases)
	id := strings.TrimSuffix(strings.TrimPrefix(first.Header.Get("Location"), "/ui/dossiers/"), "?fait=created")
	assert.Equal(t, "7654321", fileOf(t, r, id)["claimant"].(map[string]any)["number"], "spaces dropped")

	changed := url.Values{}
	for k, v := range form {
		changed[k] = v
	}
	changed.Set("subject", "Courrier corrigé")
	conflict := csu.post("/ui/reclamations", changed)
	assert.Equal(t, http.StatusConflict, conflict.Status, "the same form changed after it was sent")
	assert.Contains(t, text(conflict), "Ce formulaire a déjà servi à enregistrer un dossier")
	assert.Equal(t, before+1, r.Counts().Cases)

	changed.Set("form_token", "f0f0f0f0-0000-4000-8000-000000000002")
	changed.Set("claimant.number", "76543210")
	long := csu.post("/ui/reclamations", changed)
	require.Equal(t, http.StatusUnprocessableEntity, long.Status)
	assert.Contains(t, text(long), "Le numéro allocataire compte 7 chiffres, et non 8.")
	assert.Contains(t, long.Body, `value="76543210"`, "what was typed is kept whole")
	assert.Equal(t, before+1, r.Counts().Cases)
}

// TestUI_Intake_BackDatedMediationAndPostalReferral: a mediation request
// and a Défenseur des droits referral received by post are registered
// with the day they arrived; a date in the future or over a year back is
// refused with why; the referral's reference is its key.
func TestUI_Intake_BackDatedMediationAndPostalReferral(t *testing.T) {
	r := testutil.Start(t, "")
	csu := uiSignIn(t, r, "csu.demo")
	day := func(d int) string { return time.Now().In(calendar.Paris).AddDate(0, 0, d).Format(time.DateOnly) }
	mediation := url.Values{"caf": {"071"}, "origin": {"elected_official"}, "claimant.number": {"1234567"}, "benefit": {"rsa"},
		"reason": {"other"}, "received_on": {day(1)}, "subject": {"Lettre du député"}, "description": {"Le député transmet la demande."}}
	before := r.Counts()
	future := csu.post("/ui/mediations", mediation)
	require.Equal(t, http.StatusUnprocessableEntity, future.Status, future.Body)
	assert.Contains(t, text(future), "Date de réception : La date de réception ne peut pas être dans le futur.")
	mediation.Set("received_on", day(-400))
	old := csu.post("/ui/mediations", mediation)
	require.Equal(t, http.StatusUnprocessableEntity, old.Status)
	assert.Contains(t, text(old), "Date de réception : La date de réception remonte à plus d'un an.")
	mediation.Set("related_case_id", "071-R-2026-999999")
	mediation.Set("received_on", day(-5))
	unknown := csu.post("/ui/mediations", mediation)
	require.Equal(t, http.StatusUnprocessableEntity, unknown.Status)
	assert.Contains(t, text(unknown), "Aucun dossier que vous pouvez lire ne porte cette référence.")
	assert.Equal(t, before, r.Counts(), "nothing written")

	mediation.Del("related_case_id")
	done := csu.post("/ui/mediations", mediation)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	id := strings.TrimSuffix(strings.TrimPrefix(done.Header.Get("Location"), "/ui/dossiers/"), "?fait=created")
	m := fileOf(t, r, id)
	assert.Equal(t, "elected_official", m["origin"])
	assert.Regexp(t, `^071-M-\d{4}-\d{4}$`, m["reference"])
	received, err := time.Parse(time.RFC3339Nano, m["received_at"].(string))
	require.NoError(t, err)
	assert.Equal(t, day(-5), received.In(calendar.Paris).Format(time.DateOnly))

	referral := url.Values{"caf": {"071"}, "ddd_reference": {"DDD-2026-POST-1"}, "claimant.number": {"1234567"}, "benefit": {"rsa"},
		"reason": {"other"}, "received_on": {day(-2)}, "response_expected_by": {day(20)}, "subject": {"Saisine"},
		"description": {"Le Défenseur des droits demande des explications."}, "form_token": {"f0f0f0f0-0000-4000-8000-000000000003"}}
	sent := csu.post("/ui/saisines", referral)
	require.Equal(t, http.StatusSeeOther, sent.Status, sent.Body)
	rid := strings.TrimSuffix(strings.TrimPrefix(sent.Header.Get("Location"), "/ui/dossiers/"), "?fait=created")
	f := fileOf(t, r, rid)
	assert.Equal(t, "defenseur_des_droits", f["origin"])
	assert.Equal(t, "DDD-2026-POST-1", f["ddd_reference"])
	assert.Regexp(t, `^071-D-\d{4}-\d{4}$`, f["reference"])
	page := text(csu.get(sent.Header.Get("Location")))
	assert.Contains(t, page, "La saisine du Défenseur des droits est enregistrée sous la référence "+f["reference"].(string))
	// The same reference typed again, with other facts: refused.
	referral.Set("form_token", "f0f0f0f0-0000-4000-8000-000000000004")
	referral.Set("description", "Autre chose.")
	twice := csu.post("/ui/saisines", referral)
	assert.Equal(t, http.StatusConflict, twice.Status)
	// A GCA may not register mediations.
	gca := uiSignIn(t, r, "gca.demo")
	assert.Equal(t, http.StatusForbidden, gca.post("/ui/mediations", mediation).Status)
}

// TestUI_Intake_DuplicateAsksToConfirm: a complaint for a claimant who has
// an open one of the same benefit and reason is not registered: the form
// names that file, shows the claimant's files, and registers the new one
// only once the agent confirms it is another request. The API does the
// same with confirm_duplicate.
func TestUI_Intake_DuplicateAsksToConfirm(t *testing.T) {
	r := testutil.Start(t, "")
	csu := uiSignIn(t, r, "csu.demo")
	form := url.Values{"caf": {"071"}, "channel": {"phone"}, "claimant.number": {"2468024"}, "benefit": {"rsa"},
		"reason": {"payment_missing_or_late"}, "subject": {"RSA non versé"}, "description": {"Le RSA n'est pas arrivé."}}
	first := csu.post("/ui/reclamations", form)
	require.Equal(t, http.StatusSeeOther, first.Status, first.Body)
	id := strings.TrimSuffix(strings.TrimPrefix(first.Header.Get("Location"), "/ui/dossiers/"), "?fait=created")
	ref := fileOf(t, r, id)["reference"].(string)
	before := r.Counts()

	form.Set("form_token", "f0f0f0f0-0000-4000-8000-000000000010")
	again := csu.post("/ui/reclamations", form)
	require.Equal(t, http.StatusConflict, again.Status, again.Body)
	page := text(again)
	assert.Contains(t, page, "Rien n'est enregistré : ce dossier existe peut-être déjà")
	assert.Contains(t, page, "L'allocataire a déjà un dossier ouvert pour cette prestation et ce motif : "+ref)
	assert.Contains(t, again.Body, `href="/ui/dossiers/`+id+`"`, "the claimant's files, with the one it may duplicate")
	assert.Contains(t, again.Body, `id="f-confirm-duplicate"`)
	assert.Equal(t, before, r.Counts(), "nothing written")

	// Another benefit is no duplicate.
	other := url.Values{}
	for k, v := range form {
		other[k] = v
	}
	other.Set("benefit", "housing_aid")
	other.Set("form_token", "f0f0f0f0-0000-4000-8000-000000000011")
	require.Equal(t, http.StatusSeeOther, csu.post("/ui/reclamations", other).Status)

	form.Set("confirm_duplicate", "1")
	confirmed := csu.post("/ui/reclamations", form)
	require.Equal(t, http.StatusSeeOther, confirmed.Status, confirmed.Body)
	assert.Equal(t, before.Cases+2, r.Counts().Cases)

	body := testutil.Complaint("071")
	delete(body, "confirm_duplicate")
	body["claimant"] = map[string]any{"number": "2468024"}
	body["benefit"], body["reason"] = "rsa", "payment_missing_or_late"
	api := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
	p := testutil.AssertProblem(t, api, http.StatusConflict)
	assert.Contains(t, p.Detail, "confirm_duplicate")
	body["confirm_duplicate"] = true
	assert.Equal(t, http.StatusCreated, r.Do("POST", "/api/v1/complaints", "csu.demo", body).Status)
}

// TestUI_CorrectionOnTheTimelineInWords: a correction made from the file
// page is on its timeline in words (the field's name, the old and new
// value, why), and a merged duplicate's page links the file kept.
func TestUI_CorrectionOnTheTimelineInWords(t *testing.T) {
	r := testutil.Start(t, "")
	first := createComplaint(t, r, testutil.Complaint("071"))
	dup := createComplaint(t, r, testutil.Complaint("071"))
	csu := uiSignIn(t, r, "csu.demo")
	done := csu.post("/ui/dossiers/"+first+"/actions/correct", url.Values{"field": {"claimant.name"}, "value": {"Jeanne Martin-Roux"}, "reason": {"Nom d'usage"}})
	require.Less(t, done.Status, 400, done.Body)
	body := csu.get("/ui/dossiers/" + first).Body
	assert.Contains(t, body, "<dt>Donnée à corriger</dt><dd>Nom de l&#39;allocataire</dd><dt>Nouvelle valeur</dt><dd>Jeanne Martin-Roux</dd><dt>Ancienne valeur</dt><dd>Jeanne Martin</dd>",
		"the field by its name, never its code")

	mgr := uiSignIn(t, r, "manager.demo")
	merged := mgr.post("/ui/dossiers/"+dup+"/actions/merge", url.Values{"into": {first}, "reason": {"Doublon"}})
	require.Less(t, merged.Status, 400, merged.Body)
	body = mgr.get("/ui/dossiers/" + dup).Body
	assert.Contains(t, body, `href="/ui/dossiers/`+first+`">le dossier conservé</a>`)
	assert.Contains(t, text(mgr.get("/ui/dossiers/"+dup)), "fusionnée avec le dossier qu'elle répète")
}
