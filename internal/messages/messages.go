// Package messages writes to claimants: the acknowledgment of a complaint
// or a mediation request, the answer to a complaint, the notice that a
// mediation is admissible, the mediator's recommendations, the
// reorientation notice and the reply to the Défenseur des droits. Each message is composed from a French template embedded in the
// binary and versioned in code (TemplateVersion), then handed to a channel:
// email (SMTP), PDF letter, SMS, or the local outbox folder.
//
// Composition is pure: Compose reads a domain.Case and the Caf's contact
// details and returns the text; nothing is sent. Every message names the
// file reference, the Caf's address and contact, who signs it (CRPA
// L212-1), the dates that apply (as French dates) and the recourse open to
// the claimant: the route of the benefit (the Caf's table, national
// defaults otherwise), then mediation and the Défenseur des droits, which
// come on top of it and never instead.
package messages

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// Kind is the kind of a message (domain.MessageKind).
type Kind = domain.MessageKind

// Kinds of message, one template each.
const (
	KindAcknowledgment    = domain.MessageAcknowledgment
	KindComplaintAnswer   = domain.MessageComplaintAnswer
	KindMediationDecision = domain.MessageMediationDecision
	KindReorientation     = domain.MessageReorientation
	KindDDDReply          = domain.MessageDDDReply
	KindAdmissibility     = domain.MessageAdmissibility
	KindDocumentRequest   = domain.MessageDocumentRequest
	KindDocumentReminder  = domain.MessageDocumentReminder
)

// Kinds lists every kind of message about a file.
var Kinds = []Kind{KindAcknowledgment, KindComplaintAnswer, KindMediationDecision, KindReorientation, KindDDDReply,
	KindAdmissibility, KindDocumentRequest, KindDocumentReminder}

// TemplateVersion is the version of each kind's template. Raise it whenever
// the wording of templates/<kind>.txt.tmpl changes: every message records
// the version it was written with.
var TemplateVersion = map[Kind]int{
	// 2: the mentions of CRPA R112-5 (date of receipt, service and contact,
	// implicit rejection and its recourse), the signatory, the Caf's address
	KindAcknowledgment: 2,
	// 2: the recourse route of the benefit, from the decision's notification
	KindComplaintAnswer: 2,
	// 2: the suspended deadline resumes with the time it had left; 3: the
	// mediator's recommendations, not a decision, and the route
	KindMediationDecision: 3,
	// 2: the first receipt kept, the implicit rejection's date
	KindReorientation: 2,
	// 2: the reply opens no new recourse deadline (loi organique 2011-333,
	// art. 6); 3: the signatory and the Caf's address
	KindDDDReply: 3,
	// 1: the notice of admissibility that starts the suspension
	KindAdmissibility: 1,
	// 1: the documents, the date, the effect on the deadlines (L114-5)
	KindDocumentRequest:  1,
	KindDocumentReminder: 1,
}

// DefaultDDDContact is how a claimant reaches the Défenseur des droits when
// the Caf gives no other contact.
const DefaultDDDContact = "Défenseur des droits, Libre réponse 71120, 75342 Paris Cedex 07 — " +
	"téléphone 09 69 39 00 00 — formulaire en ligne sur www.defenseurdesdroits.fr"

// DefaultCafContact is how a claimant reaches a Caf that gave no contact of
// its own: the national number and the online account.
const DefaultCafContact = "3230 (service gratuit + prix d'appel), ou votre espace Mon Compte sur caf.fr"

// Signatory is who signs a letter (CRPA L212-1): first name, name and
// function.
type Signatory struct {
	Name     string
	Function string
}

// CafContact is what a message says about the Caf that writes it, and who
// signs it.
type CafContact struct {
	Name            string // "Caf de l'Ardèche"
	Address         string // postal address, lines separated by "\n"
	Contact         string // how to reach the Caf; DefaultCafContact when empty
	Service         string // the service in charge of complaints
	MediatorContact string // how to reach the Caf's mediator
	DDDContact      string // how to reach the Défenseur des droits; DefaultDDDContact when empty
	// Signatory signs the message: the agent who acted, or the Caf's
	// default signatory.
	Signatory Signatory
	// Routes are the Caf's recourse routes; a benefit without one takes
	// the national default (domain.NationalRecourseRoute).
	Routes []domain.RecourseRoute
}

// route is the Caf's recourse route for benefit b.
func (c CafContact) route(b domain.Benefit) domain.RecourseRoute {
	for _, r := range c.Routes {
		if r.Benefit == b {
			return r
		}
	}
	return domain.NationalRecourseRoute(b)
}

