package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// overpaymentRows counts the notices written.
func overpaymentRows(t *testing.T, r *testutil.Recours) int64 {
	t.Helper()
	c, err := r.Store.Contents(context.Background())
	require.NoError(t, err)
	return c.Overpayments
}

// noticeForm is the notify form, filled in for a notice of amount euros.
func noticeForm(amount string) url.Values {
	return url.Values{"caf": {"071"}, "claimant.number": {"1234567"}, "claimant.name": {"Jeanne Martin"},
		"claimant.email": {"jeanne.martin@example.org"}, "claimant.phone": {"0612345678"}, "benefit": {"housing_aid"},
		"period_start": {"2025-09-01"}, "period_end": {"2025-12-31"}, "amount": {amount},
		"cause": {"Vos ressources de 2024 ont été revues à la hausse."}}
}

// explanationForm is the six parts of an enriched explanation.
func explanationForm() url.Values {
	return url.Values{
		"explanation.cause":          {"Vos ressources de 2024 ont été revues à la hausse."},
		"explanation.period":         {"De septembre à décembre 2025 inclus."},
		"explanation.computation":    {"Droit recalculé à 210 € par mois au lieu de 595 €, soit 385 € par mois."},
		"explanation.contest":        {"Écrivez à la commission de recours amiable dans les deux mois."},
		"explanation.repayment":      {"En une fois ou par retenues sur vos prochains versements."},
		"explanation.right_to_error": {"Une erreur de bonne foi n'est jamais sanctionnée."},
	}
}

func noticeOf(t *testing.T, r *testutil.Recours, id string) domain.Overpayment {
	t.Helper()
	var o domain.Overpayment
	got := r.Do("GET", "/api/v1/overpayments/"+id, "auditor.demo", nil)
	require.Equal(t, http.StatusOK, got.Status, string(got.Body))
	got.JSON(t, &o)
	return o
}

// TestUI_Overpayments_PagesForTheirRolesOnly: the notices' pages render
// for the GCA and the manager, the list and a notice for the auditor, who
// gets no form; the CSU and the mediator are refused; the navigation
// offers the link to the roles that may read them.
func TestUI_Overpayments_PagesForTheirRolesOnly(t *testing.T) {
	r := testutil.Start(t, "")
	created := r.Do("POST", "/api/v1/overpayments", "gca.demo", testutil.Overpayment("071", "2000"))
	require.Equal(t, http.StatusCreated, created.Status, string(created.Body))
	id := created.Map(t)["id"].(string)
	pages := []struct {
		path             string
		allowed, refused []string
	}{
		{"/ui/trop-percus", []string{"gca.demo", "manager.demo", "auditor.demo"}, []string{"csu.demo", "mediator.demo"}},
		{"/ui/trop-percus/nouveau", []string{"gca.demo", "manager.demo"}, []string{"csu.demo", "mediator.demo", "auditor.demo"}},
		{"/ui/trop-percus/" + id, []string{"gca.demo", "manager.demo", "auditor.demo"}, []string{"csu.demo", "mediator.demo"}},
	}
	agents := map[string]*uiAgent{}
	for _, login := range []string{"csu.demo", "gca.demo", "manager.demo", "mediator.demo", "auditor.demo"} {
		agents[login] = uiSignIn(t, r, login)
	}
	for _, p := range pages {
		for _, login := range p.allowed {
			got := agents[login].get(p.path)
			if assert.Equal(t, http.StatusOK, got.Status, "%s as %s: %s", p.path, login, got.Body) {
				assertPage(t, got)
				assert.Contains(t, got.Body, `<a href="/ui/trop-percus"`, "%s as %s: the navigation's link", p.path, login)
			}
		}
		for _, login := range p.refused {
			got := agents[login].get(p.path)
			assert.Equal(t, http.StatusForbidden, got.Status, "%s as %s", p.path, login)
			assertPage(t, got)
			if login != "auditor.demo" {
				assert.NotContains(t, got.Body, `<a href="/ui/trop-percus"`, "%s as %s: no link", p.path, login)
			}
		}
	}
	list := text(agents["gca.demo"].get("/ui/trop-percus"))
	assert.Contains(t, list, domain.FormatCents(200000), "the amount in French")
	assert.Contains(t, list, "notification importante")
	assert.Contains(t, list, "à compléter avant l'envoi", "the status in words")
	notice := agents["gca.demo"].get("/ui/trop-percus/" + id)
	assert.Contains(t, notice.Body, `id="action-explain"`)
	assert.Contains(t, notice.Body, `id="action-record_call"`)
	assert.Contains(t, notice.Body, `id="action-send"`)
	page := agents["auditor.demo"].get("/ui/trop-percus/" + id)
	assert.NotContains(t, page.Body, `<form id="action-`, "an auditor reads and changes nothing")
	assert.Contains(t, text(page), "Avant l'envoi, il manque")
	assert.Equal(t, http.StatusNotFound, agents["gca.demo"].get("/ui/trop-percus/not-a-notice").Status)
}

