package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/calendar"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// uiCaseData is the file page: the file with its links, its timeline, its
// deadlines, and the forms of the actions this agent may take now.
type uiCaseData struct {
	View      cases.View
	Events    []domain.Event
	Deadlines []uiDeadline
	Actions   []uiActionForm
	Pending   []domain.Opinion
	Failed    bool
	Messages  []uiMessage
	// Error says why an action that has no form here failed.
	Error string
	// Story is the claimant's other files the agent may see.
	Story []store.StoryFile
}

type uiDeadline struct {
	domain.Deadline
	Days *int
}

// uiActionForm is one action as a form.
type uiActionForm struct {
	Action  string
	Label   string
	Fields  []uiField
	Error   string
	Invalid bool
}

// uiField is one input of an action's form; Name is the API's field.
type uiField struct {
	Name, Label, Input, Hint, Value, Error string
	Required                               bool
	Options                                []uiOption
}

type uiOption struct{ Value, Label string }

// uiCase shows a file the agent may read (404 otherwise, as the API).
func (s *Server) uiCase(c *gin.Context) {
	file, err := s.Cases.Readable(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.uiFail(c, err)
		return
	}
	flash := ""
	// Only a word of ours makes a banner: the query string is anyone's text.
	if label, ok := uiDoneLabels[c.Query("fait")]; ok || c.Query("fait") == "created" {
		flash = "C'est fait : " + label + "."
		if c.Query("fait") == "created" {
			noun := "La réclamation est enregistrée"
			switch {
			case file.Origin == string(domain.OriginDDD):
				noun = "La saisine du Défenseur des droits est enregistrée"
			case file.Kind == domain.KindMediation:
				noun = "La demande de médiation est enregistrée"
			}
			flash = noun + " sous la référence " + file.DisplayReference() + " ; ses délais courent à partir de sa réception."
		}
	}
	s.uiCasePage(c, http.StatusOK, file, flash, "", nil, nil)
}

// uiCasePage renders the file page; failed names the action whose form
// comes back with err and the values typed.
func (s *Server) uiCasePage(c *gin.Context, status int, file domain.Case, flash string, failed domain.Action, failure error, values url.Values) {
	if !s.recordRead(c, file, cases.ReadDetail) || !s.recordRead(c, file, cases.ReadEvents) {
		return
	}
	ctx := c.Request.Context()
	view, err := s.Cases.ViewOf(ctx, file)
	if err != nil {
		s.uiFail(c, err)
		return
	}
	d := uiCaseData{View: view, Failed: failed != ""}
	if d.Events, err = s.Store.Events(ctx, file.ID); err != nil {
		s.uiFail(c, err)
		return
	}
	d.Events = uiMessageEvents(domain.EventsForAgents(d.Events))
	story, err := s.Cases.ClaimantStory(ctx, principal(c), file.Claimant.Number)
	if err != nil {
		s.uiFail(c, err)
		return
	}
	for _, f := range story {
		if f.ID != file.ID {
			d.Story = append(d.Story, f)
		}
	}
	if d.Messages, err = s.uiMessages(ctx, file.ID, "/ui/dossiers/"+file.ID); err != nil {
		s.uiFail(c, err)
		return
	}
	now := s.now()
	for _, dl := range file.Deadlines {
		u := uiDeadline{Deadline: dl}
		if dl.Pending() {
			n := uiDaysLeft(now, dl.DueAt)
			u.Days = &n
		}
		d.Deadlines = append(d.Deadlines, u)
	}
	for _, o := range file.Opinions {
		if o.Status == domain.OpinionPending {
			d.Pending = append(d.Pending, o)
		}
	}
	if d.Actions, err = s.uiActions(c, view, d.Pending, now); err != nil {
		s.uiFail(c, err)
		return
	}
	if failed != "" {
		d.Error = uiErrText(failure)
	}
	for i := range d.Actions {
		if d.Actions[i].Action == string(failed) {
			uiFillFailure(&d.Actions[i], failure, values)
			d.Error = ""
		}
	}
	name := file.Reference
	if name == "" {
		name = uiShort(file.ID)
	}
	s.uiRenderFlash(c, status, "case", uiLabel(uiKindLabels, string(file.Kind))+" "+name, flash, d)
}