// Message is a composed message, ready for a channel.
type Message struct {
	Kind    Kind
	Version int
	CaseID  string
	Subject string
	// Body is the plain text, in French, paragraphs separated by a blank line.
	Body string
	// Short is a notice of at most a few lines, for SMS.
	Short string
	// IdempotencyKey is caseID:kind (the sender adds the occurrence when a
	// file has several of a kind): a message with the same key is the same
	// message and is never sent twice, even if its template's version was
	// raised between two attempts.
	IdempotencyKey string
	// Caf is the Caf that writes, for the letter's header.
	Caf CafContact
	// At is when the message was composed.
	At time.Time
}

// ErrMissingData is wrapped by Compose when the file lacks what the message
// must say.
var ErrMissingData = errors.New("messages: missing data")

//go:embed templates/*.txt.tmpl
var templateFiles embed.FS

// commonTemplate holds the parts every message shares: the recourse route,
// the signature.
const commonTemplate = "templates/common.txt.tmpl"

var templates = func() map[Kind]*template.Template {
	out := make(map[Kind]*template.Template, len(Kinds))
	for _, k := range Kinds {
		out[k] = parse(k)
	}
	return out
}()

func parse(k Kind) *template.Template {
	name := "templates/" + string(k) + ".txt.tmpl"
	return template.Must(template.New(string(k)).Option("missingkey=error").
		Funcs(template.FuncMap{"lines": domain.AddressLines, "to": to, "of": of}).ParseFS(templateFiles, name, commonTemplate))
}

// of is « de » before a word, elided before a vowel: « d'aide au
// logement », « de RSA ».
func of(word string) string {
	if r, _ := utf8.DecodeRuneInString(strings.ToLower(word)); strings.ContainsRune("aeéèêiîoôuh", r) {
		return "d'" + word
	}
	return "de " + word
}

// to is « à » before a name, contracted as French wants it: « au
// président », « aux services », « à la commission ».
func to(name string) string {
	switch {
	case strings.HasPrefix(name, "le "):
		return "au " + name[len("le "):]
	case strings.HasPrefix(name, "les "):
		return "aux " + name[len("les "):]
	}
	return "à " + name
}

// recourse is the next step open to the claimant.
type recourse struct {
	Name    string
	Contact string
}

// routeData is the recourse route of the file's benefit, as a letter says
// it: Until is the last day when the decision's notification date is
// known, and Passed says that day is gone.
type routeData struct {
	Body, Address, Then string
	Months              int
	RunsFrom            string
	Until               string
	Passed              bool
}

// data is what the templates see.
type data struct {
	Caf               CafContact
	Ref               string
	Number            string
	Greeting          string
	Today             string
	Received          string
	Deadline          string
	ImplicitRejection string
	CaseSubject       string
	Answer            string
	Outcome           string
	Explanation       string
	ReorientedTo      string
	DDDReference      string
	DDDExpected       string
	Mediation         bool
	DDD               bool
	Benefit           string
	YourBenefit       string
	Route             routeData
	Recourse          recourse
	Mediator          string
	Signatory         Signatory
	Copy              string
	// A mediation's suspension: from when, and the last day of the route
	// once it resumed (empty when unknown).
	SuspendedFrom string
	ResumedUntil  string
	// A request of documents: what, asked when.
	Documents string
	Requested string
}

var outcomeWords = map[string]string{
	"maintained":     "de maintenir la décision de la Caf",
	"revised":        "de modifier la décision de la Caf en votre faveur",
	"partly_revised": "de modifier en partie la décision de la Caf en votre faveur",
}

var decisionWords = map[string]string{
	"maintained":     "la décision de la Caf est maintenue",
	"revised":        "la décision de la Caf est modifiée en votre faveur",
	"partly_revised": "la décision de la Caf est modifiée en partie en votre faveur",
}

