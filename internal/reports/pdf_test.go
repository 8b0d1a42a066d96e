package reports

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

func pctOf(v float64) *float64 { return &v }

// annualFixture is a year of known figures, in the proportions of the seed
// report (8 106 complaints handled, 90,5 % within 10 days, 86 mediation
// files), with some figures left without a value.
func annualFixture() *Summary {
	met := true
	return &Summary{
		Caf: "071", Cafs: []string{"071"}, From: "2025-01-01", To: "2025-12-31",
		Previous: Period{From: "2024-01-01", To: "2024-12-31"},
		Complaints: ComplaintFigures{
			Received: 8240, Handled: 8106, HandledChangePct: pctOf(-9.2),
			Within10DaysPct: pctOf(90.5), Within15DaysPct: pctOf(96.1),
			Within10DaysRawPct: pctOf(87.3), Within15DaysRawPct: pctOf(93.8),
			MedianDays: pctOf(6), P90Days: pctOf(12.5),
			OpenAtEnd: 214, OverdueAtEnd: 17, ImplicitRejections: 3,
			ByChannel:          map[string]int64{"online": 4210, "phone": 1980, "desk": 902, "email": 604, "letter": 310, "appointment": 100},
			ByBenefit:          map[string]int64{"housing_aid": 4000, "rsa": 4106},
			ByReason:           map[string]int64{"overpayment_not_understood": 8106},
			AcknowledgedIn5Pct: pctOf(97.2), AcknowledgmentsDue: 8240,
		},
		Mediations: MediationFigures{
			Count: 86, CountChangePct: pctOf(16.2), Decided: 80,
			OriginPct: map[string]*float64{"defenseur_des_droits": pctOf(21.3), "claimant": pctOf(6.3),
				"social_worker": pctOf(40.1), "elected_official": pctOf(32.3), "internal": pctOf(0)},
			ReasonPct: map[string]*float64{"overpayment_not_understood": pctOf(33.8),
				"decision_not_understood": pctOf(28.8), "other": pctOf(37.4)},
			BenefitPct: map[string]*float64{"housing_aid": pctOf(52.6), "rsa": pctOf(17.5), "ppa": pctOf(29.9)},
			OutcomePct: map[string]*float64{"maintained": pctOf(51.3), "revised": pctOf(30), "partly_revised": pctOf(18.7)},
		},
		Referrals: ReferralFigures{Count: 21, CountChangePct: pctOf(5), AnsweredByExpectedDatePct: nil},
		Overpayments: OverpaymentFigures{Notices: 640, LargeNotices: 57, ExplainedPct: pctOf(96.5), CallAttemptedPct: pctOf(89.5),
			CallReachedPct: pctOf(61.4), DisputedWithin60DaysPct: pctOf(14), DisputedWhenReachedPct: pctOf(8.6), DisputedWhenNotReachedPct: pctOf(22.7)},
		Commitments: []Commitment{
			{Name: "complaints_answered_within_15_days", Label: "Réponse aux réclamations en 15 jours au plus",
				Target: 100, Value: pctOf(96.1), Met: new(false)},
			{Name: "acknowledged_within_5_days", Target: 100, Value: pctOf(100), Met: &met},
		},
	}
}

// pdfCells renders s and reads the PDF back with an independent parser:
// the text of each cell, in drawing order, page by page, its narrow
// no-break spaces made plain spaces so the figures read as typed.
func pdfCells(t *testing.T, s *Summary, cafName string, year int) (cells []string, pages int, raw []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, AnnualPDF(&buf, s, cafName, year))
	raw = buf.Bytes()
	require.True(t, bytes.HasPrefix(raw, []byte("%PDF-")), "not a PDF")
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err, "the PDF does not open")
	spaces := strings.NewReplacer("\u202f", " ", "\u00a0", " ")
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		require.NoError(t, err)
		for _, row := range rows {
			for _, w := range row.Content {
				if w.S == "" {
					continue // a font set outside any text
				}
				cells = append(cells, spaces.Replace(w.S))
			}
		}
	}
	return cells, r.NumPage(), raw
}

// after is the cell that follows the last cell equal to label (the
// tables come after the key figures).
func after(cells []string, label string) string {
	for i := len(cells) - 2; i >= 0; i-- {
		if cells[i] == label {
			return cells[i+1]
		}
	}
	return "(" + label + " absent)"
}

