package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/browsertest"
	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/testutil"
)

// TestBrowser_FrontDeskFindsAClaimantAndRegistersALetter: a claimant
// calls and gives her name; the CSU types it, without accents and last
// name first, in the header's search box, opens her file and sees her
// other files in the panel; then registers the mediation request a social
// worker posted three days ago, naming the complaint by its reference:
// the panel shows as the number is typed, and the mediation's deadlines
// run from the day the letter arrived. Every page passes axe-core.
func TestBrowser_FrontDeskFindsAClaimantAndRegistersALetter(t *testing.T) {
	b := browsertest.New(t)
	r := testutil.Start(t, "")
	b.BaseURL = r.URL
	register := func(subject string) map[string]any {
		body := testutil.Complaint("071")
		body["claimant"] = map[string]any{"number": "7654321", "name": "Hélène Lefèvre"}
		body["subject"] = subject
		resp := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
		require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
		return resp.Map(t)
	}
	first := register("Trop-perçu d'aide au logement")
	second := register("Retard de versement du RSA")

	csu := b.NewSession()
	csu.SignIn("csu.demo")
	require.Equal(t, http.StatusOK, csu.Open("/ui/reclamations/nouvelle"))
	csu.Fill("#f-search", "lefevre helene")
	assert.Equal(t, http.StatusOK, csu.Submit("#f-search"))
	csu.WaitText("2 dossier(s) pour la recherche tapée en haut de la page")
	checkPage(t, csu, "search")
	results := csu.Text("#results")
	assert.Contains(t, results, first["reference"].(string))
	assert.Contains(t, results, second["reference"].(string))

	csu.ClickAndWait(`#results a[href="/ui/dossiers/` + first["id"].(string) + `"]`)
	csu.WaitText("Les autres dossiers de l'allocataire")
	assert.Contains(t, csu.Text("#story"), second["reference"].(string), "the claimant's other file")
	assert.Contains(t, csu.Text("#dossier"), first["reference"].(string), "the file's reference on its page")
	checkPage(t, csu, "case-story")

	require.Equal(t, http.StatusOK, csu.Open("/ui/mediations/nouvelle"))
	csu.Fill("#f-caf", "071")
	csu.Fill("#f-origin", "social_worker")
	csu.Fill("#f-related-case-id", first["reference"].(string))
	csu.Fill("#f-claimant-number", "765 43 21")
	csu.WaitText("Les dossiers de l'allocataire n° 7654321")
	assert.Contains(t, csu.Text("#story"), second["reference"].(string), "the panel, as soon as the number is typed")
	csu.Fill("#f-claimant-name", "Hélène Lefèvre")
	csu.Fill("#f-benefit", "housing_aid")
	csu.Fill("#f-reason", "overpayment_not_understood")
	received := time.Now().In(calendar.Paris).AddDate(0, 0, -3)
	csu.Eval(`document.querySelector("#f-received-on").value = "`+received.Format(time.DateOnly)+`"`, nil)
	csu.Fill("#f-subject", "Médiation sur le trop-perçu")
	csu.Fill("#f-description", "L'assistante sociale demande une médiation : la réponse de la Caf n'a pas été comprise.")
	checkPage(t, csu, "intake-mediation")
	assert.Equal(t, http.StatusOK, csu.Submit("#f-description"))
	csu.WaitText("La demande de médiation est enregistrée sous la référence 071-M-")
	id := strings.TrimPrefix(strings.SplitN(csu.Path(), "?", 2)[0], "/ui/dossiers/")
	m := caseIn(t, r, id)
	assert.Equal(t, domain.KindMediation, m.Kind)
	assert.Equal(t, "social_worker", m.Origin)
	assert.Equal(t, first["id"], m.ParentID, "linked to the complaint named by its reference")
	assert.Equal(t, received.Format(time.DateOnly), m.ReceivedAt.In(calendar.Paris).Format(time.DateOnly), "the day the letter arrived")

	// Its deadlines run from that day: three days before those of the same
	// request registered as received today.
	today := r.Do("POST", "/api/v1/mediations", "csu.demo", testutil.Mediation(nil))
	require.Equal(t, http.StatusCreated, today.Status, string(today.Body))
	var now domain.Case
	today.JSON(t, &now)
	for _, dl := range m.Deadlines {
		ref, ok := now.Deadline(dl.Name)
		require.True(t, ok, dl.Name)
		days := ref.DueAt.In(calendar.Paris).Sub(dl.DueAt.In(calendar.Paris)).Hours() / 24
		assert.GreaterOrEqual(t, days, 2.5, "%s counted from the letter's day", dl.Name)
	}

}
