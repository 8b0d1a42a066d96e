package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/testutil"
)

// matrixColumns are the endpoints of the matrix, in the order of the
// expectation strings below: create a complaint, list (?caf=), get the
// file, its events, then each complaint action.
var matrixColumns = []string{"create", "list", "get", "events",
	"assign", "start", "request_documents", "documents_received", "answer", "close", "reopen", "withdraw"}

// matrixRows is what policies/policy.csv grants, written out by hand (not
// computed from the implementation): A allowed, F 403 (a role in that Caf
// that does not allow it, or create/list in a Caf without the right),
// N 404 (no role in the file's Caf: its existence must not leak).
// Every user holds its role in 071 only, but matrix.gca074 (gca in 074 only).
var matrixRows = []struct {
	login string
	role  domain.Role
	caf   string // where the role is held
	in071 string // a complaint in 071, or caf=071 in the body or query
	in074 string // a complaint in 074 created by csu.demo, or caf=074
}{
	// Columns: create list get events   assign start request_documents
	// documents_received answer close reopen withdraw.
	{"matrix.csu", domain.RoleCSU, "071", "A A A A   F F F F F F F F", "F F N N   N N N N N N N N"},
	{"matrix.gca", domain.RoleGCA, "071", "A A A A   F A A A A A A A", "F F N N   N N N N N N N N"},
	{"matrix.manager", domain.RoleManager, "071", "A A A A   A A A A A A A A", "F F N N   N N N N N N N N"},
	{"matrix.mediator", domain.RoleMediator, "071", "F A A A   F F F F F F F F", "F F N N   N N N N N N N N"},
	{"matrix.ddd", domain.RoleDDDLiaison, "071", "F F F F   F F F F F F F F", "F F N N   N N N N N N N N"},
	{"matrix.auditor", domain.RoleAuditor, "071", "F A A A   F F F F F F F F", "F F N N   N N N N N N N N"},
	{"matrix.admin", domain.RoleAdmin, "071", "F F F F   F F F F F F F F", "F F N N   N N N N N N N N"},
	{"matrix.gca074", domain.RoleGCA, "074", "F F N N   N N N N N N N N", "A A A A   F A A A A A A A"},
}

// matrixSetup is a manager in both Cafs who brings files to the state an
// allowed action needs; matrixGCA is the benefits officer files are
// assigned to in each Caf.
const matrixSetup = "matrix.setup"

var matrixGCA = map[string]string{"071": "matrix.gca", "074": "matrix.gca074"}

// actionFrom is the state each action is tried from when it is allowed, so
// an allowed action answers 200 (domain/actions.go's rules, by hand).
var actionFrom = map[string]domain.Status{
	"assign": domain.StatusOpen, "start": domain.StatusAssigned,
	"request_documents": domain.StatusInProgress, "documents_received": domain.StatusAwaitingClaimant,
	"answer": domain.StatusInProgress, "close": domain.StatusAnswered,
	"reopen": domain.StatusAnswered, "withdraw": domain.StatusOpen,
}

// actionBody is a valid body for action, assigning to assignee.
func actionBody(action, assignee string) map[string]any {
	switch action {
	case "assign":
		return map[string]any{"assignee": assignee}
	case "request_documents":
		return map[string]any{"note": "Merci d'envoyer votre dernier avis d'imposition."}
	case "answer":
		return map[string]any{"answer": "Le trop-perçu vient de la révision de vos ressources de 2024."}
	case "reopen", "withdraw":
		return map[string]any{"reason": "À la demande de l'allocataire."}
	}
	return map[string]any{}
}

// problem is the shape of an RFC 9457 answer.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// assertProblem checks a problem+json answer of status and returns it.
func assertProblem(t *testing.T, resp testutil.Response, status int) problem {
	t.Helper()
	var p problem
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

// createFile registers a complaint in caf as csu.demo and returns its id.
func createFile(t *testing.T, r *testutil.Recours, caf string) string {
	t.Helper()
	resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint(caf))
	require.Equal(t, http.StatusCreated, resp.Status, "create in %s: %s", caf, resp.Body)
	id, _ := resp.Map(t)["id"].(string)
	require.NotEmpty(t, id)
	return id
}

