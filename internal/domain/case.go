package domain

import (
	"regexp"
	"strings"
	"time"
)

// Claimant is the person a file is about. They hold no account.
type Claimant struct {
	Number string `json:"number"`
	Name   string `json:"name,omitempty" text:"name"`
	Email  string `json:"email,omitempty"`
	Phone  string `json:"phone,omitempty"`
	// ContactPreference is how the claimant asked to be written to:
	// "email", "letter", or "" (email when an address is known).
	ContactPreference string `json:"contact_preference,omitempty"`
	// Address is the claimant's postal address, lines separated by "\n",
	// that a letter is posted to.
	Address string `json:"address,omitempty" text:"lines"`
	// Representative is the third party acting for the claimant, who is
	// sent a copy of every letter.
	Representative *Representative `json:"representative,omitempty"`
}

// Contact preferences.
const (
	PreferEmail  = "email"
	PreferLetter = "letter"
)

var claimantNumber = regexp.MustCompile(`^[0-9]{7}$`)

// ValidClaimantNumber reports whether n is a numéro allocataire: 7 digits.
func ValidClaimantNumber(n string) bool { return claimantNumber.MatchString(n) }

// CleanClaimantNumber is a claimant number as typed without its spaces
// ("123 45 67" is 1234567): nothing else is dropped, so that a number too
// long is refused, never cut.
func CleanClaimantNumber(n string) string { return strings.Join(strings.Fields(n), "") }

// Deadline is one dated obligation of a file.
type Deadline struct {
	Name   string     `json:"name"`
	DueAt  time.Time  `json:"due_at"`
	MetAt  *time.Time `json:"met_at"`
	Status SLAStatus  `json:"status"`
}

// Pending reports whether the deadline is neither met nor missed.
func (d Deadline) Pending() bool { return d.Status != SLAMet && d.Status != SLAMissed }

// Deadline names.
const (
	DeadlineAcknowledgment    = "acknowledgment"
	DeadlineTarget            = "target"
	DeadlineLegal             = "legal"
	DeadlineImplicitRejection = "implicit_rejection"
)

