package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"recours/internal/calendar"
)

// RecourseRoute is how a claimant contests a Caf decision about one
// benefit: the body to write to first, within how many months of the
// decision's notification, and what comes after it. Mediation and the
// Défenseur des droits come on top of it, never instead, and neither has
// a time limit of its own. Each Caf's administrators keep its table; the
// national defaults are NationalRecourseRoute's.
type RecourseRoute struct {
	Benefit Benefit `json:"benefit"`
	// Body is who decides on the recourse, as a letter names it:
	// « la commission de recours amiable (CRA) de la Caf ».
	Body string `json:"body"`
	// Address is where to write; empty: the Caf's own address.
	Address string `json:"address,omitempty" text:"lines"`
	// Months is the time limit, counted from RunsFrom.
	Months int `json:"months"`
	// RunsFrom says from when the time limit runs, as a letter says it
	// after « dans les N mois qui suivent »; RunsFromNotification when
	// empty, and only then do the letters give the last day from the
	// notification date the claimant gave.
	RunsFrom string `json:"runs_from,omitempty"`
	// Then is the court that follows the first recourse.
	Then string `json:"then"`
	// Source is the text the route comes from, for the Caf's legal service.
	Source string `json:"source" text:"lines"`
	// National reports whether this is the national default (no Caf
	// entry); UpdatedBy and UpdatedAt say who set a Caf's entry, and when.
	National  bool       `json:"national"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// RecourseMonths is the time limit of every national route: two months
// from the notification of the decision.
const RecourseMonths = 2

// RunsFromNotification is when every national route's time limit starts.
const RunsFromNotification = "la notification de la décision"

// FromNotification reports whether the route's time limit runs from the
// decision's notification.
func (r RecourseRoute) FromNotification() bool {
	return r.RunsFrom == "" || r.RunsFrom == RunsFromNotification
}

// Courts that follow a first recourse.
const (
	CourtSocial         = "le pôle social du tribunal judiciaire"
	CourtAdministrative = "le tribunal administratif"
)

// NationalRecourseRoute is the national default route for benefit b
// (DOMAIN.md, « Recourse routes »; each Caf's legal service confirms):
//   - the benefits of the Code de la sécurité sociale (family benefits,
//     PAJE, AAH payment, other): the commission de recours amiable of the
//     Caf, then the pôle social of the tribunal judiciaire (CSS R142-1,
//     L142-1);
//   - RSA: a prior administrative appeal to the président du conseil
//     départemental, then the tribunal administratif (CASF L262-47);
//   - prime d'activité and housing aid: a prior administrative appeal to
//     the Caf, then the tribunal administratif (CSS L845-2; CCH L827-1).
func NationalRecourseRoute(b Benefit) RecourseRoute {
	r := RecourseRoute{Benefit: b, Months: RecourseMonths, RunsFrom: RunsFromNotification, National: true}
	switch b {
	case "rsa":
		r.Body = "le président du conseil départemental, par un recours administratif préalable"
		r.Then = CourtAdministrative
		r.Source = "Code de l'action sociale et des familles, art. L262-47"
	case "ppa":
		r.Body = "la Caf, par un recours administratif préalable"
		r.Then = CourtAdministrative
		r.Source = "Code de la sécurité sociale, art. L845-2"
	case "housing_aid":
		r.Body = "la Caf, par un recours administratif préalable"
		r.Then = CourtAdministrative
		r.Source = "Code de la construction et de l'habitation, art. L827-1"
	default:
		r.Body = "la commission de recours amiable (CRA) de la Caf"
		r.Then = CourtSocial
		r.Source = "Code de la sécurité sociale, art. R142-1 et L142-1"
	}
	return r
}

// NationalRecourseRoutes lists the national default of every benefit, in
// the vocabulary's order.
func NationalRecourseRoutes() []RecourseRoute {
	out := make([]RecourseRoute, 0, len(Benefits))
	for _, b := range Benefits {
		out = append(out, NationalRecourseRoute(b))
	}
	return out
}

// Limits of a route's texts.
const (
	MaxRouteText    = 300
	MaxRouteMonths  = 12
	MaxAddressLines = 6
	MaxAddressText  = 300
)

// Validate checks a route a Caf's administrator sets.
func (r RecourseRoute) Validate() error {
	var p Problems
	if !r.Benefit.Valid() {
		p.Add("benefit", "prestation inconnue")
	}
	textField(&p, "body", r.Body, MaxRouteText)
	textField(&p, "then", r.Then, MaxRouteText)
	textField(&p, "source", r.Source, MaxRouteText)
	if utf8.RuneCountInString(r.RunsFrom) > MaxRouteText {
		p.Add("runs_from", "texte trop long")
	}
	if r.Months < 1 || r.Months > MaxRouteMonths {
		p.Add("months", "délai en mois attendu, de 1 à 12")
	}
	postalAddress(&p, "address", r.Address)
	CheckText(&p, "", r)
	return p.Err()
}

// postalAddress checks a postal address: at most six lines (the French
// postal standard NF Z10-011) of printable text.
func postalAddress(p *Problems, field, a string) {
	if a == "" {
		return
	}
	if utf8.RuneCountInString(a) > MaxAddressText {
		p.Add(field, "adresse trop longue (300 caractères au plus)")
		return
	}
	lines := AddressLines(a)
	if len(lines) > MaxAddressLines {
		p.Add(field, "une adresse postale tient en 6 lignes au plus")
	}
	for _, r := range a {
		if r != '\n' && (r < 0x20 || r == 0x7f) {
			p.Add(field, "l'adresse contient un caractère de contrôle")
			return
		}
	}
}

// CheckPostalAddress is the problem with postal address a given as field,
// if any.
func CheckPostalAddress(field, a string) error {
	var p Problems
	postalAddress(&p, field, a)
	return p.Err()
}

// SignatureFunction is the function an agent signs with, from their roles
// in the Caf, when they set none of their own.
func SignatureFunction(roles []Role) string {
	for _, r := range []Role{RoleMediator, RoleManager, RoleGCA, RoleCSU, RoleAdmin, RoleAuditor} {
		for _, held := range roles {
			if held == r {
				return roleFunctions[r]
			}
		}
	}
	return "Agent de la Caf"
}

var roleFunctions = map[Role]string{
	RoleMediator: "Médiateur de la Caf",
	RoleManager:  "Responsable de service",
	RoleGCA:      "Gestionnaire conseil allocataires",
	RoleCSU:      "Conseiller service à l'usager",
	RoleAdmin:    "Agent de la Caf",
	RoleAuditor:  "Agent de la Caf",
}

// AddressLines splits a postal address into its non-empty lines.
func AddressLines(a string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(a, "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Representative is a third party acting for the claimant (an elected
// official, a social worker, an association, a guardian): the letters
// name them and a copy goes to them.
type Representative struct {
	Name    string `json:"name" text:"name"`
	Quality string `json:"quality,omitempty"` // « assistante sociale du Département »
	Address string `json:"address,omitempty" text:"lines"`
}

func validateRepresentative(p *Problems, r *Representative) {
	if r == nil {
		return
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(r.Name)); {
	case n == 0:
		p.Add("claimant.representative.name", "le nom du tiers est obligatoire")
	case n > 200:
		p.Add("claimant.representative.name", "nom trop long (200 caractères au plus)")
	}
	if utf8.RuneCountInString(r.Quality) > 200 {
		p.Add("claimant.representative.quality", "qualité trop longue (200 caractères au plus)")
	}
	postalAddress(p, "claimant.representative.address", r.Address)
}

// decisionNotified checks the date the contested decision was notified
// to the claimant, when they give it: YYYY-MM-DD, not after today in
// Paris, and no more than five years back.
func decisionNotified(p *Problems, date string, now time.Time) {
	if date == "" {
		return
	}
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.Paris)
	switch {
	case err != nil:
		p.Add("decision_notified_on", "date attendue au format AAAA-MM-JJ")
	case d.After(now):
		p.Add("decision_notified_on", "la date de notification ne peut pas être dans le futur")
	case d.Before(now.AddDate(-5, 0, 0)):
		p.Add("decision_notified_on", "la date de notification remonte à plus de cinq ans")
	}
}

// RecourseEnd is the last day to contest a decision notified on date
// (YYYY-MM-DD) within months: the same date months later, or the last day
// of a shorter month, to its end, and the next working day when that one
// is not (code de procédure civile art. 641, 642).
func RecourseEnd(date string, months int) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.Paris)
	if err != nil || months <= 0 {
		return time.Time{}, false
	}
	return calendar.NextWorkingDay(calendar.EndOfDay(calendar.AddMonths(d, months))), true
}

// ResumedRecourseEnd is the last day to contest once a mediation's
// suspension ended (CSS L217-7-1): the whole days that were left at its
// start run again from its end. ok is false when the time limit had
// already run out when the suspension began (nothing was suspended).
func ResumedRecourseEnd(end time.Time, s AppealSuspension, resumed time.Time) (time.Time, bool) {
	from := calendar.StartOfDay(s.From)
	if !from.Before(end) {
		return time.Time{}, false
	}
	left := calendar.DaysBetween(from, end, calendar.CalendarDays)
	return calendar.NextWorkingDay(calendar.EndOfDay(calendar.AddDays(resumed, left, calendar.CalendarDays))), true
}