// TestUI_Overpayment_BadInputFrenchMessagesNothingWritten: the notify
// form refuses a negative or non-numeric amount, an unknown benefit and
// an explanation missing a part, each with a French message tied to its
// input; nothing is written.
func TestUI_Overpayment_BadInputFrenchMessagesNothingWritten(t *testing.T) {
	r := testutil.Start(t, "")
	gca := uiSignIn(t, r, "gca.demo")
	missingPart := noticeForm("1500")
	for k, v := range explanationForm() {
		if k != "explanation.right_to_error" {
			missingPart[k] = v
		}
	}
	unknownBenefit := noticeForm("1500")
	unknownBenefit.Set("benefit", "lottery")
	for name, c := range map[string]struct {
		form    url.Values
		id, msg string
	}{
		"negative amount":     {noticeForm("-1500"), "f-amount", "Montant invalide : écrivez un nombre positif en euros"},
		"non-numeric amount":  {noticeForm("mille euros"), "f-amount", "Montant invalide : écrivez un nombre positif en euros"},
		"unknown benefit":     {unknownBenefit, "f-benefit", "Prestation inconnue : choisissez-la dans la liste."},
		"explanation missing": {missingPart, "f-explanation-right-to-error", "Partie obligatoire de l'explication : le droit à l'erreur."},
	} {
		t.Run(name, func(t *testing.T) {
			got := gca.post("/ui/trop-percus", c.form)
			require.Equal(t, http.StatusUnprocessableEntity, got.Status, got.Body)
			assertPage(t, got)
			page := text(got)
			assert.Contains(t, page, "La notification n'est pas enregistrée : 1 champ(s) à corriger")
			assert.Contains(t, page, c.msg)
			assert.Contains(t, got.Body, `href="#`+c.id+`"`, "the summary links to the field")
			assert.Regexp(t, `id="`+c.id+`"[^>]*aria-describedby="[^"]*`+c.id+`-error"[^>]*aria-invalid="true"`, got.Body)
			assert.Contains(t, page, "Vos ressources de 2024 ont été revues à la hausse.", "what was typed is kept")
			assert.Zero(t, overpaymentRows(t, r), "nothing written")
		})
	}
}