// uiActions lists the actions this agent may take on the file now: those
// Casbin allows in the file's Caf and the file's own rule (its state, the
// object-level rule) accepts, checked with sample arguments so that only
// the arguments are left to the form.
func (s *Server) uiActions(c *gin.Context, view cases.View, pending []domain.Opinion, now time.Time) ([]uiActionForm, error) {
	file := view.Case
	login := uiOf(c).User.Login
	actor := domain.Actor{Login: login, Roles: s.Authz.Roles(login, file.Caf)}
	var out []uiActionForm
	for _, a := range domain.Actions(file.Kind) {
		if !file.Kind.Public(a) || !s.Authz.Can(login, file.Caf, string(file.Kind), string(a)) {
			continue
		}
		probe := file
		if err := probe.Check(now, actor, a, uiSampleArgs(file, pending, now)); err != nil && domain.ErrorCode(err) != domain.EINVALID {
			continue
		}
		form := uiActionForm{Action: string(a), Label: uiLabel(uiActionLabels, string(a))}
		required := map[string]bool{}
		if err := file.ValidateArgs(now, a, domain.ActionArgs{}); err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				for _, f := range de.Fields {
					required[f.Field] = true
				}
			}
		}
		for _, name := range file.ActionFields(a) {
			f, err := s.uiActionField(c, view, pending, a, name, now)
			if err != nil {
				return nil, err
			}
			f.Required = required[name]
			form.Fields = append(form.Fields, f)
		}
		out = append(out, form)
	}
	return out, nil
}

// uiSampleArgs are arguments every check of their form accepts, so that
// Check answers on the state and the object rule alone.
func uiSampleArgs(file domain.Case, pending []domain.Opinion, now time.Time) domain.ActionArgs {
	yes := true
	today := now.In(calendar.Paris).Format(time.DateOnly)
	args := domain.ActionArgs{
		Assignee: "?", Note: "?", Documents: "?", Answer: strings.Repeat("?", domain.MinAnswer), Reason: "?", NoCourtCase: &yes,
		Service: "?", Question: "?", OpinionID: "?", Text: "?", Outcome: domain.Outcomes[0],
		Explanation: strings.Repeat("?", domain.MinExplanation), Court: "?", FiledOn: today, DDDReference: "?",
		Field: "subject", Value: "?", Caf: "000", Into: "?",
	}
	if len(pending) > 0 {
		args.OpinionID = pending[0].ID
	}
	return args
}

// uiActionField is the input of one argument.
func (s *Server) uiActionField(c *gin.Context, view cases.View, pending []domain.Opinion, a domain.Action, name string, now time.Time) (uiField, error) {
	f := uiField{Name: name, Label: uiLabel(uiFieldLabels, name), Input: "text"}
	switch name {
	case "note", "answer", "reason", "question", "text", "explanation", "documents":
		f.Input = "textarea"
	case "no_court_case":
		f.Input = "checkbox"
		f.Hint = "Une médiation n'est pas recevable quand une action en justice est en cours (CSS L217-7-1)."
	case "due_in_days":
		f.Input = "number"
		f.Hint = fmt.Sprintf("Entre 1 et 60 ; %d jours si vide.", domain.DefaultOpinionDays)
	case "filed_on":
		f.Input = "date"
	case "field":
		f.Input = "select"
		for _, name := range domain.CorrectableFields {
			if name != "channel" || view.Kind == domain.KindComplaint {
				f.Options = append(f.Options, uiOption{name, uiLabel(uiFieldLabels, name)})
			}
		}
	case "value":
		f.Hint = "La valeur juste, telle qu'elle aurait dû être enregistrée (code de la prestation, du motif ou du canal pour ceux-ci)."
	case "caf":
		f.Input = "select"
		for _, caf := range uiOf(c).Cafs {
			if caf != view.Caf {
				f.Options = append(f.Options, uiOption{caf, "Caf " + caf})
			}
		}
		f.Hint = "Le dossier part avec son historique et ses échéances ; les responsables de cette Caf sont prévenus."
	case "into":
		f.Hint = "La référence du dossier que celui-ci répète (même allocataire, même Caf) : ce dossier sera clos et compté nulle part."
	case "assignee":
		f.Input = "select"
		officers, err := s.uiOfficers(c, view.Caf)
		if err != nil {
			return f, err
		}
		for _, o := range officers {
			if o.Login != view.Assignee {
				f.Options = append(f.Options, uiOption{o.Login, o.Name + " (" + o.Login + ")"})
			}
		}
	case "prior_contact_case_id":
		f.Input = "select"
		f.Hint = "Le dossier par lequel l'allocataire a déjà saisi la Caf : il doit avoir reçu une réponse, ou son délai être dépassé."
		f.Options = []uiOption{{"", "Aucun dossier de Recours (démarche attestée autrement)"}}
		for _, p := range view.PriorFiles {
			label := fmt.Sprintf("%s %s du %s : %s", uiLabel(uiKindLabels, p.Kind), uiShort(p.ID),
				p.ReceivedAt.In(calendar.Paris).Format("02/01/2006"), uiLabel(uiStatusLabels, p.Status))
			f.Options = append(f.Options, uiOption{p.ID, label})
		}
	case "opinion_id":
		f.Input = "select"
		for _, o := range pending {
			f.Options = append(f.Options, uiOption{o.ID, o.Service + " (attendu le " + o.DueAt.In(calendar.Paris).Format("02/01/2006") + ")"})
		}
	case "outcome":
		f.Input = "select"
		for _, o := range domain.Outcomes {
			f.Options = append(f.Options, uiOption{o, uiLabel(uiOutcomeLabels, o)})
		}
	}
	switch {
	case a == domain.ActionRequestDocuments && name == "documents":
		f.Hint = "La liste des documents, telle que l'allocataire la lira dans notre courrier."
	case a == domain.ActionRequestDocuments && name == "due_in_days":
		f.Hint = fmt.Sprintf("Jours laissés à l'allocataire, de %d à %d ; %d si vide. Il est relancé avant, et le dossier reprend à cette date sans les documents.",
			domain.MinDocumentsDays, domain.MaxDocumentsDays, domain.DefaultDocumentsDays)
	case a == domain.ActionAnswer && name == "answer":
		f.Hint = fmt.Sprintf("Au moins %d caractères : la réponse explique la décision en une phrase au moins.", domain.MinAnswer)
	case name == "explanation":
		f.Hint = fmt.Sprintf("Au moins %d caractères, écrits pour l'allocataire en mots simples.", domain.MinExplanation)
	}
	return f, nil
}