func TestAnnualPDFHoldsTheFigures(t *testing.T) {
	s := annualFixture()
	cells, pages, raw := pdfCells(t, s, "Caf de l'Ardèche", 2025)
	if out := os.Getenv("RECOURS_ANNUAL_PDF"); out != "" {
		require.NoError(t, os.WriteFile(out, raw, 0o644))
	}
	text := strings.Join(cells, "\n")
	assert.GreaterOrEqual(t, pages, 2)

	// The title, the Caf and the year.
	assert.Contains(t, cells, "Rapport d'activité du pôle allocataires")
	assert.Contains(t, cells, "Caf de l'Ardèche — 2025")
	assert.Contains(t, text, "Du 1er janvier au 31 décembre 2025, comparé à 2024.")

	// The key figures as the seed report prints them.
	assert.Contains(t, cells, "8 106")
	assert.Contains(t, cells, "soit 9,2 % de moins qu'en 2024")
	assert.Contains(t, cells, "90,5 %")
	assert.Contains(t, cells, "soit 16,2 % de plus qu'en 2024")

	// Each figure beside its label, in French format.
	for label, want := range map[string]string{
		"Réclamations reçues": "8 240",
		"Réclamations traitées (réponse apportée dans l'année)":         "8 106",
		"Répondues en 10 jours ou moins":                                "90,5 %",
		"Répondues en 15 jours ou moins":                                "96,1 %",
		"Délai médian de réponse":                                       "6 jours",
		"Délai du 90e centile (90 % des réponses en ce délai ou moins)": "12,5 jours",
		"Réclamations en cours au 31 décembre 2025":                     "214",
		"dont en retard": "17",
		"Rejets implicites (échéance atteinte sans réponse)":             "3",
		"Accusés de réception envoyés en 5 jours ou moins":               "97,2 %",
		"Dossiers de médiation reçus":                                    "86",
		"Dossiers décidés":                                               "80",
		"Décision maintenue par la Caf":                                  "51,3 %",
		"Décision révisée en partie par la Caf":                          "18,7 %",
		"Saisines reçues":                                                "21",
		"Notifications de trop-perçu":                                    "640",
		"dont d'un montant au moins égal au seuil":                       "57",
		"Avec l'explication détaillée":                                   "96,5 %",
		"dont allocataire joint":                                         "61,4 %",
		"Suivies d'une réclamation ou d'une médiation dans les 60 jours": "14,0 %",
		"quand l'allocataire a été joint":                                "8,6 %",
		// A figure without a value prints a dash, not 0.
		"Traitées dans le délai demandé par le Défenseur des droits": "—",
	} {
		assert.Equal(t, want, after(cells, label), label)
	}
	assert.Contains(t, cells, "–9,2 %", "the en dash for the minus sign, which Helvetica lacks")
	assert.Contains(t, cells, "+16,2 %")
	assert.Contains(t, cells, "+5,0 %")
	assert.Contains(t, text, "sans déduire les suspensions : 87,3 %")
	assert.Contains(t, text, "6 jours\nDélai médian de réponse\n90e centile : 12,5 jours")
	assert.Contains(t, text, "51,3 %\nDécisions maintenues par la Caf\nsur 80 dossiers de médiation décidés")

	// The commitments, with the compute's label or the report's own.
	assert.Contains(t, text, "Réponse aux réclamations en 15 jours au plus\n100 %\n96,1 %\nNon")
	assert.Contains(t, text, "Accusés de réception en 5 jours ou moins\n100 %\n100,0 %\nOui")

	// The charts' data tables: French labels, largest first.
	assert.Contains(t, text, "En ligne (caf.fr)\n4 210\n51,9 %")
	assert.Contains(t, text, "Travailleur social\n40,1 %\nÉlu\n32,3 %\nDéfenseur des droits\n21,3 %\nAllocataire\n6,3 %\nService de la Caf\n0,0 %")
	assert.Contains(t, text, "Autre motif\n37,4 %\nIndu / trop-perçu non compris\n33,8 %\nDécision non comprise\n28,8 %")
	assert.Contains(t, text, "Aide au logement\n52,6 %\nPrime d'activité\n29,9 %\nRSA\n17,5 %")
	for _, title := range []string{"Réclamations reçues par canal", "Dossiers de médiation par origine",
		"Dossiers de médiation par motif", "Dossiers de médiation par prestation"} {
		assert.Contains(t, cells, title)
	}
	// Every vocabulary word printed is translated.
	for _, word := range []string{"housing_aid", "overpayment_not_understood", "social_worker", "online", "maintained"} {
		assert.NotContains(t, text, word)
	}
	// The definitions, with their French quotes.
	assert.Contains(t, text, "« — »")
}

func TestAnnualPDFKeepsAccentsAndSymbols(t *testing.T) {
	name := "Caf d'Île-de-France « Évry » — 1 500 € ŒÇ"
	cells, _, _ := pdfCells(t, &Summary{}, name, 2031)
	assert.Contains(t, cells, name+" — 2031")
}

