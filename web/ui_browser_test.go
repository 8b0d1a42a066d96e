package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/browsertest"
	"recours/internal/domain"
	"recours/internal/testutil"
)

// checkPage holds the page b shows to what every page must be: no serious
// or critical axe-core violation, no sideways scroll at 200 % zoom, no
// script error nor blocked resource; and writes its screenshots as name
// (docs/screenshots/ui, linked from the README). refused is the status of
// a form refused on purpose (422), which Chromium logs as a failed load:
// that one line is expected, any other is not.
func checkPage(t *testing.T, b *browsertest.Browser, name string, refused ...int) {
	t.Helper()
	browsertest.AssertAccessible(t, b)
	b.AssertZoom200()
	var problems []string
	for _, p := range b.ConsoleErrors() {
		expected := false
		for _, status := range refused {
			expected = expected || strings.Contains(p, fmt.Sprintf("the server responded with a status of %d ", status))
		}
		if !expected {
			problems = append(problems, p)
		}
	}
	assert.Empty(t, problems, "script errors or blocked resources on %s", b.Path())
	b.Screenshot(name)
}

// caseIn reads a file from the database, as the projection holds it.
func caseIn(t *testing.T, r *testutil.Recours, id string) domain.Case {
	t.Helper()
	c, err := r.Store.Case(context.Background(), id)
	require.NoError(t, err)
	return c
}