// TestUI_Overpayment_LargeNoticeWaitsForExplanationAndCall: a 1,500 €
// notice notified from the form cannot be sent before its explanation and
// its call: the send is refused with the domain's French reason and
// changes nothing; a bad explanation or call result is refused with why;
// once both are recorded it goes out, to the outbox, whose files the page
// offers.
func TestUI_Overpayment_LargeNoticeWaitsForExplanationAndCall(t *testing.T) {
	r := testutil.Start(t, "")
	gca := uiSignIn(t, r, "gca.demo")
	done := gca.post("/ui/trop-percus", noticeForm("1 500,00"))
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	loc := done.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/ui/trop-percus/"), loc)
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/ui/trop-percus/"), "?fait=created")
	o := noticeOf(t, r, id)
	assert.True(t, o.Large)
	assert.Equal(t, int64(150000), o.AmountCents)
	page := text(gca.get(loc))
	assert.Contains(t, page, "C'est une notification importante")
	assert.Contains(t, page, "l'explication détaillée")
	assert.Contains(t, page, "la tentative d'appel de l'allocataire")
	base := "/ui/trop-percus/" + id + "/actions/"

	refused := gca.post(base+"send", url.Values{})
	require.Equal(t, http.StatusConflict, refused.Status, refused.Body)
	assertPage(t, refused)
	assert.Contains(t, text(refused), "Action refusée, rien n'a changé : La notification d'un trop-perçu de "+domain.FormatCents(150000)+
		" ou plus ne peut pas partir avant l'explication détaillée et la tentative d'appel de l'allocataire.")

	incomplete := explanationForm()
	incomplete.Set("explanation.computation", "Voir le calcul.")
	bad := gca.post(base+"explain", incomplete)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Status, bad.Body)
	assert.Contains(t, text(bad), "Trop court (20 caractères au moins) : le calcul du montant.")
	assert.Contains(t, bad.Body, `href="#f-explanation-computation"`)
	assert.Contains(t, bad.Body, ">Voir le calcul.</textarea>", "what was typed is kept")
	o = noticeOf(t, r, id)
	assert.Nil(t, o.Explanation, "nothing changed")
	assert.Len(t, o.Events, 1)

	require.Equal(t, http.StatusSeeOther, gca.post(base+"explain", explanationForm()).Status)
	assert.NotNil(t, noticeOf(t, r, id).Explanation)
	still := gca.post(base+"send", url.Values{})
	require.Equal(t, http.StatusConflict, still.Status)
	assert.Contains(t, text(still), "ne peut pas partir avant la tentative d'appel de l'allocataire")

	busy := gca.post(base+"record_call", url.Values{"result": {"busy"}})
	require.Equal(t, http.StatusUnprocessableEntity, busy.Status, busy.Body)
	assert.Contains(t, text(busy), "Choisissez le résultat de l'appel.")
	assert.Nil(t, noticeOf(t, r, id).Call, "nothing changed")
	called := gca.post(base+"record_call", url.Values{"result": {"reached"}, "note": {"Explications données au téléphone."}})
	require.Equal(t, http.StatusSeeOther, called.Status, called.Body)
	assert.Equal(t, domain.OverpaymentReady, noticeOf(t, r, id).Status)
	ready := text(gca.get("/ui/trop-percus/" + id))
	assert.Contains(t, ready, "Rien ne manque : la notification peut partir.")
	assert.Contains(t, ready, "allocataire joint")

	sent := gca.post(base+"send", url.Values{})
	require.Equal(t, http.StatusSeeOther, sent.Status, sent.Body)
	require.Eventually(t, func() bool { return noticeOf(t, r, id).Status == domain.OverpaymentSent }, 20*time.Second, 50*time.Millisecond)
	final := gca.get("/ui/trop-percus/" + id)
	assert.Contains(t, text(final), "envoyée")
	assert.Contains(t, text(final), "La notification de trop-perçu")
	assert.NotContains(t, final.Body, `<form id="action-`, "nothing left to do")
	assert.NotContains(t, final.Body, r.DataDir, "no path shown")
	eml := gca.get(linkTo(t, final.Body, "/ui/trop-percus/"+id+"/messages/", "/eml"))
	require.Equal(t, http.StatusOK, eml.Status, eml.Body)
	assert.Equal(t, "message/rfc822", eml.Header.Get("Content-Type"))
	assert.Contains(t, eml.Body, id)
	pdf := gca.get(linkTo(t, final.Body, "/ui/trop-percus/"+id+"/messages/", "/pdf"))
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.True(t, strings.HasPrefix(pdf.Body, "%PDF"))
	// Sent once: another send is refused.
	assert.Equal(t, http.StatusConflict, gca.post(base+"send", url.Values{}).Status)
}

// linkTo finds the first link of the page that starts with prefix and
// ends with suffix.
func linkTo(t *testing.T, body, prefix, suffix string) string {
	t.Helper()
	for _, part := range strings.Split(body, `href="`)[1:] {
		link := part[:strings.IndexByte(part, '"')]
		if strings.HasPrefix(link, prefix) && strings.HasSuffix(link, suffix) {
			return link
		}
	}
	t.Fatalf("no link %s…%s in the page", prefix, suffix)
	return ""
}