// Compose writes the message of kind k about file c, from the Caf caf, on
// day now. It returns an error wrapping ErrMissingData when the file lacks
// what the message must say (no answer for a complaint answer, no outcome
// for the mediator's recommendations, …), and an error for an unknown
// kind.
func Compose(k Kind, c domain.Case, caf CafContact, now time.Time) (Message, error) {
	if _, ok := templates[k]; !ok || k == KindOverpaymentNotice {
		return Message{}, fmt.Errorf("messages: unknown kind %q", k)
	}
	var missing []string
	need := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	need(strings.TrimSpace(c.ID) != "", "la référence du dossier")
	need(strings.TrimSpace(caf.Name) != "", "le nom de la Caf")
	caf = caf.withDefaults()
	d := data{
		Caf: caf, Ref: c.DisplayReference(), Number: c.Claimant.Number,
		Greeting: "Madame, Monsieur,", Today: FrenchDate(now), Received: FrenchDate(c.ReceivedAt),
		CaseSubject: strings.TrimSpace(c.Subject),
		Mediation:   c.Kind == domain.KindMediation,
		DDD:         c.Origin == string(domain.OriginDDD),
		Benefit:     benefitWord(c.Benefit),
		YourBenefit: yourBenefit(c.Benefit),
		Route:       routeOf(caf.route(c.Benefit), c.DecisionNotifiedOn, now),
		Mediator:    caf.MediatorContact,
		Signatory:   caf.Signatory,
		Copy:        copyTo(c.Claimant),
	}
	if n := strings.TrimSpace(c.Claimant.Name); n != "" {
		d.Greeting = "Bonjour " + n + ","
	}
	mediator := recourse{Name: "le médiateur de la " + caf.Name, Contact: caf.MediatorContact}
	ddd := recourse{Name: "le Défenseur des droits", Contact: caf.DDDContact}
	if ir, ok := c.Deadline(domain.DeadlineImplicitRejection); ok {
		d.ImplicitRejection = FrenchDate(ir.DueAt)
	}

	switch k {
	case KindAcknowledgment:
		need(c.Kind == domain.KindComplaint || c.Kind == domain.KindMediation, "le type de dossier (réclamation ou médiation)")
		need(!c.ReceivedAt.IsZero(), "la date de réception")
		due, ok := answerDeadline(c)
		need(ok, "la date limite de réponse")
		d.Deadline = FrenchDate(due)
		d.Recourse = mediator
		if d.Mediation {
			d.Recourse = ddd
		} else {
			need(d.ImplicitRejection != "", "la date de la décision implicite de rejet")
		}
	case KindComplaintAnswer:
		need(c.Kind == domain.KindComplaint, "un dossier de réclamation")
		need(!c.ReceivedAt.IsZero(), "la date de réception")
		d.Answer = strings.TrimSpace(c.Answer)
		need(d.Answer != "", "la réponse à la réclamation")
		d.Recourse = mediator
	case KindAdmissibility:
		need(c.Kind == domain.KindMediation, "un dossier de médiation")
		need(!c.ReceivedAt.IsZero(), "la date de réception")
		need(!d.DDD, "une médiation de la Caf (une saisine du Défenseur des droits ne suspend aucun délai)")
		due, ok := answerDeadline(c)
		need(ok, "la date limite de réponse")
		d.Deadline = FrenchDate(due)
		d.Recourse = mediator
	case KindMediationDecision:
		need(c.Kind == domain.KindMediation, "un dossier de médiation")
		d.Outcome = outcomeWords[c.Outcome]
		need(d.Outcome != "", "les recommandations du médiateur")
		d.Explanation = strings.TrimSpace(c.Explanation)
		need(d.Explanation != "", "l'explication des recommandations")
		if s := c.AppealSuspension; s != nil {
			d.SuspendedFrom = FrenchDate(s.From)
			if end, ok := domain.RecourseEnd(c.DecisionNotifiedOn, caf.route(c.Benefit).Months); ok && caf.route(c.Benefit).FromNotification() {
				if resumed, ok := domain.ResumedRecourseEnd(end, *s, now); ok {
					d.ResumedUntil = FrenchDate(resumed)
				}
			}
		}
		d.Recourse = ddd
	case KindDocumentRequest, KindDocumentReminder:
		need(c.Kind == domain.KindComplaint, "un dossier de réclamation")
		need(!c.ReceivedAt.IsZero(), "la date de réception")
		r, ok := c.LastDocumentsRequest()
		need(ok && strings.TrimSpace(r.Documents) != "", "les documents demandés")
		d.Documents, d.Deadline, d.Requested = strings.TrimSpace(r.Documents), FrenchDate(r.DueAt), FrenchDate(r.RequestedAt)
	case KindReorientation:
		need(c.Kind == domain.KindMediation, "un dossier de médiation")
		d.ReorientedTo = strings.TrimSpace(c.ReorientedTo)
		need(d.ReorientedTo != "", "la réclamation vers laquelle la demande est réorientée")
		need(!c.ReceivedAt.IsZero(), "la date de réception")
		d.ImplicitRejection = FrenchDate(c.PolicyOrDefault().ImplicitRejectionDue(c.ReceivedAt))
		d.Recourse = mediator
	case KindDDDReply:
		d.DDDReference = strings.TrimSpace(c.DDDReference)
		need(d.DDDReference != "", "la référence du Défenseur des droits")
		d.Outcome = decisionWords[c.Outcome]
		need(d.Outcome != "", "la décision de la Caf")
		d.Explanation = strings.TrimSpace(c.Explanation)
		need(d.Explanation != "", "l'explication de la décision")
		if c.ResponseExpectedBy != "" {
			t, err := time.ParseInLocation(time.DateOnly, c.ResponseExpectedBy, calendar.Paris)
			need(err == nil, "une date de réponse attendue valide")
			d.DDDExpected = FrenchDate(t)
		}
		d.Recourse = ddd // and no deadline: the reply opens none
	}
	if d.Recourse.Name != "" {
		need(strings.TrimSpace(d.Recourse.Contact) != "", "le contact de "+d.Recourse.Name)
	}
	if len(missing) > 0 {
		return Message{}, fmt.Errorf("%w: %s: %s", ErrMissingData, k, strings.Join(missing, ", "))
	}

	return render(k, c.ID, d, caf, now)
}

