package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/api"
	"recours/internal/testutil"
)

const historyHeader = "reference,kind,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n"

const history = historyHeader +
	"A-1,complaint,071,phone,housing_aid,overpayment_not_understood,,2025-01-06,2025-01-18,2025-01-20,,3\n" +
	"A-2,complaint,071,email,rsa,processing_delay,,2025-02-01,2025-02-21,,,\n" +
	"A-3,mediation,071,,housing_aid,decision_not_understood,defenseur_des_droits,2025-04-01,2025-04-25,2025-04-28,maintained,\n"

func postCSV(r *testutil.Recours, path, login, body string) testutil.Response {
	return r.Do("POST", path, login, []byte(body), "Content-Type", "text/csv; charset=utf-8")
}

func importedCount(t *testing.T, r *testutil.Recours) int64 {
	t.Helper()
	c, err := r.Store.Contents(context.Background())
	require.NoError(t, err)
	return c.ImportedCases
}

func TestImports_AdminLoadsHistoryThatManagersRead(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			r := testutil.Start(t, db.URL(t))
			resp := postCSV(r, "/api/v1/admin/imports?caf=071", "admin.demo", history)
			require.Equal(t, 200, resp.Status, string(resp.Body))
			assert.JSONEq(t, `{"read":3,"imported":3,"unchanged":0,"skipped":0,"errors":[]}`, string(resp.Body))

			row, err := r.Store.ImportedRow(context.Background(), "071", "A-1")
			require.NoError(t, err)
			got := r.Do("GET", "/api/v1/cases/"+row.ID, "manager.demo", nil)
			require.Equal(t, 200, got.Status, string(got.Body))
			file := got.Map(t)
			assert.Equal(t, "complaint", file["kind"])
			assert.Equal(t, "closed", file["status"])
			assert.Equal(t, "met", file["sla_status"])
			assert.EqualValues(t, 9, file["elapsed_days"])
			assert.EqualValues(t, 12, file["elapsed_days_raw"])
			assert.Equal(t, "2025-01-06T00:00:00Z", file["received_at"])
			assert.Contains(t, file["subject"], "A-1")

			// Read-only history: no action applies to it.
			answered, err := r.Store.ImportedRow(context.Background(), "071", "A-2")
			require.NoError(t, err)
			act := r.Do("POST", "/api/v1/cases/"+answered.ID+"/actions/close", "gca.demo", map[string]any{})
			assert.Equal(t, 409, act.Status, string(act.Body))

			// The same file again changes nothing.
			again := postCSV(r, "/api/v1/admin/imports?caf=071", "admin.demo", history)
			require.Equal(t, 200, again.Status, string(again.Body))
			assert.JSONEq(t, `{"read":3,"imported":0,"unchanged":3,"skipped":0,"errors":[]}`, string(again.Body))
			assert.EqualValues(t, 3, importedCount(t, r))
		})
	}
}

func TestImports_RefusedRequestsImportNothing(t *testing.T) {
	r := testutil.Start(t, "")
	for _, tc := range []struct {
		name, login, path, contentType string
		status                         int
	}{
		{"a benefits officer", "gca.demo", "/api/v1/admin/imports?caf=071", "text/csv", 403},
		{"a manager", "manager.demo", "/api/v1/admin/imports?caf=071", "text/csv", 403},
		{"an admin of another Caf", "admin.demo", "/api/v1/admin/imports?caf=074", "text/csv", 403},
		{"not CSV", "admin.demo", "/api/v1/admin/imports?caf=071", "text/plain", 415},
		{"JSON", "admin.demo", "/api/v1/admin/imports?caf=071", "application/json", 415},
		{"no Caf", "admin.demo", "/api/v1/admin/imports", "text/csv", 400},
		{"a bad Caf", "admin.demo", "/api/v1/admin/imports?caf=71", "text/csv", 400},
		{"a bad skip_invalid", "admin.demo", "/api/v1/admin/imports?caf=071&skip_invalid=maybe", "text/csv", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := r.Do("POST", tc.path, tc.login, []byte(history), "Content-Type", tc.contentType)
			assert.Equal(t, tc.status, resp.Status, string(resp.Body))
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		})
	}
	assert.Equal(t, 401, r.Do("POST", "/api/v1/admin/imports?caf=071", "", []byte(history), "Content-Type", "text/csv").Status)
	assert.EqualValues(t, 0, importedCount(t, r))
}

const badHistory = historyHeader +
	"B-1,complaint,071,phone,housing_aid,documents,,2025-01-06,2025-01-08,2025-01-09,,\n" + // 2 good
	"B-2,complaint,071,phone,housing_aid,documents,,2025-02-30,,2025-01-09,,\n" + // 3 wrong date
	"B-3,complaint,071,phone,rent,documents,,2025-01-06,2025-01-08,,,\n" + // 4 unknown benefit
	"B-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n" + // 5 duplicate reference
	"B-5,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-02,,,\n" + // 6 answered before received
	"B-6,complaint,071,email,rsa,documents,,2025-01-06,2025-01-10,,,\n" // 7 good

