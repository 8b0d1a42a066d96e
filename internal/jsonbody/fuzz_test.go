package jsonbody_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"recours/internal/domain"
	"recours/internal/jsonbody"
)

// One fuzz target per body the API decodes: Decode never panics and
// refuses with EINVALID, and when it decodes, neither does what the
// handler and the service do with the value before anything is stored
// (normalisation, validation, the file or notice the value makes, the
// workflow's own check of an action and the action applied).

var now = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

// decode runs check on body decoded into a T, when it decodes.
func decode[T any](t *testing.T, body []byte, check func(T)) {
	var v T
	if err := jsonbody.Decode(body, &v); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("a body refused is EINVALID (a 400), not %v", err)
		}
		return
	}
	check(v)
}

// seed adds seeds, and what every body is tried with.
func seed(f *testing.F, seeds ...string) {
	for _, s := range append(seeds, ``, `{}`, `null`, `[]`, `{"caf":1}`, `{"nope":true}`, `{} {}`, `{"caf":"071"`) {
		f.Add([]byte(s))
	}
}

const claimant = `"claimant":{"number":"1234567","name":"Lucie Garnier","email":"lucie@example.org","phone":"06 12 34 56 78",` +
	`"address":"1 rue de la Paix\n75002 Paris","representative":{"name":"Me Roy","address":"2 rue X\n75001 Paris"}}`

func FuzzDecodeComplaint(f *testing.F) {
	seed(f, `{"caf":"071",`+claimant+`,"channel":"phone","benefit":"rsa","reason":"documents","subject":"s","description":"d"}`,
		`{"caf":"071","claimant":{"number":" 12 34 567 "},"channel":"email","benefit":"housing_aid","reason":"overpayment_not_understood",`+
			`"subject":"s","description":"d","received_at":"2026-03-01T09:00:00Z","decision_notified_on":"2026-02-01","confirm_duplicate":true}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in domain.NewComplaint) {
			in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
			if in.Validate(now) == nil {
				domain.NewComplaintCase("c", in, now, domain.DefaultPolicy())
			}
		})
	})
}

func FuzzDecodeMediation(f *testing.F) {
	seed(f, `{"caf":"071",`+claimant+`,"origin":"claimant","benefit":"rsa","reason":"documents","subject":"s","description":"d"}`,
		`{"caf":"071","claimant":{"number":"1234567"},"origin":"social_worker","benefit":"rsa","reason":"documents","subject":"s",`+
			`"description":"d","related_case_id":"x","received_at":"2026-03-01T09:00:00+01:00","decision_notified_on":"2025-12-31"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in domain.NewMediation) {
			in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
			if in.Validate(now) == nil {
				domain.NewMediationCase("m", in, now, domain.DefaultPolicy())
			}
		})
	})
}

func FuzzDecodeReferral(f *testing.F) {
	seed(f, `{"ddd_reference":"DDD-2026-0042","caf":"071",`+claimant+`,"benefit":"rsa","reason":"documents","subject":"s",`+
		`"facts":"f","response_expected_by":"2026-04-15","callback_url":"https://ddd.example.org/cb"}`,
		`{"ddd_reference":"a/b","caf":"071","claimant":{"number":"1234567"},"benefit":"rsa","reason":"documents","subject":"s",`+
			`"facts":"f","response_expected_by":"2026-02-30","callback_url":"http://[::1"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in domain.NewReferral) {
			in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
			_ = in.Validate(now, true)
			if in.Validate(now, false) == nil {
				_, _ = domain.NewReferralCase("d", in, "ddd", now, domain.DefaultPolicy())
			}
		})
	})
}

// files are a complaint and a mediation as registered: the files an
// action's arguments are checked against.
func files() []domain.Case {
	who := domain.Claimant{Number: "1234567", Name: "Lucie Garnier", Email: "lucie@example.org"}
	c := domain.NewComplaintCase("c", domain.NewComplaint{Caf: "071", Claimant: who, Channel: "phone",
		Benefit: "rsa", Reason: "documents", Subject: "s", Description: "d"}, now, domain.DefaultPolicy())
	m := domain.NewMediationCase("m", domain.NewMediation{Caf: "071", Claimant: who, Origin: "claimant",
		Benefit: "rsa", Reason: "documents", Subject: "s", Description: "d"}, now, domain.DefaultPolicy())
	return []domain.Case{c, m}
}

// FuzzDecodeActionArgs checks the arguments of every action on a new
// complaint and a new mediation as the service does (the fields, then
// their values), then as the workflow's validator does, and applies those
// it accepts.
func FuzzDecodeActionArgs(f *testing.F) {
	seed(f, `{"assignee":"gca.demo"}`, `{"reason":"doublon","field":"claimant.email","value":"a@b.fr"}`,
		`{"documents":"avis d'imposition","due_in_days":15,"note":"n"}`, `{"no_court_case":true,"prior_contact_case_id":"x"}`,
		`{"service":"juridique","question":"q","due_in_days":-1}`, `{"outcome":"maintained","explanation":"e"}`,
		`{"court":"tribunal judiciaire","filed_on":"2026-03-01"}`, `{"caf":"074","reason":"r"}`,
		`{"into":"071-R-2026-000001","reason":"r"}`, `{"kind":"formal_notice","response_expected_by":"2026-04-01"}`,
		`{"field":"received_at","value":"2026-03-01","reason":"r"}`, `{"field":"claimant.address","value":"1 rue X\n75001 Paris","reason":"r"}`)
	actor := domain.Actor{Login: "manager.demo", Roles: domain.Roles}
	registered := files()
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(args domain.ActionArgs) {
			for _, file := range registered {
				for _, a := range domain.Actions(file.Kind) {
					_ = domain.CheckFields(file.Kind, a, args)
					_ = file.ValidateArgs(now, a, args)
					c := file.Clone()
					if c.Check(now, actor, a, args) == nil {
						_, _ = c.Apply(now, actor, a, args)
					}
				}
			}
		})
	})
}

func FuzzDecodeFollowUp(f *testing.F) {
	seed(f, `{"kind":"explanation_request","response_expected_by":"2026-04-01","note":"n"}`,
		`{"kind":"formal_notice","response_expected_by":"2026-13-01"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in jsonbody.FollowUp) {
			args := in.Args()
			_ = domain.CheckFields(domain.KindMediation, domain.ActionFollowUp, args)
			_ = domain.ValidateArgs(domain.KindMediation, domain.ActionFollowUp, args, now)
		})
	})
}

