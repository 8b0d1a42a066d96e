package api_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
	"recours/internal/testutil"
)

// TestAccessTrail_EveryReadIsRecordedAndAuditorsQueryIt reads a file's
// detail and timeline as different agents: each read is in the trail with
// who, when, from where and which file, and an auditor finds them per
// file and per agent; nobody else may read the trail.
func TestAccessTrail_EveryReadIsRecordedAndAuditorsQueryIt(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r := testutil.Start(t, db.URL(t))
			created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
			require.Equal(t, 201, created.Status)
			id := created.Map(t)["id"].(string)
			other := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071")).Map(t)["id"].(string)

			require.Equal(t, 200, r.Do("GET", "/api/v1/cases/"+id, "gca.demo", nil).Status)
			require.Equal(t, 200, r.Do("GET", "/api/v1/cases/"+id+"/events", "manager.demo", nil).Status)
			require.Equal(t, 200, r.Do("GET", "/api/v1/cases/"+other, "gca.demo", nil).Status)

			var page struct {
				Items []store.AccessEntry `json:"items"`
			}
			resp := r.Do("GET", "/api/v1/audit/access?case_id="+id, "auditor.demo", nil)
			require.Equal(t, 200, resp.Status, string(resp.Body))
			resp.JSON(t, &page)
			require.Len(t, page.Items, 2, "the file's two reads")
			assert.Equal(t, "manager.demo", page.Items[0].Actor, "newest first")
			assert.Equal(t, "events", page.Items[0].What)
			assert.Equal(t, "gca.demo", page.Items[1].Actor)
			assert.Equal(t, "detail", page.Items[1].What)
			assert.Equal(t, "127.0.0.1", page.Items[1].IP)
			assert.Equal(t, "071", page.Items[1].Caf)

			r.Do("GET", "/api/v1/audit/access?actor=gca.demo", "auditor.demo", nil).JSON(t, &page)
			require.Len(t, page.Items, 2, "gca.demo's two reads")
			assert.Equal(t, other, page.Items[0].CaseID)
			// The auditor's own reads of the trail are not file reads.
			assert.Equal(t, 403, r.Do("GET", "/api/v1/audit/access", "gca.demo", nil).Status)
			assert.Equal(t, 403, r.Do("GET", "/api/v1/audit/access", "manager.demo", nil).Status)
			assert.Equal(t, 400, r.Do("GET", "/api/v1/audit/access?case_id=nope", "auditor.demo", nil).Status)

			n, broken, err := r.Store.VerifyAccessTrail(t.Context())
			require.NoError(t, err)
			assert.Equal(t, int64(3), n)
			assert.Zero(t, broken)
		})
	}
}
