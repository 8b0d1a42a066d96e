package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// answeredComplaint is a complaint of caf received on a March 2021 day and
// answered days later, as imported history.
func answeredComplaint(caf string, day, days int, channel string) store.CaseRow {
	received := time.Date(2021, 3, day, 9, 0, 0, 0, calendar.Paris).UTC()
	answered := received.AddDate(0, 0, days)
	legal := received.AddDate(0, 0, 15)
	return store.CaseRow{ID: uuid.NewString(), Kind: string(domain.KindComplaint), Caf: caf,
		Status: string(domain.StatusAnswered), SLAStatus: string(domain.SLAMet), Channel: channel,
		Benefit: "housing_aid", Reason: "other", ReceivedAt: received, AnsweredAt: &answered, LegalDue: &legal,
		AckStatus: string(domain.SLAMet), ElapsedDays: &days, ElapsedDaysRaw: &days,
		Imported: true, Version: 1, Data: "{}"}
}

func TestReportSummary(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	rows := []store.CaseRow{
		answeredComplaint("071", 2, 3, "phone"), answeredComplaint("071", 3, 12, "online"),
		answeredComplaint("071", 4, 8, "online"), answeredComplaint("074", 5, 20, "desk"),
	}
	require.NoError(t, r.Store.BulkInsertCases(ctx, rows))
	require.NoError(t, r.Store.Grant(ctx, "multi.manager", "Responsable de deux Caf", "071", domain.RoleManager))
	require.NoError(t, r.Store.Grant(ctx, "multi.manager", "Responsable de deux Caf", "074", domain.RoleManager))
	require.NoError(t, r.API.Authz.Reload(ctx))
	const march = "/api/v1/reports/summary?from=2021-03-01&to=2021-03-31"

	t.Run("a manager reads its Caf's figures", func(t *testing.T) {
		resp := r.Do("GET", march+"&caf=071", "manager.demo", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
		m := resp.Map(t)
		assert.Equal(t, "071", m["caf"])
		assert.Equal(t, map[string]any{"from": "2021-02-01", "to": "2021-02-28"}, m["previous"])
		c := m["complaints"].(map[string]any)
		assert.Equal(t, 3.0, c["received"])
		assert.Equal(t, 3.0, c["handled"])
		assert.Equal(t, 66.7, c["within_10_days_pct"])
		assert.Equal(t, 100.0, c["within_15_days_pct"])
		assert.Equal(t, 8.0, c["median_days"])
		assert.Nil(t, c["handled_change_pct"], "nothing in February")
		assert.Equal(t, map[string]any{"phone": 1.0, "online": 2.0, "email": 0.0, "desk": 0.0, "letter": 0.0, "appointment": 0.0}, c["by_channel"])
		assert.Nil(t, m["mediations"].(map[string]any)["origin_pct"].(map[string]any)["claimant"])
		assert.Len(t, m["commitments"], 2)
		assert.NotContains(t, m, "per_caf")
	})

	t.Run("an auditor reads them too", func(t *testing.T) {
		resp := r.Do("GET", march+"&caf=071", "auditor.demo", nil)
		assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	})

	t.Run("csv: one long table", func(t *testing.T) {
		resp := r.Do("GET", march+"&caf=071&format=csv", "manager.demo", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename="chiffres-071-2021-03-01-2021-03-31.csv"`, resp.Header.Get("Content-Disposition"))
		records, err := csv.NewReader(bytes.NewReader(resp.Body)).ReadAll()
		require.NoError(t, err)
		assert.Equal(t, []string{"caf", "section", "figure", "key", "value"}, records[0])
		assert.Contains(t, records, []string{"071", "complaints", "handled", "", "3"})
		assert.Contains(t, records, []string{"071", "complaints", "within_10_days_pct", "", "66.7"})
		assert.Contains(t, records, []string{"071", "complaints", "handled_change_pct", "", ""})
		assert.Contains(t, records, []string{"071", "complaints", "by_channel", "online", "2"})
		assert.Contains(t, records, []string{"071", "commitments", "complaints_answered_within_15_days", "met", "true"})
	})

	t.Run("without caf: every Caf the user may read, and per Caf", func(t *testing.T) {
		resp := r.Do("GET", march, "multi.manager", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		m := resp.Map(t)
		assert.Equal(t, []any{"071", "074"}, m["cafs"])
		assert.Equal(t, 4.0, m["complaints"].(map[string]any)["handled"])
		perCaf := m["per_caf"].(map[string]any)
		assert.Equal(t, 3.0, perCaf["071"].(map[string]any)["complaints"].(map[string]any)["handled"])
		assert.Equal(t, 1.0, perCaf["074"].(map[string]any)["complaints"].(map[string]any)["handled"])

		resp = r.Do("GET", march+"&format=csv", "multi.manager", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		records, err := csv.NewReader(bytes.NewReader(resp.Body)).ReadAll()
		require.NoError(t, err)
		assert.Contains(t, records, []string{"all", "complaints", "handled", "", "4"})
		assert.Contains(t, records, []string{"074", "complaints", "handled", "", "1"})

		resp = r.Do("GET", march, "manager.demo", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, "071", resp.Map(t)["caf"], "one Caf: its figures, no per_caf")
	})

	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct{ login, query string }{
			{"gca.demo", "&caf=071"}, {"gca.demo", ""}, {"csu.demo", ""}, {"manager.demo", "&caf=074"},
		} {
			resp := r.Do("GET", march+c.query, c.login, nil)
			assert.Equal(t, http.StatusForbidden, resp.Status, "%s %s: %s", c.login, c.query, resp.Body)
		}
		assert.Equal(t, http.StatusUnauthorized, r.Do("GET", march, "", nil).Status)
	})

	t.Run("bad query: 400 naming the field", func(t *testing.T) {
		for _, c := range []struct{ query, field string }{
			{"from=2021-02-30&to=2021-03-31", "from"},
			{"from=01/03/2021&to=2021-03-31", "from"},
			{"to=2021-03-31", "from"},
			{"from=2021-03-01&to=2021-3-31", "to"},
			{"from=2021-03-01", "to"},
			{"from=2021-03-31&to=2021-03-01", "to"},
			{"from=2021-01-01&to=2024-01-01", "to"},
			{"from=2021-03-01&to=2021-03-31&caf=71", "caf"},
			{"from=2021-03-01&to=2021-03-31&format=pdf", "format"},
		} {
			resp := r.Do("GET", "/api/v1/reports/summary?"+c.query, "manager.demo", nil)
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", c.query, resp.Body)
			var p struct {
				Errors []domain.FieldError `json:"errors"`
			}
			resp.JSON(t, &p)
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			assert.Contains(t, fields, c.field, "%s: %s", c.query, resp.Body)
		}
		resp := r.Do("GET", "/api/v1/reports/summary?from=2021-01-01&to=2023-12-31&caf=071", "manager.demo", nil)
		assert.Equal(t, http.StatusOK, resp.Status, "three years, no more: %s", resp.Body)
	})
}
