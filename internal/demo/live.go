package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"recours/internal/calendar"
	"recours/internal/store"
)

// client calls the API handler in process, as the demo users.
type client struct {
	h      http.Handler
	st     *store.Store
	tokens map[string]string
}

type file map[string]any

func (f file) id() string { s, _ := f["id"].(string); return s }

// do sends a JSON request as login and decodes the answer; an answer
// other than want is an error.
func (c *client) do(ctx context.Context, method, path, login string, body any, want int) (file, error) {
	tok, ok := c.tokens[login]
	if !ok {
		var err error
		if tok, err = c.st.CreateToken(ctx, login, "demo", time.Hour); err != nil {
			return nil, fmt.Errorf("token for %s: %w", login, err)
		}
		c.tokens[login] = tok
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(b))
		req.RemoteAddr = "127.0.0.1:0"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, req)
		if rec.Code == http.StatusTooManyRequests && attempt < 20 {
			wait, _ := strconv.Atoi(rec.Header().Get("Retry-After"))
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
			}
			continue
		}
		if rec.Code != want {
			return nil, fmt.Errorf("%s %s as %s: %d %s", method, path, login, rec.Code, rec.Body.String())
		}
		var out file
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		return out, nil
	}
}

func (c *client) act(ctx context.Context, f file, login, action string, args map[string]any) (file, error) {
	if args == nil {
		args = map[string]any{}
	}
	return c.do(ctx, "POST", "/api/v1/cases/"+f.id()+"/actions/"+action, login, args, http.StatusOK)
}

// step is one action of a scenario: who does what, with which arguments
// (a function of the file as it then is, for an opinion's id).
type step struct {
	login, action string
	args          func(f file) map[string]any
}

func fixed(args map[string]any) func(file) map[string]any {
	return func(file) map[string]any { return args }
}

// scenario is a live file: how it is opened (kind, how long ago it was
// received, its claimant, who files it) and the actions that bring it to
// its stage.
type scenario struct {
	kind                                      string // complaint, mediation, referral
	claimant                                  string // its own numéro allocataire: the scenario's key
	name                                      string
	daysAgo                                   int // complaints only: received that many days ago
	channel, benefit, reason, origin, subject string
	steps                                     []step
}

const (
	answerText      = "Après vérification de votre dossier, le montant versé est conforme à vos ressources déclarées."
	explanationText = "Après étude du dossier et avis du service des prestations, la décision de la Caf est conforme aux textes applicables."
)

var (
	assign   = step{"manager.demo", "assign", fixed(map[string]any{"assignee": "gca.demo"})}
	start    = step{"gca.demo", "start", nil}
	answer   = step{"gca.demo", "answer", fixed(map[string]any{"answer": answerText})}
	closeIt  = step{"gca.demo", "close", nil}
	admit    = step{"mediator.demo", "admit", fixed(map[string]any{"no_court_case": true})}
	askOpin  = step{"mediator.demo", "request_opinion", fixed(map[string]any{"service": "Service des prestations", "question": "Le calcul du droit au logement de mars est-il conforme ?", "due_in_days": 8})}
	giveOpin = step{"mediator.demo", "record_opinion", func(f file) map[string]any {
		id := ""
		if ops, ok := f["opinions"].([]any); ok && len(ops) > 0 {
			id, _ = ops[len(ops)-1].(map[string]any)["id"].(string)
		}
		return map[string]any{"opinion_id": id, "text": "Le calcul est conforme aux ressources déclarées pour le trimestre de référence."}
	}}
	decide = func(outcome string) step {
		return step{"mediator.demo", "decide", fixed(map[string]any{"outcome": outcome, "explanation": explanationText})}
	}
	mClose = step{"mediator.demo", "close", nil}
)