func TestAnnualPDFEmptyYear(t *testing.T) {
	// As Compute answers for a year without files: every word, no value.
	empty := &Summary{Previous: Period{From: "2023-01-02", To: "2023-12-31"},
		Complaints: ComplaintFigures{ByChannel: map[string]int64{"phone": 0, "online": 0}},
		Mediations: MediationFigures{OriginPct: map[string]*float64{"claimant": nil, "internal": nil}}}
	cells, _, _ := pdfCells(t, empty, "Caf de la Loire", 2024)
	text := strings.Join(cells, "\n")
	assert.Contains(t, text, "comparé à la période du 02/01/2023 au 31/12/2023.")
	assert.Equal(t, "—", after(cells, "Répondues en 10 jours ou moins"))
	assert.Equal(t, "—", after(cells, "Délai médian de réponse"))
	assert.Equal(t, "0", after(cells, "Réclamations reçues"))
	assert.Contains(t, text, "aucune comparaison possible avec 2023")
	assert.Contains(t, text, "sur 0 dossier de médiation décidé")
	assert.Contains(t, cells, "Aucun engagement mesuré sur la période.")
	assert.Contains(t, cells, "Aucun dossier sur la période.")
	assert.NotContains(t, cells, "Part des dossiers", "no chart nor table without data")
}

func TestAnnualPDFSeveralCafs(t *testing.T) {
	s := annualFixture()
	s.Caf, s.Cafs = "", []string{"042", "071"}
	a, b := annualFixture(), annualFixture()
	b.Complaints.Handled, b.Complaints.Within10DaysPct, b.Complaints.MedianDays = 1234, nil, nil
	s.PerCaf = map[string]*Summary{"071": a, "042": b}
	cells, _, _ := pdfCells(t, s, "Caf de l'Ardèche et Caf de la Loire", 2025)
	text := strings.Join(cells, "\n")
	assert.Contains(t, text, "Caf couvertes : 042 et 071.")
	assert.Contains(t, text, "Par Caf")
	assert.Contains(t, text, "Caf 042\n1 234\n—\n—\n86\n21")
	assert.Contains(t, text, "Caf 071\n8 106\n90,5 %\n6 jours\n86\n21")
}

func TestPDFFrenchNumbers(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{pdfInt(0), "0"}, {pdfInt(999), "999"}, {pdfInt(8106), "8\u202f106"}, {pdfInt(1234567), "1\u202f234\u202f567"},
		{pdfPct(nil), "—"}, {pdfPct(pctOf(90.5)), "90,5\u202f%"}, {pdfPct(pctOf(100)), "100,0\u202f%"},
		{pdfPct(pctOf(0)), "0,0\u202f%"}, {pdfPct(pctOf(1250.25)), "1\u202f250,3\u202f%"},
		{pdfChange(pctOf(16.21)), "+16,2\u202f%"}, {pdfChange(pctOf(-9.2)), "−9,2\u202f%"},
		{pdfChange(pctOf(0)), "0,0\u202f%"}, {pdfChange(nil), "—"},
		{pdfDays(nil), "—"}, {pdfDays(pctOf(1)), "1 jour"}, {pdfDays(pctOf(6)), "6 jours"}, {pdfDays(pctOf(6.5)), "6,5 jours"},
		{pdfChangeSentence(pctOf(-9.2), 2020), "soit 9,2\u202f% de moins qu'en 2020"},
		{pdfChangeSentence(pctOf(16.21), 2020), "soit 16,2\u202f% de plus qu'en 2020"},
		{pdfChangeSentence(pctOf(0.04), 2020), "stable par rapport à 2020"},
		{pdfChangeSentence(nil, 2020), "aucune comparaison possible avec 2020"},
		{pdfJoin([]string{"071"}), "071"}, {pdfJoin([]string{"042", "071", "074"}), "042, 071 et 074"},
		{pdfLabel(pdfBenefitLabels, "housing_aid"), "Aide au logement"}, {pdfLabel(pdfBenefitLabels, "rsa"), "RSA"},
		{pdfLabel(pdfReasonLabels, "overpayment_not_understood"), "Indu / trop-perçu non compris"},
		{pdfLabel(pdfOriginLabels, "new_word"), "new_word"},
	} {
		assert.Equal(t, c.want, c.got)
	}
}

// Every word of the vocabularies has its French label.
func TestPDFLabelsCoverTheVocabularies(t *testing.T) {
	for _, c := range []struct {
		labels map[string]string
		words  []string
	}{
		{pdfChannelLabels, asStrings(domain.Channels)},
		{pdfBenefitLabels, asStrings(domain.Benefits)},
		{pdfReasonLabels, asStrings(domain.Reasons)},
		{pdfOriginLabels, asStrings(domain.Origins)},
		{pdfOutcomeLabels, domain.Outcomes},
	} {
		for _, w := range c.words {
			assert.Contains(t, c.labels, w)
		}
		assert.Len(t, c.labels, len(c.words))
	}
}

func asStrings[S ~string](ws []S) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = string(w)
	}
	return out
}
