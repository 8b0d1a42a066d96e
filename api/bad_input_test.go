package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/api"
	"recours/internal/domain"
	"recours/internal/testutil"
)

// complaintWith is a valid complaint for 071 with the changes applied.
func complaintWith(change func(m map[string]any)) map[string]any {
	m := testutil.Complaint("071")
	if change != nil {
		change(m)
	}
	return m
}

func withClaimantNumber(n any) func(map[string]any) {
	return func(m map[string]any) { m["claimant"].(map[string]any)["number"] = n }
}

// TestBadInput: each refused request gets its documented status as
// problem+json, names the field at fault for a 400, and changes nothing.
func TestBadInput(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	require.NoError(t, r.Store.Grant(ctx, "bad.gca074", "GCA de Haute-Savoie", "074", domain.RoleGCA))
	require.NoError(t, r.API.Authz.Reload(ctx))

	open := createFile(t, r, "071")
	const complaints = "/api/v1/complaints"
	actions := "/api/v1/cases/" + open + "/actions/"

	oversized, err := json.Marshal(complaintWith(func(m map[string]any) {
		m["description"] = strings.Repeat("a", api.MaxBody)
	}))
	require.NoError(t, err)

	tests := []struct {
		name    string
		login   string
		method  string
		path    string
		body    any
		headers []string
		status  int
		field   string // for a 400: the field the errors must name
	}{
		// Registering a complaint.
		{"malformed JSON", "csu.demo", "POST", complaints, []byte(`{"caf": "071", "claimant": {`), nil, 400, ""},
		{"trailing data", "csu.demo", "POST", complaints,
			append(mustJSON(t, testutil.Complaint("071")), []byte(` {}`)...), nil, 400, ""},
		{"unknown field", "csu.demo", "POST", complaints,
			complaintWith(func(m map[string]any) { m["priority"] = "high" }), nil, 400, "priority"},
		{"unknown claimant field", "csu.demo", "POST", complaints,
			complaintWith(func(m map[string]any) { m["claimant"].(map[string]any)["iban"] = "FR76" }), nil, 400, "iban"},
		{"wrong channel", "csu.demo", "POST", complaints,
			complaintWith(func(m map[string]any) { m["channel"] = "fax" }), nil, 400, "channel"},
		{"wrong benefit", "csu.demo", "POST", complaints,
			complaintWith(func(m map[string]any) { m["benefit"] = "Housing_Aid" }), nil, 400, "benefit"},
		{"wrong reason", "csu.demo", "POST", complaints,
			complaintWith(func(m map[string]any) { m["reason"] = "because" }), nil, 400, "reason"},
		{"missing claimant number", "csu.demo", "POST", complaints,
			complaintWith(func(m map[string]any) { delete(m["claimant"].(map[string]any), "number") }), nil, 400, "claimant.number"},
		{"6-digit claimant number", "csu.demo", "POST", complaints, complaintWith(withClaimantNumber("123456")), nil, 400, "claimant.number"},
		{"8-digit claimant number", "csu.demo", "POST", complaints, complaintWith(withClaimantNumber("12345678")), nil, 400, "claimant.number"},
		{"letters in claimant number", "csu.demo", "POST", complaints, complaintWith(withClaimantNumber("12345AB")), nil, 400, "claimant.number"},
		{"claimant number as a JSON number", "csu.demo", "POST", complaints, complaintWith(withClaimantNumber(1234567)), nil, 400, "claimant.number"},
		{"body over 1 MiB", "csu.demo", "POST", complaints, oversized, nil, 413, ""},
		{"text/plain", "csu.demo", "POST", complaints, testutil.Complaint("071"), []string{"Content-Type", "text/plain"}, 415, ""},
		{"no content type", "csu.demo", "POST", complaints, testutil.Complaint("071"), []string{"Content-Type", ""}, 415, ""},
		{"user of another Caf registers in 071", "bad.gca074", "POST", complaints, testutil.Complaint("071"), nil, 403, ""},

		// Actions.
		{"close an open file", "manager.demo", "POST", actions + "close", map[string]any{}, nil, 409, ""},
		{"start an open file", "manager.demo", "POST", actions + "start", map[string]any{}, nil, 409, ""},
		{"unknown action", "manager.demo", "POST", actions + "approve", map[string]any{}, nil, 404, ""},
		{"unknown argument", "manager.demo", "POST", actions + "assign",
			map[string]any{"assignee": "gca.demo", "priority": "high"}, nil, 400, "priority"},
		{"argument of another action", "manager.demo", "POST", actions + "start", map[string]any{"note": "x"}, nil, 400, "note"},
		{"missing argument", "manager.demo", "POST", actions + "assign", map[string]any{}, nil, 400, "assignee"},
		{"assign to a csu of the Caf", "manager.demo", "POST", actions + "assign", map[string]any{"assignee": "csu.demo"}, nil, 400, "assignee"},
		{"assign to a gca of another Caf", "manager.demo", "POST", actions + "assign", map[string]any{"assignee": "bad.gca074"}, nil, 400, "assignee"},
		{"assign to an unknown login", "manager.demo", "POST", actions + "assign", map[string]any{"assignee": "nobody.here"}, nil, 400, "assignee"},
		{"action as text/plain", "manager.demo", "POST", actions + "assign",
			map[string]any{"assignee": "gca.demo"}, []string{"Content-Type", "text/plain"}, 415, ""},
		{"user of another Caf acts on a 071 file", "bad.gca074", "POST", actions + "withdraw", map[string]any{"reason": "x"}, nil, 404, ""},

		// Reads.
		{"user of another Caf reads a 071 file", "bad.gca074", "GET", "/api/v1/cases/" + open, nil, nil, 404, ""},
		{"user of another Caf reads its events", "bad.gca074", "GET", "/api/v1/cases/" + open + "/events", nil, nil, 404, ""},
		{"file id not a uuid", "csu.demo", "GET", "/api/v1/cases/not-a-uuid", nil, nil, 404, ""},
		{"limit=0", "csu.demo", "GET", "/api/v1/cases?limit=0", nil, nil, 400, "limit"},
		{"limit=500", "csu.demo", "GET", "/api/v1/cases?limit=500", nil, nil, 400, "limit"},
		{"limit=abc", "csu.demo", "GET", "/api/v1/cases?limit=abc", nil, nil, 400, "limit"},
		{"status=bogus", "csu.demo", "GET", "/api/v1/cases?status=bogus", nil, nil, 400, "status"},
		{"kind=bogus", "csu.demo", "GET", "/api/v1/cases?kind=bogus", nil, nil, 400, "kind"},
		{"sla_status=bogus", "csu.demo", "GET", "/api/v1/cases?sla_status=bogus", nil, nil, 400, "sla_status"},
		{"caf=71", "csu.demo", "GET", "/api/v1/cases?caf=71", nil, nil, 400, "caf"},
		{"cursor=bogus", "csu.demo", "GET", "/api/v1/cases?cursor=bogus", nil, nil, 400, "cursor"},
		{"caf not readable", "gca.demo", "GET", "/api/v1/cases?caf=074", nil, nil, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.Counts()
			resp := r.Do(tt.method, tt.path, tt.login, tt.body, tt.headers...)
			p := testutil.AssertProblem(t, resp, tt.status)
			if tt.status == http.StatusBadRequest && tt.field != "" {
				var fields []string
				for _, e := range p.Errors {
					fields = append(fields, e.Field)
					assert.NotEmpty(t, e.Message, "field %s", e.Field)
				}
				assert.Contains(t, fields, tt.field, "errors: %+v", p.Errors)
			}
			assert.Equal(t, before, r.Counts(), "a refused request changed the store")
			got := r.Do("GET", "/api/v1/cases/"+open, "manager.demo", nil).Map(t)
			assert.Equal(t, "open", got["status"], "the file's state moved")
		})
	}

	t.Run("refused action with an Idempotency-Key", func(t *testing.T) {
		before := r.Counts()
		resp := r.Do("POST", actions+"close", "manager.demo", map[string]any{}, "Idempotency-Key", "bad-close-1")
		testutil.AssertProblem(t, resp, http.StatusConflict)
		assert.Equal(t, before, r.Counts(), "a refused action records nothing, not even its key")
	})

	// A login is case-insensitive (the store lowercases it): assigning to
	// "GCA.Demo" assigns gca.demo, who can then work the file.
	t.Run("assign to a login in other case", func(t *testing.T) {
		id := createFile(t, r, "071")
		resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/assign", "manager.demo", map[string]any{"assignee": "GCA.Demo"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, "gca.demo", resp.Map(t)["assignee"])
		start := r.Do("POST", "/api/v1/cases/"+id+"/actions/start", "gca.demo", map[string]any{})
		assert.Equal(t, http.StatusOK, start.Status, "%s", start.Body)
	})

	t.Run("Idempotency-Key", func(t *testing.T) {
		first := testutil.Complaint("071")
		first["subject"] = "Idempotence : premier corps"
		second := testutil.Complaint("071")
		second["subject"] = "Idempotence : second corps"
		second["claimant"].(map[string]any)["number"] = "7654321"
		key := []string{"Idempotency-Key", "bad-input-key-1"}

		before := r.Counts()
		resp := r.Do("POST", complaints, "csu.demo", first, key...)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		id := resp.Map(t)["id"].(string)
		created := r.Counts()
		assert.Equal(t, before.Cases+1, created.Cases)
		assert.Equal(t, before.Keys+1, created.Keys)

		// Same key, another body: 409, and the second complaint is not created.
		resp = r.Do("POST", complaints, "csu.demo", second, key...)
		testutil.AssertProblem(t, resp, http.StatusConflict)
		assert.Equal(t, created, r.Counts())
		list := r.Do("GET", "/api/v1/cases?q=7654321", "csu.demo", nil)
		require.Equal(t, http.StatusOK, list.Status, "%s", list.Body)
		assert.Empty(t, list.Map(t)["items"], "the second body's complaint exists")

		// Same key, same body (even formatted otherwise): the same file, once.
		for _, body := range []any{first, indented(t, first)} {
			resp = r.Do("POST", complaints, "csu.demo", body, key...)
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			assert.Equal(t, id, resp.Map(t)["id"], "a repeat must return the first file")
			assert.Equal(t, created, r.Counts(), "a repeat must change nothing")
		}

		// The same key on another target is another request: 409.
		other := []string{"Idempotency-Key", "bad-input-key-2"}
		resp = r.Do("POST", complaints, "manager.demo", first, other...)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		mine := resp.Map(t)["id"].(string)
		created = r.Counts()
		resp = r.Do("POST", "/api/v1/cases/"+mine+"/actions/assign", "manager.demo",
			map[string]any{"assignee": "gca.demo"}, other...)
		testutil.AssertProblem(t, resp, http.StatusConflict)
		assert.Equal(t, created, r.Counts())
		got := r.Do("GET", "/api/v1/cases/"+mine, "manager.demo", nil).Map(t)
		assert.Equal(t, "open", got["status"])
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// indented is v as indented JSON: the same body, formatted otherwise.
func indented(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, mustJSON(t, v), "", "  "))
	return buf.Bytes()
}

