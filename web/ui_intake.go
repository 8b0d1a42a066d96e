package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
)

// uiIntakeData is the intake form: the choices, what was typed, and the
// French message of each invalid field (keyed by the API's field name).
type uiIntakeData struct {
	Cafs     []string
	Channels []domain.Channel
	Benefits []domain.Benefit
	Reasons  []domain.Reason
	Values   map[string]string
	Errors   map[string]string
	// Order lists the invalid fields in the form's order, for the summary.
	Order   []string
	Message string
}

// uiIntakeFields are the form's fields in their order, by the API's names.
var uiIntakeFields = []string{"caf", "channel", "claimant.number", "claimant.name", "claimant.address", "benefit", "reason",
	"decision_notified_on", "subject", "description"}

func (s *Server) uiIntakeData(c *gin.Context) uiIntakeData {
	ui := uiOf(c)
	return uiIntakeData{
		Cafs:     s.Authz.Cafs(ui.User.Login, authz.ObjComplaint, authz.ActCreate),
		Channels: domain.Channels, Benefits: domain.Benefits, Reasons: domain.Reasons,
		Values: map[string]string{"caf": ui.Caf}, Errors: map[string]string{},
	}
}

// uiIntakeForm shows the empty form.
func (s *Server) uiIntakeForm(c *gin.Context) {
	if !s.uiAllow(c, authz.ObjComplaint, authz.ActCreate) {
		return
	}
	s.uiRender(c, http.StatusOK, "intake", "Nouvelle réclamation", s.uiIntakeData(c))
}

// uiIntake registers a complaint through the API's core; on a refusal the
// form comes back with what was typed and a message beside each invalid
// field, and nothing is saved.
func (s *Server) uiIntake(c *gin.Context) {
	if !s.uiAllow(c, authz.ObjComplaint, authz.ActCreate) {
		return
	}
	form := c.Request.PostForm
	d := s.uiIntakeData(c)
	for _, f := range uiIntakeFields {
		d.Values[f] = strings.TrimSpace(form.Get(f))
	}
	in := domain.NewComplaint{
		Caf: d.Values["caf"],
		Claimant: domain.Claimant{Number: d.Values["claimant.number"], Name: d.Values["claimant.name"],
			Address: strings.Join(domain.AddressLines(form.Get("claimant.address")), "\n")},
		Channel: domain.Channel(d.Values["channel"]), Benefit: domain.Benefit(d.Values["benefit"]),
		Reason: domain.Reason(d.Values["reason"]), Subject: d.Values["subject"],
		Description:        strings.TrimSpace(form.Get("description")),
		DecisionNotifiedOn: d.Values["decision_notified_on"],
	}
	d.Values["description"] = form.Get("description")
	d.Values["claimant.address"] = form.Get("claimant.address")
	out, err := s.Cases.Register(c.Request.Context(), principal(c), in, cases.Idempotency{})
	var de *domain.Error
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/ui/dossiers/"+out.ID+"?fait=created")
		return
	case errors.As(err, &de) && (de.Code == domain.EINVALID || de.Code == domain.EFORBIDDEN):
		d.Message = de.Message
		for _, f := range de.Fields {
			if _, seen := d.Errors[f.Field]; !seen {
				d.Errors[f.Field] = uiIntakeMessage(f)
			}
		}
		for _, f := range uiIntakeFields {
			if _, bad := d.Errors[f]; bad {
				d.Order = append(d.Order, f)
			}
		}
		status := http.StatusUnprocessableEntity
		if de.Code == domain.EFORBIDDEN {
			status = http.StatusForbidden
		}
		s.uiRender(c, status, "intake", "Nouvelle réclamation (erreurs à corriger)", d)
	default:
		s.uiFail(c, err)
	}
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
	}
	m := []rune(f.Message)
	if len(m) == 0 {
		return ""
	}
	return strings.ToUpper(string(m[0])) + string(m[1:]) + "."
}