const explanation = `"explanation":{"cause":"c","period":"p","computation":"x","contest":"y","repayment":"z","right_to_error":"r"}`

func FuzzDecodeOverpayment(f *testing.F) {
	seed(f, `{"caf":"071",`+claimant+`,"benefit":"rsa","period_start":"2025-01-01","period_end":"2025-06-30",`+
		`"amount":1500.5,"cause":"ressources",`+explanation+`}`,
		`{"caf":"071","claimant":{"number":"1234567"},"benefit":"rsa","period_start":"2025-01-01","period_end":"2025-06-30",`+
			`"amount":"1 500,00","cause":"c"}`,
		`{"amount":1e400}`, `{"amount":"-0.001"}`, `{"amount":null}`, `{"amount":true}`, `{"amount":"１５"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in domain.NewOverpayment) {
			if cents, err := in.Validate(now); err == nil {
				if cents <= 0 {
					t.Fatalf("an amount of %d cents accepted", cents)
				}
				domain.NewOverpaymentNotice("o", in, cents, 0, "gca.demo", now)
			}
		})
	})
}

func FuzzDecodeOverpaymentArgs(f *testing.F) {
	seed(f, `{`+explanation+`}`, `{"result":"reached","note":"n"}`, `{"result":"unknown"}`, `{"explanation":null}`)
	in := domain.NewOverpayment{Caf: "071", Claimant: domain.Claimant{Number: "1234567"}, Benefit: "rsa",
		PeriodStart: "2025-01-01", PeriodEnd: "2025-06-30", Amount: "2000", Cause: "ressources"}
	notice := domain.NewOverpaymentNotice("o", in, 200000, 0, "gca.demo", now)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(args domain.OverpaymentArgs) {
			for _, a := range []string{domain.OverpaymentExplain, domain.OverpaymentRecordCall, domain.OverpaymentSend} {
				o := notice
				_ = o.Check(a, args)
			}
		})
	})
}

func FuzzDecodeNewUser(f *testing.F) {
	seed(f, `{"login":"jean.dupont","name":"Jean Dupont","email":"jean@example.org","partner":"ddd"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in jsonbody.NewUser) {
			_, _, _ = strings.TrimSpace(in.Login), strings.TrimSpace(in.Name), strings.TrimSpace(in.Email)
		})
	})
}

func FuzzDecodeGrant(f *testing.F) {
	seed(f, `{"caf":"071","role":"gca"}`, `{"caf":"71","role":"root"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in jsonbody.Grant) {
			_, _ = domain.ValidCafCode(in.Caf), in.Role.Valid()
		})
	})
}

func FuzzDecodeNewToken(f *testing.F) {
	seed(f, `{"login":"ddd.liaison","ttl":"720h","label":"liaison"}`, `{"login":"x","ttl":"9999999999999h"}`,
		`{"login":"x","ttl":"-1s"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in jsonbody.NewToken) {
			_, _ = time.ParseDuration(in.TTL)
			_ = strings.TrimSpace(in.Label)
		})
	})
}

func FuzzDecodeRecourseRoute(f *testing.F) {
	seed(f, `{"body":"la commission de recours amiable (CRA) de la Caf","address":"1 rue X\n75001 Paris","months":2,`+
		`"runs_from":"de la notification","then":"le tribunal judiciaire","source":"CSS R142-1"}`, `{"months":-1}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(in domain.RecourseRoute) {
			in.Benefit = "rsa" // from the path
			_ = in.Validate()
			// As the store trims it before it validates it.
			in.Body, in.Then, in.Source = strings.TrimSpace(in.Body), strings.TrimSpace(in.Then), strings.TrimSpace(in.Source)
			in.Address, in.RunsFrom = strings.TrimSpace(in.Address), strings.TrimSpace(in.RunsFrom)
			_ = in.Validate()
		})
	})
}

// FuzzDecodeAny is the decoding every JSON body goes through first, in
// the API's check against its OpenAPI document: what it decodes encodes
// again.
func FuzzDecodeAny(f *testing.F) {
	seed(f, `{"a":[1,2.5e10,"\u00e9",true,null,{"b":{}}]}`, `"\ud800"`, `1e999`, `{"a":1,"a":2}`, "\xef\xbb\xbf{}")
	f.Fuzz(func(t *testing.T, body []byte) {
		decode(t, body, func(v any) {
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("%#v decoded does not encode: %v", v, err)
			}
		})
	})
}
