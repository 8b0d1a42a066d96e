package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

// parisDay is today in Paris moved by days, as YYYY-MM-DD: the day the
// service counts a date the Défenseur des droits expects from.
func parisDay(days int) string {
	return time.Now().In(calendar.Paris).AddDate(0, 0, days).Format(time.DateOnly)
}

// referralWith is a valid referral of ref for 071 with change applied.
func referralWith(ref string, change func(m map[string]any)) map[string]any {
	m := referralBody(ref, "")
	if change != nil {
		change(m)
	}
	return m
}

// referralRows counts the recorded referrals: a refused submission must
// not record its reference (testutil.Counts does not count them).
func referralRows(t *testing.T, r *testutil.Recours) int64 {
	t.Helper()
	c, err := r.Store.Contents(context.Background())
	require.NoError(t, err)
	return c.Referrals
}

// assertFieldNamed checks that a 400 testutil.Problem names field among its errors
// (each with a message); the message text itself is not part of the test.
func assertFieldNamed(t *testing.T, p testutil.Problem, field string) {
	t.Helper()
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
		assert.NotEmpty(t, e.Message, "field %s", e.Field)
	}
	assert.Contains(t, fields, field, "errors: %+v", p.Errors)
}

// refused sends a request that must be refused with status (naming field
// for a 400) and checks that nothing was written.
func refused(t *testing.T, r *testutil.Recours, login, method, path string, body any, status int, field string) testutil.Problem {
	t.Helper()
	before, refs := r.Counts(), referralRows(t, r)
	p := testutil.AssertProblem(t, r.Do(method, path, login, body), status)
	if status == http.StatusBadRequest && field != "" {
		assertFieldNamed(t, p, field)
	}
	assert.Equal(t, before, r.Counts(), "a refused request changed the store")
	assert.Equal(t, refs, referralRows(t, r), "a refused request recorded a referral")
	return p
}

// liaisons adds ddd.nopartner (a liaison in 071 tied to no organisation)
// and ddd.other (a liaison in 071 of another organisation than ddd.demo).
func liaisons(t *testing.T, r *testutil.Recours) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, r.Store.Grant(ctx, "ddd.nopartner", "Liaison sans organisation", "071", domain.RoleDDDLiaison))
	require.NoError(t, r.Store.UpsertPartner(ctx, "ddd-other", "Autre partenaire", "other-secret"))
	require.NoError(t, r.Store.Grant(ctx, "ddd.other", "Liaison d'un autre partenaire", "071", domain.RoleDDDLiaison))
	require.NoError(t, r.Store.SetPartner(ctx, "ddd.other", "ddd-other"))
	// The tests' callbacks name partner.example.org beside the demo's own.
	require.NoError(t, r.Store.SetPartnerCallbackHosts(ctx, store.DemoPartner, append([]string{"partner.example.org"}, store.DemoPartnerHosts...)))
	require.NoError(t, r.API.Authz.Reload(ctx))
}

func submitReferral(t *testing.T, r *testutil.Recours, ref string) string {
	t.Helper()
	resp := r.Do("POST", "/api/v1/referrals", "ddd.demo", referralBody(ref, ""))
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id, _ := resp.Map(t)["id"].(string)
	require.NotEmpty(t, id)
	return id
}

