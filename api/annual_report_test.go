package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/testutil"
)

// pdfText is the text of a PDF as a reader extracts it, one cell a line,
// no-break spaces made plain.
func pdfText(t *testing.T, body []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err, "the PDF does not open")
	var cells []string
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		require.NoError(t, err)
		for _, row := range rows {
			for _, w := range row.Content {
				if w.S == "" {
					continue // a font set outside any text
				}
				cells = append(cells, strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(w.S))
			}
		}
	}
	return strings.Join(cells, "\n")
}

func TestAnnualReport(t *testing.T) {
	r := testutil.Start(t, "")
	// Last year in Paris, whose history is empty.
	last := time.Now().In(calendar.Paris).Year() - 1

	t.Run("a manager gets the PDF of its Caf", func(t *testing.T) {
		for _, q := range []string{"", "&caf=071"} {
			resp := r.Do("GET", fmt.Sprintf("/api/v1/reports/annual?year=%d%s", last, q), "manager.demo", nil)
			require.Equal(t, 200, resp.Status, string(resp.Body))
			assert.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
			assert.Equal(t, fmt.Sprintf(`attachment; filename="rapport-071-%d.pdf"`, last), resp.Header.Get("Content-Disposition"))
			require.True(t, bytes.HasPrefix(resp.Body, []byte("%PDF-")), "not a PDF")
			text := pdfText(t, resp.Body)
			assert.Contains(t, text, fmt.Sprintf("Caf de l'Ardèche — %d", last))
			assert.Contains(t, text, "Réclamations reçues\n0\n")
		}
	})

	t.Run("an auditor reads it too", func(t *testing.T) {
		resp := r.Do("GET", fmt.Sprintf("/api/v1/reports/annual?year=%d&caf=071", last), "auditor.demo", nil)
		assert.Equal(t, 200, resp.Status, string(resp.Body))
	})

	t.Run("the figures come from the files", func(t *testing.T) {
		created := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("071"))
		require.Equal(t, 201, created.Status, string(created.Body))
		// The year of the day it was received in Paris, even on New Year's Eve.
		var file domain.Case
		created.JSON(t, &file)
		year := file.ReceivedAt.In(calendar.Paris).Year()
		var text string
		require.Eventually(t, func() bool {
			resp := r.Do("GET", fmt.Sprintf("/api/v1/reports/annual?year=%d&caf=071", year), "manager.demo", nil)
			require.Equal(t, 200, resp.Status, string(resp.Body))
			text = pdfText(t, resp.Body)
			return strings.Contains(text, "Réclamations reçues\n1\n")
		}, 10*time.Second, 200*time.Millisecond, "%s", text)
		assert.Contains(t, text, "Réclamations en cours au 31 décembre "+fmt.Sprint(year)+"\n1\n")
	})

	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct {
			login, query string
			status       int
		}{
			{"gca.demo", fmt.Sprintf("year=%d", last), 403},
			{"gca.demo", fmt.Sprintf("year=%d&caf=071", last), 403},
			{"manager.demo", fmt.Sprintf("year=%d&caf=074", last), 403},
			{"manager.demo", "year=abc", 400},
			{"manager.demo", "year=1999", 400},
			{"manager.demo", "", 400},
			{"manager.demo", fmt.Sprintf("year=%d&caf=71", last), 400},
			{"", fmt.Sprintf("year=%d", last), 401},
		} {
			resp := r.Do("GET", "/api/v1/reports/annual?"+c.query, c.login, nil)
			assert.Equal(t, c.status, resp.Status, "%s %s: %s", c.login, c.query, resp.Body)
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), c.query)
		}
	})
}
