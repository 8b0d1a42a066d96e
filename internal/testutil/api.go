package testutil

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Problem is a problem+json answer, as a client reads it.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// AssertProblem asserts resp is a problem document of status.
func AssertProblem(t *testing.T, resp Response, status int) Problem {
	t.Helper()
	var p Problem
	if !assert.Equal(t, status, resp.Status, "body: %s", resp.Body) {
		return p
	}
	assert.Equal(t, "application/problem+json", strings.Split(resp.Header.Get("Content-Type"), ";")[0])
	resp.JSON(t, &p)
	assert.Equal(t, status, p.Status, "the problem's status field")
	assert.NotEmpty(t, p.Title)
	assert.NotEmpty(t, p.Type)
	return p
}

// Act performs action on the file id through the API as login, which
// must answer 200, and returns the file.
func (r *Recours) Act(t *testing.T, login, id, action string, args map[string]any) map[string]any {
	t.Helper()
	resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/"+action, login, args)
	require.Equal(t, 200, resp.Status, "%s: %s", action, resp.Body)
	return resp.Map(t)
}

// Mediation is a valid mediation request of Caf 071, changed by change.
func Mediation(change func(m map[string]any)) map[string]any {
	m := map[string]any{
		"confirm_duplicate": true, // as Complaint
		"caf":               "071",
		"claimant":          map[string]any{"number": "1234567", "name": "Jeanne Martin"},
		"origin":            "claimant",
		"benefit":           "housing_aid",
		"reason":            "overpayment_not_understood",
		"subject":           "Trop-perçu d'aide au logement contesté",
		"description":       "La réclamante conteste la réponse donnée à sa réclamation.",
	}
	if change != nil {
		change(m)
	}
	return m
}

// Overpayment is a valid overpayment notice of caf for amount (euros).
func Overpayment(caf, amount string) map[string]any {
	return map[string]any{"caf": caf, "claimant": map[string]any{"number": "7654321", "name": "Paul Durand", "email": "paul.durand@example.org"},
		"benefit": "housing_aid", "period_start": "2025-09-01", "period_end": "2025-12-31", "amount": amount,
		"cause": "Vos ressources de 2024 ont été mises à jour après votre déclaration."}
}

// WaitForMessages waits until the messages of kinds about the file (or
// notice) id are sent, and returns its messages.
func (r *Recours) WaitForMessages(t *testing.T, id string, kinds ...string) []map[string]any {
	t.Helper()
	var items []map[string]any
	require.Eventually(t, func() bool {
		resp := r.Do("GET", "/api/v1/cases/"+id+"/messages", "auditor.demo", nil)
		if resp.Status != 200 {
			return false
		}
		var page struct{ Items []map[string]any }
		resp.JSON(t, &page)
		items = page.Items
		seen := map[string]bool{}
		for _, m := range items {
			if m["status"] == "sent" {
				seen[m["kind"].(string)] = true
			}
		}
		for _, k := range kinds {
			if !seen[k] {
				return false
			}
		}
		return true
	}, 20*time.Second, 50*time.Millisecond, "messages %v of %s", kinds, id)
	return items
}
