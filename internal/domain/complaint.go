package domain

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a file stands in its path.
type Status string

// Complaint statuses.
const (
	StatusOpen             Status = "open"
	StatusAssigned         Status = "assigned"
	StatusInProgress       Status = "in_progress"
	StatusAwaitingClaimant Status = "awaiting_claimant"
	StatusAnswered         Status = "answered"
	StatusClosed           Status = "closed"
	StatusWithdrawn        Status = "withdrawn"
	StatusEscalated        Status = "escalated"
)

// ComplaintStatuses lists the statuses of a complaint.
var ComplaintStatuses = []Status{StatusOpen, StatusAssigned, StatusInProgress,
	StatusAwaitingClaimant, StatusAnswered, StatusClosed, StatusWithdrawn, StatusEscalated, StatusMerged}

// Open reports whether the file still waits for its answer: only then do
// its deadlines run.
func (s Status) Open() bool {
	switch s {
	case StatusOpen, StatusAssigned, StatusInProgress, StatusAwaitingClaimant,
		StatusReceived, StatusAdmitted, StatusInStudy, StatusAwaitingOpinion:
		return true
	}
	return false
}

// Final reports whether nothing but a reopening can follow.
func (s Status) Final() bool {
	switch s {
	case StatusClosed, StatusWithdrawn, StatusEscalated, StatusReoriented, StatusReferredToDDD, StatusMerged:
		return true
	}
	return false
}

// NewComplaint is what a front-line agent registers.
type NewComplaint struct {
	Caf         string     `json:"caf"`
	Claimant    Claimant   `json:"claimant"`
	Channel     Channel    `json:"channel"`
	Benefit     Benefit    `json:"benefit"`
	Reason      Reason     `json:"reason"`
	Subject     string     `json:"subject"`
	Description string     `json:"description" text:"lines"`
	ReceivedAt  *time.Time `json:"received_at,omitempty"`
	// DecisionNotifiedOn is when the contested decision was notified, if
	// the claimant says (YYYY-MM-DD).
	DecisionNotifiedOn string `json:"decision_notified_on,omitempty"`
	// OverpaymentID links the complaint to the overpayment notice it
	// disputes.
	OverpaymentID string `json:"overpayment_id,omitempty"`
	// ConfirmDuplicate registers the file although the claimant has an
	// open file of the same benefit and reason (see DuplicateError).
	ConfirmDuplicate bool `json:"confirm_duplicate,omitempty"`
}

var (
	cafCode    = regexp.MustCompile(`^[0-9]{3}$`)
	phoneShape = regexp.MustCompile(`^\+?[0-9 .]{10,20}$`)
)

// ValidCafCode reports whether code looks like a Caf number (3 digits).
func ValidCafCode(code string) bool { return cafCode.MatchString(code) }

// Limits on free text, so a page and a letter stay readable.
const (
	MaxSubject     = 200
	MaxDescription = 10000
	MaxNote        = 5000
)