// TestUI_Overpayment_PostsWithoutCSRFRefused: the notify form and the
// notice's actions without the session's token are refused and write
// nothing.
func TestUI_Overpayment_PostsWithoutCSRFRefused(t *testing.T) {
	r := testutil.Start(t, "")
	created := r.Do("POST", "/api/v1/overpayments", "gca.demo", testutil.Overpayment("071", "2000"))
	require.Equal(t, http.StatusCreated, created.Status, string(created.Body))
	id := created.Map(t)["id"].(string)
	gca := uiSignIn(t, r, "gca.demo")
	for path, form := range map[string]url.Values{
		"/ui/trop-percus": noticeForm("1500"),
		"/ui/trop-percus/" + id + "/actions/explain":     explanationForm(),
		"/ui/trop-percus/" + id + "/actions/record_call": {"result": {"reached"}},
		"/ui/trop-percus/" + id + "/actions/send":        {},
	} {
		got := gca.do("POST", r.URL+path, form)
		assert.Equal(t, http.StatusForbidden, got.Status, path)
		assert.Contains(t, text(got), "Jeton de sécurité (CSRF) manquant ou invalide")
		form.Set("csrf_token", "not-the-session-token")
		assert.Equal(t, http.StatusForbidden, gca.do("POST", r.URL+path, form).Status, path)
	}
	assert.EqualValues(t, 1, overpaymentRows(t, r))
	o := noticeOf(t, r, id)
	assert.Nil(t, o.Explanation)
	assert.Nil(t, o.Call)
}

