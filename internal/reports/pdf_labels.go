package reports

import (
	"math"
	"strconv"
	"strings"
)

// French labels of the vocabulary words (../shared/API.md), as a Caf's
// report prints them. A word missing here prints as itself.
var (
	pdfChannelLabels = map[string]string{
		"phone":       "Téléphone",
		"email":       "Courriel",
		"desk":        "Accueil physique",
		"online":      "En ligne (caf.fr)",
		"letter":      "Courrier",
		"appointment": "Rendez-vous",
	}
	pdfBenefitLabels = map[string]string{
		"housing_aid":      "Aide au logement",
		"rsa":              "RSA",
		"ppa":              "Prime d'activité",
		"paje":             "Prestations petite enfance (PAJE)",
		"family_allowance": "Allocations familiales",
		"aah":              "AAH",
		"other":            "Autre prestation",
	}
	pdfReasonLabels = map[string]string{
		"overpayment_not_understood": "Indu / trop-perçu non compris",
		"decision_not_understood":    "Décision non comprise",
		"payment_missing_or_late":    "Paiement absent ou en retard",
		"processing_delay":           "Délai de traitement",
		"calculation_error":          "Erreur de calcul",
		"documents":                  "Pièces justificatives",
		"service_quality":            "Qualité de service",
		"other":                      "Autre motif",
	}
	pdfOriginLabels = map[string]string{
		"claimant":             "Allocataire",
		"defenseur_des_droits": "Défenseur des droits",
		"elected_official":     "Élu",
		"social_worker":        "Travailleur social",
		"association":          "Association",
		"internal":             "Service de la Caf",
		"other":                "Autre origine",
	}
	pdfOutcomeLabels = map[string]string{
		"maintained":     "Décision maintenue",
		"revised":        "Décision révisée",
		"partly_revised": "Décision révisée en partie",
	}
	pdfCommitmentLabels = map[string]string{
		"complaints_answered_within_15_days": "Réclamations répondues en 15 jours ou moins",
		"acknowledged_within_5_days":         "Accusés de réception en 5 jours ou moins",
	}
)

func pdfLabel(m map[string]string, word string) string {
	if l, ok := m[word]; ok {
		return l
	}
	return word
}

// French number formatting: a narrow no-break space groups thousands and
// stands before %, a comma marks decimals, a true minus sign, and "—"
// for a figure that has no value (a share over zero files).
const (
	pdfNNBSP  = "\u202f"
	pdfNoData = "—"
)

// pdfInt formats n as 8 106.
func pdfInt(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(pdfNNBSP)
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// pdfNum formats v with at most one decimal: 6, 6,5, 1 250,5.
func pdfNum(v float64) string {
	r := math.Round(math.Abs(v)*10) / 10
	whole := math.Trunc(r)
	s := pdfInt(int64(whole))
	if tenth := int64(math.Round((r - whole) * 10)); tenth != 0 {
		s += "," + strconv.FormatInt(tenth, 10)
	}
	if v < 0 && r != 0 {
		s = "−" + s
	}
	return s
}

// pdfPct formats a percent as 90,5 % (always one decimal), — when nil.
func pdfPct(p *float64) string {
	if p == nil {
		return pdfNoData
	}
	r := math.Round(math.Abs(*p)*10) / 10
	whole := math.Trunc(r)
	s := pdfInt(int64(whole)) + "," + strconv.FormatInt(int64(math.Round((r-whole)*10)), 10) + pdfNNBSP + "%"
	if *p < 0 && r != 0 {
		s = "−" + s
	}
	return s
}

// pdfChange formats a change in percent with its sign: +16,2 %, −9,2 %.
func pdfChange(p *float64) string {
	if p == nil {
		return pdfNoData
	}
	if math.Round(*p*10) > 0 {
		return "+" + pdfPct(p)
	}
	return pdfPct(p)
}

// pdfDays formats a number of days: 1 jour, 6 jours, 6,5 jours, — when nil.
func pdfDays(d *float64) string {
	if d == nil {
		return pdfNoData
	}
	if math.Abs(*d) < 2 {
		return pdfNum(*d) + " jour"
	}
	return pdfNum(*d) + " jours"
}

// pdfChangeSentence says how a count moved from the year before, as the
// seed report does: "soit 9,2 % de moins qu'en 2020".
func pdfChangeSentence(p *float64, prevYear int) string {
	y := strconv.Itoa(prevYear)
	switch {
	case p == nil:
		return "aucune comparaison possible avec " + y
	case math.Round(*p*10) == 0:
		return "stable par rapport à " + y
	case *p > 0:
		return "soit " + pdfPct(p) + " de plus qu'en " + y
	default:
		abs := -*p
		return "soit " + pdfPct(&abs) + " de moins qu'en " + y
	}
}

// pdfPlural picks the French singular for 0 and 1, else the plural.
func pdfPlural(n int64, one, many string) string {
	if n < 2 && n > -2 {
		return one
	}
	return many
}
