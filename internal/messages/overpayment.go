package messages

import (
	"fmt"
	"strings"
	"time"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// KindOverpaymentNotice is the notice of an overpayment (trop-perçu): the
// standard one below the Caf's threshold, the enriched one at or above it.
const KindOverpaymentNotice = domain.MessageOverpaymentNotice

func init() {
	// 2: recovery on future benefits (CSS L553-2), payment plan and remise
	// de dette, the right to error as CRPA L123-1 has it, the recourse
	// route of the benefit, the signatory and the Caf's address
	TemplateVersion[KindOverpaymentNotice] = 2
	templates[KindOverpaymentNotice] = parse(KindOverpaymentNotice)
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
	Today                  string
	Amount, Benefit, Cause string
	YourBenefit            string
	PeriodStart, PeriodEnd string
	Enriched, Called       bool
	CallDate               string
	Explanation            domain.Explanation
	Recourse               recourse
	Route                  routeData
	Mediator               string
	Signatory              Signatory
	Copy                   string
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
	caf = caf.withDefaults()
	d := overpaymentData{
		Caf: caf, Ref: o.ID, Number: o.Claimant.Number, Greeting: "Madame, Monsieur,",
		Today:  FrenchDate(now),
		Amount: domain.FormatCents(o.AmountCents), Benefit: benefitWord(o.Benefit), YourBenefit: yourBenefit(o.Benefit), Cause: o.Cause,
		PeriodStart: day(o.PeriodStart), PeriodEnd: day(o.PeriodEnd),
		Recourse: recourse{Name: "le médiateur de la " + caf.Name, Contact: caf.MediatorContact},
		// The notice is the decision: notified today, its route runs from today.
		Route:    routeOf(caf.route(o.Benefit), now.In(calendar.Paris).Format(time.DateOnly), now),
		Mediator: caf.MediatorContact, Signatory: caf.Signatory, Copy: copyTo(o.Claimant),
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