// Validate checks a new complaint; now bounds received_at (not in the
// future, not more than a year back).
func (n NewComplaint) Validate(now time.Time) error {
	var p Problems
	if !ValidCafCode(n.Caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	validateClaimant(&p, n.Claimant)
	if !n.Channel.Valid() {
		p.Add("channel", "canal inconnu")
	}
	if !n.Benefit.Valid() {
		p.Add("benefit", "prestation inconnue")
	}
	if !n.Reason.Valid() {
		p.Add("reason", "motif inconnu")
	}
	textField(&p, "subject", n.Subject, MaxSubject)
	textField(&p, "description", n.Description, MaxDescription)
	receivedAt(&p, n.ReceivedAt, now)
	decisionNotified(&p, n.DecisionNotifiedOn, now)
	CheckText(&p, "", n)
	return p.Err()
}

// receivedAt checks the date a file was received, when it is given (a
// letter registered days after it came): not in the future, not more than
// a year back.
func receivedAt(p *Problems, at *time.Time, now time.Time) {
	if at == nil {
		return
	}
	switch {
	case at.After(now.Add(5 * time.Minute)):
		p.Add("received_at", "la date de réception ne peut pas être dans le futur")
	case at.Before(now.AddDate(-1, 0, 0)):
		p.Add("received_at", "la date de réception remonte à plus d'un an")
	}
}

// receipt is when a file was received: at when given, else now.
func receipt(at *time.Time, now time.Time) time.Time {
	if at != nil {
		return at.UTC()
	}
	return now
}

func validateClaimant(p *Problems, c Claimant) {
	switch {
	case c.Number == "":
		p.Add("claimant.number", "le numéro allocataire est obligatoire")
	case strings.Trim(c.Number, "0123456789") != "":
		p.Add("claimant.number", "le numéro allocataire compte 7 chiffres, sans lettre ni signe")
	case !ValidClaimantNumber(c.Number):
		// Said, never cut: a number cut to 7 digits is another claimant's.
		p.Add("claimant.number", fmt.Sprintf("le numéro allocataire compte 7 chiffres, et non %d", len(c.Number)))
	}
	if utf8.RuneCountInString(c.Name) > 200 {
		p.Add("claimant.name", "nom trop long (200 caractères au plus)")
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			p.Add("claimant.email", "adresse électronique invalide")
		}
	}
	if c.Phone != "" && !phoneShape.MatchString(c.Phone) {
		p.Add("claimant.phone", "numéro de téléphone invalide")
	}
	switch c.ContactPreference {
	case "", PreferLetter:
	case PreferEmail:
		if c.Email == "" {
			p.Add("claimant.contact_preference", "l'allocataire préfère l'email mais n'a pas d'adresse électronique")
		}
	default:
		p.Add("claimant.contact_preference", "préférence inconnue (email ou letter)")
	}
	postalAddress(p, "claimant.address", c.Address)
	validateRepresentative(p, c.Representative)
}

func textField(p *Problems, field, v string, max int) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(v)); {
	case n == 0:
		p.Add(field, "champ obligatoire")
	case n > max:
		p.Add(field, "texte trop long")
	}
}

// AcknowledgedAtRegistration reports whether registering through this channel
// acknowledges the complaint: the claimant spoke with the agent who
// registered it. Written requests are acknowledged by the first written
// contact (documents requested, or the answer).
func (c Channel) AcknowledgedAtRegistration() bool {
	return c == "phone" || c == "desk" || c == "appointment"
}

// NewComplaintCase builds the first state of a complaint: its deadlines
// are fixed now, from its receipt and the Caf's policy.
func NewComplaintCase(id string, n NewComplaint, now time.Time, p Policy) Case {
	p.Counting = CurrentCounting
	received := receipt(n.ReceivedAt, now)
	c := Case{
		ID: id, Kind: KindComplaint, Caf: n.Caf, Status: StatusOpen,
		Claimant: n.Claimant, Channel: n.Channel, Benefit: n.Benefit, Reason: n.Reason,
		Subject: strings.TrimSpace(n.Subject), Description: strings.TrimSpace(n.Description),
		ReceivedAt: received, DecisionNotifiedOn: n.DecisionNotifiedOn, Deadlines: p.complaintDeadlines(received),
		SLAStatus: SLAOnTime, Policy: &p, CreatedAt: now, UpdatedAt: now, OverpaymentID: n.OverpaymentID,
	}
	if n.Channel.AcknowledgedAtRegistration() {
		c.meet(DeadlineAcknowledgment, now)
	}
	return c
}

// FromFirstReceipt has the implicit rejection of a complaint opened by a
// reorientation run from first, when the Caf first received the request
// (CRPA L114-3: a request sent to a service that is not the competent one
// counts from its first receipt), under CountingCPC; its other deadlines,
// the Caf's service commitments, run from its own registration.
func (c *Case) FromFirstReceipt(first time.Time) {
	p := c.policy()
	if p.Counting < CountingCPC || !first.Before(c.ReceivedAt) {
		return
	}
	if d, ok := c.Deadline(DeadlineImplicitRejection); ok && d.Pending() {
		d.DueAt = p.dueMonthsAfter(first, p.ImplicitRejectionMonths)
	}
}

// meet records that a pending deadline was met at t: met if t is no later
// than its due date, missed otherwise (the clock may not have ticked yet).
func (c *Case) meet(name string, t time.Time) {
	d, ok := c.Deadline(name)
	if !ok || !d.Pending() {
		return
	}
	d.MetAt = &t
	d.Status = SLAMet
	if t.After(d.DueAt) {
		d.Status = SLAMissed
	}
}