// scenarios are the live files of the demonstration, each with its own
// claimant (numbers 99071xx, which no real claimant of the demo has).
var scenarios = []scenario{
	{kind: "complaint", claimant: "9907101", name: "Lucie Garnier", daysAgo: 0, channel: "phone", benefit: "housing_aid", reason: "overpayment_not_understood",
		subject: "Trop-perçu d'aide au logement incompris"},
	{kind: "complaint", claimant: "9907102", name: "Karim Benali", daysAgo: 12, channel: "letter", benefit: "rsa", reason: "payment_missing_or_late",
		subject: "RSA de mars non versé (non attribuée, cible dépassée)"},
	{kind: "complaint", claimant: "9907103", name: "Sophie Martin", daysAgo: 1, channel: "email", benefit: "paje", reason: "processing_delay",
		subject: "Demande de PAJE sans réponse", steps: []step{assign}},
	{kind: "complaint", claimant: "9907104", name: "Julien Roux", daysAgo: 2, channel: "online", benefit: "ppa", reason: "calculation_error",
		subject: "Montant de prime d'activité erroné", steps: []step{assign, start}},
	{kind: "complaint", claimant: "9907105", name: "Nadia Haddad", daysAgo: 8, channel: "desk", benefit: "housing_aid", reason: "decision_not_understood",
		subject: "Baisse de l'APL inexpliquée (échéance proche)", steps: []step{assign, start}},
	{kind: "complaint", claimant: "9907106", name: "Thomas Lefèvre", daysAgo: 12, channel: "online", benefit: "family_allowance", reason: "documents",
		subject: "Pièces déjà transmises redemandées (cible dépassée)", steps: []step{assign, start}},
	{kind: "complaint", claimant: "9907107", name: "Émilie Faure", daysAgo: 19, channel: "phone", benefit: "rsa", reason: "overpayment_not_understood",
		subject: "Trop-perçu de RSA contesté (délai légal dépassé)", steps: []step{assign, start}},
	{kind: "complaint", claimant: "9907108", name: "Paul Vidal", daysAgo: 65, channel: "letter", benefit: "aah", reason: "processing_delay",
		subject: "AAH : renouvellement en attente (rejet implicite)", steps: []step{assign, start}},
	{kind: "complaint", claimant: "9907109", name: "Chloé Blanc", daysAgo: 4, channel: "email", benefit: "housing_aid", reason: "documents",
		subject: "Attestation de loyer manquante", steps: []step{assign, start, {"gca.demo", "request_documents", fixed(map[string]any{"note": "Merci de transmettre l'attestation de loyer de mars."})}}},
	{kind: "complaint", claimant: "9907110", name: "Hugo Girard", daysAgo: 6, channel: "appointment", benefit: "ppa", reason: "decision_not_understood",
		subject: "Fin de droit à la prime d'activité", steps: []step{assign, start, answer}},
	{kind: "complaint", claimant: "9907111", name: "Manon Perrin", daysAgo: 9, channel: "online", benefit: "paje", reason: "payment_missing_or_late",
		subject: "Complément de libre choix du mode de garde en retard", steps: []step{assign, start, answer, closeIt}},
	{kind: "complaint", claimant: "9907112", name: "Antoine Morel", daysAgo: 20, channel: "phone", benefit: "housing_aid", reason: "overpayment_not_understood",
		subject: "Trop-perçu d'APL : réponse contestée (médiation)", steps: []step{assign, start, answer,
			{"gca.demo", "escalate", fixed(map[string]any{"reason": "L'allocataire conteste la réponse et demande une médiation."})}}},
	{kind: "mediation", claimant: "9907121", name: "Isabelle Robin", origin: "claimant", benefit: "housing_aid", reason: "overpayment_not_understood",
		subject: "Demande de médiation : trop-perçu d'APL"},
	{kind: "mediation", claimant: "9907122", name: "Mehdi Chevalier", origin: "social_worker", benefit: "rsa", reason: "decision_not_understood",
		subject: "Suspension du RSA incomprise", steps: []step{admit}},
	{kind: "mediation", claimant: "9907123", name: "Laura Fontaine", origin: "elected_official", benefit: "housing_aid", reason: "calculation_error",
		subject: "Calcul de l'aide au logement contesté", steps: []step{admit, askOpin}},
	{kind: "mediation", claimant: "9907124", name: "Nicolas Mercier", origin: "association", benefit: "ppa", reason: "overpayment_not_understood",
		subject: "Trop-perçu de prime d'activité", steps: []step{admit, askOpin, giveOpin}},
	{kind: "mediation", claimant: "9907125", name: "Camille Dupont", origin: "internal", benefit: "family_allowance", reason: "decision_not_understood",
		subject: "Allocations familiales : changement de résidence", steps: []step{admit, decide("maintained")}},
	{kind: "mediation", claimant: "9907126", name: "Sarah Lambert", origin: "claimant", benefit: "rsa", reason: "payment_missing_or_late",
		subject: "Rappel de RSA non versé", steps: []step{admit, decide("revised"), mClose}},
	{kind: "referral", claimant: "9907131", name: "Olivier Bonnet", benefit: "housing_aid", reason: "overpayment_not_understood",
		subject: "Saisine du Défenseur des droits : trop-perçu d'APL"},
	{kind: "referral", claimant: "9907132", name: "Julie Marchand", benefit: "aah", reason: "processing_delay",
		subject: "Saisine du Défenseur des droits : délai de l'AAH", steps: []step{admit}},
}

