// Package messages writes to claimants: the acknowledgment of a complaint
// or a mediation request, the answer to a complaint, the mediator's
// decision, the reorientation notice and the reply to the Défenseur des
// droits. Each message is composed from a French template embedded in the
// binary and versioned in code (TemplateVersion), then handed to a channel:
// email (SMTP), PDF letter, SMS, or the local outbox folder.
//
// Composition is pure: Compose reads a domain.Case and the Caf's contact
// details and returns the text; nothing is sent. Every message names the
// file reference, the deadline that applies (as a French date) and the next
// recourse with its contact: the Caf's mediator after a complaint, the
// Défenseur des droits after a mediation.
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
)

// Kinds lists every kind of message.
var Kinds = []Kind{KindAcknowledgment, KindComplaintAnswer, KindMediationDecision, KindReorientation, KindDDDReply}

// TemplateVersion is the version of each kind's template. Raise it whenever
// the wording of templates/<kind>.txt.tmpl changes: every message records
// the version it was written with.
var TemplateVersion = map[Kind]int{
	KindAcknowledgment:    1,
	KindComplaintAnswer:   1,
	KindMediationDecision: 2, // 2: the suspended deadline resumes with the time it had left
	KindReorientation:     1,
	KindDDDReply:          2, // 2: the reply opens no new recourse deadline (loi organique 2011-333, art. 6)
}

// DefaultDDDContact is how a claimant reaches the Défenseur des droits when
// the Caf gives no other contact.
const DefaultDDDContact = "Défenseur des droits, Libre réponse 71120, 75342 Paris Cedex 07 — " +
	"téléphone 09 69 39 00 00 — formulaire en ligne sur www.defenseurdesdroits.fr"

// AppealMonths is the appeal period named in answers and decisions: two
// months from the message.
const AppealMonths = 2

// AppealEnd is the last day of the appeal period of a letter sent at sent:
// the same date AppealMonths later, or the last day of a shorter month (31
// December gives 28 or 29 February, code de procédure civile art. 641),
// and the next working day when that one is not (art. 642).
func AppealEnd(sent time.Time) time.Time {
	return calendar.NextWorkingDay(calendar.EndOfDay(calendar.AddMonths(sent, AppealMonths)))
}

// CafContact is what a message says about the Caf that writes it.
type CafContact struct {
	Name            string // "Caf de l'Ardèche"
	Address         string // postal address, lines separated by "\n"
	MediatorContact string // how to reach the Caf's mediator
	DDDContact      string // how to reach the Défenseur des droits; DefaultDDDContact when empty
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

var templates = func() map[Kind]*template.Template {
	out := make(map[Kind]*template.Template, len(Kinds))
	for _, k := range Kinds {
		name := "templates/" + string(k) + ".txt.tmpl"
		out[k] = template.Must(template.New(string(k)).Option("missingkey=error").ParseFS(templateFiles, name))
	}
	return out
}()

// recourse is the next step open to the claimant.
type recourse struct {
	Name    string
	Contact string
}

// data is what the templates see.
type data struct {
	Caf          CafContact
	Ref          string
	Number       string
	Greeting     string
	Today        string
	Deadline     string
	CaseSubject  string
	Answer       string
	Outcome      string
	Explanation  string
	ReorientedTo string
	DDDReference string
	DDDExpected  string
	Mediation    bool
	Recourse     recourse
}

var outcomeWords = map[string]string{
	"maintained":     "la décision de la Caf est maintenue",
	"revised":        "la décision de la Caf est modifiée en votre faveur",
	"partly_revised": "la décision de la Caf est modifiée en partie en votre faveur",
}

// Compose writes the message of kind k about file c, from the Caf caf, on
// day now. It returns an error wrapping ErrMissingData when the file lacks
// what the message must say (no answer for a complaint answer, no decision
// for a mediator's decision, …), and an error for an unknown kind.
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
	if caf.DDDContact == "" {
		caf.DDDContact = DefaultDDDContact
	}
	d := data{
		Caf: caf, Ref: c.ID, Number: c.Claimant.Number,
		Greeting: "Madame, Monsieur,", Today: FrenchDate(now),
		CaseSubject: strings.TrimSpace(c.Subject),
		Mediation:   c.Kind == domain.KindMediation,
	}
	if n := strings.TrimSpace(c.Claimant.Name); n != "" {
		d.Greeting = "Bonjour " + n + ","
	}
	appeal := FrenchDate(AppealEnd(now))
	mediator := recourse{Name: "le médiateur de la " + caf.Name, Contact: caf.MediatorContact}
	ddd := recourse{Name: "le Défenseur des droits", Contact: caf.DDDContact}

	switch k {
	case KindAcknowledgment:
		need(c.Kind == domain.KindComplaint || c.Kind == domain.KindMediation, "le type de dossier (réclamation ou médiation)")
		due, ok := answerDeadline(c)
		need(ok, "la date limite de réponse")
		d.Deadline = FrenchDate(due)
		d.Recourse = mediator
		if d.Mediation {
			d.Recourse = ddd
		}
	case KindComplaintAnswer:
		need(c.Kind == domain.KindComplaint, "un dossier de réclamation")
		d.Answer = strings.TrimSpace(c.Answer)
		need(d.Answer != "", "la réponse à la réclamation")
		d.Deadline, d.Recourse = appeal, mediator
	case KindMediationDecision:
		need(c.Kind == domain.KindMediation, "un dossier de médiation")
		d.Outcome = outcomeWords[c.Outcome]
		need(d.Outcome != "", "la décision du médiateur")
		d.Explanation = strings.TrimSpace(c.Explanation)
		need(d.Explanation != "", "l'explication de la décision")
		d.Deadline, d.Recourse = appeal, ddd
	case KindReorientation:
		need(c.Kind == domain.KindMediation, "un dossier de médiation")
		d.ReorientedTo = strings.TrimSpace(c.ReorientedTo)
		need(d.ReorientedTo != "", "la réclamation vers laquelle la demande est réorientée")
		d.Deadline, d.Recourse = appeal, mediator
	case KindDDDReply:
		d.DDDReference = strings.TrimSpace(c.DDDReference)
		need(d.DDDReference != "", "la référence du Défenseur des droits")
		d.Outcome = outcomeWords[c.Outcome]
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