// uiFillFailure puts back what was typed and says why the action failed.
func uiFillFailure(form *uiActionForm, err error, values url.Values) {
	form.Invalid = true
	var de *domain.Error
	if errors.As(err, &de) {
		form.Error = de.Message
	} else {
		form.Error = uiErrText(err)
	}
	for i := range form.Fields {
		f := &form.Fields[i]
		f.Value = values.Get(f.Name)
		if de != nil {
			for _, fe := range de.Fields {
				if fe.Field == f.Name && f.Error == "" {
					f.Error = uiIntakeMessage(fe)
				}
			}
		}
	}
}

// uiAction performs an action from its form through the API's core: on
// success back to the file (POST-redirect-GET), otherwise the file again
// with the form, what was typed and why it failed; nothing changed.
func (s *Server) uiAction(c *gin.Context) {
	action := domain.Action(c.Param("action"))
	form := c.Request.PostForm
	args, p := uiActionArgs(form)
	var file domain.Case
	err := p.Err()
	if err == nil {
		file, err = s.Cases.Act(c.Request.Context(), principal(c), c.Param("id"), action, args, cases.Idempotency{})
	}
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		s.uiFail(c, err)
		return
	}
	var de *domain.Error
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/ui/dossiers/"+file.ID+"?fait="+string(action))
	case errors.As(err, &de) && de.Code != domain.EINTERNAL && de.Code != domain.EUNAVAILABLE:
		status := httpx.StatusOf[de.Code]
		if de.Code == domain.EINVALID {
			status = http.StatusUnprocessableEntity
		}
		file, err = s.Cases.Readable(c.Request.Context(), principal(c), c.Param("id"))
		if err != nil {
			s.uiFail(c, err)
			return
		}
		s.uiCasePage(c, status, file, "", action, de, form)
	default:
		s.uiFail(c, err)
	}
}

// uiActionArgs reads an action's form: the fields filled in, by the
// API's names (the service refuses those the action does not take).
func uiActionArgs(form url.Values) (domain.ActionArgs, domain.Problems) {
	var p domain.Problems
	m := map[string]any{}
	for f, vs := range form {
		v := strings.TrimSpace(vs[0])
		if v == "" || f == "csrf_token" {
			continue
		}
		switch f {
		case "no_court_case":
			m[f] = v == "true"
		case "due_in_days":
			n, err := strconv.Atoi(v)
			if err != nil {
				p.Add(f, "nombre de jours attendu")
				continue
			}
			m[f] = n
		default:
			m[f] = v
		}
	}
	var args domain.ActionArgs
	body, _ := json.Marshal(m)
	_ = json.Unmarshal(body, &args) // fields ActionArgs does not know are dropped
	return args, p
}
