package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/api"
	"recours/internal/domain"
	"recours/internal/testutil"
	"recours/web"
)

// The authorisation matrix: every endpoint of /api/v1 × every role × the
// Caf where the role is held (own: 071) or another (other: 074), then the
// object-level rules. The expectations are policies/policy.csv and the
// contract written out by hand, not computed from the implementation.

// matrixRoles are the table's columns, in order: one user per role, each
// holding it in 071 only; matrix.none holds no role at all. matrix.ddd is
// the account of a partner organisation (the Défenseur des droits
// liaison), which reaches only /api/v1/referrals*.
var matrixRoles = []struct {
	login string
	role  domain.Role // "" for none
}{
	{"matrix.csu", domain.RoleCSU},
	{"matrix.gca", domain.RoleGCA},
	{"matrix.manager", domain.RoleManager},
	{"matrix.mediator", domain.RoleMediator},
	{"matrix.ddd", domain.RoleDDDLiaison},
	{"matrix.auditor", domain.RoleAuditor},
	{"matrix.admin", domain.RoleAdmin},
	{"matrix.none", ""},
}

// matrixTable is what each role gets on each endpoint: A allowed (the
// endpoint's success status), F 403 (a role that does not allow it, or a
// Caf where the caller may not do it), N 404 (a file of a Caf where the
// caller holds no role, or a referral it may not see: indistinguishable
// from one that does not exist), - not applicable (the endpoint names no
// Caf: its "own" cells say it all).
//
// own: the file, the referral, the Caf in the body or the query, the user
// administered, is of 071, where every role is held; other: of 074.
//
// Object-level rules seen in the table: a mediator may act on mediation
// files only (every complaint action: 403); the liaison's account reaches
// /referrals* only (403 elsewhere, even for a file of another Caf, where
// another role would get 404). The others (a gca on another gca's file, a
// liaison and another partner's referral, the regional csu) have their own
// subtests below.
var matrixTable = []struct {
	endpoint   string // a key of matrixEnv.endpoints
	own, other string // csu gca manager mediator ddd auditor admin none
}{
	//                                     csu gca man med ddd aud adm none
	{"complaints.create" /*            */, "A A A F F F F F", "F F F F F F F F"},
	{"mediations.create" /*            */, "A F A A F F F F", "F F F F F F F F"},
	{"cases.list" /*                   */, "A A A A F A F F", "F F F F F F F F"},
	{"cases.get" /*                    */, "A A A A F A F N", "N N N N F N N N"},
	{"cases.events" /*                 */, "A A A A F A F N", "N N N N F N N N"},
	{"cases.messages" /*               */, "A A A A F A F N", "N N N N F N N N"},
	{"overpayments.create" /*          */, "F A A F F F F F", "F F F F F F F F"},
	{"overpayments.list" /*            */, "F A A F F A F F", "F F F F F F F F"},
	{"overpayments.get" /*             */, "F A A F F A F N", "N N N N F N N N"},
	{"overpayments.explain" /*         */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.assign" /*             */, "F F A F F F F N", "N N N N F N N N"},
	{"complaint.start" /*              */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.request_documents" /*  */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.documents_received" /* */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.answer" /*             */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.close" /*              */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.reopen" /*             */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.withdraw" /*           */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.escalate" /*           */, "F A A F F F F N", "N N N N F N N N"},
	{"complaint.correct" /*            */, "A A A F F F F N", "N N N N F N N N"},
	// A transfer to 074, where none of the matrix's users holds a role:
	// refused to the manager too (a transfer done: corrections_test.go).
	{"complaint.transfer" /*           */, "F F F F F F F N", "N N N N F N N N"},
	{"complaint.merge" /*              */, "F A A F F F F N", "N N N N F N N N"},
	{"mediation.admit" /*              */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.reorient" /*           */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.request_opinion" /*    */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.record_opinion" /*     */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.decide" /*             */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.close" /*              */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.court_case_filed" /*   */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.refer_to_ddd" /*       */, "F F F A F F F N", "N N N N F N N N"},
	{"mediation.correct" /*            */, "A F A A F F F N", "N N N N F N N N"},
	{"mediation.transfer" /*           */, "F F F F F F F N", "N N N N F N N N"},
	{"mediation.merge" /*              */, "F F A A F F F N", "N N N N F N N N"},
	{"referrals.create" /*             */, "F F F F A F F F", "F F F F F F F F"},
	{"referrals.list" /*               */, "F F F F A F F F", "- - - - - - - -"},
	{"referrals.get" /*                */, "F F F F A F F F", "F F F F N F F F"},
	{"referrals.follow_up" /*          */, "F F F F A F F F", "F F F F N F F F"},
	{"reports.summary" /*              */, "F F A F F A F F", "F F F F F F F F"},
	{"reports.annual" /*               */, "F F A F F A F F", "F F F F F F F F"},
	{"admin.imports" /*                */, "F F F F F F A F", "F F F F F F F F"},
	{"admin.users.list" /*             */, "F F F F F F A F", "- - - - - - - -"},
	{"admin.users.create" /*           */, "F F F F F F A F", "- - - - - - - -"},
	{"admin.roles.grant" /*            */, "F F F F F F A F", "F F F F F F F F"},
	{"admin.roles.revoke" /*           */, "F F F F F F A F", "F F F F F F F F"},
	{"admin.tokens.create" /*          */, "F F F F F F A F", "F F F F F F F F"},
	{"admin.tokens.list" /*            */, "F F F F F F A F", "F F F F F F F F"},
	{"admin.tokens.revoke" /*          */, "F F F F F F A F", "F F F F F F F F"},
	{"recourse.list" /*                */, "F A A A F A A F", "F F F F F F F F"},
	{"recourse.set" /*                 */, "F F F F F F A F", "F F F F F F F F"},
	{"recourse.reset" /*               */, "F F F F F F A F", "F F F F F F F F"},
	{"audit.access" /*                 */, "F F F F F A F F", "- - - - - - - -"},
	{"audit.grants" /*                 */, "F F F F F A A F", "- - - - - - - -"},
}

// The other users of the matrix: matrix.setup (manager and mediator in
// both Cafs) brings files to the state an allowed action needs; files are
// assigned to matrix.gca; matrix.gca2 is another gca of 071; matrix.ddd074
// a liaison of the same organisation in 074, matrix.ddd.other one of
// another organisation in 071; matrix.target has roles granted and
// revoked; matrix.tokenee (071) and matrix.tokenee074 have tokens made.
const (
	matrixSetup   = "matrix.setup"
	matrixPartner = "ddd-matrix"
	ownCaf        = "071"
	otherCaf      = "074"
)

var matrixTokenee = map[string]string{ownCaf: "matrix.tokenee", otherCaf: "matrix.tokenee074"}

// actionFrom is the state each complaint action is tried from when it is
// allowed, so an allowed action answers 200 (domain/actions.go's rules, by
// hand).
var actionFrom = map[string]domain.Status{
	"assign": domain.StatusOpen, "start": domain.StatusAssigned,
	"request_documents": domain.StatusInProgress, "documents_received": domain.StatusAwaitingClaimant,
	"answer": domain.StatusInProgress, "close": domain.StatusAnswered,
	"reopen": domain.StatusAnswered, "withdraw": domain.StatusOpen, "escalate": domain.StatusAnswered,
	"correct": domain.StatusOpen, "transfer": domain.StatusOpen, "merge": domain.StatusOpen,
}

// mediationFrom is the same for mediation actions.
var mediationFrom = map[string]domain.Status{
	"admit": domain.StatusReceived, "reorient": domain.StatusReceived, "court_case_filed": domain.StatusReceived,
	"request_opinion": domain.StatusAdmitted, "decide": domain.StatusAdmitted,
	"record_opinion": domain.StatusAwaitingOpinion, "close": domain.StatusDecided, "refer_to_ddd": domain.StatusDecided,
	"correct": domain.StatusReceived, "transfer": domain.StatusReceived, "merge": domain.StatusReceived,
}

// moveBody is a valid body for correct, transfer or merge (into: the file
// the duplicate is merged into), or nil for another action.
func moveBody(action, into string) map[string]any {
	switch action {
	case "correct":
		return map[string]any{"field": "subject", "value": "Objet corrigé", "reason": "Saisie à corriger."}
	case "transfer":
		return map[string]any{"caf": otherCaf, "reason": "L'allocataire relève de l'autre Caf."}
	case "merge":
		return map[string]any{"into": into, "reason": "Doublon."}
	}
	return nil
}

// actionBody is a valid body for a complaint action, assigning to assignee.
func actionBody(action, assignee string) map[string]any {
	switch action {
	case "assign":
		return map[string]any{"assignee": assignee}
	case "request_documents":
		return map[string]any{"note": "Merci d'envoyer votre dernier avis d'imposition."}
	case "answer":
		return map[string]any{"answer": "Le trop-perçu vient de la révision de vos ressources de 2024."}
	case "reopen", "withdraw", "escalate":
		return map[string]any{"reason": "À la demande de l'allocataire."}
	}
	return map[string]any{}
}

// mediationBody is a valid body for a mediation action; opinion is the
// pending opinion's id, for record_opinion.
func mediationBody(action, opinion string) map[string]any {
	switch action {
	case "admit":
		return map[string]any{"no_court_case": true}
	case "reorient":
		return map[string]any{"reason": "La demande n'a pas été précédée d'une réclamation."}
	case "request_opinion":
		return map[string]any{"service": "Service des prestations logement", "question": "Le calcul du trop-perçu est-il juste ?", "due_in_days": 10}
	case "record_opinion":
		if opinion == "" {
			opinion = uuid.NewString()
		}
		return map[string]any{"opinion_id": opinion, "text": "Le calcul est juste."}
	case "decide":
		return map[string]any{"outcome": "maintained", "explanation": strings.Repeat("La décision est maintenue au vu des ressources déclarées. ", 2)}
	case "court_case_filed":
		return map[string]any{"court": "Pôle social du tribunal judiciaire de Privas", "filed_on": time.Now().AddDate(0, 0, -2).Format(time.DateOnly)}
	case "refer_to_ddd":
		return map[string]any{"ddd_reference": "DDD-MX-" + uuid.NewString()[:8]}
	}
	return map[string]any{}
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

// mediationIn registers a mediation request in caf and brings it, as
// matrix.setup, to status; it returns the file and, once an opinion was
// asked, the pending opinion's id.
func mediationIn(t *testing.T, r *testutil.Recours, caf string, status domain.Status) (id, opinion string) {
	t.Helper()
	resp := r.Do("POST", "/api/v1/mediations", "csu.demo", testutil.Mediation(func(m map[string]any) { m["caf"] = caf }))
	require.Equal(t, http.StatusCreated, resp.Status, "mediation in %s: %s", caf, resp.Body)
	id, _ = resp.Map(t)["id"].(string)
	require.NotEmpty(t, id)
	var steps []string
	switch status {
	case domain.StatusReceived:
	case domain.StatusAdmitted:
		steps = []string{"admit"}
	case domain.StatusAwaitingOpinion:
		steps = []string{"admit", "request_opinion"}
	case domain.StatusDecided:
		steps = []string{"admit", "decide"}
	default:
		t.Fatalf("mediationIn: no path to %s", status)
	}
	var last map[string]any
	for _, a := range steps {
		resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/"+a, matrixSetup, mediationBody(a, ""))
		require.Equal(t, http.StatusOK, resp.Status, "setup %s: %s", a, resp.Body)
		last = resp.Map(t)
	}
	if status == domain.StatusAwaitingOpinion {
		opinions, _ := last["opinions"].([]any)
		require.NotEmpty(t, opinions)
		opinion, _ = opinions[0].(map[string]any)["id"].(string)
		require.NotEmpty(t, opinion)
	}
	got := r.Do("GET", "/api/v1/cases/"+id, matrixSetup, nil).Map(t)
	require.Equal(t, string(status), got["status"])
	return id, opinion
}

// matrixEnv is the matrix's Recours and the files, referrals and tokens
// its refused calls are tried on (a refusal is decided before the state
// of what it names is looked at, so they are reused).
type matrixEnv struct {
	r         *testutil.Recours
	complaint map[string]string // an open, unassigned complaint per Caf
	mediation map[string]string // a received mediation per Caf
	referral  map[string]string // a referral of matrix.ddd's organisation per Caf
	token     map[string]uint   // a token of matrix.tokenee(074) per Caf
	notice    map[string]string // a large overpayment notice per Caf
	n         int
}

// matrixEndpoint is how one endpoint of the table is called.
type matrixEndpoint struct {
	route string // the Gin route it covers
	ok    int    // the status of an allowed call; 0: any but 401, 403, 404
	// call calls the endpoint as login on what caf holds; allowed tells
	// that the cell expects success, so a fresh file in the state the
	// action needs is prepared.
	call func(t *testing.T, login, caf string, allowed bool) testutil.Response
	// unknown is the same call on what does not exist, for the N cells.
	unknown func(t *testing.T, login string) testutil.Response
	// check looks at an allowed call's answer.
	check func(t *testing.T, resp testutil.Response, caf string)
	// sameDetail: a 404 says exactly what an unknown one says (else the
	// status, type and title only).
	sameDetail bool
}

func (m *matrixEnv) fresh(prefix string) string {
	m.n++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, m.n)
}

func (m *matrixEnv) endpoints() map[string]matrixEndpoint {
	r := m.r
	ctx := context.Background()
	unknownFile := uuid.NewString()
	do := func(method, path string, body any) func(t *testing.T, login, caf string, allowed bool) testutil.Response {
		return func(t *testing.T, login, caf string, allowed bool) testutil.Response {
			return r.Do(method, strings.ReplaceAll(path, "{caf}", caf), login, body)
		}
	}
	sameCaf := func(t *testing.T, resp testutil.Response, caf string) {
		assert.Equal(t, caf, resp.Map(t)["caf"])
	}
	eps := map[string]matrixEndpoint{
		"complaints.create": {route: "POST /api/v1/complaints", ok: http.StatusCreated, check: sameCaf,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("POST", "/api/v1/complaints", login, testutil.Complaint(caf))
			}},
		"mediations.create": {route: "POST /api/v1/mediations", ok: http.StatusCreated, check: sameCaf,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("POST", "/api/v1/mediations", login, testutil.Mediation(func(b map[string]any) { b["caf"] = caf }))
			}},
		"cases.list": {route: "GET /api/v1/cases", ok: http.StatusOK,
			call: do("GET", "/api/v1/cases?limit=200&caf={caf}", nil),
			check: func(t *testing.T, resp testutil.Response, caf string) {
				var page struct{ Items []domain.Case }
				resp.JSON(t, &page)
				assert.NotEmpty(t, page.Items)
				for _, c := range page.Items {
					assert.Equal(t, caf, c.Caf, "file %s", c.ID)
				}
			}},
		"referrals.create": {route: "POST /api/v1/referrals", ok: http.StatusCreated, check: sameCaf,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				body := referralBody(m.fresh("DDD-MX"), "")
				body["caf"] = caf
				return r.Do("POST", "/api/v1/referrals", login, body)
			}},
		"referrals.list": {route: "GET /api/v1/referrals", ok: http.StatusOK, call: do("GET", "/api/v1/referrals", nil),
			check: func(t *testing.T, resp testutil.Response, _ string) {
				var page struct{ Items []api.Referral }
				resp.JSON(t, &page)
				assert.NotEmpty(t, page.Items)
			}},
		"referrals.get": {route: "GET /api/v1/referrals/:ddd_reference", ok: http.StatusOK,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("GET", "/api/v1/referrals/"+m.referral[caf], login, nil)
			},
			unknown: func(t *testing.T, login string) testutil.Response {
				return r.Do("GET", "/api/v1/referrals/DDD-MX-UNKNOWN", login, nil)
			},
			check: func(t *testing.T, resp testutil.Response, caf string) {
				assert.Equal(t, m.referral[caf], resp.Map(t)["ddd_reference"])
			}},
		"referrals.follow_up": {route: "POST /api/v1/referrals/:ddd_reference/follow-ups", ok: http.StatusOK,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("POST", "/api/v1/referrals/"+m.referral[caf]+"/follow-ups", login, followUpBody())
			},
			unknown: func(t *testing.T, login string) testutil.Response {
				return r.Do("POST", "/api/v1/referrals/DDD-MX-UNKNOWN/follow-ups", login, followUpBody())
			}},
		"reports.summary": {route: "GET /api/v1/reports/summary", ok: http.StatusOK,
			call: do("GET", "/api/v1/reports/summary?caf={caf}&from=2026-01-01&to=2026-03-31", nil)},
		"reports.annual": {route: "GET /api/v1/reports/annual", ok: http.StatusOK,
			call: do("GET", "/api/v1/reports/annual?caf={caf}&year=2026", nil),
			check: func(t *testing.T, resp testutil.Response, _ string) {
				assert.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
			}},
		// An allowed import of a file that is no export of the previous
		// system: the answer is the importer's, not a refusal.
		"admin.imports": {route: "POST /api/v1/admin/imports", ok: 0,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("POST", "/api/v1/admin/imports?caf="+caf, login, []byte("reference\n"), "Content-Type", "text/csv")
			}},
		"admin.users.list": {route: "GET /api/v1/admin/users", ok: http.StatusOK, call: do("GET", "/api/v1/admin/users", nil)},
		"admin.users.create": {route: "POST /api/v1/admin/users", ok: http.StatusCreated,
			call: func(t *testing.T, login, _ string, _ bool) testutil.Response {
				return r.Do("POST", "/api/v1/admin/users", login, map[string]any{"login": m.fresh("matrix.new"), "name": "Nouvel agent"})
			}},
		"admin.roles.grant": {route: "POST /api/v1/admin/users/:login/roles", ok: http.StatusCreated,
			call: func(t *testing.T, login, caf string, allowed bool) testutil.Response {
				if allowed {
					_ = r.Store.RevokeRole(ctx, "matrix", "matrix.target", caf, domain.RoleAuditor)
				}
				return r.Do("POST", "/api/v1/admin/users/matrix.target/roles", login, map[string]any{"caf": caf, "role": "auditor"})
			}},
		"admin.roles.revoke": {route: "DELETE /api/v1/admin/users/:login/roles/:caf/:role", ok: http.StatusNoContent,
			call: func(t *testing.T, login, caf string, allowed bool) testutil.Response {
				if allowed {
					_, err := r.Store.GrantRole(ctx, "matrix", "matrix.target", caf, domain.RoleAuditor)
					require.NoError(t, err)
				}
				return r.Do("DELETE", "/api/v1/admin/users/matrix.target/roles/"+caf+"/auditor", login, nil)
			}},
		"admin.tokens.create": {route: "POST /api/v1/admin/tokens", ok: http.StatusCreated,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				// An administrator makes tokens for itself; for another
				// user only a national administrator does (TestToken_ForAnotherUser),
				// and no one for a user of a Caf it does not administer.
				target := login
				if caf != ownCaf {
					target = matrixTokenee[caf]
				}
				return r.Do("POST", "/api/v1/admin/tokens", login, map[string]any{"login": target, "ttl": "1h", "label": "matrix"})
			},
			check: func(t *testing.T, resp testutil.Response, caf string) {
				m := resp.Map(t)
				assert.Equal(t, m["created_by"], m["login"])
			}},
		"admin.tokens.list": {route: "GET /api/v1/admin/tokens", ok: http.StatusOK,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("GET", "/api/v1/admin/tokens?login="+matrixTokenee[caf], login, nil)
			},
			check: func(t *testing.T, resp testutil.Response, _ string) {
				assert.NotContains(t, string(resp.Body), "rct_")
			}},
		"admin.tokens.revoke": {route: "DELETE /api/v1/admin/tokens/:id", ok: http.StatusNoContent,
			call: func(t *testing.T, login, caf string, allowed bool) testutil.Response {
				id := m.token[caf]
				if allowed {
					info, _, err := r.Store.IssueToken(ctx, "", matrixTokenee[caf], "matrix", time.Hour)
					require.NoError(t, err)
					id = info.ID
				}
				return r.Do("DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", id), login, nil)
			}},
		"recourse.list": {route: "GET /api/v1/admin/cafs/:caf/recourse-routes", ok: http.StatusOK,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("GET", "/api/v1/admin/cafs/"+caf+"/recourse-routes", login, nil)
			}},
		"recourse.set": {route: "PUT /api/v1/admin/cafs/:caf/recourse-routes/:benefit", ok: http.StatusOK,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("PUT", "/api/v1/admin/cafs/"+caf+"/recourse-routes/aah", login, map[string]any{
					"body": "la commission de recours amiable (CRA) de la Caf", "months": 2,
					"then": "le pôle social du tribunal judiciaire", "source": "CSS R142-1"})
			}},
		"recourse.reset": {route: "DELETE /api/v1/admin/cafs/:caf/recourse-routes/:benefit", ok: http.StatusOK,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("DELETE", "/api/v1/admin/cafs/"+caf+"/recourse-routes/aah", login, nil)
			}},
		"audit.access": {route: "GET /api/v1/audit/access", ok: http.StatusOK, call: do("GET", "/api/v1/audit/access", nil)},
		"audit.grants": {route: "GET /api/v1/audit/grants", ok: http.StatusOK, call: do("GET", "/api/v1/audit/grants", nil)},
	}

	unknownNotice := uuid.NewString()
	eps["overpayments.create"] = matrixEndpoint{route: "POST /api/v1/overpayments", ok: http.StatusCreated, check: sameCaf,
		call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
			return r.Do("POST", "/api/v1/overpayments", login, testutil.Overpayment(caf, "120.50"))
		}}
	eps["overpayments.list"] = matrixEndpoint{route: "GET /api/v1/overpayments", ok: http.StatusOK,
		call: do("GET", "/api/v1/overpayments?caf={caf}", nil),
		check: func(t *testing.T, resp testutil.Response, caf string) {
			var page struct{ Items []domain.Overpayment }
			resp.JSON(t, &page)
			assert.NotEmpty(t, page.Items)
			for _, o := range page.Items {
				assert.Equal(t, caf, o.Caf)
			}
		}}
	eps["overpayments.get"] = matrixEndpoint{route: "GET /api/v1/overpayments/:id", ok: http.StatusOK, check: sameCaf,
		call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
			return r.Do("GET", "/api/v1/overpayments/"+m.notice[caf], login, nil)
		},
		unknown: func(t *testing.T, login string) testutil.Response {
			return r.Do("GET", "/api/v1/overpayments/"+unknownNotice, login, nil)
		}}
	explain := map[string]any{"explanation": map[string]any{
		"cause": "Vos ressources de 2024 ont été revues à la hausse.", "period": "De septembre à décembre 2025 inclus.",
		"computation": "Droit recalculé à 210 € par mois au lieu de 595 €.", "contest": "Écrivez à la commission de recours amiable.",
		"repayment": "En une fois ou par retenues sur vos prochains versements.", "right_to_error": "Une erreur de bonne foi n'est jamais sanctionnée."}}
	eps["overpayments.explain"] = matrixEndpoint{route: "POST /api/v1/overpayments/:id/actions/:action", ok: http.StatusOK,
		call: func(t *testing.T, login, caf string, allowed bool) testutil.Response {
			id := m.notice[caf]
			if allowed {
				id = overpaymentIn(t, r, matrixSetup, caf)
			}
			return r.Do("POST", "/api/v1/overpayments/"+id+"/actions/explain", login, explain)
		},
		unknown: func(t *testing.T, login string) testutil.Response {
			return r.Do("POST", "/api/v1/overpayments/"+unknownNotice+"/actions/explain", login, explain)
		},
		check: func(t *testing.T, resp testutil.Response, _ string) {
			assert.NotNil(t, resp.Map(t)["explanation"])
		}}
	for name, suffix := range map[string]string{"cases.get": "", "cases.events": "/events", "cases.messages": "/messages"} {
		eps[name] = matrixEndpoint{route: "GET /api/v1/cases/:id" + suffix, ok: http.StatusOK, sameDetail: true,
			call: func(t *testing.T, login, caf string, _ bool) testutil.Response {
				return r.Do("GET", "/api/v1/cases/"+m.complaint[caf]+suffix, login, nil)
			},
			unknown: func(t *testing.T, login string) testutil.Response {
				return r.Do("GET", "/api/v1/cases/"+unknownFile+suffix, login, nil)
			},
			check: func(t *testing.T, resp testutil.Response, caf string) {
				switch suffix {
				case "":
					assert.Equal(t, caf, resp.Map(t)["caf"])
				case "/messages": // sent in the background: maybe none yet
					assert.NotNil(t, resp.Map(t)["items"])
				default:
					assert.NotEmpty(t, resp.Map(t)["items"], "the timeline holds at least the creation")
				}
			}}
	}
	for _, a := range domain.Actions(domain.KindComplaint) {
		action := string(a)
		if !domain.KindComplaint.Public(a) {
			continue
		}
		body := actionBody(action, "matrix.gca")
		eps["complaint."+action] = matrixEndpoint{route: "POST /api/v1/cases/:id/actions/:action", ok: http.StatusOK, sameDetail: true,
			call: func(t *testing.T, login, caf string, allowed bool) testutil.Response {
				id := m.complaint[caf]
				if allowed {
					// A fresh file in the state the action needs, assigned
					// to the gca (who acts on its own files).
					id = fileIn(t, r, caf, actionFrom[action], "matrix.gca")
				}
				if mb := moveBody(action, m.complaint[caf]); mb != nil {
					return r.Do("POST", "/api/v1/cases/"+id+"/actions/"+action, login, mb)
				}
				return r.Do("POST", "/api/v1/cases/"+id+"/actions/"+action, login, body)
			},
			unknown: func(t *testing.T, login string) testutil.Response {
				return r.Do("POST", "/api/v1/cases/"+unknownFile+"/actions/"+action, login, body)
			}}
	}
	for _, a := range domain.Actions(domain.KindMediation) {
		action := string(a)
		if !domain.KindMediation.Public(a) {
			continue
		}
		eps["mediation."+action] = matrixEndpoint{route: "POST /api/v1/cases/:id/actions/:action", ok: http.StatusOK, sameDetail: true,
			call: func(t *testing.T, login, caf string, allowed bool) testutil.Response {
				id, opinion := m.mediation[caf], ""
				if allowed {
					id, opinion = mediationIn(t, r, caf, mediationFrom[action])
				}
				if mb := moveBody(action, m.mediation[caf]); mb != nil {
					return r.Do("POST", "/api/v1/cases/"+id+"/actions/"+action, login, mb)
				}
				return r.Do("POST", "/api/v1/cases/"+id+"/actions/"+action, login, mediationBody(action, opinion))
			},
			unknown: func(t *testing.T, login string) testutil.Response {
				return r.Do("POST", "/api/v1/cases/"+unknownFile+"/actions/"+action, login, mediationBody(action, ""))
			}}
	}
	return eps
}

