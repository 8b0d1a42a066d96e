package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/calendar"
	"recours/internal/cases"
	"recours/internal/domain"
)

// The overpayment notices' pages (issue 7): the Caf's notices, the form
// to notify one, and each notice's page (ui_overpayment_notice.go), over
// the API's cores registerOverpayment, readableOverpayment and
// overpaymentAction: the rule of the large notices lives in the domain
// and the workflow, the pages only show it.

// uiNotice is a notice as a row or a page shows it, its words in French.
type uiNotice struct {
	ID, Short   string
	Claimant    domain.Claimant
	Benefit     string
	Period      string
	Amount      string
	Large       bool
	Status      string
	StatusClass string
	// CallDue is the day the explanation and the call are due, for a
	// large notice still waiting for them; CallLate when that day passed.
	CallDue  string
	CallLate bool
	Created  string
}

var uiNoticeStatuses = map[string]string{
	string(domain.OverpaymentPending): "à compléter avant l'envoi",
	string(domain.OverpaymentReady):   "prête à partir",
	string(domain.OverpaymentSent):    "envoyée",
}

func uiFrenchDay(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return d.Format("02/01/2006")
}

func uiNoticeOf(o domain.Overpayment) uiNotice {
	n := uiNotice{ID: o.ID, Short: uiShort(o.ID), Claimant: o.Claimant, Benefit: uiLabel(uiBenefitLabels, o.Benefit),
		Period: "du " + uiFrenchDay(o.PeriodStart) + " au " + uiFrenchDay(o.PeriodEnd), Amount: domain.FormatCents(o.AmountCents),
		Large: o.Large, Status: uiLabel(uiNoticeStatuses, o.Status), StatusClass: "sla-ok",
		Created: o.CreatedAt.In(calendar.Paris).Format("02/01/2006")}
	if o.Status == domain.OverpaymentPending {
		n.StatusClass = "sla-soon"
	}
	if o.Status == domain.OverpaymentReady && uiNoticeSending(o) {
		n.Status = "envoi en cours"
	}
	if o.Large && o.Status == domain.OverpaymentPending && o.CallDueAt != nil {
		n.CallDue = o.CallDueAt.In(calendar.Paris).Format("02/01/2006")
		n.CallLate = o.CallMissedAt != nil
		if n.CallLate {
			n.StatusClass = "sla-overdue"
		}
	}
	return n
}

// uiNoticeSending tells a notice being delivered: sent for (a standard
// notice at its creation, a large one by send) and no delivery recorded
// since. A delivery that failed leaves it to be sent again.
func uiNoticeSending(o domain.Overpayment) bool {
	if o.Status == domain.OverpaymentSent {
		return false
	}
	sending := !o.Large
	for _, ev := range o.Events {
		switch ev.Action {
		case domain.OverpaymentSend:
			sending = true
		case domain.EventMessageSent, domain.EventMessageFailed:
			sending = false
		}
	}
	return sending
}

// uiThreshold is the Caf's threshold of a large notice, in French.
func (s *Server) uiThreshold(c *gin.Context, caf string) string {
	cents := int64(domain.DefaultOverpaymentThresholdCents)
	if org, err := s.Store.Organisation(c.Request.Context(), caf); err == nil && org.OverpaymentThresholdCents > 0 {
		cents = org.OverpaymentThresholdCents
	}
	return domain.FormatCents(cents)
}

type uiNoticeList struct {
	Caf       string
	Rows      []uiNotice
	Threshold string
	CanCreate bool
	Status    string     // the status shown, "" for all
	Statuses  []uiOption // the filter's choices
}

// uiNotices lists the notices of the agent's current Caf, newest first.
func (s *Server) uiNotices(c *gin.Context) {
	if !s.uiAllow(c, cases.ObjOverpayment, "read") {
		return
	}
	ui := uiOf(c)
	status := c.Query("statut")
	if _, known := uiNoticeStatuses[status]; !known {
		status = "" // all of them
	}
	// Through the service: the list is on the access trail.
	items, err := s.Cases.Overpayments(c.Request.Context(), principal(c), cases.OverpaymentFilter{Caf: ui.Caf, Status: status, Limit: "200"})
	if err != nil {
		s.uiFail(c, err)
		return
	}
	d := uiNoticeList{Caf: ui.Caf, Threshold: s.uiThreshold(c, ui.Caf),
		CanCreate: s.Authz.Can(ui.User.Login, ui.Caf, cases.ObjOverpayment, "create"), Status: status}
	for _, st := range []domain.OverpaymentStatus{domain.OverpaymentPending, domain.OverpaymentReady, domain.OverpaymentSent} {
		d.Statuses = append(d.Statuses, uiOption{Value: string(st), Label: uiNoticeStatuses[string(st)]})
	}
	for _, o := range items {
		d.Rows = append(d.Rows, uiNoticeOf(o))
	}
	s.uiRender(c, http.StatusOK, "overpayments", "Trop-perçus", d)
}