// fileIn creates a complaint in caf and brings it, as matrix.setup, to
// status, assigned to assignee once past open.
func fileIn(t *testing.T, r *testutil.Recours, caf string, status domain.Status, assignee string) string {
	t.Helper()
	id := createFile(t, r, caf)
	var steps []string
	switch status {
	case domain.StatusOpen:
	case domain.StatusAssigned:
		steps = []string{"assign"}
	case domain.StatusInProgress:
		steps = []string{"assign", "start"}
	case domain.StatusAwaitingClaimant:
		steps = []string{"assign", "start", "request_documents"}
	case domain.StatusAnswered:
		steps = []string{"assign", "start", "answer"}
	default:
		t.Fatalf("fileIn: no path to %s", status)
	}
	for _, a := range steps {
		resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/"+a, matrixSetup, actionBody(a, assignee))
		require.Equal(t, http.StatusOK, resp.Status, "setup %s: %s", a, resp.Body)
	}
	got := r.Do("GET", "/api/v1/cases/"+id, matrixSetup, nil).Map(t)
	require.Equal(t, string(status), got["status"])
	return id
}

func TestAuthzMatrix(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	for _, row := range matrixRows {
		require.NoError(t, r.Store.Grant(ctx, row.login, row.login, row.caf, row.role))
	}
	for _, caf := range []string{"071", "074"} {
		require.NoError(t, r.Store.Grant(ctx, matrixSetup, matrixSetup, caf, domain.RoleManager))
	}
	// Grants reach the policy on the next reload (every 30 s); do it now.
	require.NoError(t, r.API.Authz.Reload(ctx))

	// One open file per Caf for the reads and the refusals, which are
	// decided before the file's state is looked at.
	probe := map[string]string{"071": createFile(t, r, "071"), "074": createFile(t, r, "074")}
	unknown := uuid.NewString()

	for _, row := range matrixRows {
		for _, col := range []struct{ caf, wants string }{{"071", row.in071}, {"074", row.in074}} {
			caf, cells := col.caf, strings.Fields(col.wants)
			require.Len(t, cells, len(matrixColumns), "row %s %s", row.login, caf)
			for i, endpoint := range matrixColumns {
				want := cells[i]
				t.Run(fmt.Sprintf("%s/%s/%s=%s", row.login, caf, endpoint, want), func(t *testing.T) {
					matrixCell(t, r, row.login, caf, endpoint, want, probe[caf], unknown)
				})
			}
		}
	}

	// Without ?caf=, a list holds the files of the Cafs the caller may
	// read and no other; a caller who may read none is refused.
	t.Run("list without caf", func(t *testing.T) {
		for login, want := range map[string][]string{
			"matrix.csu": {"071"}, "matrix.gca": {"071"}, "matrix.manager": {"071"},
			"matrix.mediator": {"071"}, "matrix.auditor": {"071"}, "matrix.gca074": {"074"},
			"matrix.ddd": nil, "matrix.admin": nil,
		} {
			resp := r.Do("GET", "/api/v1/cases?limit=200", login, nil)
			if want == nil {
				assertProblem(t, resp, http.StatusForbidden)
				continue
			}
			require.Equal(t, http.StatusOK, resp.Status, "%s: %s", login, resp.Body)
			var page struct{ Items []domain.Case }
			resp.JSON(t, &page)
			assert.NotEmpty(t, page.Items, login)
			for _, c := range page.Items {
				assert.Contains(t, want, c.Caf, "%s sees file %s of Caf %s", login, c.ID, c.Caf)
			}
		}
	})
}

