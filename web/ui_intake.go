package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/authz"
	"recours/internal/calendar"
	"recours/internal/cases"
	"recours/internal/domain"
)

// uiIntakeKind is one of the intake forms: a complaint, a request for
// mediation, a Défenseur des droits referral received by post.
type uiIntakeKind struct {
	Kind, Path, Action, Title, Noun, Button string
	// Fields are the form's fields in their order, by the API's names.
	Fields []string
	obj    string
}

var (
	uiComplaintIntake = uiIntakeKind{Kind: "complaint", Path: "/ui/reclamations/nouvelle", Action: "/ui/reclamations",
		Title: "Nouvelle réclamation", Noun: "La réclamation", Button: "Enregistrer la réclamation", obj: authz.ObjComplaint,
		Fields: []string{"caf", "channel", "claimant.number", "claimant.name", "claimant.address", "benefit", "reason",
			"received_on", "decision_notified_on", "subject", "description"}}
	uiMediationIntake = uiIntakeKind{Kind: "mediation", Path: "/ui/mediations/nouvelle", Action: "/ui/mediations",
		Title: "Nouvelle demande de médiation", Noun: "La demande de médiation", Button: "Enregistrer la demande de médiation", obj: authz.ObjMediation,
		Fields: []string{"caf", "origin", "related_case_id", "claimant.number", "claimant.name", "claimant.address", "benefit", "reason",
			"received_on", "decision_notified_on", "subject", "description"}}
	uiReferralIntake = uiIntakeKind{Kind: "referral", Path: "/ui/saisines/nouvelle", Action: "/ui/saisines",
		Title: "Saisine du Défenseur des droits reçue par courrier", Noun: "La saisine", Button: "Enregistrer la saisine", obj: authz.ObjMediation,
		Fields: []string{"caf", "ddd_reference", "claimant.number", "claimant.name", "claimant.address", "benefit", "reason",
			"received_on", "response_expected_by", "subject", "description"}}
)

// uiIntakeData is an intake form: the choices, what was typed, and the
// French message of each invalid field (keyed by the API's field name).
type uiIntakeData struct {
	Form     uiIntakeKind
	Cafs     []string
	Channels []domain.Channel
	Benefits []domain.Benefit
	Reasons  []domain.Reason
	Origins  []domain.Origin
	Values   map[string]string
	Errors   map[string]string
	// Order lists the invalid fields in the form's order, for the summary.
	Order   []string
	Message string
	// Today bounds the date of receipt (a year back at most).
	Today, YearAgo string
	// Story is the panel of the claimant's files, once a number is typed.
	Story map[string]any
	// Duplicate names the open file of the same claimant, benefit and
	// reason: the form asks to confirm it is another request.
	Duplicate string
}

// uiStory is the panel of the files of the claimant number typed in an
// intake form (nil before a whole number is typed).
func (s *Server) uiStory(c *gin.Context, number string) (map[string]any, error) {
	number = domain.CleanClaimantNumber(number)
	if !domain.ValidClaimantNumber(number) {
		return nil, nil
	}
	files, err := s.Cases.ClaimantStory(c.Request.Context(), principal(c), number)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Title": "Les dossiers de l'allocataire n° " + number, "Files": files,
		"Empty": "Aucun dossier de cet allocataire dans les Caf où vous consultez les dossiers."}, nil
}

// uiClaimant is the panel alone, fetched as the number is typed.
func (s *Server) uiClaimant(c *gin.Context) {
	story, err := s.uiStory(c, c.Query("claimant.number"))
	if err != nil {
		s.uiFail(c, err)
		return
	}
	s.uiRender(c, http.StatusOK, "claimant", "Dossiers de l'allocataire", story)
}

func (s *Server) uiIntakeData(c *gin.Context, k uiIntakeKind) uiIntakeData {
	ui := uiOf(c)
	today := s.now().In(calendar.Paris)
	d := uiIntakeData{
		Form: k, Cafs: s.Authz.Cafs(ui.User.Login, k.obj, authz.ActCreate),
		Channels: domain.Channels, Benefits: domain.Benefits, Reasons: domain.Reasons,
		// A form's token makes its second submit (a double click, the
		// back button) find the file the first made.
		Values: map[string]string{"caf": ui.Caf, "received_on": today.Format(time.DateOnly), "form_token": uuid.NewString()},
		Errors: map[string]string{}, Today: today.Format(time.DateOnly), YearAgo: today.AddDate(-1, 0, 0).Format(time.DateOnly),
	}
	for _, o := range domain.Origins {
		if o != domain.OriginDDD { // a referral has its own form
			d.Origins = append(d.Origins, o)
		}
	}
	return d
}

