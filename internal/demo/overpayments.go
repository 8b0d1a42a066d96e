package demo

import (
	"context"
	"net/http"
	"time"

	"recours/internal/calendar"
	"recours/internal/store"
)

// demoExplanation is a complete enriched explanation.
var demoExplanation = map[string]any{
	"cause":          "Vos ressources de 2024, transmises par l'administration fiscale, sont plus élevées que celles que nous connaissions.",
	"period":         "De septembre à décembre 2025, soit quatre mois de versement de votre aide au logement.",
	"computation":    "Votre aide a été recalculée à 210 € par mois au lieu de 595 € : 4 × 385 € = 1 540 € versés en trop.",
	"contest":        "Vous pouvez contester dans les deux mois en écrivant à la commission de recours amiable de la Caf.",
	"repayment":      "En une fois, ou par petites retenues sur vos prochains versements si vous nous le demandez.",
	"right_to_error": "Si vous vous êtes trompé de bonne foi dans une déclaration, aucune pénalité ne vous sera appliquée.",
}

// seedOverpayments notifies three overpayments in the demo Caf, once: a
// standard one (sent at once), a large one waiting for its explanation and
// call, and a large one explained, called and sent. It returns how many
// it notified.
func seedOverpayments(ctx context.Context, st *store.Store, api http.Handler, now func() time.Time) (int, error) {
	if there, err := st.Overpayments(ctx, []string{Caf}, "", 1); err != nil || len(there) > 0 {
		return 0, err
	}
	c := &client{h: api, st: st, tokens: map[string]string{}}
	end := now().In(calendar.Paris).AddDate(0, -1, 0)
	period := func(body map[string]any) map[string]any {
		body["caf"], body["benefit"] = Caf, "housing_aid"
		body["period_start"] = end.AddDate(0, -4, 0).Format(time.DateOnly)
		body["period_end"] = end.Format(time.DateOnly)
		body["cause"] = "Vos ressources ont été mises à jour après votre déclaration annuelle."
		return body
	}
	notices := []map[string]any{
		period(map[string]any{"claimant": map[string]any{"number": "8000001", "name": "Lucie Garnier"}, "amount": "412.50"}),
		period(map[string]any{"claimant": map[string]any{"number": "8000002", "name": "Marc Fabre", "phone": "04 75 00 00 02"}, "amount": "1540"}),
		period(map[string]any{"claimant": map[string]any{"number": "8000003", "name": "Inès Roux", "phone": "04 75 00 00 03"}, "amount": "2310.75"}),
	}
	for i, body := range notices {
		o, err := c.do(ctx, "POST", "/api/v1/overpayments", "gca.demo", body, http.StatusCreated)
		if err != nil {
			return i, err
		}
		if i < 2 {
			continue
		}
		path := "/api/v1/overpayments/" + o.id() + "/actions/"
		for _, s := range []struct {
			action string
			args   map[string]any
		}{
			{"explain", map[string]any{"explanation": demoExplanation}},
			{"record_call", map[string]any{"result": "reached", "note": "Explications données ; l'allocataire demande un échéancier."}},
			{"send", map[string]any{}},
		} {
			if _, err := c.do(ctx, "POST", path+s.action, "gca.demo", s.args, http.StatusOK); err != nil {
				return i + 1, err
			}
		}
	}
	return len(notices), nil
}