// TestMediationInput_Referrals: what the liaison API refuses, with the
// documented status, naming the field, and writing nothing.
func TestMediationInput_Referrals(t *testing.T) {
	r := testutil.Start(t, "")
	liaisons(t, r)
	const referrals = "/api/v1/referrals"

	t.Run("submit", func(t *testing.T) {
		tests := []struct {
			name   string
			login  string
			ref    string // the reference submitted ("" when missing)
			change func(m map[string]any)
			secure bool // with r.API.InsecureCallbacks false
			status int
			field  string
		}{
			{"missing ddd_reference", "ddd.demo", "", func(m map[string]any) { delete(m, "ddd_reference") }, false, 400, "ddd_reference"},
			{"blank ddd_reference", "ddd.demo", "", func(m map[string]any) { m["ddd_reference"] = "   " }, false, 400, "ddd_reference"},
			{"ddd_reference too long", "ddd.demo", "", func(m map[string]any) { m["ddd_reference"] = strings.Repeat("D", domain.MaxReference+1) }, false, 400, "ddd_reference"},
			{"response_expected_by in the past", "ddd.demo", "DDD-IN-PAST", func(m map[string]any) { m["response_expected_by"] = parisDay(-1) }, false, 400, "response_expected_by"},
			{"response_expected_by today", "ddd.demo", "DDD-IN-TODAY", func(m map[string]any) { m["response_expected_by"] = parisDay(0) }, false, 400, "response_expected_by"},
			{"response_expected_by malformed", "ddd.demo", "DDD-IN-MALFORMED", func(m map[string]any) {
				m["response_expected_by"] = time.Now().AddDate(0, 1, 0).Format("02/01/2006")
			}, false, 400, "response_expected_by"},
			{"response_expected_by a date-time", "ddd.demo", "DDD-IN-DATETIME", func(m map[string]any) {
				m["response_expected_by"] = time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)
			}, false, 400, "response_expected_by"},
			{"missing response_expected_by", "ddd.demo", "DDD-IN-NODATE", func(m map[string]any) { delete(m, "response_expected_by") }, false, 400, "response_expected_by"},
			{"unknown benefit", "ddd.demo", "DDD-IN-BENEFIT", func(m map[string]any) { m["benefit"] = "housing" }, false, 400, "benefit"},
			{"6-digit claimant number", "ddd.demo", "DDD-IN-NUMBER", func(m map[string]any) {
				m["claimant"].(map[string]any)["number"] = "123456"
			}, false, 400, "claimant.number"},
			{"http callback when https is required", "ddd.demo", "DDD-IN-HTTP", func(m map[string]any) {
				m["callback_url"] = "http://partner.example.org/decisions"
			}, true, 400, "callback_url"},
			{"callback not a URL", "ddd.demo", "DDD-IN-NOTURL", func(m map[string]any) { m["callback_url"] = "not a url" }, false, 400, "callback_url"},
			{"callback without host", "ddd.demo", "DDD-IN-NOHOST", func(m map[string]any) { m["callback_url"] = "https:///decisions" }, false, 400, "callback_url"},
			{"callback of another scheme", "ddd.demo", "DDD-IN-FTP", func(m map[string]any) { m["callback_url"] = "ftp://partner.example.org/decisions" }, false, 400, "callback_url"},
			{"unknown field", "ddd.demo", "DDD-IN-FIELD", func(m map[string]any) { m["priority"] = "high" }, false, 400, "priority"},
			{"by a benefits officer", "gca.demo", "DDD-IN-GCA", nil, false, 403, ""},
			{"by a mediator", "mediator.demo", "DDD-IN-MEDIATOR", nil, false, 403, ""},
			{"for a Caf where the liaison has no role", "ddd.demo", "DDD-IN-074", func(m map[string]any) { m["caf"] = "074" }, false, 403, ""},
			{"by a liaison of no organisation", "ddd.nopartner", "DDD-IN-NOPARTNER", nil, false, 403, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.secure {
					saved := r.API.Cases.InsecureCallbacks
					r.API.Cases.InsecureCallbacks = false
					defer func() { r.API.Cases.InsecureCallbacks = saved }()
				}
				body := referralWith(tt.ref, tt.change)
				refused(t, r, tt.login, "POST", referrals, body, tt.status, tt.field)
				if tt.ref != "" {
					testutil.AssertProblem(t, r.Do("GET", referrals+"/"+tt.ref, "ddd.demo", nil), http.StatusNotFound)
				}
			})
		}
	})

	t.Run("response_expected_by tomorrow is accepted", func(t *testing.T) {
		// On the API's clock held still: tomorrow stays tomorrow past midnight.
		now := time.Now()
		r.API.Cases.Now = func() time.Time { return now }
		t.Cleanup(func() { r.API.Cases.Now = nil })
		tomorrow := now.In(calendar.Paris).AddDate(0, 0, 1).Format(time.DateOnly)
		body := referralWith("DDD-IN-TOMORROW", func(m map[string]any) { m["response_expected_by"] = tomorrow })
		resp := r.Do("POST", referrals, "ddd.demo", body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	})

	// The first submission is kept: a changed body is refused, by the same
	// organisation or another, and the first file is left as it was.
	t.Run("same reference, changed body", func(t *testing.T) {
		const ref = "DDD-IN-DUP"
		id := submitReferral(t, r, ref)
		// The acknowledgment goes out on its own and meets its deadline:
		// the file is compared once that is done.
		var file testutil.Response
		require.Eventually(t, func() bool {
			file = r.Do("GET", "/api/v1/cases/"+id, "mediator.demo", nil)
			require.Equal(t, http.StatusOK, file.Status, "%s", file.Body)
			var c domain.Case
			file.JSON(t, &c)
			ack, ok := c.Deadline(domain.DeadlineAcknowledgment)
			return ok && ack.Status == domain.SLAMet
		}, 30*time.Second, 50*time.Millisecond, "the acknowledgment is sent")
		poll := r.Do("GET", referrals+"/"+ref, "ddd.demo", nil)
		require.Equal(t, http.StatusOK, poll.Status, "%s", poll.Body)

		changes := map[string]func(m map[string]any){
			"subject":              func(m map[string]any) { m["subject"] = "Un autre objet" },
			"response_expected_by": func(m map[string]any) { m["response_expected_by"] = parisDay(45) },
			"claimant":             func(m map[string]any) { m["claimant"].(map[string]any)["number"] = "7654321" },
			"callback_url":         func(m map[string]any) { m["callback_url"] = "https://partner.example.org/decisions" },
		}
		for name, change := range changes {
			t.Run(name, func(t *testing.T) {
				refused(t, r, "ddd.demo", "POST", referrals, referralWith(ref, change), http.StatusConflict, "")
			})
		}
		t.Run("same body from another organisation", func(t *testing.T) {
			refused(t, r, "ddd.other", "POST", referrals, referralBody(ref, ""), http.StatusConflict, "")
		})

		again := r.Do("GET", "/api/v1/cases/"+id, "mediator.demo", nil)
		require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
		assert.Equal(t, file.Map(t), again.Map(t), "the first file changed")
		assert.Equal(t, poll.Map(t), r.Do("GET", referrals+"/"+ref, "ddd.demo", nil).Map(t), "the referral changed")
		assert.Equal(t, "Trop-perçu d'aide au logement", again.Map(t)["subject"])

		// The same body again is the same file, still once.
		before := r.Counts()
		same := r.Do("POST", referrals, "ddd.demo", referralBody(ref, ""))
		require.Equal(t, http.StatusOK, same.Status, "%s", same.Body)
		assert.Equal(t, id, same.Map(t)["id"])
		assert.Equal(t, before.Cases, r.Counts().Cases)
	})

	// The reference is the key of /referrals/{ddd_reference}: a reference
	// the service accepts must be readable there, or be refused.
	t.Run("reference with a slash", func(t *testing.T) {
		const ref = "DDD/2026/0042"
		before, refs := r.Counts(), referralRows(t, r)
		resp := r.Do("POST", referrals, "ddd.demo", referralBody(ref, ""))
		if resp.Status != http.StatusCreated {
			assertFieldNamed(t, testutil.AssertProblem(t, resp, http.StatusBadRequest), "ddd_reference")
			assert.Equal(t, before, r.Counts())
			assert.Equal(t, refs, referralRows(t, r))
			return
		}
		got := r.Do("GET", referrals+"/"+url.PathEscape(ref), "ddd.demo", nil)
		require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
		assert.Equal(t, ref, got.Map(t)["ddd_reference"])
	})

	t.Run("read", func(t *testing.T) {
		const ref = "DDD-IN-MINE"
		submitReferral(t, r, ref)
		tests := []struct {
			name   string
			login  string
			path   string
			status int
			field  string
		}{
			{"unknown reference", "ddd.demo", referrals + "/DDD-IN-UNKNOWN", 404, ""},
			{"another organisation's reference", "ddd.other", referrals + "/" + ref, 404, ""},
			{"by a liaison of no organisation", "ddd.nopartner", referrals + "/" + ref, 403, ""},
			{"by a mediator", "mediator.demo", referrals + "/" + ref, 403, ""},
			{"updated_since=bogus", "ddd.demo", referrals + "?updated_since=bogus", 400, "updated_since"},
			{"updated_since a date only", "ddd.demo", referrals + "?updated_since=2026-01-01", 400, "updated_since"},
			{"limit=0", "ddd.demo", referrals + "?limit=0", 400, "limit"},
			{"limit=201", "ddd.demo", referrals + "?limit=201", 400, "limit"},
			{"limit=abc", "ddd.demo", referrals + "?limit=abc", 400, "limit"},
			{"cursor=bogus", "ddd.demo", referrals + "?cursor=bogus", 400, "cursor"},
			{"list by a liaison of no organisation", "ddd.nopartner", referrals, 403, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				refused(t, r, tt.login, "GET", tt.path, nil, tt.status, tt.field)
			})
		}
		t.Run("another organisation's list", func(t *testing.T) {
			var list struct{ Items []map[string]any }
			resp := r.Do("GET", referrals, "ddd.other", nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			resp.JSON(t, &list)
			assert.Empty(t, list.Items, "a liaison sees only its organisation's referrals")
		})
	})

	t.Run("follow-ups", func(t *testing.T) {
		const ref = "DDD-IN-FOLLOW"
		id := submitReferral(t, r, ref)
		path := referrals + "/" + ref + "/follow-ups"
		first := r.Do("GET", referrals+"/"+ref, "ddd.demo", nil).Map(t)
		newDate := parisDay(40)
		valid := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{"kind": "formal_notice", "response_expected_by": newDate, "note": "Mise en demeure."}
			if change != nil {
				change(m)
			}
			return m
		}
		tests := []struct {
			name   string
			login  string
			path   string
			body   map[string]any
			status int
			field  string
		}{
			{"kind bogus", "ddd.demo", path, valid(func(m map[string]any) { m["kind"] = "bogus" }), 400, "kind"},
			{"missing kind", "ddd.demo", path, valid(func(m map[string]any) { delete(m, "kind") }), 400, "kind"},
			{"response_expected_by in the past", "ddd.demo", path, valid(func(m map[string]any) { m["response_expected_by"] = parisDay(-1) }), 400, "response_expected_by"},
			{"response_expected_by today", "ddd.demo", path, valid(func(m map[string]any) { m["response_expected_by"] = parisDay(0) }), 400, "response_expected_by"},
			{"response_expected_by malformed", "ddd.demo", path, valid(func(m map[string]any) { m["response_expected_by"] = "demain" }), 400, "response_expected_by"},
			{"missing response_expected_by", "ddd.demo", path, valid(func(m map[string]any) { delete(m, "response_expected_by") }), 400, "response_expected_by"},
			{"unknown field", "ddd.demo", path, valid(func(m map[string]any) { m["priority"] = "high" }), 400, "priority"},
			{"by a mediator (no organisation)", "mediator.demo", path, valid(nil), 403, ""},
			{"by a liaison of no organisation", "ddd.nopartner", path, valid(nil), 403, ""},
			{"another organisation's reference", "ddd.other", path, valid(nil), 404, ""},
			{"unknown reference", "ddd.demo", referrals + "/DDD-IN-UNKNOWN/follow-ups", valid(nil), 404, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				refused(t, r, tt.login, "POST", tt.path, tt.body, tt.status, tt.field)
				assert.Equal(t, first, r.Do("GET", referrals+"/"+ref, "ddd.demo", nil).Map(t), "the referral changed")
			})
		}

		// Loi organique 2011-333, art. 18, 21, 25: a follow-up after the
		// decision puts the referral back in study; the next decision
		// answers it, the figures keeping the first.
		t.Run("on a decided referral", func(t *testing.T) {
			const decidedRef = "DDD-IN-DECIDED"
			decided := submitReferral(t, r, decidedRef)
			r.Act(t, "mediator.demo", decided, "admit", map[string]any{"no_court_case": true})
			r.Act(t, "mediator.demo", decided, "decide", map[string]any{"outcome": "maintained", "explanation": explanation})
			resp := r.Do("POST", referrals+"/"+decidedRef+"/follow-ups", "ddd.demo",
				map[string]any{"kind": "recommendation", "response_expected_by": parisDay(40), "note": "Réexaminer la période de janvier."})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, "in_study", resp.Map(t)["status"])
			assert.Equal(t, parisDay(40), resp.Map(t)["response_expected_by"])
			assert.Contains(t, actions(timeline(t, r, decided)), "follow_up")
			r.Act(t, "mediator.demo", decided, "decide", map[string]any{"outcome": "partly_revised", "explanation": explanation})
			var again domain.Case
			r.Do("GET", "/api/v1/cases/"+decided, "mediator.demo", nil).JSON(t, &again)
			assert.Equal(t, domain.StatusDecided, again.Status)
			require.NotNil(t, again.FirstDecision)
			require.Len(t, again.FollowUps, 1)
			assert.NotNil(t, again.FollowUps[0].AnsweredAt, "the report on the recommendations' follow-up")
		})

		t.Run("note too long", func(t *testing.T) {
			refused(t, r, "ddd.demo", "POST", path, valid(func(m map[string]any) { m["note"] = strings.Repeat("é", domain.MaxNote+1) }), 400, "note")
		})

		// Every POST accepts Idempotency-Key (API.md, Conventions).
		t.Run("repeat with the same Idempotency-Key", func(t *testing.T) {
			const keyRef = "DDD-IN-KEY"
			keyID := submitReferral(t, r, keyRef)
			body := map[string]any{"kind": "explanation_request", "response_expected_by": parisDay(35)}
			first := r.Do("POST", referrals+"/"+keyRef+"/follow-ups", "ddd.demo", body, "Idempotency-Key", "in-follow-up-1")
			require.Equal(t, http.StatusOK, first.Status, "%s", first.Body)
			after := r.Counts()
			again := r.Do("POST", referrals+"/"+keyRef+"/follow-ups", "ddd.demo", body, "Idempotency-Key", "in-follow-up-1")
			require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
			assert.Equal(t, first.Map(t)["updated_at"], again.Map(t)["updated_at"], "the repeat must return the first result")
			assert.Equal(t, after.Events, r.Counts().Events, "a repeat must change nothing")
			n := 0
			for _, a := range actions(timeline(t, r, keyID)) {
				if a == "follow_up" {
					n++
				}
			}
			assert.Equal(t, 1, n, "one follow-up recorded")
		})

		t.Run("valid follow-up moves the legal limit", func(t *testing.T) {
			resp := r.Do("POST", path, "ddd.demo", valid(nil))
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, newDate, resp.Map(t)["response_expected_by"])

			var file struct {
				ResponseExpectedBy string `json:"response_expected_by"`
				Deadlines          []struct {
					Name  string    `json:"name"`
					DueAt time.Time `json:"due_at"`
				} `json:"deadlines"`
			}
			got := r.Do("GET", "/api/v1/cases/"+id, "mediator.demo", nil)
			require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
			got.JSON(t, &file)
			assert.Equal(t, newDate, file.ResponseExpectedBy)
			i := slices.IndexFunc(file.Deadlines, func(d struct {
				Name  string    `json:"name"`
				DueAt time.Time `json:"due_at"`
			}) bool {
				return d.Name == domain.DeadlineLegal
			})
			require.GreaterOrEqual(t, i, 0, "no legal deadline: %s", got.Body)
			assert.Equal(t, newDate, file.Deadlines[i].DueAt.In(calendar.Paris).Format(time.DateOnly),
				"the legal limit is the new date (Paris): %s", file.Deadlines[i].DueAt)

			assert.Equal(t, newDate, r.Do("GET", referrals+"/"+ref, "ddd.demo", nil).Map(t)["response_expected_by"])
			require.Eventually(t, func() bool {
				for _, e := range timeline(t, r, id) {
					if e["action"] == "follow_up" {
						d, _ := e["details"].(map[string]any)
						return d["kind"] == "formal_notice" && d["response_expected_by"] == newDate
					}
				}
				return false
			}, 10*time.Second, 100*time.Millisecond, "the timeline shows the follow-up")
		})
	})
}