// TestUI_CaseMessages_OutboxFilesOfTheFileOnly: the file page lists the
// acknowledgment in French and offers its outbox files; the route serves
// them to whoever may read the file, and refuses another file's message,
// a reference outside the outbox (traversal), a link out of it, and
// a malformed path.
func TestUI_CaseMessages_OutboxFilesOfTheFileOnly(t *testing.T) {
	r := testutil.Start(t, "")
	a := createComplaint(t, r, testutil.Complaint("071"))
	b := createComplaint(t, r, testutil.Complaint("071"))
	r.WaitForMessages(t, a, "acknowledgment")
	r.WaitForMessages(t, b, "acknowledgment")
	gca := uiSignIn(t, r, "gca.demo")

	got := gca.get("/ui/dossiers/" + a)
	require.Equal(t, http.StatusOK, got.Status)
	page := text(got)
	assert.Contains(t, page, "Écrits à l'allocataire")
	assert.Contains(t, page, "L'accusé de réception")
	assert.Contains(t, page, "Dossier de sortie")
	assert.Contains(t, page, "envoyé")
	require.Eventually(t, func() bool {
		got = gca.get("/ui/dossiers/" + a)
		return strings.Contains(text(got), "Message envoyé à l'allocataire</strong> par Recours (automatique)")
	}, 10*time.Second, 50*time.Millisecond, "the timeline tells of the message in French")
	assert.Contains(t, text(got), "<dt>Type</dt><dd>L'accusé de réception</dd>")
	assert.NotContains(t, got.Body, r.DataDir, "never a raw path")
	assert.NotContains(t, got.Body, a+":acknowledgment", "never the idempotency key")
	emlLink := linkTo(t, got.Body, "/ui/dossiers/"+a+"/messages/", "/eml")
	eml := gca.get(emlLink)
	require.Equal(t, http.StatusOK, eml.Status, eml.Body)
	assert.Equal(t, "message/rfc822", eml.Header.Get("Content-Type"))
	assert.Contains(t, eml.Header.Get("Content-Disposition"), "attachment")
	assert.Contains(t, eml.Body, a)
	pdf := gca.get(linkTo(t, got.Body, "/ui/dossiers/"+a+"/messages/", "/pdf"))
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.Equal(t, "application/pdf", pdf.Header.Get("Content-Type"))

	// The same message under another file: not found.
	n := strings.TrimSuffix(strings.TrimPrefix(emlLink, "/ui/dossiers/"+a+"/messages/"), "/eml")
	assert.Equal(t, http.StatusNotFound, gca.get("/ui/dossiers/"+b+"/messages/"+n+"/eml").Status)
	// Whoever may not read the file gets nothing.
	assert.Equal(t, http.StatusForbidden, uiSignIn(t, r, "admin.demo").get(emlLink).Status)

	// Rows whose reference leads elsewhere: outside the outbox, another
	// file's files, a link out of the outbox. None is offered or served.
	outbox := filepath.Join(r.DataDir, "outbox")
	secret := filepath.Join(r.DataDir, "secret.eml")
	require.NoError(t, os.WriteFile(secret, []byte("SECRET"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(r.DataDir, a+"-x-v1.pdf"), []byte("SECRET"), 0o600))
	bEML, bPDF := filepath.Join(outbox, b+"-acknowledgment-v2.eml"), filepath.Join(outbox, b+"-acknowledgment-v2.pdf")
	link := filepath.Join(outbox, a+"-acknowledgment-v9.eml")
	require.NoError(t, os.Symlink(secret, link))
	now := time.Now()
	for i, ref := range []string{
		filepath.Join(outbox, "..", "secret.eml") + " " + filepath.Join(outbox, "..", a+"-x-v1.pdf"),
		"../secret.eml ../" + a + "-x-v1.pdf",
		bEML + " " + bPDF,
		link + " " + filepath.Join(outbox, a+"-acknowledgment-v9.pdf"),
		filepath.Base(bEML) + " " + filepath.Base(bPDF),
		a + "-x/../../secret.eml " + a + "-x/../../" + a + "-x-v1.pdf",
	} {
		require.NoError(t, r.Store.RecordMessageAttempt(context.Background(), store.ClaimantMessage{
			Key: "test:" + strconv.Itoa(i), CaseID: a, Caf: "071", Kind: "acknowledgment", Version: 9,
			Channel: "outbox", Status: domain.MessageSent, Reference: ref, SentAt: &now}))
	}
	rows, err := r.Store.Messages(context.Background(), a)
	require.NoError(t, err)
	require.Len(t, rows, 7)
	page = gca.get("/ui/dossiers/" + a).Body
	for _, row := range rows[1:] {
		for _, format := range []string{"eml", "pdf"} {
			path := "/ui/dossiers/" + a + "/messages/" + strconv.FormatUint(uint64(row.ID), 10) + "/" + format
			assert.NotContains(t, page, `href="`+path+`"`, "%s not offered", row.Reference)
			got := gca.get(path)
			assert.Equal(t, http.StatusNotFound, got.Status, "%s: %s", row.Reference, format)
			assert.NotContains(t, got.Body, "SECRET")
		}
	}
	for _, bad := range []string{"..%2F..%2Fsecret/eml", "1/..%2F..%2Fsecret.eml", n + "/txt", n + "/..%2Feml", "-1/eml"} {
		got := gca.get("/ui/dossiers/" + a + "/messages/" + bad)
		assert.Contains(t, []int{http.StatusNotFound, http.StatusBadRequest}, got.Status, bad)
		assert.NotContains(t, got.Body, "SECRET")
	}
}

// TestUI_Overpayments_FilterByStatus: the list shows the notices of one
// state when asked, all of them otherwise.
func TestUI_Overpayments_FilterByStatus(t *testing.T) {
	r := testutil.Start(t, "")
	large := r.Do("POST", "/api/v1/overpayments", "gca.demo", testutil.Overpayment("071", "2000"))
	require.Equal(t, http.StatusCreated, large.Status, "%s", large.Body)
	small := r.Do("POST", "/api/v1/overpayments", "gca.demo", testutil.Overpayment("071", "120"))
	require.Equal(t, http.StatusCreated, small.Status, "%s", small.Body)
	largeID, smallID := large.Map(t)["id"].(string), small.Map(t)["id"].(string)
	require.Eventually(t, func() bool { return noticeOf(t, r, smallID).Status == domain.OverpaymentSent },
		20*time.Second, 50*time.Millisecond)

	gca := uiSignIn(t, r, "gca.demo")
	all := gca.get("/ui/trop-percus")
	require.Equal(t, http.StatusOK, all.Status)
	assert.Contains(t, all.Body, "/ui/trop-percus/"+largeID)
	assert.Contains(t, all.Body, "/ui/trop-percus/"+smallID)
	pending := gca.get("/ui/trop-percus?statut=pending")
	assertPage(t, pending)
	assert.Contains(t, pending.Body, "/ui/trop-percus/"+largeID)
	assert.NotContains(t, pending.Body, "/ui/trop-percus/"+smallID)
	assert.Contains(t, pending.Body, `<option value="pending" selected>`)
	sent := gca.get("/ui/trop-percus?statut=sent")
	assert.NotContains(t, sent.Body, "/ui/trop-percus/"+largeID)
	assert.Contains(t, sent.Body, "/ui/trop-percus/"+smallID)
	assert.Contains(t, gca.get("/ui/trop-percus?statut=n'importe").Body, "/ui/trop-percus/"+largeID, "an unknown state shows them all")
}