func followUpBody() map[string]any {
	return map[string]any{"kind": "explanation_request", "response_expected_by": time.Now().AddDate(0, 2, 0).Format(time.DateOnly)}
}

// cell checks one cell of the table: login calls the endpoint on what caf
// holds and gets want.
func (m *matrixEnv) cell(t *testing.T, ep matrixEndpoint, login, caf, want string) {
	before := m.r.Counts()
	resp := ep.call(t, login, caf, want == "A")
	switch want {
	case "A":
		if ep.ok == 0 {
			assert.NotContains(t, []int{401, 403, 404, 501}, resp.Status, "an allowed call refused: %s", resp.Body)
		} else {
			require.Equal(t, ep.ok, resp.Status, "%s", resp.Body)
		}
		if ep.check != nil {
			ep.check(t, resp, caf)
		}
		return
	case "F":
		testutil.AssertProblem(t, resp, http.StatusForbidden)
	case "N":
		got := testutil.AssertProblem(t, resp, http.StatusNotFound)
		require.NotNil(t, ep.unknown, "404 expected on an endpoint that names nothing")
		unknown := testutil.AssertProblem(t, ep.unknown(t, login), http.StatusNotFound)
		if !ep.sameDetail {
			got.Detail, unknown.Detail = "", ""
		}
		assert.Equal(t, unknown, got, "indistinguishable from what does not exist")
	default:
		t.Fatalf("bad expectation %q", want)
	}
	assert.Equal(t, before, m.r.Counts(), "a refused request changed the store")
}