// uiIntakeForm shows an empty form.
func (s *Server) uiIntakeForm(k uiIntakeKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.uiAllow(c, k.obj, authz.ActCreate) {
			return
		}
		d := s.uiIntakeData(c, k)
		if n := strings.TrimSpace(c.Query("numero")); n != "" {
			d.Values["claimant.number"] = n
			var err error
			if d.Story, err = s.uiStory(c, n); err != nil {
				s.uiFail(c, err)
				return
			}
		}
		if k.Kind == "mediation" {
			d.Values["related_case_id"] = c.Query("dossier")
		}
		s.uiRender(c, http.StatusOK, "intake", k.Title, d)
	}
}

// uiReceivedAt reads the date of receipt: today means now; an earlier day
// the letter's date, at noon in Paris (its deadlines count days).
func (s *Server) uiReceivedAt(v string) (*time.Time, error) {
	now := s.now()
	if v == "" || v == now.In(calendar.Paris).Format(time.DateOnly) {
		return nil, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, calendar.Paris)
	if err != nil {
		return nil, err
	}
	at := d.Add(12 * time.Hour).UTC()
	return &at, nil
}

// uiIntake registers a file through the service; on a refusal the form
// comes back with what was typed and a message beside each invalid
// field, and nothing is saved.
func (s *Server) uiIntake(k uiIntakeKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.uiAllow(c, k.obj, authz.ActCreate) {
			return
		}
		form := c.Request.PostForm
		d := s.uiIntakeData(c, k)
		for _, f := range k.Fields {
			d.Values[f] = strings.TrimSpace(form.Get(f))
		}
		confirmed := form.Get(domain.FieldConfirmDuplicate) == "1"
		if t := form.Get("form_token"); t != "" {
			d.Values["form_token"] = t
		}
		claimant := domain.Claimant{Number: domain.CleanClaimantNumber(d.Values["claimant.number"]), Name: d.Values["claimant.name"],
			Address: strings.Join(domain.AddressLines(form.Get("claimant.address")), "\n")}
		description := strings.TrimSpace(form.Get("description"))
		d.Values["description"] = form.Get("description")
		d.Values["claimant.address"] = form.Get("claimant.address")
		received, err := s.uiReceivedAt(d.Values["received_on"])
		if err != nil {
			s.uiIntakeRefused(c, &d, &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide",
				Fields: []domain.FieldError{{Field: "received_at", Message: "date de réception invalide"}}})
			return
		}
		key := cases.Idempotency{Key: "ui-intake:" + d.Values["form_token"]}
		var out domain.Case
		switch k.Kind {
		case "complaint":
			out, err = s.Cases.Register(c.Request.Context(), principal(c), domain.NewComplaint{
				Caf: d.Values["caf"], Claimant: claimant, Channel: domain.Channel(d.Values["channel"]),
				Benefit: domain.Benefit(d.Values["benefit"]), Reason: domain.Reason(d.Values["reason"]),
				Subject: d.Values["subject"], Description: description, ReceivedAt: received,
				DecisionNotifiedOn: d.Values["decision_notified_on"], ConfirmDuplicate: confirmed,
			}, key)
		case "mediation":
			related := d.Values["related_case_id"]
			if related != "" {
				if related, err = s.uiRelatedFile(c, related); err != nil {
					s.uiIntakeRefused(c, &d, err)
					return
				}
			}
			out, err = s.Cases.RegisterMediation(c.Request.Context(), principal(c), domain.NewMediation{
				Caf: d.Values["caf"], Claimant: claimant, Origin: domain.Origin(d.Values["origin"]),
				Benefit: domain.Benefit(d.Values["benefit"]), Reason: domain.Reason(d.Values["reason"]),
				Subject: d.Values["subject"], Description: description, RelatedCaseID: related, ReceivedAt: received,
				DecisionNotifiedOn: d.Values["decision_notified_on"], ConfirmDuplicate: confirmed,
			}, key)
		default:
			out, _, err = s.Cases.ReferByPost(c.Request.Context(), principal(c), domain.NewReferral{
				DDDReference: d.Values["ddd_reference"], Caf: d.Values["caf"], Claimant: claimant,
				Benefit: domain.Benefit(d.Values["benefit"]), Reason: domain.Reason(d.Values["reason"]),
				Subject: d.Values["subject"], Facts: description, ResponseExpectedBy: d.Values["response_expected_by"],
				ReceivedAt: received,
			}, key)
		}
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/ui/dossiers/"+out.ID+"?fait=created")
			return
		}
		s.uiIntakeRefused(c, &d, err)
	}
}

