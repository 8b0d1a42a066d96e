package api_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/api"
	"recours/internal/domain"
	"recours/internal/testutil"
	"recours/web"
)

// loadDocument loads and validates an OpenAPI document with kin-openapi.
func loadDocument(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(loader.Context))
	return doc
}

func checkedInDocument(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	return data
}

// openAPIPath turns a Gin route (/cases/:id) into an OpenAPI path template
// (/cases/{id}).
func openAPIPath(route string) string {
	segs := strings.Split(route, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// TestOpenAPI_EveryRouteIsDocumentedAndTheReverse: the router serves
// exactly the operations of the document, and the API's require the
// bearer token while the operations endpoints are public.
func TestOpenAPI_EveryRouteIsDocumentedAndTheReverse(t *testing.T) {
	engine, ok := (&api.Server{Web: &web.Server{}}).Handler().(*gin.Engine)
	require.True(t, ok, "Handler no longer returns the Gin engine: list its routes another way")
	served := map[string]bool{}
	for _, r := range engine.Routes() {
		if r.Path == "/" || strings.HasPrefix(r.Path, "/ui/") {
			continue // the agents' HTML pages are not part of the partners' contract
		}
		served[r.Method+" "+openAPIPath(r.Path)] = true
	}
	doc := loadDocument(t, checkedInDocument(t))
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			documented[method+" "+path] = true
			secured := op.Security != nil && len(*op.Security) > 0
			assert.Equal(t, strings.HasPrefix(path, "/api/v1/"), secured, "%s %s: bearerAuth exactly on /api/v1", method, path)
		}
	}
	require.NotEmpty(t, served)
	for route := range served {
		assert.True(t, documented[route], "%s is served but not in openapi.json", route)
	}
	for op := range documented {
		assert.True(t, served[op], "%s is in openapi.json but not served", op)
	}
}

// TestOpenAPI_DocumentIsServed: GET /api/openapi.json, public, answers the
// checked-in document, which kin-openapi validates.
func TestOpenAPI_DocumentIsServed(t *testing.T) {
	h := (&api.Server{Web: &web.Server{}}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", strings.Split(rec.Header().Get("Content-Type"), ";")[0])
	assert.JSONEq(t, string(checkedInDocument(t)), rec.Body.String())
	doc := loadDocument(t, rec.Body.Bytes())
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	assert.Equal(t, "Recours API", doc.Info.Title)
	assert.Equal(t, "1", doc.Info.Version)
}

// TestOpenAPI_VocabulariesMatchTheDomain: the document's enumerations are
// the domain's vocabularies, so that validation refuses exactly what the
// handlers would.
func TestOpenAPI_VocabulariesMatchTheDomain(t *testing.T) {
	doc := loadDocument(t, checkedInDocument(t))
	strs := func(vs []any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.(string))
		}
		return out
	}
	enum := func(name string) []string {
		s := doc.Components.Schemas[name]
		require.NotNil(t, s, "schema %s", name)
		return strs(s.Value.Enum)
	}
	words := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			switch v := v.(type) {
			case []domain.Channel:
				for _, w := range v {
					out = append(out, string(w))
				}
			case []domain.Benefit:
				for _, w := range v {
					out = append(out, string(w))
				}
			case []domain.Reason:
				for _, w := range v {
					out = append(out, string(w))
				}
			case []domain.Origin:
				for _, w := range v {
					out = append(out, string(w))
				}
			case []domain.SLAStatus:
				for _, w := range v {
					out = append(out, string(w))
				}
			case []domain.Status:
				for _, w := range v {
					if !slices.Contains(out, string(w)) {
						out = append(out, string(w))
					}
				}
			case []string:
				out = append(out, v...)
			}
		}
		return out
	}
	assert.Equal(t, words(domain.Channels), enum("Channel"))
	assert.Equal(t, words(domain.Benefits), enum("Benefit"))
	assert.Equal(t, words(domain.Reasons), enum("Reason"))
	assert.Equal(t, words(domain.Origins), enum("Origin"))
	assert.Equal(t, domain.Outcomes, enum("Outcome"))
	assert.Equal(t, words(domain.SLAStatuses), enum("SLAStatus"))
	assert.ElementsMatch(t, words(domain.ComplaintStatuses, domain.MediationStatuses), enum("Status"))
	assert.Equal(t, domain.FollowUpKinds, strs(doc.Components.Schemas["FollowUp"].Value.Properties["kind"].Value.Enum))

	var public []string
	for _, k := range []domain.Kind{domain.KindComplaint, domain.KindMediation} {
		for _, a := range domain.Actions(k) {
			if k.Public(a) && !slices.Contains(public, string(a)) {
				public = append(public, string(a))
			}
		}
	}
	inPath := strs(doc.Components.Parameters["Action"].Value.Schema.Value.Enum)
	assert.ElementsMatch(t, public, inPath, "the {action} path parameter lists the public actions")
}