// Case is a file as the API shows it: the state its workflow owns.
type Case struct {
	ID string `json:"id"`
	// Reference is the file's human reference (071-R-2026-004512), given
	// to the claimant; empty for files registered before references.
	Reference   string    `json:"reference,omitempty"`
	Kind        Kind      `json:"kind"`
	Caf         string    `json:"caf"`
	Status      Status    `json:"status"`
	Claimant    Claimant  `json:"claimant"`
	Channel     Channel   `json:"channel,omitempty"`
	Benefit     Benefit   `json:"benefit"`
	Reason      Reason    `json:"reason"`
	Origin      string    `json:"origin,omitempty"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	Assignee    string    `json:"assignee,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	// DecisionNotifiedOn is the date (YYYY-MM-DD) the contested decision
	// was notified to the claimant, when they gave it: the letters then
	// give the true last day of the recourse route instead of saying from
	// when it runs.
	DecisionNotifiedOn string `json:"decision_notified_on,omitempty"`

	Deadlines   []Deadline `json:"deadlines"`
	SLAStatus   SLAStatus  `json:"sla_status"`
	ClockPaused bool       `json:"clock_paused"`
	// PausedSince is when the running pause began; PausedSeconds sums the
	// pauses that ended. Both durations are kept: raw (receipt to answer)
	// and adjusted (raw minus the paused time).
	PausedSince   *time.Time `json:"paused_since,omitempty"`
	PausedSeconds int64      `json:"paused_seconds"`
	// PausedWholeDays sums the whole calendar days the ended pauses lasted
	// (their dates' difference), what the figures subtract under
	// CountingCPC.
	PausedWholeDays     int        `json:"paused_days,omitempty"`
	AnsweredAt          *time.Time `json:"answered_at,omitempty"`
	ElapsedDaysRaw      *int       `json:"elapsed_days_raw,omitempty"`
	ElapsedDaysAdjusted *int       `json:"elapsed_days,omitempty"`
	// FirstAnswer is the file's first answer, kept when it was reopened:
	// the figures count it (CountingReopening). ReopenedAt is its first
	// reopening, Reopenings how many there were.
	FirstAnswer *AnswerRecord `json:"first_answer,omitempty"`
	// FirstDecision is a referral's first decision, with the date in force
	// when it was due; MissedDue the first legal date that passed without
	// a decision (CountingFollowUps).
	FirstDecision *AnswerRecord `json:"first_decision,omitempty"`
	MissedDue     *time.Time    `json:"missed_due,omitempty"`
	ReopenedAt    *time.Time    `json:"reopened_at,omitempty"`
	Reopenings    int           `json:"reopenings,omitempty"`
	// ImplicitRejectionAt is set when two months passed with no answer
	// (CRPA L231-4): the silence became a rejection.
	ImplicitRejectionAt *time.Time `json:"implicit_rejection_at,omitempty"`
	// RemindedAt is when the assignee was reminded of the coming target.
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
	// DocumentsRequests are the requests of missing documents, oldest first.
	DocumentsRequests []DocumentsRequest `json:"documents_requests,omitempty"`

	ParentID           string    `json:"parent_id,omitempty"`
	DDDReference       string    `json:"ddd_reference,omitempty"`
	ResponseExpectedBy string    `json:"response_expected_by,omitempty"`
	Outcome            string    `json:"outcome,omitempty"`
	Explanation        string    `json:"explanation,omitempty"`
	Answer             string    `json:"answer,omitempty"`
	Opinions           []Opinion `json:"opinions,omitempty"`
	// Mediation: admission, the window during which the claimant's appeal
	// deadlines are suspended, the decision, how the file ended.
	AdmittedAt         *time.Time        `json:"admitted_at,omitempty"`
	AppealSuspension   *AppealSuspension `json:"appeal_suspension,omitempty"`
	PriorContactCaseID string            `json:"prior_contact_case_id,omitempty"`
	DecidedAt          *time.Time        `json:"decided_at,omitempty"`
	CourtCase          *CourtCase        `json:"court_case,omitempty"`
	ClosedReason       string            `json:"closed_reason,omitempty"`
	// The ladder: the mediation a complaint escalated to, the complaint a
	// mediation was reoriented to, the referral that followed refer_to_ddd.
	EscalatedTo  string `json:"escalated_to,omitempty"`
	ReorientedTo string `json:"reoriented_to,omitempty"`
	ReferralID   string `json:"referral_id,omitempty"`
	// MergedInto is the file a duplicate was merged into.
	MergedInto string `json:"merged_into,omitempty"`
	// OverpaymentID is the overpayment notice the file disputes.
	OverpaymentID string `json:"overpayment_id,omitempty"`
	// A Défenseur des droits referral: where its decision is pushed, for
	// which partner, and its follow-ups.
	CallbackURL string     `json:"callback_url,omitempty"`
	Partner     string     `json:"partner,omitempty"`
	FollowUps   []FollowUp `json:"follow_ups,omitempty"`
	Policy      *Policy    `json:"policy,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
}

// AnswerRecord is an answer as the figures count it.
type AnswerRecord struct {
	At             time.Time `json:"at"`
	ElapsedDays    *int      `json:"elapsed_days,omitempty"`
	ElapsedDaysRaw *int      `json:"elapsed_days_raw,omitempty"`
	SLAStatus      SLAStatus `json:"sla_status"`
	// DueAt is the date the answer was judged against.
	DueAt *time.Time `json:"due_at,omitempty"`
}

// CountedAnswer is the answer the figures count: the first, when the file
// was reopened since, else the current one (nil when unanswered).
func (c *Case) CountedAnswer() (at *time.Time, elapsed, raw *int) {
	if a := c.FirstAnswer; a != nil {
		at := a.At
		return &at, a.ElapsedDays, a.ElapsedDaysRaw
	}
	return c.AnsweredAt, c.ElapsedDaysAdjusted, c.ElapsedDaysRaw
}

// Opinion is a service's view requested by the mediator.
type Opinion struct {
	ID         string     `json:"id"`
	Service    string     `json:"service"`
	Question   string     `json:"question"`
	DueAt      time.Time  `json:"due_at"`
	Status     string     `json:"status"`
	Text       string     `json:"text,omitempty"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"`
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
}

// PausedDays is what the figures subtract from the calendar days between
// receipt and answer: the whole days the pauses lasted under CountingCPC,
// so that "answered within N days" and the deadline's met agree; for the
// files registered before, the paused time rounded to the nearest day
// (half a day and more counts as a day).
func (c *Case) PausedDays() int {
	if c.policy().Counting >= CountingCPC {
		return c.PausedWholeDays
	}
	const day = 86400
	return int((c.PausedSeconds + day/2) / day)
}

// Deadline returns the deadline called name, and whether the file has one.
func (c *Case) Deadline(name string) (*Deadline, bool) {
	for i := range c.Deadlines {
		if c.Deadlines[i].Name == name {
			return &c.Deadlines[i], true
		}
	}
	return nil, false
}

// Event is one entry of a file's timeline. Seq numbers a file's events
// from 1 without gaps; it is the idempotency key of their persistence.
type Event struct {
	Seq        int64          `json:"seq"`
	At         time.Time      `json:"at"`
	Actor      string         `json:"actor"`
	Action     string         `json:"action"`
	FromStatus Status         `json:"from_status,omitempty"`
	ToStatus   Status         `json:"to_status,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
}

// System is the actor of what the clock does.
const System = "system"

// Actor is who asks for an action, with their roles in the file's Caf.
type Actor struct {
	Login string `json:"login"`
	Roles []Role `json:"roles"`
}

// Has reports whether the actor holds role.
func (a Actor) Has(role Role) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Notification is an entry in someone's queue: a user (by login) or every
// holder of a role in the file's Caf.
type Notification struct {
	Recipient string     `json:"recipient"` // a login, or "role:manager"
	Kind      string     `json:"kind"`      // what happened: reminder, target_missed, …
	Message   string     `json:"message"`   // in French, for the queue
	DueAt     *time.Time `json:"due_at,omitempty"`
}

// RoleRecipient addresses a notification to every holder of role in the Caf.
func RoleRecipient(r Role) string { return "role:" + string(r) }