// focusOrder focuses the element first and presses Tab n times, returning
// the id of each element that gets the focus.
// A control of several stops (a date's day, month and year) is listed
// once.
func focusOrder(b *browsertest.Browser, first string, n int) []string {
	var ids []string
	var id string
	b.Eval(fmt.Sprintf(`document.querySelector(%q).focus()`, first), nil)
	for i := 0; len(ids) <= n && i <= 3*n; i++ {
		if i > 0 {
			b.Run("press Tab", chromedp.KeyEvent(kb.Tab))
		}
		b.Eval(`document.activeElement.id`, &id)
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	return ids
}

// act clicks an action's button on the file page, which htmx posts, and
// waits for the file to show the status it leads to.
func actOnPage(b *browsertest.Browser, action, status string) {
	b.Click("#btn-" + action)
	b.WaitText("Statut : " + status)
}

// TestBrowser_AgentsWorkThroughThePages plays issue 5's scenario in
// Chromium, one browser session per agent, against a real Recours: a CSU
// registers a complaint from the keyboard after a refused first try; the
// manager assigns it; the GCA finds it at the top of their queue, asks for
// documents and answers; the mediator admits and decides a mediation that
// names it as the prior contact; the manager and the auditor read the
// figures. Every page passes axe-core, reads at 200 % zoom, logs no script
// error, and is photographed for the README.
func TestBrowser_AgentsWorkThroughThePages(t *testing.T) {
	b := browsertest.New(t)
	r := testutil.Start(t, "")
	b.BaseURL = r.URL

	require.Equal(t, http.StatusOK, b.Open("/auth/login"))
	checkPage(t, b, "sign-in")

	// 1. The CSU registers a complaint; a first try with bad input shows a
	// French message beside each field and saves nothing.
	csu := b.NewSession()
	csu.SignIn("csu.demo")
	require.Equal(t, http.StatusOK, csu.Open("/ui/reclamations/nouvelle"))
	csu.WaitText("Enregistrer la réclamation")
	checkPage(t, csu, "intake")
	assert.Equal(t, []string{"f-caf", "f-channel", "f-claimant-number", "f-claimant-name", "f-claimant-address", "f-benefit",
		"f-reason", "f-received-on", "f-decision-notified-on", "f-subject", "f-description", "btn-intake"}, focusOrder(csu, "#f-caf", 11),
		"the form is filled from the keyboard, field after field")

	before := r.Counts()
	csu.Fill("#f-caf", "071")
	csu.Fill("#f-claimant-number", "12AB")
	csu.Fill("#f-subject", "Trop-perçu d'aide au logement")
	assert.Equal(t, http.StatusUnprocessableEntity, csu.Submit("#f-subject"))
	csu.WaitText("La réclamation n'est pas enregistrée")
	csu.WaitUntil(`document.activeElement !== null && document.activeElement.id === "erreurs"`) // read first
	errs := csu.Text("#erreurs")
	for _, want := range []string{"Canal : Choisissez le canal par lequel la réclamation est arrivée.",
		"Prestation : Choisissez la prestation concernée.", "Motif : Choisissez le motif de la réclamation.",
		"Description : Ce champ est obligatoire."} {
		assert.Contains(t, errs, want)
	}
	assert.Contains(t, errs, "Numéro allocataire : ")
	assert.Equal(t, "true", attr(csu, "#f-claimant-number", "aria-invalid"))
	assert.Equal(t, "Trop-perçu d'aide au logement", value(csu, "#f-subject"), "what was typed is kept")
	assert.Equal(t, before, r.Counts(), "a refused intake writes nothing")
	checkPage(t, csu, "intake-errors", http.StatusUnprocessableEntity)

	csu.Fill("#f-channel", "phone")
	csu.Fill("#f-claimant-number", "1234567")
	csu.Fill("#f-claimant-name", "Jeanne Martin")
	csu.Fill("#f-benefit", "housing_aid")
	csu.Fill("#f-reason", "overpayment_not_understood")
	csu.Fill("#f-description", "L'allocataire ne comprend pas le trop-perçu d'aide au logement réclamé en mars.")
	assert.Equal(t, http.StatusOK, csu.Submit("#f-description"))
	csu.WaitText("La réclamation est enregistrée")
	id := strings.TrimPrefix(strings.SplitN(csu.Path(), "?", 2)[0], "/ui/dossiers/")
	checkPage(t, csu, "intake-registered")
	file := caseIn(t, r, id)
	assert.Equal(t, domain.StatusOpen, file.Status)
	assert.Equal(t, "1234567", file.Claimant.Number)
	assert.Equal(t, domain.Channel("phone"), file.Channel)

	// Two files received after it (the same day, so with the same
	// deadlines: the older comes first): one for the GCA already, one
	// waiting beside it in the team queue.
	later := testutil.Complaint("071")
	later["claimant"] = map[string]any{"number": "7654321", "name": "Paul Durand"}
	later["subject"] = "Paiement du RSA en retard"
	theirs := createComplaint(t, r, later)
	r.Act(t, "manager.demo", theirs, "assign", map[string]any{"assignee": "gca.demo"})
	later["subject"] = "Prime d'activité non versée"
	createComplaint(t, r, later)

	// 2. The manager finds it among the unassigned files and assigns it.
	mgr := b.NewSession()
	mgr.SignIn("manager.demo")
	assert.Equal(t, "/ui/equipe", mgr.Path(), "the manager's home is the team queue")
	mgr.WaitText("Trop-perçu d'aide au logement")
	checkPage(t, mgr, "team-queue")
	mgr.Click("#sel-" + id)
	mgr.Fill("#f-assignee", "gca.demo")
	mgr.Click("#btn-assign")
	mgr.WaitText("1 dossier(s) attribué(s) à Gaëlle Caron.")
	assert.False(t, mgr.Has("#sel-"+id), "no longer among the unassigned")
	checkPage(t, mgr, "team-queue-assigned")
	file = caseIn(t, r, id)
	assert.Equal(t, domain.StatusAssigned, file.Status)
	assert.Equal(t, "gca.demo", file.Assignee)

	// 3. The GCA finds it at the top of their queue (the nearest deadline),
	// starts it, asks for documents, gets them, and answers.
	gca := b.NewSession()
	gca.SignIn("gca.demo")
	assert.Equal(t, "/ui/ma-file", gca.Path(), "the GCA's home is their queue")
	gca.WaitText("2 dossier(s) ouvert(s)")
	first := `#queue tbody tr:first-child a`
	assert.Equal(t, "/ui/dossiers/"+id, attr(gca, first, "href"), "the nearest deadline first")
	assert.Equal(t, "Trop-perçu d'aide au logement", gca.Text(first))
	checkPage(t, gca, "my-queue")

	require.Equal(t, http.StatusOK, gca.ClickAndWait(first))
	gca.WaitText("Actions possibles")
	actOnPage(gca, "start", "en cours d'étude")
	assert.Equal(t, domain.StatusInProgress, caseIn(t, r, id).Status)
	checkPage(t, gca, "file")

	gca.Fill("#a-request_documents-documents", "Votre avis d'imposition 2025.")
	gca.Fill("#a-request_documents-due_in_days", "10")
	actOnPage(gca, "request_documents", "en attente de l'allocataire")
	file = caseIn(t, r, id)
	assert.Equal(t, domain.StatusAwaitingClaimant, file.Status)
	assert.True(t, file.ClockPaused, "the clock stops while the claimant is awaited")
	gca.WaitText("délai suspendu")
	checkPage(t, gca, "file-awaiting")

	actOnPage(gca, "documents_received", "en cours d'étude")
	assert.Equal(t, domain.StatusInProgress, caseIn(t, r, id).Status)

	// An answer too short is refused beside its field, and changes nothing.
	gca.Fill("#a-answer-answer", "Maintenu.")
	gca.Click("#btn-answer")
	gca.WaitText("Action refusée, rien n'a changé")
	assert.Equal(t, "true", attr(gca, "#a-answer-answer", "aria-invalid"))
	assert.Equal(t, domain.StatusInProgress, caseIn(t, r, id).Status)
	checkPage(t, gca, "file-refused", http.StatusUnprocessableEntity)

	gca.Fill("#a-answer-answer", "Le trop-perçu vient de la révision de vos ressources de 2025 ; il est maintenu.")
	actOnPage(gca, "answer", "répondue")
	gca.WaitText("C'est fait : réponse enregistrée.")
	file = caseIn(t, r, id)
	assert.Equal(t, domain.StatusAnswered, file.Status)
	assert.Contains(t, file.Answer, "révision de vos ressources")
	timeline := gca.Text("#h-historique + ol")
	for _, want := range []string{"Enregistrement", "Attribuer par manager.demo", "Commencer l'étude par gca.demo",
		"Demander des pièces par gca.demo", "Pièces reçues par gca.demo", "Répondre par gca.demo"} {
		assert.Contains(t, timeline, want)
	}
	assertFrenchTimeline(t, timeline)
	assert.Contains(t, timeline, "Durée de la suspension")
	checkPage(t, gca, "file-answered")

	// 4. The claimant asks for a mediation; the mediator admits it, with the
	// answered complaint as the prior contact, and decides.
	created := r.Do("POST", "/api/v1/mediations", "csu.demo", testutil.Mediation(nil))
	require.Equal(t, http.StatusCreated, created.Status, string(created.Body))
	med := created.Map(t)["id"].(string)

	mediator := b.NewSession()
	mediator.SignIn("mediator.demo")
	assert.Equal(t, "/ui/mediation", mediator.Path(), "the mediator's home is the desk")
	link := fmt.Sprintf(`#h-recues ~ .table-wrap a[href="/ui/dossiers/%s"]`, med)
	mediator.WaitVisible(link)
	checkPage(t, mediator, "mediation-desk")

	require.Equal(t, http.StatusOK, mediator.ClickAndWait(link))
	mediator.WaitText("Démarches préalables de l'allocataire")
	assert.True(t, mediator.Has(fmt.Sprintf(`#h-prealable ~ .table-wrap a[href="/ui/dossiers/%s"]`, id)),
		"the prior complaint is shown")
	checkPage(t, mediator, "mediation-file")
	mediator.Fill("#a-admit-prior_contact_case_id", id)
	mediator.Click("#a-admit-no_court_case")
	actOnPage(mediator, "admit", "recevable")
	file = caseIn(t, r, med)
	assert.Equal(t, domain.StatusAdmitted, file.Status)
	require.NotNil(t, file.AppealSuspension, "the claimant's appeal deadlines are suspended")

	mediator.Fill("#a-decide-outcome", "partly_revised")
	mediator.Fill("#a-decide-explanation", "Après examen, le trop-perçu est ramené à 120 euros : "+
		"vos ressources de mars n'avaient pas à être comptées.")
	actOnPage(mediator, "decide", "décidée")
	file = caseIn(t, r, med)
	assert.Equal(t, domain.StatusDecided, file.Status)
	assert.Equal(t, "partly_revised", file.Outcome)
	mediator.WaitText("Décision partiellement révisée")
	timeline = mediator.Text("#h-historique + ol")
	assertFrenchTimeline(t, timeline)
	assert.Contains(t, timeline, "Démarche préalable auprès de la Caf\nn° "+id[:8], "the prior complaint, named")
	checkPage(t, mediator, "mediation-decided")

	// 5. The figures, for the manager and for the auditor.
	require.Equal(t, http.StatusOK, mgr.Open("/ui/chiffres"))
	mgr.WaitText("Chiffres clés")
	mgr.WaitText("Période du 01/01/")
	var clipped int
	mgr.Eval(`[...document.querySelectorAll('svg.bars text')].filter(t => {
		const b = t.getBBox(); return b.x < 0 || b.x + b.width > 600;
	}).length`, &clipped)
	assert.Zero(t, clipped, "every bar's label and value fit in the chart")
	checkPage(t, mgr, "figures")

	auditor := b.NewSession()
	auditor.SignIn("auditor.demo")
	assert.True(t, strings.HasPrefix(auditor.Path(), "/ui/chiffres"), "the auditor's home is the figures: %s", auditor.Path())
	auditor.WaitText("Chiffres clés")
	checkPage(t, auditor, "figures-auditor")

	// 6. The GCA notifies an overpayment of 1,500 €: the notice waits for
	// the enriched explanation and the call, and its page says so.
	require.Equal(t, http.StatusOK, gca.Open("/ui/trop-percus/nouveau"))
	checkPage(t, gca, "overpayment-new")
	gca.Fill("#f-caf", "071")
	gca.Fill("#f-claimant-number", "7654321")
	gca.Fill("#f-claimant-name", "Paul Durand")
	gca.Fill("#f-benefit", "housing_aid")
	gca.Eval(`document.querySelector('#f-period-start').value = '2025-09-01'`, nil)
	gca.Eval(`document.querySelector('#f-period-end').value = '2025-12-31'`, nil)
	gca.Fill("#f-amount", "1500")
	gca.Fill("#f-cause", "Vos ressources de 2024 ont été mises à jour après votre déclaration.")
	gca.Submit("#f-cause")
	gca.WaitText("Explication détaillée")
	require.True(t, gca.Has("#missing"), "what the notice still needs is said")
	notices, err := r.Store.Overpayments(context.Background(), []string{"071"}, "", 10)
	require.NoError(t, err)
	require.Len(t, notices, 1)
	assert.Equal(t, int64(150000), notices[0].AmountCents)
	assert.Equal(t, domain.OverpaymentPending, notices[0].Status, "a large notice waits")
	checkPage(t, gca, "overpayment")
	require.Equal(t, http.StatusOK, gca.Open("/ui/trop-percus"))
	gca.WaitText("Paul Durand")
	checkPage(t, gca, "overpayments")
}

// rawWords are what the timeline's details hold in the database and a
// reader must never see: codes, RFC 3339 instants, outbox paths.
var rawWords = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(T|\b)|\b(on_time|due_soon|met|missed|sent|outbox|acknowledgment|message_sent|partly_revised|true|false)\b|\.eml|\.pdf`)

// assertFrenchTimeline checks that a timeline's text is in words.
func assertFrenchTimeline(t *testing.T, timeline string) {
	t.Helper()
	assert.Empty(t, rawWords.FindAllString(timeline, -1), "raw values in the timeline:\n%s", timeline)
}

// attr is the attribute name of the element sel.
func attr(b *browsertest.Browser, sel, name string) string {
	var v string
	b.Eval(fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ""`, sel, name), &v)
	return v
}

// value is the value of the field sel.
func value(b *browsertest.Browser, sel string) string {
	var v string
	b.Eval(fmt.Sprintf(`document.querySelector(%q).value`, sel), &v)
	return v
}
