package messages

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// KindOverpaymentNotice is the notice of an overpayment (trop-perçu): the
// standard one below the Caf's threshold, the enriched one at or above it.
const KindOverpaymentNotice = domain.MessageOverpaymentNotice

func init() {
	TemplateVersion[KindOverpaymentNotice] = 1
	name := "templates/" + string(KindOverpaymentNotice) + ".txt.tmpl"
	templates[KindOverpaymentNotice] = template.Must(template.New(string(KindOverpaymentNotice)).
		Option("missingkey=error").ParseFS(templateFiles, name))
}

// benefitWords names each benefit as a notice says it.
var benefitWords = map[domain.Benefit]string{
	"housing_aid": "aide au logement", "rsa": "RSA", "ppa": "prime d'activité",
	"paje": "prestation d'accueil du jeune enfant", "family_allowance": "allocations familiales",
	"aah": "allocation aux adultes handicapés", "other": "prestation",
}

type overpaymentData struct {
	Caf                    CafContact
	Ref, Number, Greeting  string
	Today, Deadline        string
	Amount, Benefit, Cause string
	PeriodStart, PeriodEnd string
	Enriched, Called       bool
	CallDate               string
	Explanation            domain.Explanation
	Recourse               recourse
}

// ComposeOverpayment writes the notice of overpayment o from the Caf caf on
// day now. A large notice must carry its enriched explanation.
func ComposeOverpayment(o domain.Overpayment, caf CafContact, now time.Time) (Message, error) {
	var missing []string
	if strings.TrimSpace(o.ID) == "" {
		missing = append(missing, "la référence")
	}
	if strings.TrimSpace(caf.Name) == "" {
		missing = append(missing, "le nom de la Caf")
	}
	if strings.TrimSpace(caf.MediatorContact) == "" {
		missing = append(missing, "le contact du médiateur")
	}
	if o.Large && o.Explanation == nil {
		missing = append(missing, "l'explication détaillée")
	}
	if len(missing) > 0 {
		return Message{}, fmt.Errorf("%w: %s: %s", ErrMissingData, KindOverpaymentNotice, strings.Join(missing, ", "))
	}
	day := func(s string) string {
		t, err := time.ParseInLocation(time.DateOnly, s, calendar.Paris)
		if err != nil {
			return s
		}
		return FrenchDate(t)
	}
	d := overpaymentData{
		Caf: caf, Ref: o.ID, Number: o.Claimant.Number, Greeting: "Madame, Monsieur,",
		Today: FrenchDate(now), Deadline: FrenchDate(AppealEnd(now)),
		Amount: domain.FormatCents(o.AmountCents), Benefit: benefitWords[o.Benefit], Cause: o.Cause,
		PeriodStart: day(o.PeriodStart), PeriodEnd: day(o.PeriodEnd),
		Recourse: recourse{Name: "le médiateur de la " + caf.Name, Contact: caf.MediatorContact},
	}
	if d.Benefit == "" {
		d.Benefit = "prestation"
	}
	if n := strings.TrimSpace(o.Claimant.Name); n != "" {
		d.Greeting = "Bonjour " + n + ","
	}
	if o.Explanation != nil {
		d.Enriched, d.Explanation = true, *o.Explanation
	}
	if o.Call != nil && o.Call.Result == domain.CallReached {
		d.Called, d.CallDate = true, FrenchDate(o.Call.At)
	}
	return render(KindOverpaymentNotice, o.ID, d, caf, now)
}
