package messages

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

// Each letter, rendered as the PDF that is posted and read back, carries
// the mentions the texts require (DOMAIN.md, « What each letter must
// say »), for housing aid, RSA and family allowance: every letter the
// file's short reference, the Caf's address and contact, the signatory's
// name and function (CRPA L212-1) and the claimant's postal address; and
// each its own.
func TestEachLetterCarriesTheMentionsTheTextsRequire(t *testing.T) {
	routes := map[domain.Benefit][]string{
		"housing_aid":      {"la Caf, par un recours administratif préalable", "le tribunal administratif"},
		"rsa":              {"au président du conseil départemental, par un recours administratif préalable", "le tribunal administratif"},
		"family_allowance": {"à la commission de recours amiable (CRA) de la Caf", "le pôle social du tribunal judiciaire"},
	}
	words := map[domain.Benefit]string{"housing_aid": "votre aide au logement", "rsa": "votre RSA", "family_allowance": "vos allocations familiales"}
	for benefit, route := range routes {
		complaintCase := complaint()
		complaintCase.Benefit = benefit
		complaintCase.DecisionNotifiedOn = "2026-02-10"
		complaintCase.Claimant.Representative = &domain.Representative{Name: "Sophie Lambert", Quality: "assistante sociale du Département",
			Address: "Centre médico-social\n07200 Aubenas"}
		complaintCase.DocumentsRequests = []domain.DocumentsRequest{{Documents: "Votre avis d'imposition 2025 et vos trois derniers bulletins de salaire",
			RequestedAt: now, DueAt: time.Date(2026, 3, 27, 22, 59, 59, 0, time.UTC)}}
		mediationCase := mediation()
		mediationCase.Benefit = benefit
		ddd := referral()
		ddd.Benefit = benefit
		on := "Pour contester la décision de la Caf sur " + words[benefit]
		for _, tc := range []struct {
			kind Kind
			c    domain.Case
			want []string
			not  []string
		}{
			{KindAcknowledgment, complaintCase, []string{
				"Nous avons bien reçu votre réclamation", "le 2 mars 2026", // date of receipt (R112-5)
				"traitée par le pôle relation allocataires", "Vous pouvez nous joindre : 3230", // service and contact
				"Si nous ne vous avons pas répondu le 2 mai 2026", "décision implicite de rejet", // implicit rejection
				"contester ce rejet dans les 2 mois", route[0], route[1], // its recourse and time limit
				"Copie à : Sophie Lambert, assistante sociale du Département",
			}, nil},
			{KindAcknowledgment, mediationCase, []string{"demande de médiation", "le 2 mars 2026",
				"ne sont suspendus qu'à partir du jour où le médiateur vous écrit que votre demande est recevable", on, route[0]}, nil},
			{KindAcknowledgment, ddd, []string{"Le Défenseur des droits nous a transmis", "ne suspend pas vos délais de recours", on, route[0]},
				[]string{"sont suspendus"}},
			{KindComplaintAnswer, complaintCase, []string{"Voici notre réponse", "étalons sur 12 mois", on,
				route[0], "dans les 2 mois qui suivent la notification de cette décision : vous avez jusqu'au 10 avril 2026", route[1],
				"sans condition de délai", "ne remplace pas le recours"}, []string{"Vous avez deux mois pour contester"}},
			{KindDocumentRequest, complaintCase, []string{"Votre avis d'imposition 2025 et vos trois derniers bulletins de salaire",
				"Envoyez-les nous au plus tard le 27 mars 2026", "article L114-5", "est suspendu ; il reprend dès que nous les recevons",
				"Si nous n'avons pas reçu ces documents le 27 mars 2026, nous reprendrons l'étude"}, nil},
			{KindDocumentReminder, complaintCase, []string{"Le 12 mars 2026, nous vous avons demandé des documents",
				"Votre avis d'imposition 2025", "au plus tard le 27 mars 2026", "article L114-5"}, nil},
			{KindAdmissibility, mediationCase, []string{"elle est recevable", "À partir de la date de ce courrier, le 12 mars 2026",
				"sont suspendus, jusqu'à ce que le médiateur vous communique ses recommandations", "article L217-7-1"}, nil},
			{KindMediationDecision, mediationCase, []string{"Les recommandations du médiateur", "Il recommande",
				"Ce sont des recommandations", "suspendus depuis le 5 mars 2026", "Ils reprennent à la date de ce courrier", "vous avez jusqu'au 17 avril 2026", on, route[0], route[1]},
				// The days left run again from the recommendations: the last day
				// the notification alone would give is no longer the one.
				[]string{"décision du médiateur", "Sa décision", "jusqu'au 10 avril 2026"}},
			{KindReorientation, mediationCase, []string{"compte comme reçue le 2 mars 2026", "L114-3", "le 2 mai 2026",
				"contester ce rejet dans les 2 mois"}, nil},
			{KindDDDReply, mediationCase, []string{"n'ouvre pas de nouveau délai", "ne l'a pas suspendu", on, route[0]}, nil},
		} {
			t.Run(string(benefit)+"/"+string(tc.kind)+"/"+tc.c.Origin, func(t *testing.T) {
				m, err := Compose(tc.kind, tc.c, caf, now)
				require.NoError(t, err)
				text := letterText(t, m, RecipientOf(tc.c))
				everyLetter(t, text, tc.c.ID, tc.c.Claimant)
				for _, w := range tc.want {
					assert.Contains(t, text, w)
				}
				for _, w := range tc.not {
					assert.NotContains(t, text, w)
				}
			})
		}
		t.Run(string(benefit)+"/overpayment_notice", func(t *testing.T) {
			o := notice()
			o.Benefit = benefit
			m, err := ComposeOverpayment(o, caf, now)
			require.NoError(t, err)
			text := letterText(t, m, RecipientFor(o.Claimant))
			everyLetter(t, text, o.ID, o.Claimant)
			for _, w := range []string{"1 620,00 €", "du 1er janvier 2025 au 30 juin 2025", // amount and period
				"nous retiendrons la somme sur vos prochains versements", "article L553-2", // recovery unless contested or paid
				"rembourser en plusieurs fois", "remise de dette",
				"vous n'aurez pas de pénalité", "ne vous dispense pas de rembourser", "ne s'applique pas en cas de fraude", "L123-1",
				"Pour contester la décision de la Caf sur " + words[benefit], route[0], route[1],
				"vous avez jusqu'au 12 mai 2026", // the notice is the decision: two months from it
			} {
				assert.Contains(t, text, w)
			}
		})
	}
}