// uiRelatedFile reads the file a mediation request names, by its
// reference or its id, among those the agent may read.
func (s *Server) uiRelatedFile(c *gin.Context, ref string) (string, error) {
	f, err := s.Cases.Readable(c.Request.Context(), principal(c), ref)
	if code := domain.ErrorCode(err); code == domain.ENOTFOUND || code == domain.EFORBIDDEN {
		return "", &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide",
			Fields: []domain.FieldError{{Field: "related_case_id", Message: "aucun dossier que vous pouvez lire ne porte cette référence"}}}
	}
	return f.ID, err
}

// uiIntakeRefused shows the form again with why it was refused.
func (s *Server) uiIntakeRefused(c *gin.Context, d *uiIntakeData, err error) {
	var de *domain.Error
	if !errors.As(err, &de) || (de.Code != domain.EINVALID && de.Code != domain.EFORBIDDEN && de.Code != domain.ECONFLICT) {
		s.uiFail(c, err)
		return
	}
	d.Message = de.Message
	if d.Story, err = s.uiStory(c, d.Values["claimant.number"]); err != nil {
		s.uiFail(c, err)
		return
	}
	duplicate := de.Code == domain.ECONFLICT && len(de.Fields) == 1 && de.Fields[0].Field == domain.FieldConfirmDuplicate
	switch {
	case duplicate:
		// Not an error of a field: the form asks to confirm.
		d.Duplicate, de.Fields = de.Fields[0].Message, nil
		d.Message = ""
	case de.Code == domain.ECONFLICT:
		d.Message = "Ce formulaire a déjà servi à enregistrer un dossier, ou cette référence est déjà enregistrée : cherchez le dossier en haut de la page avant d'en saisir un autre"
	}
	for _, f := range de.Fields {
		name := f.Field
		if name == "received_at" {
			name = "received_on"
		}
		if name == "facts" {
			name = "description"
		}
		if _, seen := d.Errors[name]; !seen {
			d.Errors[name] = uiIntakeMessage(f)
		}
	}
	for _, f := range d.Form.Fields {
		if _, bad := d.Errors[f]; bad {
			d.Order = append(d.Order, f)
		}
	}
	status := http.StatusUnprocessableEntity
	switch de.Code {
	case domain.EFORBIDDEN:
		status = http.StatusForbidden
	case domain.ECONFLICT:
		status = http.StatusConflict
	}
	s.uiRender(c, status, "intake", d.Form.Title+" (erreurs à corriger)", d)
}

// uiIntakeMessage says what to do about an invalid field, in the words of
// the form: the domain's message, made a sentence the agent can act on.
func uiIntakeMessage(f domain.FieldError) string {
	switch {
	case f.Message == "champ obligatoire":
		return "Ce champ est obligatoire."
	case f.Field == "channel":
		return "Choisissez le canal par lequel la réclamation est arrivée."
	case f.Field == "benefit":
		return "Choisissez la prestation concernée."
	case f.Field == "reason":
		return "Choisissez le motif de la réclamation."
	case f.Field == "caf":
		return "Choisissez une Caf."
	case f.Field == "origin":
		return "Choisissez qui demande la médiation."
	}
	m := []rune(f.Message)
	if len(m) == 0 {
		return ""
	}
	return strings.ToUpper(string(m[0])) + string(m[1:]) + "."
}