func TestImports_BadRowsAreReportedByLine(t *testing.T) {
	r := testutil.Start(t, "")
	resp := postCSV(r, "/api/v1/admin/imports?caf=071", "admin.demo", badHistory)
	require.Equal(t, 400, resp.Status, string(resp.Body))
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	p := resp.Map(t)
	assert.Contains(t, p["detail"], "4 ligne(s) invalide(s) sur 6 : rien n'a été importé")
	var fields []string
	for _, e := range p["errors"].([]any) {
		e := e.(map[string]any)
		fields = append(fields, e["field"].(string)+" : "+e["message"].(string))
	}
	require.Len(t, fields, 4)
	assert.Contains(t, fields[0], "ligne 3 : received_at : « 2025-02-30 » n'est pas une date AAAA-MM-JJ")
	assert.Contains(t, fields[1], "ligne 4 : benefit : « rent » inconnue")
	assert.Contains(t, fields[2], "ligne 5 : reference : « B-1 » en double")
	assert.Contains(t, fields[3], "ligne 6 : answered_at : antérieure à received_at")
	assert.EqualValues(t, 0, importedCount(t, r), "nothing imported")

	skip := postCSV(r, "/api/v1/admin/imports?caf=071&skip_invalid=true", "admin.demo", badHistory)
	require.Equal(t, 200, skip.Status, string(skip.Body))
	rep := skip.Map(t)
	assert.EqualValues(t, 6, rep["read"])
	assert.EqualValues(t, 2, rep["imported"])
	assert.EqualValues(t, 4, rep["skipped"])
	assert.Len(t, rep["errors"], 4)
	assert.EqualValues(t, 2, importedCount(t, r))

	missing := strings.Replace(historyHeader, "benefit,", "", 1) + "C-1,complaint,071,phone,documents,,2025-01-06,2025-01-08,,,\n"
	resp = postCSV(r, "/api/v1/admin/imports?caf=071&skip_invalid", "admin.demo", missing)
	require.Equal(t, 400, resp.Status, string(resp.Body))
	assert.Equal(t, []any{map[string]any{"field": "ligne 1", "message": "colonne manquante : benefit"}}, resp.Map(t)["errors"])
	assert.EqualValues(t, 2, importedCount(t, r))
}

// TestImports_BodyIsStreamed sends a file larger than a JSON body may be,
// chunked as it is generated: it is imported; above MaxImportBody, 413.
func TestImports_BodyIsStreamed(t *testing.T) {
	r := testutil.Start(t, "")
	const n = 20_000
	send := func() *http.Response {
		pr, pw := io.Pipe()
		go func() {
			_, _ = io.WriteString(pw, historyHeader)
			for i := range n {
				_, _ = fmt.Fprintf(pw, "S-%06d,complaint,071,online,housing_aid,documents,,2025-03-01,2025-03-%02d,2025-03-20,,\n", i, 1+i%15)
			}
			_ = pw.Close()
		}()
		req, err := http.NewRequest("POST", r.URL+"/api/v1/admin/imports?caf=071", pr)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+r.Token("admin.demo"))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}
	resp := send()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(body))
	assert.Contains(t, string(body), fmt.Sprintf(`"imported":%d`, n))
	assert.Greater(t, int64(n*80), int64(api.MaxBody), "larger than a JSON body may be")

	old := api.MaxImportBody
	api.MaxImportBody = 100 << 10
	t.Cleanup(func() { api.MaxImportBody = old })
	resp = send()
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 413, resp.StatusCode, string(body))
	assert.EqualValues(t, n, importedCount(t, r), "nothing more imported")
}

// TestImports_MalformedFileIsA400NamingTheLine: a row the CSV reader
// cannot read (a quote out of place in its first field stopped the
// server) is a 400 naming its line, and a record too large for a row one
// naming the line it begins on; nothing is imported.
func TestImports_MalformedFileIsA400NamingTheLine(t *testing.T) {
	r := testutil.Start(t, "")
	quoted := historyHeader +
		"Q-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n" +
		`Jean "Le" Dupont,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n" +
		`"Q-3,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n" +
		"Q-4,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n"
	resp := postCSV(r, "/api/v1/admin/imports?caf=071", "admin.demo", quoted)
	require.Equal(t, 400, resp.Status, string(resp.Body))
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	p := resp.Map(t)
	assert.Contains(t, p["detail"], "2 ligne(s) invalide(s) sur 3 : rien n'a été importé")
	errs := p["errors"].([]any)
	require.Len(t, errs, 2)
	first, second := errs[0].(map[string]any), errs[1].(map[string]any)
	assert.Equal(t, "ligne 3", first["field"])
	assert.Contains(t, first["message"], "guillemet mal placé dans un champ non entre guillemets")
	assert.Equal(t, "ligne 4", second["field"])
	assert.Contains(t, second["message"], "guillemet ouvert ligne 4 et mal refermé")

	long := historyHeader + "Q-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n" +
		strings.Repeat("x", 70<<10) + "\n"
	resp = postCSV(r, "/api/v1/admin/imports?caf=071&skip_invalid=true", "admin.demo", long)
	require.Equal(t, 400, resp.Status, string(resp.Body))
	errs = resp.Map(t)["errors"].([]any)
	require.Len(t, errs, 1)
	assert.Equal(t, "ligne 3", errs[0].(map[string]any)["field"])
	assert.Contains(t, errs[0].(map[string]any)["message"], "plus de 64 Kio")
	assert.EqualValues(t, 0, importedCount(t, r), "nothing imported")
}