// newMatrix starts Recours with the matrix's users, files and referrals.
func newMatrix(t *testing.T) *matrixEnv {
	r := testutil.Start(t, "")
	ctx := context.Background()
	st := r.Store
	for _, u := range matrixRoles {
		if u.role == "" {
			_, err := st.CreateUser(ctx, u.login, u.login, "", "")
			require.NoError(t, err)
			continue
		}
		require.NoError(t, st.Grant(ctx, u.login, u.login, ownCaf, u.role))
	}
	for _, caf := range []string{ownCaf, otherCaf} {
		require.NoError(t, st.Grant(ctx, matrixSetup, matrixSetup, caf, domain.RoleManager))
		require.NoError(t, st.Grant(ctx, matrixSetup, matrixSetup, caf, domain.RoleMediator))
		require.NoError(t, st.Grant(ctx, matrixTokenee[caf], matrixTokenee[caf], caf, domain.RoleAuditor))
	}
	require.NoError(t, st.Grant(ctx, "matrix.gca2", "matrix.gca2", ownCaf, domain.RoleGCA))
	require.NoError(t, st.Grant(ctx, "matrix.ddd074", "matrix.ddd074", otherCaf, domain.RoleDDDLiaison))
	require.NoError(t, st.Grant(ctx, "matrix.ddd.other", "matrix.ddd.other", ownCaf, domain.RoleDDDLiaison))
	_, err := st.CreateUser(ctx, "matrix.target", "Agent administré", "", "")
	require.NoError(t, err)
	require.NoError(t, st.UpsertPartner(ctx, matrixPartner, "Délégation de la matrice", "matrix-secret"))
	require.NoError(t, st.UpsertPartner(ctx, "ddd-matrix-other", "Autre délégation", "other-secret"))
	for login, partner := range map[string]string{"matrix.ddd": matrixPartner, "matrix.ddd074": matrixPartner, "matrix.ddd.other": "ddd-matrix-other"} {
		require.NoError(t, st.SetPartner(ctx, login, partner))
	}
	// Grants reach the policy on the next reload; do it now.
	require.NoError(t, r.API.Authz.Reload(ctx))

	m := &matrixEnv{r: r, complaint: map[string]string{}, mediation: map[string]string{},
		referral: map[string]string{}, token: map[string]uint{}, notice: map[string]string{}}
	for caf, liaison := range map[string]string{ownCaf: "matrix.ddd", otherCaf: "matrix.ddd074"} {
		m.complaint[caf] = createFile(t, r, caf)
		m.mediation[caf], _ = mediationIn(t, r, caf, domain.StatusReceived)
		ref := m.fresh("DDD-MX-" + caf)
		body := referralBody(ref, "")
		body["caf"] = caf
		resp := r.Do("POST", "/api/v1/referrals", liaison, body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		m.referral[caf] = ref
		info, _, err := st.IssueToken(ctx, "", matrixTokenee[caf], "matrix", time.Hour)
		require.NoError(t, err)
		m.token[caf] = info.ID
		m.notice[caf] = overpaymentIn(t, r, matrixSetup, caf)
	}
	return m
}

// overpaymentIn notifies a large overpayment in caf as login; it waits
// for the explanation and the call.
func overpaymentIn(t *testing.T, r *testutil.Recours, login, caf string) string {
	t.Helper()
	resp := r.Do("POST", "/api/v1/overpayments", login, testutil.Overpayment(caf, "2000"))
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id, _ := resp.Map(t)["id"].(string)
	require.NotEmpty(t, id)
	return id
}

func TestAuthzMatrix(t *testing.T) {
	m := newMatrix(t)
	r := m.r
	eps := m.endpoints()

	// The table covers every endpoint of /api/v1 (the browser's /auth/*
	// have their own tests) and every action of both kinds of file.
	t.Run("coverage", func(t *testing.T) {
		engine, ok := (&api.Server{Web: &web.Server{}}).Handler().(*gin.Engine)
		require.True(t, ok)
		covered := map[string]bool{}
		inTable := map[string]bool{}
		for _, row := range matrixTable {
			ep, ok := eps[row.endpoint]
			require.True(t, ok, "no call for %s", row.endpoint)
			covered[ep.route] = true
			inTable[row.endpoint] = true
		}
		for _, route := range engine.Routes() {
			if strings.HasPrefix(route.Path, "/api/v1/") {
				assert.True(t, covered[route.Method+" "+route.Path], "%s %s is not in the matrix", route.Method, route.Path)
			}
		}
		for name := range eps {
			assert.True(t, inTable[name], "%s has no row", name)
		}
	})

	for _, row := range matrixTable {
		ep := eps[row.endpoint]
		for _, col := range []struct{ caf, wants string }{{ownCaf, row.own}, {otherCaf, row.other}} {
			cells := strings.Fields(col.wants)
			require.Len(t, cells, len(matrixRoles), "%s %s", row.endpoint, col.caf)
			for i, u := range matrixRoles {
				if cells[i] == "-" {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/%s=%s", row.endpoint, col.caf, u.login, cells[i]), func(t *testing.T) {
					m.cell(t, ep, u.login, col.caf, cells[i])
				})
			}
		}
	}

	// Without ?caf=, a list holds the files of the Cafs the caller may
	// read and no other; a caller who may read none is refused.
	t.Run("list without caf", func(t *testing.T) {
		for login, want := range map[string][]string{
			"matrix.csu": {"071"}, "matrix.gca": {"071"}, "matrix.manager": {"071"},
			"matrix.mediator": {"071"}, "matrix.auditor": {"071"}, "matrix.setup": {"071", "074"},
			"matrix.ddd": nil, "matrix.admin": nil, "matrix.none": nil,
		} {
			resp := r.Do("GET", "/api/v1/cases?limit=200", login, nil)
			if want == nil {
				testutil.AssertProblem(t, resp, http.StatusForbidden)
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

	// A gca acts on the files assigned to them and on the unassigned files
	// of their Caf; on another gca's file, every action is refused (403:
	// the gca may read the file, so its existence is no secret), and the
	// file is unchanged. A manager acts on every file of the Caf.
	t.Run("gca only on its own or unassigned files", func(t *testing.T) {
		byState := map[domain.Status]string{}
		for _, action := range []string{"start", "request_documents", "documents_received", "answer", "close", "reopen", "withdraw", "escalate"} {
			from := actionFrom[action]
			if from == domain.StatusOpen {
				from = domain.StatusAssigned // open and assigned to another
			}
			if byState[from] == "" {
				byState[from] = fileIn(t, r, ownCaf, from, "matrix.gca2")
			}
			id := byState[from]
			before := r.Counts()
			resp := r.Do("POST", "/api/v1/cases/"+id+"/actions/"+action, "matrix.gca", actionBody(action, "matrix.gca"))
			p := testutil.AssertProblem(t, resp, http.StatusForbidden)
			assert.Contains(t, p.Detail, "attribué à un autre agent", action)
			assert.Equal(t, before, r.Counts(), "%s: refused, nothing written", action)
			assert.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/cases/"+id, "matrix.gca", nil).Status, "a gca reads every file of its Caf")
		}
		unassigned := createFile(t, r, ownCaf)
		resp := r.Do("POST", "/api/v1/cases/"+unassigned+"/actions/withdraw", "matrix.gca", actionBody("withdraw", ""))
		assert.Equal(t, http.StatusOK, resp.Status, "an unassigned file of its Caf: %s", resp.Body)
		resp = r.Do("POST", "/api/v1/cases/"+byState[domain.StatusAssigned]+"/actions/start", "matrix.manager", map[string]any{})
		assert.Equal(t, http.StatusOK, resp.Status, "a manager on another's file: %s", resp.Body)
	})

	// A mediator works mediation files, never complaints: every complaint
	// action on a complaint it may read is 403 (the table's rows), while
	// the same "close" on a mediation is allowed.
	t.Run("mediator only on mediation files", func(t *testing.T) {
		answered := fileIn(t, r, ownCaf, domain.StatusAnswered, "matrix.gca")
		testutil.AssertProblem(t, r.Do("POST", "/api/v1/cases/"+answered+"/actions/close", "matrix.mediator", map[string]any{}), http.StatusForbidden)
		decided, _ := mediationIn(t, r, ownCaf, domain.StatusDecided)
		assert.Equal(t, http.StatusOK, r.Do("POST", "/api/v1/cases/"+decided+"/actions/close", "matrix.mediator", map[string]any{}).Status)
	})

	// A liaison sees and follows up only the referrals its organisation
	// submitted: another organisation's is 404, as one that does not
	// exist, and is not in its list.
	t.Run("liaison only on its organisation's referrals", func(t *testing.T) {
		ref := m.fresh("DDD-MX-OTHER")
		resp := r.Do("POST", "/api/v1/referrals", "matrix.ddd.other", referralBody(ref, ""))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		assert.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/referrals/"+ref, "matrix.ddd.other", nil).Status)

		unknown := testutil.AssertProblem(t, r.Do("GET", "/api/v1/referrals/DDD-MX-UNKNOWN", "matrix.ddd", nil), http.StatusNotFound)
		got := testutil.AssertProblem(t, r.Do("GET", "/api/v1/referrals/"+ref, "matrix.ddd", nil), http.StatusNotFound)
		assert.Equal(t, unknown, got)
		before := r.Counts()
		got = testutil.AssertProblem(t, r.Do("POST", "/api/v1/referrals/"+ref+"/follow-ups", "matrix.ddd", followUpBody()), http.StatusNotFound)
		assert.Equal(t, unknown, got)
		assert.Equal(t, before, r.Counts())
		// The same reference again from another organisation opens nothing.
		testutil.AssertProblem(t, r.Do("POST", "/api/v1/referrals", "matrix.ddd", referralBody(ref, "")), http.StatusConflict)

		var page struct{ Items []api.Referral }
		r.Do("GET", "/api/v1/referrals?limit=200", "matrix.ddd", nil).JSON(t, &page)
		require.NotEmpty(t, page.Items)
		for _, it := range page.Items {
			assert.NotEqual(t, ref, it.DDDReference, "another organisation's referral listed")
		}
	})

	// The csu of a regional platform (csu.demo: csu in 071, 074, 042 and
	// 043) registers and reads in each Caf it serves, and in no other.
	t.Run("regional csu in each Caf it serves", func(t *testing.T) {
		for _, caf := range []string{"071", "074", "042", "043"} {
			resp := r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint(caf))
			require.Equal(t, http.StatusCreated, resp.Status, "%s: %s", caf, resp.Body)
			id, _ := resp.Map(t)["id"].(string)
			assert.Equal(t, http.StatusOK, r.Do("GET", "/api/v1/cases/"+id, "csu.demo", nil).Status, caf)
			resp = r.Do("POST", "/api/v1/mediations", "csu.demo", testutil.Mediation(func(b map[string]any) { b["caf"] = caf }))
			assert.Equal(t, http.StatusCreated, resp.Status, "%s: %s", caf, resp.Body)
			var page struct{ Items []domain.Case }
			r.Do("GET", "/api/v1/cases?caf="+caf, "csu.demo", nil).JSON(t, &page)
			assert.NotEmpty(t, page.Items, caf)
		}
		assert.ElementsMatch(t, []string{"071", "074", "042", "043"}, r.API.Authz.Cafs("csu.demo", "complaint", "create"))
		testutil.AssertProblem(t, r.Do("POST", "/api/v1/complaints", "csu.demo", testutil.Complaint("069")), http.StatusForbidden)
		assert.False(t, slices.Contains(r.API.Authz.Cafs("csu.demo", "case", "read"), "069"))
	})
}

// TestTokenRejected: no token, a bad one or an expired one is a 401 with
// WWW-Authenticate, and writes nothing.
func TestTokenRejected(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()

	expired, err := r.Store.CreateToken(ctx, "csu.demo", "expired", time.Minute)
	require.NoError(t, err)
	// The API's clock, held a minute on: the token has expired, the
	// others (an hour) have not.
	later := time.Now().Add(time.Minute)
	r.API.Cases.Now = func() time.Time { return later }

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
				testutil.AssertProblem(t, resp, http.StatusUnauthorized)
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
