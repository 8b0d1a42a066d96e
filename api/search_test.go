package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/testutil"
)

// TestSearch_FindsAClaimantAndTracesEachFile: an agent finds files by the
// reference read over the phone, its last digits, a spaced claimant
// number or a name typed without accents in another order; only in the
// Cafs they may read; each file found is on the access trail, and a
// plain list names the files it showed.
func TestSearch_FindsAClaimantAndTracesEachFile(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r := testutil.Start(t, db.URL(t))
			register := func(caf, number, name string) map[string]any {
				body := testutil.Complaint(caf)
				body["claimant"] = map[string]any{"number": number, "name": name}
				resp := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
				require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
				return resp.Map(t)
			}
			helene := register("071", "7654321", "Hélène Lefèvre")
			register("071", "1111111", "Paul Durand")
			other := register("074", "7654321", "Hélène Lefèvre")
			ref := helene["reference"].(string)
			require.Regexp(t, `^071-R-\d{4}-\d{6}$`, ref)
			require.NotEqual(t, ref, other["reference"])

			search := func(login, q string) []string {
				t.Helper()
				resp := r.Do("GET", "/api/v1/cases?q="+url.QueryEscape(q), login, nil)
				require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
				var page struct{ Items []map[string]any }
				resp.JSON(t, &page)
				var ids []string
				for _, f := range page.Items {
					ids = append(ids, f["id"].(string))
				}
				return ids
			}
			id := helene["id"].(string)
			for _, q := range []string{ref, ref[len(ref)-6:], "765 43 21", "lefevre helene", "LEFÈV"} {
				assert.Equal(t, []string{id}, search("gca.demo", q), "%q, in 071 only for gca.demo", q)
			}
			assert.ElementsMatch(t, []string{id, other["id"].(string)}, search("csu.demo", "helene lefevre"), "the CSU serves both Cafs")
			assert.Empty(t, search("gca.demo", "dupont"))

			var trail struct{ Items []map[string]any }
			r.Do("GET", "/api/v1/audit/access?case_id="+id, "auditor.demo", nil).JSON(t, &trail)
			found := 0
			for _, e := range trail.Items {
				if e["what"] == "search" && e["actor"] == "gca.demo" {
					found++
				}
			}
			assert.Equal(t, 5, found, "each search that returned the file is on its trail")

			list := r.Do("GET", "/api/v1/cases?caf=071", "manager.demo", nil)
			require.Equal(t, http.StatusOK, list.Status)
			r.Do("GET", "/api/v1/audit/access?case_id="+id, "auditor.demo", nil).JSON(t, &trail)
			listed := false
			for _, e := range trail.Items {
				listed = listed || e["actor"] == "manager.demo" && e["case_id"] == ""
			}
			assert.True(t, listed, "the list's entry names the file")

			bad := r.Do("GET", "/api/v1/cases?q=martin&cursor=abc", "gca.demo", nil)
			testutil.AssertProblem(t, bad, http.StatusBadRequest)
		})
	}
}
