package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/calendar"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/workflows"
)

// A notice's page: its state, what it still needs before it may be sent,
// and the forms of the actions this agent may take on it.

// uiNoticePage is the notice's page.
type uiNoticePage struct {
	N           uiNotice
	O           domain.Overpayment
	Threshold   string
	Missing     []string
	Explanation []uiPair // the recorded parts
	Call        []uiPair // the recorded attempt
	Forms       []uiNoticeAction
	Events      []uiNoticeEvent
	Messages    []uiMessage
	// Error says why an action that has no form here failed.
	Error string
}

// uiPair is a term and its text, for a definition list.
type uiPair struct{ Term, Text string }

// uiNoticeAction is one action's form.
type uiNoticeAction struct {
	Action, Title, Button, Intro string
	Fields                       []uiField
	Summary                      []uiSummaryItem
	Error                        string
}

type uiNoticeEvent struct {
	At      time.Time
	Label   string
	Actor   string
	Details []string
}

var (
	uiCallResults = map[string]string{
		domain.CallReached: "allocataire joint", domain.CallNotReached: "allocataire non joint",
		domain.CallNoNumber: "aucun numéro de téléphone",
	}
	uiNoticeEventLabels = map[string]string{
		"created": "Notification enregistrée", domain.OverpaymentExplain: "Explication détaillée enregistrée",
		domain.OverpaymentRecordCall: "Tentative d'appel enregistrée", domain.OverpaymentSend: "Envoi demandé",
		"reminder":              "Rappel : explication et appel attendus",
		"call_deadline_missed":  "Délai de deux jours ouvrés dépassé",
		domain.EventMessageSent: "Notification envoyée à l'allocataire", domain.EventMessageFailed: "Notification non remise à l'allocataire",
	}
	uiNoticeDone = map[string]string{
		domain.OverpaymentExplain:    "L'explication détaillée est enregistrée.",
		domain.OverpaymentRecordCall: "La tentative d'appel est enregistrée.",
		domain.OverpaymentSend:       "La notification part à l'allocataire ; son envoi apparaîtra ci-dessous.",
	}
)

// uiNotice shows a notice the agent may read (404 otherwise, as the API).
func (s *Server) uiNotice(c *gin.Context) {
	o, err := s.Cases.Overpayment(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.uiFail(c, err)
		return
	}
	flash := uiNoticeDone[c.Query("fait")]
	if c.Query("fait") == "created" {
		flash = "La notification est enregistrée : elle part à l'allocataire (notification standard)."
		if o.Large {
			flash = "La notification est enregistrée. C'est une notification importante : elle ne partira qu'avec l'explication détaillée et après une tentative d'appel."
		}
	}
	s.uiNoticePage(c, http.StatusOK, o, flash, "", nil, nil)
}

// uiNoticePage renders the page; failed names the action whose form comes
// back with err and what was typed.
func (s *Server) uiNoticePage(c *gin.Context, status int, o domain.Overpayment, flash, failed string, failure *domain.Error, values url.Values) {
	d := uiNoticePage{N: uiNoticeOf(o), O: o, Threshold: domain.FormatCents(o.ThresholdCents), Missing: o.Missing()}
	if e := o.Explanation; e != nil {
		texts := []string{e.Cause, e.Period, e.Computation, e.Contest, e.Repayment, e.RightToError}
		for i, p := range uiExplanationParts {
			d.Explanation = append(d.Explanation, uiPair{p.label, texts[i]})
		}
	}
	if call := o.Call; call != nil {
		d.Call = []uiPair{{"Résultat", uiLabel(uiCallResults, call.Result)},
			{"Le", call.At.In(calendar.Paris).Format("02/01/2006 à 15:04")}, {"Par", call.By}}
		if call.Note != "" {
			d.Call = append(d.Call, uiPair{"Note", call.Note})
		}
	}
	login := uiOf(c).User.Login
	// A standard notice goes out by itself (only a failed delivery is sent
	// again); a large one, once sent for, waits for its delivery only.
	if o.Status != domain.OverpaymentSent && !uiNoticeSending(o) {
		for _, a := range workflows.OverpaymentActions {
			if !s.Authz.Can(login, o.Caf, cases.ObjOverpayment, a) || (!o.Large && a != domain.OverpaymentSend) {
				continue
			}
			f := uiNoticeActionForm(o, a, values, failed == a, failure)
			d.Forms = append(d.Forms, f)
		}
	}
	if failed != "" && failure != nil && !slices.ContainsFunc(d.Forms, func(f uiNoticeAction) bool { return f.Action == failed }) {
		d.Error = uiSentence(failure.Message)
	}
	for _, ev := range o.Events {
		d.Events = append(d.Events, uiNoticeEventOf(ev))
	}
	var err error
	if d.Messages, err = s.uiMessages(c.Request.Context(), o.ID, "/ui/trop-percus/"+o.ID); err != nil {
		s.uiFail(c, err)
		return
	}
	s.uiRenderFlash(c, status, "overpayment", "Trop-perçu de "+d.N.Amount+" · "+d.N.Short, flash, d)
}

