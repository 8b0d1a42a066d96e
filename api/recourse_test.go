package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/testutil"
)

// TestRecourseRoutes_TheCafsTableIsWhatItsLettersName: a Caf's
// administrator sets its route for RSA; only administrators may, agents
// read it; the answer to an RSA complaint then names that route, with the
// last day counted from the notification the claimant gave, is posted to
// the claimant's address and signed by the officer who answered; back to
// the national default, the table says so.
func TestRecourseRoutes_TheCafsTableIsWhatItsLettersName(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r, srv := startWithSMTP(t, db.URL(t), 0)
			const path = "/api/v1/admin/cafs/071/recourse-routes"
			var list struct{ Items []domain.RecourseRoute }
			resp := r.Do("GET", path, "gca.demo", nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			resp.JSON(t, &list)
			require.Len(t, list.Items, len(domain.Benefits))
			for _, it := range list.Items {
				assert.True(t, it.National, it.Benefit)
			}
			testutil.AssertProblem(t, r.Do("GET", path, "csu.demo", nil), http.StatusForbidden)

			route := map[string]any{"body": "le président du conseil départemental de l'Ardèche, par un recours administratif préalable",
				"address": "Hôtel du Département\n07007 Privas Cedex", "months": 2, "then": "le tribunal administratif de Lyon",
				"source": "Code de l'action sociale et des familles, art. L262-47"}
			testutil.AssertProblem(t, r.Do("PUT", path+"/rsa", "gca.demo", route), http.StatusForbidden)
			testutil.AssertProblem(t, r.Do("PUT", path+"/lottery", "admin.demo", route), http.StatusBadRequest)
			bad := map[string]any{"body": "x", "months": 0, "then": "y", "source": "z"}
			testutil.AssertProblem(t, r.Do("PUT", path+"/rsa", "admin.demo", bad), http.StatusBadRequest)
			control := map[string]any{"body": "x", "months": 2, "then": "y", "source": "z", "address": "a\u0007b"}
			p := testutil.AssertProblem(t, r.Do("PUT", path+"/rsa", "admin.demo", control), http.StatusBadRequest)
			assert.Equal(t, "address", p.Errors[0].Field)
			r.Do("GET", path, "gca.demo", nil).JSON(t, &list)
			for _, it := range list.Items {
				assert.True(t, it.National, "a refused change wrote nothing: %s", it.Benefit)
			}

			resp = r.Do("PUT", path+"/rsa", "admin.demo", route)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var set domain.RecourseRoute
			resp.JSON(t, &set)
			assert.False(t, set.National)
			assert.Equal(t, "admin.demo", set.UpdatedBy)

			body := testutil.Complaint("071")
			body["benefit"] = "rsa"
			notified := time.Now().In(calendar.Paris).AddDate(0, 0, -17).Format(time.DateOnly)
			end, _ := domain.RecourseEnd(notified, 2)
			body["decision_notified_on"] = notified
			body["claimant"] = map[string]any{"number": "1234567", "name": "Jeanne Martin", "email": "jeanne.martin@example.org",
				"address": "4 rue du Lac\n07200 Aubenas"}
			created := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
			require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
			var file domain.Case
			created.JSON(t, &file)
			assert.Equal(t, notified, file.DecisionNotifiedOn)
			assert.Equal(t, "4 rue du Lac\n07200 Aubenas", file.Claimant.Address)
			for _, step := range []struct{ action, login string }{{"assign", "manager.demo"}, {"start", "gca.demo"}, {"answer", "gca.demo"}} {
				args := map[string]any{}
				switch step.action {
				case "assign":
					args["assignee"] = "gca.demo"
				case "answer":
					args["answer"] = "Votre RSA a été recalculé sur vos ressources du trimestre ; le montant est juste."
				}
				resp := r.Do("POST", "/api/v1/cases/"+file.ID+"/actions/"+step.action, step.login, args)
				require.Equal(t, http.StatusOK, resp.Status, "%s: %s", step.action, resp.Body)
			}
			mails := waitForMail(t, srv, 2)
			var answer string
			for _, m := range mails {
				if strings.Contains(m.Subject, "Réponse à votre réclamation") {
					answer = strings.Join(strings.Fields(m.Body), " ")
				}
			}
			require.NotEmpty(t, answer, "the answer was sent")
			for _, want := range []string{
				"Pour contester la décision de la Caf sur votre RSA, vous devez d'abord écrire au président du conseil départemental de l'Ardèche, par un recours administratif préalable (Hôtel du Département, 07007 Privas Cedex)",
				"vous avez jusqu'au " + messages.FrenchDate(end), // two months from the notification
				"vous pourrez ensuite saisir le tribunal administratif de Lyon",
				"Gaëlle Caron Gestionnaire conseil allocataires Caf de l'Ardèche Service relation allocataires CS 70001 07007 Privas Cedex",
			} {
				assert.Contains(t, answer, want)
			}

			resp = r.Do("DELETE", path+"/rsa", "admin.demo", nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			r.Do("GET", path, "auditor.demo", nil).JSON(t, &list)
			for _, it := range list.Items {
				if it.Benefit == "rsa" {
					assert.True(t, it.National)
					assert.Equal(t, domain.NationalRecourseRoute("rsa").Body, it.Body)
				}
			}
		})
	}
}