// TestMediationInput_Mediations: what registering and working a mediation
// refuses, and what the liaison may not see.
func TestMediationInput_Mediations(t *testing.T) {
	r := testutil.Start(t, "")
	const mediations = "/api/v1/mediations"

	// Files of claimant 1234567 in 071 (open, on time), of another
	// claimant in 071 (answered), of 1234567 in 074 (answered).
	open := createFile(t, r, "071")
	answered := func(caf string, number string) string {
		c := testutil.Complaint(caf)
		c["claimant"].(map[string]any)["number"] = number
		resp := r.Do("POST", "/api/v1/complaints", "csu.demo", c)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		id := resp.Map(t)["id"].(string)
		if caf == "071" {
			r.Act(t, "manager.demo", id, "assign", map[string]any{"assignee": "gca.demo"})
			r.Act(t, "gca.demo", id, "start", map[string]any{})
			r.Act(t, "gca.demo", id, "answer", map[string]any{"answer": "Le trop-perçu est dû : vos ressources ont été révisées."})
		}
		return id
	}
	otherClaimant := answered("071", "7654321")
	otherCaf := answered("074", "1234567")

	t.Run("register", func(t *testing.T) {
		tests := []struct {
			name   string
			login  string
			change func(m map[string]any)
			status int
			field  string
		}{
			{"unknown origin", "csu.demo", func(m map[string]any) { m["origin"] = "mayor" }, 400, "origin"},
			{"missing origin", "csu.demo", func(m map[string]any) { delete(m, "origin") }, 400, "origin"},
			{"origin defenseur_des_droits", "csu.demo", func(m map[string]any) { m["origin"] = "defenseur_des_droits" }, 400, "origin"},
			{"related_case_id of another claimant's file", "csu.demo", func(m map[string]any) { m["related_case_id"] = otherClaimant }, 400, "related_case_id"},
			{"related_case_id of a file of another Caf", "csu.demo", func(m map[string]any) { m["related_case_id"] = otherCaf }, 400, "related_case_id"},
			{"related_case_id unknown", "csu.demo", func(m map[string]any) { m["related_case_id"] = uuid.NewString() }, 400, "related_case_id"},
			{"unknown field", "csu.demo", func(m map[string]any) { m["ddd_reference"] = "DDD-1" }, 400, "ddd_reference"},
			{"by a benefits officer", "gca.demo", nil, 403, ""},
			{"by the liaison", "ddd.demo", nil, 403, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				refused(t, r, tt.login, "POST", mediations, testutil.Mediation(tt.change), tt.status, tt.field)
			})
		}

		t.Run("by the front line for 071", func(t *testing.T) {
			before := r.Counts()
			resp := r.Do("POST", mediations, "csu.demo", testutil.Mediation(func(m map[string]any) { m["related_case_id"] = open }))
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			m := resp.Map(t)
			assert.Equal(t, "mediation", m["kind"])
			assert.Equal(t, "received", m["status"])
			assert.Equal(t, "claimant", m["origin"])
			assert.Equal(t, open, m["parent_id"])
			assert.Equal(t, "/api/v1/cases/"+m["id"].(string), resp.Header.Get("Location"))
			assert.Equal(t, before.Cases+1, r.Counts().Cases)
		})
	})

	newMediation := func() string {
		resp := r.Do("POST", mediations, "csu.demo", testutil.Mediation(nil))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		return resp.Map(t)["id"].(string)
	}
	received := newMediation()
	admitted := newMediation()
	r.Act(t, "mediator.demo", admitted, "admit", map[string]any{"no_court_case": true})
	awaiting := newMediation()
	r.Act(t, "mediator.demo", awaiting, "admit", map[string]any{"no_court_case": true})
	r.Act(t, "mediator.demo", awaiting, "request_opinion", map[string]any{"service": "Service des prestations logement", "question": "Le calcul est-il juste ?"})
	court := newMediation()
	r.Act(t, "mediator.demo", court, "court_case_filed", map[string]any{"court": "Pôle social du tribunal judiciaire de Privas", "filed_on": parisDay(-3)})

	t.Run("actions", func(t *testing.T) {
		on := func(id, action string) string { return "/api/v1/cases/" + id + "/actions/" + action }
		decide := func(outcome, expl string) map[string]any {
			m := map[string]any{"outcome": outcome, "explanation": expl}
			if outcome == "" {
				delete(m, "outcome")
			}
			if expl == "" {
				delete(m, "explanation")
			}
			return m
		}
		tests := []struct {
			name   string
			login  string
			file   string
			action string
			body   map[string]any
			status int
			field  string
			state  string // the file's status, before and after
		}{
			{"decide without explanation", "mediator.demo", admitted, "decide", decide("maintained", ""), 400, "explanation", "admitted"},
			{"decide with a 20-character explanation", "mediator.demo", admitted, "decide", decide("maintained", "Décision maintenue !"), 400, "explanation", "admitted"},
			{"decide with a 49-character explanation", "mediator.demo", admitted, "decide", decide("maintained", strings.Repeat("é", domain.MinExplanation-1)), 400, "explanation", "admitted"},
			{"decide with a blank explanation", "mediator.demo", admitted, "decide", decide("maintained", strings.Repeat(" ", 60)), 400, "explanation", "admitted"},
			{"decide with outcome bogus", "mediator.demo", admitted, "decide", decide("bogus", explanation), 400, "outcome", "admitted"},
			{"decide without outcome", "mediator.demo", admitted, "decide", decide("", explanation), 400, "outcome", "admitted"},
			{"admit with no_court_case false", "mediator.demo", received, "admit", map[string]any{"no_court_case": false}, 400, "no_court_case", "received"},
			{"admit without no_court_case", "mediator.demo", received, "admit", map[string]any{}, 400, "no_court_case", "received"},
			{"admit on an unanswered, on-time complaint", "mediator.demo", received, "admit",
				map[string]any{"no_court_case": true, "prior_contact_case_id": open}, 400, "prior_contact_case_id", "received"},
			{"admit on another claimant's complaint", "mediator.demo", received, "admit",
				map[string]any{"no_court_case": true, "prior_contact_case_id": otherClaimant}, 400, "prior_contact_case_id", "received"},
			{"admit on a complaint of another Caf", "mediator.demo", received, "admit",
				map[string]any{"no_court_case": true, "prior_contact_case_id": otherCaf}, 400, "prior_contact_case_id", "received"},
			{"admit on an unknown file", "mediator.demo", received, "admit",
				map[string]any{"no_court_case": true, "prior_contact_case_id": uuid.NewString()}, 400, "prior_contact_case_id", "received"},
			{"record_opinion with an unknown opinion_id", "mediator.demo", awaiting, "record_opinion",
				map[string]any{"opinion_id": "op-99", "text": "Le calcul est juste."}, 400, "opinion_id", "awaiting_opinion"},
			{"court_case_filed in the future", "mediator.demo", received, "court_case_filed",
				map[string]any{"court": "Tribunal judiciaire de Privas", "filed_on": parisDay(2)}, 400, "filed_on", "received"},
			{"court_case_filed malformed", "mediator.demo", received, "court_case_filed",
				map[string]any{"court": "Tribunal judiciaire de Privas", "filed_on": "hier"}, 400, "filed_on", "received"},
			{"unknown argument", "mediator.demo", received, "admit",
				map[string]any{"no_court_case": true, "priority": "high"}, 400, "priority", "received"},
			{"a complaint action on a mediation", "manager.demo", received, "assign", map[string]any{"assignee": "gca.demo"}, 404, "", "received"},
			{"a system action on a mediation", "mediator.demo", received, "follow_up",
				map[string]any{"kind": "formal_notice", "response_expected_by": parisDay(30)}, 404, "", "received"},
			{"a mediation action on a complaint", "mediator.demo", open, "admit", map[string]any{"no_court_case": true}, 404, "", "open"},
			{"decide a received file", "mediator.demo", received, "decide", decide("maintained", explanation), 409, "", "received"},
			{"escalate an open, on-time complaint", "manager.demo", open, "escalate", map[string]any{"reason": "La réclamante veut une médiation."}, 409, "", "open"},
			{"a benefits officer admits", "gca.demo", received, "admit", map[string]any{"no_court_case": true}, 403, "", "received"},
			{"a manager decides", "manager.demo", admitted, "decide", decide("maintained", explanation), 403, "", "admitted"},
			{"a mediator assigns a complaint", "mediator.demo", open, "assign", map[string]any{"assignee": "gca.demo"}, 403, "", "open"},
			{"refer_to_ddd after court_case_filed", "mediator.demo", court, "refer_to_ddd", map[string]any{"ddd_reference": "DDD-IN-COURT"}, 409, "", "closed"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				refused(t, r, tt.login, "POST", on(tt.file, tt.action), tt.body, tt.status, tt.field)
				got := r.Do("GET", "/api/v1/cases/"+tt.file, "manager.demo", nil)
				require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
				assert.Equal(t, tt.state, got.Map(t)["status"], "the file's state moved")
			})
		}
	})

	// The liaison works through /referrals and never sees the files.
	t.Run("the liaison sees no file", func(t *testing.T) {
		for _, tt := range []struct{ name, path string }{
			{"a complaint", "/api/v1/cases/" + open},
			{"a mediation", "/api/v1/cases/" + received},
			{"a complaint's events", "/api/v1/cases/" + open + "/events"},
			{"the list", "/api/v1/cases"},
			{"the list of mediations", "/api/v1/cases?kind=mediation"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				refused(t, r, "ddd.demo", "GET", tt.path, nil, http.StatusForbidden, "")
			})
		}
	})
}