// uiNoticeActionForm is the form of action a on o; when it failed, what was
// typed comes back with why.
func uiNoticeActionForm(o domain.Overpayment, a string, typed url.Values, failed bool, failure *domain.Error) uiNoticeAction {
	values := map[string]string{}
	if failed {
		for k := range typed {
			values[k] = strings.TrimSpace(typed.Get(k))
		}
	} else if e := o.Explanation; e != nil && a == domain.OverpaymentExplain {
		values = map[string]string{"explanation.cause": e.Cause, "explanation.period": e.Period,
			"explanation.computation": e.Computation, "explanation.contest": e.Contest,
			"explanation.repayment": e.Repayment, "explanation.right_to_error": e.RightToError}
	}
	errs := map[string]string{}
	if failed && failure != nil {
		errs = uiFieldErrors(failure)
	}
	f := uiNoticeAction{Action: a}
	switch a {
	case domain.OverpaymentExplain:
		f.Title, f.Button = "Explication détaillée", "Enregistrer l'explication"
		f.Intro = "Les six parties sont obligatoires ; elles sont écrites pour l'allocataire, en mots simples, et figurent dans la notification."
		if o.Explanation != nil {
			f.Title = "Modifier l'explication détaillée"
		}
		f.Fields = uiExplanationFields(values, errs, true)
	case domain.OverpaymentRecordCall:
		f.Title, f.Button = "Tentative d'appel", "Enregistrer l'appel"
		f.Intro = fmt.Sprintf("Appelez l'allocataire%s avant l'envoi de la notification.", uiPhone(o))
		if o.Call != nil {
			f.Title = "Nouvelle tentative d'appel"
		}
		result := uiField{Name: "result", Label: "Résultat de l'appel", Input: "radio", Required: true,
			Value: values["result"], Error: errs["result"]}
		for _, r := range domain.CallResults {
			result.Options = append(result.Options, uiOption{r, strings.ToUpper(uiCallResults[r][:1]) + uiCallResults[r][1:]})
		}
		f.Fields = []uiField{result, {Name: "note", Label: "Note sur l'appel", Input: "textarea",
			Hint: "Ce qui a été dit, ou pourquoi l'allocataire n'a pas été joint.", Value: values["note"], Error: errs["note"]}}
	case domain.OverpaymentSend:
		f.Title, f.Button = "Envoyer la notification", "Envoyer la notification à l'allocataire"
		if m := o.Missing(); len(m) > 0 {
			f.Intro = "Elle ne peut pas encore partir : il manque " + strings.Join(m, " et ") + "."
		} else {
			f.Intro = "Elle part par courriel quand l'adresse est connue, par courrier sinon."
		}
	}
	for _, field := range f.Fields {
		if field.Error != "" {
			f.Summary = append(f.Summary, uiSummaryItem{ID: uiFieldID(field.Name), Label: field.Label, Error: field.Error})
		}
	}
	if failed && failure != nil && len(f.Summary) == 0 {
		f.Error = uiSentence(failure.Message)
	}
	return f
}