// uiNoticeFields are the notify form's fields in their order, by the
// API's names; the explanation's come after (uiExplanationParts).
var uiNoticeFields = []struct{ name, label, input, hint string }{
	{"caf", "Caf", "select", ""},
	{"claimant.number", "Numéro allocataire", "text", "7 chiffres, par exemple 1234567"},
	{"claimant.name", "Nom de l'allocataire", "text", ""},
	{"claimant.email", "Adresse électronique de l'allocataire", "email", "La notification part par courriel quand l'adresse est connue, par courrier sinon."},
	{"claimant.phone", "Téléphone de l'allocataire", "tel", "Pour la tentative d'appel d'une notification importante."},
	{"benefit", "Prestation", "select", ""},
	{"period_start", "Début de la période", "date", ""},
	{"period_end", "Fin de la période", "date", ""},
	{"amount", "Montant du trop-perçu (en euros)", "text", "Par exemple 1 500,00"},
	{"cause", "Cause du trop-perçu", "textarea", "En mots simples : ce qui a changé dans la situation de l'allocataire."},
}

// uiExplanationParts are the six parts of the enriched explanation.
var uiExplanationParts = []struct{ name, label, hint string }{
	{"cause", "Cause du trop-perçu", "Ce qui a changé, et quand la Caf l'a su."},
	{"period", "Période concernée", "Les mois pour lesquels la Caf a trop versé."},
	{"computation", "Calcul du montant", "Le droit recalculé, mois par mois, et la différence avec ce qui a été versé."},
	{"contest", "Comment contester", "La commission de recours amiable, son adresse et le délai de deux mois."},
	{"repayment", "Comment rembourser", "En une fois, par échéancier ou par retenues sur les prochains versements."},
	{"right_to_error", "Droit à l'erreur", "Une erreur de bonne foi, déclarée ou rectifiée, n'est pas sanctionnée."},
}

// uiOptional lists the fields the form may leave empty.
var uiOptional = map[string]bool{"claimant.name": true, "claimant.email": true, "claimant.phone": true}

// uiSummaryItem is one invalid field in a form's error summary.
type uiSummaryItem struct{ ID, Label, Error string }

type uiNotify struct {
	Fields      []uiField
	Explanation []uiField
	Summary     []uiSummaryItem
	Message     string
	Threshold   string
}

func (s *Server) uiNotifyData(c *gin.Context, values map[string]string, errs map[string]string) uiNotify {
	ui := uiOf(c)
	d := uiNotify{Threshold: s.uiThreshold(c, ui.Caf)}
	for _, f := range uiNoticeFields {
		field := uiField{Name: f.name, Label: f.label, Input: f.input, Hint: f.hint, Value: values[f.name],
			Error: errs[f.name], Required: !uiOptional[f.name]}
		switch f.name {
		case "caf":
			for _, caf := range s.Authz.Cafs(ui.User.Login, cases.ObjOverpayment, "create") {
				field.Options = append(field.Options, uiOption{caf, "Caf " + caf})
			}
		case "benefit":
			for _, b := range domain.Benefits {
				field.Options = append(field.Options, uiOption{string(b), uiLabel(uiBenefitLabels, b)})
			}
		}
		d.Fields = append(d.Fields, field)
	}
	d.Explanation = uiExplanationFields(values, errs, false)
	for _, f := range append(append([]uiField{}, d.Fields...), d.Explanation...) {
		if f.Error != "" {
			d.Summary = append(d.Summary, uiSummaryItem{ID: uiFieldID(f.Name), Label: f.Label, Error: f.Error})
		}
	}
	return d
}

// uiExplanationFields are the six parts as textareas named
// explanation.<part>, required or not.
func uiExplanationFields(values, errs map[string]string, required bool) []uiField {
	var out []uiField
	for _, p := range uiExplanationParts {
		name := "explanation." + p.name
		out = append(out, uiField{Name: name, Label: p.label, Input: "textarea", Hint: p.hint + " 20 caractères au moins.",
			Value: values[name], Error: errs[name], Required: required})
	}
	return out
}