// everyLetter checks what every letter carries.
func everyLetter(t *testing.T, text, ref string, c domain.Claimant) {
	t.Helper()
	assert.Contains(t, text, ref, "the file's reference")
	assert.Contains(t, text, "Caf de l'Ardèche 8 avenue de l'Europe unie 07000 Privas", "the Caf's postal address")
	assert.Contains(t, text, "Nous joindre : 3230, du lundi au vendredi de 9 h à 16 h", "the Caf's contact")
	assert.Contains(t, text, "Gaëlle Caron Gestionnaire conseil allocataires", "the signatory and their function")
	assert.Contains(t, text, c.Name+" "+strings.Join(domain.AddressLines(c.Address), " "), "the claimant's postal address")
	assert.Contains(t, text, "Le 12 mars 2026")
	assert.NotContains(t, text, "<no value>")
}

func letterText(t *testing.T, m Message, to Recipient) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, LetterRenderer{}.Render(&buf, m, to))
	return pdfText(t, buf.Bytes())
}

func notice() domain.Overpayment {
	return domain.Overpayment{
		ID: "T-071-2026-000031", Caf: "071", Benefit: "housing_aid", AmountCents: 162000,
		Claimant:    domain.Claimant{Number: "1234567", Name: "Hélène Durand", Address: "12 rue des Écoles\n07200 Aubenas"},
		PeriodStart: "2025-01-01", PeriodEnd: "2025-06-30",
		Cause:     "Vos ressources de 2024 ont augmenté.",
		CreatedAt: now.Add(-time.Hour),
	}
}

// A Caf's route whose time limit runs from another event says so, and
// gives no last day the notification date cannot tell.
func TestRouteRunningFromAnotherEventGivesNoDate(t *testing.T) {
	c := complaint()
	c.DecisionNotifiedOn = "2026-02-10"
	own := caf
	own.Routes = []domain.RecourseRoute{{Benefit: "housing_aid", Body: "la commission de recours amiable (CRA) de la Caf", Months: 2,
		RunsFrom: "la réception du courrier de décision", Then: "le tribunal administratif", Source: "délibération du conseil d'administration"}}
	m, err := Compose(KindComplaintAnswer, c, own, now)
	require.NoError(t, err)
	assert.Contains(t, m.Body, "dans les 2 mois qui suivent la réception du courrier de décision.")
	assert.NotContains(t, m.Body, "jusqu'au")
	m, err = Compose(KindComplaintAnswer, c, caf, now)
	require.NoError(t, err)
	assert.Contains(t, m.Body, "dans les 2 mois qui suivent la notification de cette décision : vous avez jusqu'au 10 avril 2026")
}