// TestBadInput_ControlCharactersAndOverridesRefused: a text built to break
// a mail header, a log line or a page is refused in every API text field
// with the field named (line breaks only where the field has several
// lines), and nothing is written.
func TestBadInput_ControlCharactersAndOverridesRefused(t *testing.T) {
	r := testutil.Start(t, "")
	id := createFile(t, r, "071")
	before := r.Counts()
	for _, tc := range []struct {
		name, path, login string
		body              map[string]any
		field             string
	}{
		{"a name with CR LF", "/api/v1/complaints", "csu.demo", withClaimantName("Lucie\r\nBcc: tous@example.fr"), "claimant.name"},
		{"a name with NUL", "/api/v1/complaints", "csu.demo", withClaimantName("Lucie\x00Garnier"), "claimant.name"},
		{"a name with a quote and backslashes", "/api/v1/complaints", "csu.demo", withClaimantName(`Lucie "\\" Garnier`), "claimant.name"},
		{"a name read backwards", "/api/v1/complaints", "csu.demo", withClaimantName("Lucie \u202eReinrag"), "claimant.name"},
		{"a subject on two lines", "/api/v1/complaints", "csu.demo", with(testutil.Complaint("071"), "subject", "Objet\nBcc: x"), "subject"},
		{"a description with an escape", "/api/v1/complaints", "csu.demo", with(testutil.Complaint("071"), "description", "Texte \x1b[2J effacé"), "description"},
		{"a mediation's description with an isolate", "/api/v1/mediations", "csu.demo", with(testutil.Mediation(nil), "description", "Texte \u2066caché\u2069"), "description"},
		{"an action's note with a bell", "/api/v1/cases/" + id + "/actions/assign", "manager.demo", map[string]any{"assignee": "gca.demo\x07"}, "assignee"},
		{"a user's name with a line break", "/api/v1/admin/users", "admin.demo", map[string]any{"login": "agent.neuf", "name": "Agent\nNeuf"}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testutil.AssertProblem(t, r.Do("POST", tc.path, tc.login, tc.body), http.StatusBadRequest)
			require.NotEmpty(t, p.Errors, "%+v", p)
			assert.Equal(t, tc.field, p.Errors[0].Field)
		})
	}
	assert.Equal(t, before, r.Counts(), "nothing written")

	ok := with(testutil.Complaint("071"), "description", "Madame,\r\nPremière ligne.\n\tSeconde ligne, « citée » \\ comme il se doit.")
	assert.Equal(t, http.StatusCreated, r.Do("POST", "/api/v1/complaints", "csu.demo", ok).Status, "several lines where the field has them")
}

func withClaimantName(name string) map[string]any {
	body := testutil.Complaint("071")
	body["claimant"] = map[string]any{"number": "1234567", "name": name, "email": "lucie.garnier@example.org"}
	return body
}

func with(body map[string]any, field string, value any) map[string]any {
	body[field] = value
	return body
}