// withDefaults fills what the Caf did not set: the national contacts, and
// the Caf itself as signatory.
func (c CafContact) withDefaults() CafContact {
	if strings.TrimSpace(c.DDDContact) == "" {
		c.DDDContact = DefaultDDDContact
	}
	if strings.TrimSpace(c.Contact) == "" {
		c.Contact = DefaultCafContact
	}
	if strings.TrimSpace(c.Service) == "" {
		c.Service = "le service relation allocataires"
	}
	if strings.TrimSpace(c.Signatory.Name) == "" {
		c.Signatory = Signatory{Name: "Le service relation allocataires"}
	}
	return c
}

// routeOf is route as a letter says it, with its last day when the
// decision was notified on notified (YYYY-MM-DD).
func routeOf(r domain.RecourseRoute, notified string, now time.Time) routeData {
	out := routeData{Body: r.Body, Address: strings.Join(domain.AddressLines(r.Address), ", "), Then: r.Then,
		Months: r.Months, RunsFrom: "la notification de cette décision"}
	if !r.FromNotification() {
		out.RunsFrom = r.RunsFrom
		return out // its last day does not follow from the notification
	}
	if end, ok := domain.RecourseEnd(notified, r.Months); ok {
		out.Until, out.Passed = FrenchDate(end), end.Before(now)
	}
	return out
}

// copyTo names the third party who gets a copy, if any.
func copyTo(c domain.Claimant) string {
	r := c.Representative
	if r == nil || strings.TrimSpace(r.Name) == "" {
		return ""
	}
	s := strings.TrimSpace(r.Name)
	if q := strings.TrimSpace(r.Quality); q != "" {
		s += ", " + q
	}
	if a := domain.AddressLines(r.Address); len(a) > 0 {
		s += ", " + strings.Join(a, ", ")
	}
	return s
}

// benefitWord names a benefit as a letter says it.
func benefitWord(b domain.Benefit) string {
	if w, ok := benefitWords[b]; ok {
		return w
	}
	return "prestation"
}

// yourBenefit is « votre aide au logement », « vos allocations familiales ».
func yourBenefit(b domain.Benefit) string {
	if b == "family_allowance" {
		return "vos " + benefitWord(b)
	}
	return "votre " + benefitWord(b)
}

// render executes the subject, body and sms parts of kind k's template
// with d, for the file or notice id.
func render(k Kind, id string, d any, caf CafContact, now time.Time) (Message, error) {
	parts := map[string]string{}
	for _, name := range []string{"subject", "body", "sms"} {
		var b bytes.Buffer
		if err := templates[k].ExecuteTemplate(&b, name, d); err != nil {
			return Message{}, fmt.Errorf("messages: %s template %s: %w", k, name, err)
		}
		parts[name] = b.String()
	}
	v := TemplateVersion[k]
	return Message{
		Kind: k, Version: v, CaseID: id,
		Subject: oneLine(parts["subject"]), Body: tidy(parts["body"]), Short: oneLine(parts["sms"]),
		IdempotencyKey: id + ":" + string(k),
		Caf:            caf, At: now,
	}, nil
}

// answerDeadline is the date by which the Caf answers: its target when the
// file has one, else the legal deadline, else the implicit rejection date.
func answerDeadline(c domain.Case) (time.Time, bool) {
	for _, name := range []string{domain.DeadlineTarget, domain.DeadlineLegal, domain.DeadlineImplicitRejection} {
		if d, ok := c.Deadline(name); ok && !d.DueAt.IsZero() {
			return d.DueAt, true
		}
	}
	return time.Time{}, false
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// FrenchDate writes the day of t in Europe/Paris as "12 mars 2026"
// ("1er mars 2026" on the first of the month).
func FrenchDate(t time.Time) string {
	y, m, d := t.In(calendar.Paris).Date()
	day := strconv.Itoa(d)
	if d == 1 {
		day = "1er"
	}
	return day + " " + months[m-1] + " " + strconv.Itoa(y)
}

// oneLine joins s's lines and spaces into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// tidy trims each line, keeps at most one blank line between paragraphs
// and ends the text with a newline.
func tidy(s string) string {
	var out []string
	blank := true
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n") + "\n"
}