// matrixCell checks one cell: login calls endpoint in caf and gets want.
func matrixCell(t *testing.T, r *testutil.Recours, login, caf, endpoint, want, probe, unknown string) {
	before := r.Counts()
	var resp testutil.Response
	var unknownResp func() testutil.Response // the same call on a file that does not exist
	switch endpoint {
	case "create":
		resp = r.Do("POST", "/api/v1/complaints", login, testutil.Complaint(caf))
		if want == "A" {
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			assert.Equal(t, caf, resp.Map(t)["caf"])
			return
		}
	case "list":
		resp = r.Do("GET", "/api/v1/cases?limit=200&caf="+caf, login, nil)
		if want == "A" {
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var page struct{ Items []domain.Case }
			resp.JSON(t, &page)
			assert.NotEmpty(t, page.Items)
			for _, c := range page.Items {
				assert.Equal(t, caf, c.Caf, "file %s", c.ID)
			}
			return
		}
	case "get", "events":
		suffix := map[string]string{"get": "", "events": "/events"}[endpoint]
		resp = r.Do("GET", "/api/v1/cases/"+probe+suffix, login, nil)
		unknownResp = func() testutil.Response { return r.Do("GET", "/api/v1/cases/"+unknown+suffix, login, nil) }
		if want == "A" {
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			m := resp.Map(t)
			if endpoint == "get" {
				assert.Equal(t, probe, m["id"])
				assert.Equal(t, caf, m["caf"])
			} else {
				assert.NotEmpty(t, m["items"], "the timeline holds at least the creation")
			}
			return
		}
	default: // an action
		if want == "A" {
			// Bring a fresh file to the state the action needs, assigned
			// to the actor when it is a gca (who acts on its own files).
			assignee := matrixGCA[caf]
			id := fileIn(t, r, caf, actionFrom[endpoint], assignee)
			resp = r.Do("POST", "/api/v1/cases/"+id+"/actions/"+endpoint, login, actionBody(endpoint, assignee))
			assert.NotContains(t, []int{401, 403, 404}, resp.Status, "an allowed action refused: %s", resp.Body)
			assert.Equal(t, http.StatusOK, resp.Status, "from %s: %s", actionFrom[endpoint], resp.Body)
			return
		}
		body := actionBody(endpoint, matrixGCA[caf])
		resp = r.Do("POST", "/api/v1/cases/"+probe+"/actions/"+endpoint, login, body)
		unknownResp = func() testutil.Response {
			return r.Do("POST", "/api/v1/cases/"+unknown+"/actions/"+endpoint, login, body)
		}
	}

	switch want {
	case "F":
		assertProblem(t, resp, http.StatusForbidden)
	case "N":
		got := assertProblem(t, resp, http.StatusNotFound)
		// Indistinguishable from a file that does not exist.
		require.NotNil(t, unknownResp, "404 expected on a non-file endpoint")
		assert.Equal(t, assertProblem(t, unknownResp(), http.StatusNotFound), got)
	default:
		t.Fatalf("bad expectation %q", want)
	}
	assert.Equal(t, before, r.Counts(), "a refused request changed the store")
}

// TestTokenRejected: no token, a bad one or an expired one is a 401 with
// WWW-Authenticate, and writes nothing.
func TestTokenRejected(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()

	expired, err := r.Store.CreateToken(ctx, "csu.demo", "expired", 10*time.Millisecond)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)

	tests := []struct {
		name          string
		authorization string // "" for no header
	}{
		{"no token", ""},
		{"empty bearer", "Bearer "},
		{"other scheme", "Basic Y3N1LmRlbW86ZGVtbw=="},
		{"bad token", "Bearer rct_" + strings.Repeat("A", 43)},
		{"not a recours token", "Bearer not-a-token"},
		{"expired token", "Bearer " + expired},
	}
	requests := []struct{ method, path string }{
		{"GET", "/api/v1/cases"},
		{"POST", "/api/v1/complaints"},
	}
	for _, tt := range tests {
		for _, req := range requests {
			t.Run(tt.name+"/"+req.method+" "+req.path, func(t *testing.T) {
				var headers []string
				if tt.authorization != "" {
					headers = []string{"Authorization", tt.authorization}
				}
				var body any
				if req.method == "POST" {
					body = testutil.Complaint("071")
				}
				before := r.Counts()
				resp := r.Do(req.method, req.path, "", body, headers...)
				assertProblem(t, resp, http.StatusUnauthorized)
				assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"),
					"WWW-Authenticate: %q", resp.Header.Get("WWW-Authenticate"))
				assert.Equal(t, before, r.Counts())
			})
		}
	}

	// The same user with a valid token gets in: the 401s are the token's.
	t.Run("valid token", func(t *testing.T) {
		resp := r.Do("GET", "/api/v1/cases", "csu.demo", nil)
		assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	})
}
