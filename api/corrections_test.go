package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/testutil"
)

// TestCorrections_CorrectTransferMerge: a claimant number typed wrong is
// corrected, old and new value and reason on the timeline; a file
// registered in the wrong Caf is transferred with its deadlines, its
// managers there told, by a manager who holds a role there only; a
// duplicate is merged into the file it repeats and leaves the figures;
// each refusal changes nothing.
func TestCorrections_CorrectTransferMerge(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r := testutil.Start(t, db.URL(t))
			ctx := context.Background()
			register := func() map[string]any {
				resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
				require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
				return resp.Map(t)
			}
			today := time.Now().In(calendar.Paris).Format(time.DateOnly)
			received := func() float64 {
				var m map[string]any
				r.Do("GET", "/api/v1/reports/summary?caf=071&from="+today+"&to="+today, "manager.demo", nil).JSON(t, &m)
				return m["complaints"].(map[string]any)["received"].(float64)
			}

			first, dup := register(), register()
			id, dupID := first["id"].(string), dup["id"].(string)
			corrected := r.Act(t, "csu.demo", id, "correct", map[string]any{"field": "claimant.number", "value": "765 43 21", "reason": "Numéro mal saisi à l'accueil"})
			assert.Equal(t, "7654321", corrected["claimant"].(map[string]any)["number"])
			var correction map[string]any
			for _, e := range timeline(t, r, id) {
				if e["action"] == "correct" {
					correction = e
				}
			}
			require.NotNil(t, correction, "the correction is on the timeline")
			assert.Equal(t, map[string]any{"field": "claimant.number", "old": "1234567", "new": "7654321", "reason": "Numéro mal saisi à l'accueil"}, correction["details"])
			assert.Equal(t, "csu.demo", correction["actor"])
			bad := r.Do("POST", "/api/v1/cases/"+id+"/actions/correct", "csu.demo", map[string]any{"field": "claimant.number", "value": "76543210", "reason": "x"})
			testutil.AssertProblem(t, bad, http.StatusBadRequest)
			assert.Equal(t, http.StatusForbidden, r.Do("POST", "/api/v1/cases/"+id+"/actions/correct", "auditor.demo",
				map[string]any{"field": "subject", "value": "Autre", "reason": "x"}).Status, "an auditor corrects nothing")

			// The duplicate is the other claimant's now: no merge across claimants.
			before := received()
			refused := r.Do("POST", "/api/v1/cases/"+dupID+"/actions/merge", "manager.demo", map[string]any{"into": first["reference"], "reason": "Doublon"})
			testutil.AssertProblem(t, refused, http.StatusBadRequest)
			r.Act(t, "manager.demo", dupID, "correct", map[string]any{"field": "claimant.number", "value": "7654321", "reason": "Même allocataire"})
			merged := r.Act(t, "manager.demo", dupID, "merge", map[string]any{"into": first["reference"], "reason": "Doublon de la même réclamation"})
			assert.Equal(t, "merged", merged["status"])
			assert.Equal(t, id, merged["merged_into"])
			assert.Equal(t, before-1, received(), "a merged duplicate counts nowhere")

			// Transfer: refused where the manager holds no role, done by a
			// manager of both Cafs, with the deadlines; the other Caf's
			// managers are told, the first Caf's agents lose it.
			refusedCaf := r.Do("POST", "/api/v1/cases/"+id+"/actions/transfer", "manager.demo", map[string]any{"caf": "074", "reason": "Mauvaise Caf"})
			testutil.AssertProblem(t, refusedCaf, http.StatusForbidden)
			require.NoError(t, r.Store.Grant(ctx, "multi.manager", "Responsable de deux Caf", "071", domain.RoleManager))
			require.NoError(t, r.Store.Grant(ctx, "multi.manager", "Responsable de deux Caf", "074", domain.RoleManager))
			require.NoError(t, r.API.Authz.Reload(ctx))
			moved := r.Act(t, "multi.manager", id, "transfer", map[string]any{"caf": "074", "reason": "L'allocataire a déménagé en Ardèche"})
			assert.Equal(t, "074", moved["caf"])
			dues := func(f map[string]any) []any {
				var out []any
				for _, d := range f["deadlines"].([]any) {
					out = append(out, d.(map[string]any)["due_at"])
				}
				return out
			}
			assert.Equal(t, dues(first), dues(moved), "its deadlines go with it")
			assert.Equal(t, first["reference"], moved["reference"], "its reference is kept")
			assert.Equal(t, http.StatusNotFound, r.Do("GET", "/api/v1/cases/"+id, "gca.demo", nil).Status, "no longer the first Caf's")
			notes, err := r.Store.CaseNotifications(ctx, id)
			require.NoError(t, err)
			told := false
			for _, n := range notes {
				told = told || n.Kind == "transfer_in" && n.Caf == "074" && n.Recipient == "role:manager"
			}
			assert.True(t, told, "the managers of the Caf it reached are told")
			assert.Equal(t, before-2, received(), "it left the first Caf's figures")
		})
	}
}