func uiPhone(o domain.Overpayment) string {
	if o.Claimant.Phone == "" {
		return " (aucun numéro n'est enregistré)"
	}
	return " au " + o.Claimant.Phone
}

func uiNoticeEventOf(ev domain.Event) uiNoticeEvent {
	e := uiNoticeEvent{At: ev.At, Label: uiLabel(uiNoticeEventLabels, ev.Action), Actor: ev.Actor}
	if ev.Actor == domain.System {
		e.Actor = "Recours (automatique)"
	}
	d := ev.Details
	if v, ok := d["amount_cents"].(float64); ok {
		e.Details = append(e.Details, "Montant : "+domain.FormatCents(int64(v)))
	}
	if v, ok := d["amount_cents"].(int64); ok {
		e.Details = append(e.Details, "Montant : "+domain.FormatCents(v))
	}
	if v, ok := d["large"].(bool); ok && v {
		e.Details = append(e.Details, "Notification importante")
	}
	if v, ok := d["result"].(string); ok {
		e.Details = append(e.Details, "Résultat : "+uiLabel(uiCallResults, v))
	}
	if v, ok := d["missing"].([]any); ok && len(v) > 0 {
		var m []string
		for _, x := range v {
			m = append(m, fmt.Sprint(x))
		}
		e.Details = append(e.Details, "Il manquait "+strings.Join(m, " et "))
	}
	if v, ok := d["channel"]; ok {
		e.Details = append(e.Details, "Canal : "+uiLabel(uiMessageChannels, v))
	}
	if v, ok := d["error"].(string); ok && v != "" {
		e.Details = append(e.Details, "Motif : "+v)
	}
	return e
}

// uiNoticeAct performs explain, record_call or send from its form through
// the API's core: on success back to the notice (POST-redirect-GET);
// otherwise the page again with the form, what was typed and why it
// failed; nothing changed.
func (s *Server) uiNoticeAct(c *gin.Context) {
	action := c.Param("action")
	form := c.Request.PostForm
	var args domain.OverpaymentArgs
	switch action {
	case domain.OverpaymentExplain:
		values := map[string]string{}
		for _, p := range uiExplanationParts {
			values["explanation."+p.name] = strings.TrimSpace(form.Get("explanation." + p.name))
		}
		e := uiExplanationOf(values)
		if e == nil {
			e = &domain.Explanation{}
		}
		args.Explanation = e
	case domain.OverpaymentRecordCall:
		args.CallResult, args.Note = strings.TrimSpace(form.Get("result")), strings.TrimSpace(form.Get("note"))
	}
	o, err := s.Cases.ActOnOverpayment(c.Request.Context(), principal(c), c.Param("id"), action, args, cases.Idempotency{})
	var de *domain.Error
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		s.uiFail(c, err)
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/ui/trop-percus/"+o.ID+"?fait="+action)
	case errors.As(err, &de) && (de.Code == domain.EINVALID || de.Code == domain.ECONFLICT):
		status := http.StatusConflict
		if de.Code == domain.EINVALID {
			status = http.StatusUnprocessableEntity
		}
		if o, err = s.Cases.Overpayment(c.Request.Context(), principal(c), c.Param("id")); err != nil {
			s.uiFail(c, err)
			return
		}
		s.uiNoticePage(c, status, o, "", action, de, form)
	default:
		s.uiFail(c, err)
	}
}

// uiNoticeMessageFile serves a notice's message after the notice's read
// check.
func (s *Server) uiNoticeMessageFile(c *gin.Context) {
	o, err := s.Cases.Overpayment(c.Request.Context(), principal(c), c.Param("id"))
	if err == nil {
		err = s.Cases.Record(c.Request.Context(), principal(c), o.ID, o.Caf, cases.ReadMessage)
	}
	if err != nil {
		s.uiFail(c, err)
		return
	}
	s.uiServeMessage(c, o.ID)
}