// uiFieldID is the id of a field's input, as the template's fid.
func uiFieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name)
}

// uiNoticeNew shows the empty form.
func (s *Server) uiNoticeNew(c *gin.Context) {
	if !s.uiAllow(c, cases.ObjOverpayment, "create") {
		return
	}
	s.uiRender(c, http.StatusOK, "overpayment_new", "Notifier un trop-perçu",
		s.uiNotifyData(c, map[string]string{"caf": uiOf(c).Caf}, nil))
}

// uiExplanationOf reads the six parts from a form; nil when all are empty.
func uiExplanationOf(values map[string]string) *domain.Explanation {
	e := domain.Explanation{Cause: values["explanation.cause"], Period: values["explanation.period"],
		Computation: values["explanation.computation"], Contest: values["explanation.contest"],
		Repayment: values["explanation.repayment"], RightToError: values["explanation.right_to_error"]}
	if e == (domain.Explanation{}) {
		return nil
	}
	return &e
}

// uiNoticeCreate notifies an overpayment through the API's core: on
// success to the notice's page; otherwise the form again with what was
// typed and a French message beside each invalid field, nothing written.
func (s *Server) uiNoticeCreate(c *gin.Context) {
	if !s.uiAllow(c, cases.ObjOverpayment, "create") {
		return
	}
	form := c.Request.PostForm
	values := map[string]string{}
	for _, f := range uiNoticeFields {
		values[f.name] = strings.TrimSpace(form.Get(f.name))
	}
	for _, p := range uiExplanationParts {
		values["explanation."+p.name] = strings.TrimSpace(form.Get("explanation." + p.name))
	}
	in := domain.NewOverpayment{
		Caf: values["caf"],
		Claimant: domain.Claimant{Number: values["claimant.number"], Name: values["claimant.name"],
			Email: values["claimant.email"], Phone: values["claimant.phone"]},
		Benefit: domain.Benefit(values["benefit"]), PeriodStart: values["period_start"], PeriodEnd: values["period_end"],
		Amount: domain.Amount(values["amount"]), Cause: values["cause"], Explanation: uiExplanationOf(values),
	}
	out, err := s.Cases.Notify(c.Request.Context(), principal(c), in, cases.Idempotency{})
	var de *domain.Error
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/ui/trop-percus/"+out.ID+"?fait=created")
	case errors.As(err, &de) && (de.Code == domain.EINVALID || de.Code == domain.EFORBIDDEN):
		errs := uiFieldErrors(de)
		status := http.StatusUnprocessableEntity
		if de.Code == domain.EFORBIDDEN {
			status = http.StatusForbidden
		}
		d := s.uiNotifyData(c, values, errs)
		if len(d.Summary) == 0 {
			d.Message = uiSentence(de.Message)
		}
		s.uiRender(c, status, "overpayment_new", "Notifier un trop-perçu (erreurs à corriger)", d)
	default:
		s.uiFail(c, err)
	}
}

// uiFieldErrors keys the French message of each invalid field by its name.
func uiFieldErrors(de *domain.Error) map[string]string {
	errs := map[string]string{}
	for _, f := range de.Fields {
		if _, seen := errs[f.Field]; !seen {
			errs[f.Field] = uiNoticeMessage(f)
		}
	}
	return errs
}

// uiNoticeMessage says what to do about an invalid field of a notice.
func uiNoticeMessage(f domain.FieldError) string {
	switch f.Field {
	case "amount":
		return "Montant invalide : écrivez un nombre positif en euros, deux décimales au plus (par exemple 1 500,00)."
	case "benefit":
		return "Prestation inconnue : choisissez-la dans la liste."
	case "result":
		return "Choisissez le résultat de l'appel."
	case "period_start", "period_end":
		if strings.HasPrefix(f.Message, "date invalide") {
			return "Date invalide : choisissez un jour (JJ/MM/AAAA)."
		}
	}
	return uiIntakeMessage(f)
}

// uiSentence makes a domain message a sentence.
func uiSentence(m string) string {
	r := []rune(strings.TrimSpace(m))
	if len(r) == 0 {
		return ""
	}
	return strings.ToUpper(string(r[0])) + string(r[1:]) + "."
}