// seedLive opens the live files whose claimant has none yet and returns
// how many it opened.
func seedLive(ctx context.Context, st *store.Store, api http.Handler, now func() time.Time) (int, error) {
	c := &client{h: api, st: st, tokens: map[string]string{}}
	opened := 0
	for _, sc := range scenarios {
		there, err := st.PriorFiles(ctx, Caf, sc.claimant, "")
		if err != nil {
			return opened, err
		}
		if len(there) > 0 {
			continue
		}
		f, err := c.open(ctx, sc, now())
		if err != nil {
			return opened, err
		}
		opened++
		for _, s := range sc.steps {
			var args map[string]any
			if s.args != nil {
				args = s.args(f)
			}
			if f, err = c.act(ctx, f, s.login, s.action, args); err != nil {
				return opened, err
			}
		}
	}
	return opened, nil
}

func (c *client) open(ctx context.Context, sc scenario, now time.Time) (file, error) {
	claimant := map[string]any{"number": sc.claimant, "name": sc.name}
	description := "Dossier de démonstration : " + sc.subject + "."
	switch sc.kind {
	case "complaint":
		body := map[string]any{"caf": Caf, "claimant": claimant, "channel": sc.channel, "benefit": sc.benefit,
			"reason": sc.reason, "subject": sc.subject, "description": description}
		if sc.daysAgo > 0 {
			body["received_at"] = now.UTC().Add(-time.Duration(sc.daysAgo) * 24 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
		}
		return c.do(ctx, "POST", "/api/v1/complaints", "csu.demo", body, http.StatusCreated)
	case "mediation":
		return c.do(ctx, "POST", "/api/v1/mediations", "csu.demo", map[string]any{"caf": Caf, "claimant": claimant,
			"origin": sc.origin, "benefit": sc.benefit, "reason": sc.reason, "subject": sc.subject, "description": description}, http.StatusCreated)
	}
	expected := now.In(calendar.Paris).AddDate(0, 0, 30).Format(time.DateOnly)
	return c.do(ctx, "POST", "/api/v1/referrals", "ddd.demo", map[string]any{
		"ddd_reference": "DEMO-DDD-" + sc.claimant, "caf": Caf, "claimant": claimant, "benefit": sc.benefit,
		"reason": sc.reason, "subject": sc.subject, "facts": description, "response_expected_by": expected,
	}, http.StatusCreated)
}