// TestOpenAPI_RequestsAreValidated: the document refuses, before any
// handler, what it does not allow, naming the field, and nothing changes.
func TestOpenAPI_RequestsAreValidated(t *testing.T) {
	r := testutil.Start(t, "")
	mediation := func(change func(m map[string]any)) map[string]any {
		m := testutil.Complaint("071")
		delete(m, "channel")
		m["origin"] = "claimant"
		if change != nil {
			change(m)
		}
		return m
	}
	referral := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{
			"ddd_reference": "DDD-2026-0042", "caf": "071",
			"claimant": map[string]any{"number": "1234567"}, "benefit": "housing_aid",
			"reason": "decision_not_understood", "subject": "Refus d'aide au logement",
			"facts": "L'allocataire conteste le refus.", "response_expected_by": "2099-01-31",
		}
		if change != nil {
			change(m)
		}
		return m
	}
	unknownFile := "/api/v1/cases/" + uuid.NewString() + "/actions/"
	oversized := referral(func(m map[string]any) { m["facts"] = strings.Repeat("a", api.MaxBody) })

	tests := []struct {
		name    string
		login   string
		method  string
		path    string
		body    any
		headers []string
		status  int
		fields  []string // for a 400: the fields the errors must name
	}{
		{"unknown origin", "mediator.demo", "POST", "/api/v1/mediations",
			mediation(func(m map[string]any) { m["origin"] = "neighbour" }), nil, 400, []string{"origin"}},
		{"mediation with a channel", "mediator.demo", "POST", "/api/v1/mediations",
			mediation(func(m map[string]any) { m["channel"] = "phone" }), nil, 400, []string{"channel"}},
		{"related case not a uuid", "mediator.demo", "POST", "/api/v1/mediations",
			mediation(func(m map[string]any) { m["related_case_id"] = "42" }), nil, 400, []string{"related_case_id"}},
		{"mediation as text/plain", "mediator.demo", "POST", "/api/v1/mediations",
			mediation(nil), []string{"Content-Type", "text/plain"}, 415, nil},
		{"missing ddd_reference", "ddd.demo", "POST", "/api/v1/referrals",
			referral(func(m map[string]any) { delete(m, "ddd_reference") }), nil, 400, []string{"ddd_reference"}},
		{"referral with a bad date and callback", "ddd.demo", "POST", "/api/v1/referrals",
			referral(func(m map[string]any) {
				m["response_expected_by"] = "31/01/2099"
				m["callback_url"] = "not a url"
			}), nil, 400, []string{"response_expected_by", "callback_url"}},
		{"referral over 1 MiB", "ddd.demo", "POST", "/api/v1/referrals", oversized, nil, 413, nil},
		{"malformed referral", "ddd.demo", "POST", "/api/v1/referrals", []byte(`{"ddd_reference": `), nil, 400, nil},
		{"due_in_days 0", "mediator.demo", "POST", unknownFile + "request_opinion",
			map[string]any{"service": "Service juridique", "question": "Le trop-perçu est-il fondé ?", "due_in_days": 0}, nil, 400, []string{"due_in_days"}},
		{"due_in_days as text", "mediator.demo", "POST", unknownFile + "request_opinion",
			map[string]any{"service": "Service juridique", "question": "?", "due_in_days": "8"}, nil, 400, []string{"due_in_days"}},
		{"unknown outcome", "mediator.demo", "POST", unknownFile + "decide",
			map[string]any{"outcome": "granted", "explanation": "x"}, nil, 400, []string{"outcome"}},
		{"argument of no action", "mediator.demo", "POST", unknownFile + "decide",
			map[string]any{"linked_id": uuid.NewString()}, nil, 400, []string{"linked_id"}},
		{"follow-up of unknown kind", "ddd.demo", "POST", "/api/v1/referrals/DDD-2026-0042/follow-ups",
			map[string]any{"kind": "bogus", "response_expected_by": "2099-02-28"}, nil, 400, []string{"kind"}},
		{"follow-up without a date", "ddd.demo", "POST", "/api/v1/referrals/DDD-2026-0042/follow-ups",
			map[string]any{"kind": "formal_notice"}, nil, 400, []string{"response_expected_by"}},
		{"updated_since not a time", "ddd.demo", "GET", "/api/v1/referrals?updated_since=yesterday", nil, nil, 400, []string{"updated_since"}},
		{"referrals limit=201", "ddd.demo", "GET", "/api/v1/referrals?limit=201", nil, nil, 400, []string{"limit"}},
		{"every fault at once", "csu.demo", "POST", "/api/v1/complaints",
			complaintWith(func(m map[string]any) {
				m["channel"] = "fax"
				m["priority"] = "high"
				m["subject"] = ""
				m["claimant"].(map[string]any)["number"] = "123"
				m["claimant"].(map[string]any)["iban"] = "FR76"
			}), nil, 400, []string{"channel", "priority", "subject", "claimant.number", "iban"}},
		{"Idempotency-Key too long", "csu.demo", "POST", "/api/v1/complaints", testutil.Complaint("071"),
			[]string{"Idempotency-Key", strings.Repeat("k", 201)}, 400, []string{"Idempotency-Key"}},
		{"no token: 401 before validation", "", "POST", "/api/v1/mediations",
			mediation(func(m map[string]any) { m["origin"] = "neighbour" }), nil, 401, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.Counts()
			resp := r.Do(tt.method, tt.path, tt.login, tt.body, tt.headers...)
			p := testutil.AssertProblem(t, resp, tt.status)
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
				assert.NotEmpty(t, e.Message, "field %s", e.Field)
			}
			for _, f := range tt.fields {
				assert.Contains(t, fields, f, "errors: %+v", p.Errors)
			}
			assert.Equal(t, before, r.Counts(), "a refused request changed the store")
		})
	}

	t.Run("messages are French", func(t *testing.T) {
		resp := r.Do("POST", "/api/v1/mediations", "mediator.demo", mediation(func(m map[string]any) {
			m["origin"] = "neighbour"
			m["claimant"] = map[string]any{"number": 1234567, "email": "nobody"}
			delete(m, "subject")
		}))
		p := testutil.AssertProblem(t, resp, http.StatusBadRequest)
		got := map[string]string{}
		for _, e := range p.Errors {
			got[e.Field] = e.Message
		}
		assert.Contains(t, got["origin"], "valeur non permise")
		assert.Contains(t, got["claimant.number"], "type incorrect")
		assert.Contains(t, got["claimant.email"], "format invalide")
		assert.Equal(t, "champ obligatoire", got["subject"])
	})

	// A path the document does not allow is left to the handler: 404.
	t.Run("unknown action and id are the handler's 404", func(t *testing.T) {
		testutil.AssertProblem(t, r.Do("POST", unknownFile+"approve", "manager.demo", map[string]any{"priority": 1}), http.StatusNotFound)
		testutil.AssertProblem(t, r.Do("GET", "/api/v1/cases/not-a-uuid", "manager.demo", nil), http.StatusNotFound)
	})

	// Empty filters are no filters, as the handlers have always read them.
	t.Run("empty query parameters", func(t *testing.T) {
		resp := r.Do("GET", "/api/v1/cases?kind=&status=&caf=&sla_status=&limit=&cursor=", "csu.demo", nil)
		assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	})
}
