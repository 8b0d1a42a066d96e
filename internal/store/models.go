package store

import (
	"strings"
	"time"
)

// Organisation is a Caf, with its deadline policy for new files.
type Organisation struct {
	Code                    string `gorm:"primaryKey;size:3"`
	Name                    string `gorm:"not null"`
	DayMode                 string `gorm:"not null;default:calendar"`
	AcknowledgmentDays      int    `gorm:"not null;default:5"`
	TargetDays              int    `gorm:"not null;default:10"`
	LegalDays               int    `gorm:"not null;default:15"`
	ReminderDaysBefore      int    `gorm:"not null;default:2"`
	ImplicitRejectionMonths int    `gorm:"not null;default:2"`
	MediationTargetDays     int    `gorm:"not null;default:30"`
	MediationLegalDays      int    `gorm:"not null;default:60"`
	OpinionDays             int    `gorm:"not null;default:8"`
	// MediatorContact is how claimants reach the Caf's mediator, as the
	// messages say it; a default sentence when empty.
	MediatorContact string
	// OverpaymentThresholdCents: an overpayment notice of this amount or
	// more needs an enriched explanation and a phone attempt.
	OverpaymentThresholdCents int64 `gorm:"not null;default:150000"`
	// What every letter says of the Caf (CRPA L212-1, R112-5): its postal
	// address (lines separated by "\n"), how to reach it, the service in
	// charge of complaints, and who signs the letters no agent signs (the
	// acknowledgment of a referral, a reminder).
	Address           string
	Contact           string
	ServiceName       string
	SignatoryName     string
	SignatoryFunction string
	CreatedAt         time.Time
}

// User is an agent or a partner's account. Partner names the partner
// organisation a partner's account belongs to (the Défenseur des droits
// delegation of a liaison); agents have none.
type User struct {
	ID    uint   `gorm:"primaryKey"`
	Login string `gorm:"uniqueIndex;not null"`
	Name  string `gorm:"not null"`
	// Email is the work email the sign-in matches agents on: lower-cased,
	// one bare address, unique among accounts without regard to case (the
	// partial index ux_users_email, uniqueEmailsMigration); "" for none.
	Email   string
	Partner string `gorm:"index"`
	// Function is the agent's function as their letters sign it
	// (« Gestionnaire conseil allocataires »); empty: the one of their role.
	Function  string
	CreatedAt time.Time
	// TokenBy is, for a request authenticated by a token made for this user
	// by someone else (a national administrator), that someone: the
	// access trail names both. Not stored.
	TokenBy string `gorm:"-" json:"-"`
}

// RecourseRouteRow is a Caf's own recourse route for a benefit, set by its
// administrators over the national default.
type RecourseRouteRow struct {
	Caf       string `gorm:"primaryKey;size:3"`
	Benefit   string `gorm:"primaryKey;size:32"`
	Body      string `gorm:"not null"`
	Address   string
	Months    int `gorm:"not null"`
	RunsFrom  string
	Then      string `gorm:"not null"`
	Source    string `gorm:"not null"`
	UpdatedBy string `gorm:"not null"`
	UpdatedAt time.Time
}

// TableName is the routes' table.
func (RecourseRouteRow) TableName() string { return "recourse_routes" }

// Partner is an organisation that submits files through the API (a
// Défenseur des droits delegation). CallbackSecret signs the decisions
// pushed to it (HMAC-SHA256): it must be readable to sign, so it is kept
// as given, and the database is to be protected accordingly.
// CallbackHosts is the allow-list of the hosts its callback URLs may name
// (domain.ParseCallbackHosts, separated by spaces; migration
// 202612090002): empty, no callback is accepted.
type Partner struct {
	Code           string `gorm:"primaryKey"`
	Name           string `gorm:"not null"`
	CallbackSecret string `gorm:"not null"`
	CallbackHosts  string `gorm:"not null;default:''"`
	CreatedAt      time.Time
}

// Hosts is the partner's allow-list of callback hosts.
func (p Partner) Hosts() []string { return strings.Fields(p.CallbackHosts) }

// Referral maps a Défenseur des droits reference to the file it opened,
// with the hash of the first submission: the same body again finds the
// same file, a different one is refused.
type Referral struct {
	DDDReference string `gorm:"column:ddd_reference;primaryKey"`
	CaseID       string `gorm:"uniqueIndex;size:36;not null"`
	Partner      string `gorm:"index;not null"`
	SubmittedBy  string `gorm:"not null"`
	RequestHash  string `gorm:"size:64;not null"`
	CreatedAt    time.Time
}

// DeliveryAttempt records one try at pushing a decision to a partner's
// callback URL.
type DeliveryAttempt struct {
	ID         uint   `gorm:"primaryKey"`
	CaseID     string `gorm:"index;size:36;not null"`
	Attempt    int32  `gorm:"not null"`
	URL        string `gorm:"not null"`
	StatusCode int
	Error      string
	Delivered  bool
	At         time.Time `gorm:"not null"`
}

// UserRole grants a role to a user in one Caf.
type UserRole struct {
	UserID    uint   `gorm:"primaryKey"`
	Caf       string `gorm:"primaryKey;size:3"`
	Role      string `gorm:"primaryKey"`
	CreatedAt time.Time
}

// APIToken is a bearer token, stored as the SHA-256 of its secret.
type APIToken struct {
	ID         uint   `gorm:"primaryKey"`
	UserID     uint   `gorm:"index;not null"`
	Hash       string `gorm:"uniqueIndex;size:64;not null"`
	Label      string
	ExpiresAt  time.Time `gorm:"not null"`
	RevokedAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
	// CreatedBy is the login of who made it (the user, or a national
	// administrator for another user), or "console".
	CreatedBy string `gorm:"not null;default:''"`
}

// CaseRow is the projection of a file: the columns lists, queues and
// figures filter on, and the whole file as JSON in Data. Version is the
// seq of the last event applied, so a late write never overwrites a newer
// state. Imported rows are history from the previous system: no workflow
// owns them, Reference is their key there, and their Data is empty (the
// store builds them from their columns, see history.go).
//
// Indexes: those the lookups need are partial, leaving out imported
// history, which has no assignee, claimant, parent or reference; lists of
// a Caf walk ix_cases_caf_id (caf, id). The ix_cases_received, _answered,
// _mediations and _implicit_rejection tags below are the schema as first
// released, when the figures read cases from covering indexes: the
// migration 202611220002_figures_rollup drops them (the figures read
// figures_rollup) and creates ix_cases_caf_id. The first migration builds
// the models' shape, so the tags stay for the released schema to be
// rebuilt as it was.
type CaseRow struct {
	ID             string    `gorm:"primaryKey;size:36"`
	Kind           string    `gorm:"index:ix_cases_received,priority:2;index:ix_cases_answered,priority:2;index:ix_cases_implicit_rejection,priority:2;not null"`
	Caf            string    `gorm:"index:ix_cases_received,priority:1;index:ix_cases_answered,priority:1;index:ix_cases_mediations,priority:1;index:ix_cases_implicit_rejection,priority:1;size:3;not null"`
	Status         string    `gorm:"not null"`
	SLAStatus      string    `gorm:"column:sla_status;not null"`
	Assignee       string    `gorm:"index:ix_cases_assignee,where:assignee <> ''"`
	ClaimantNumber string    `gorm:"index:ix_cases_claimant,where:claimant_number <> '';size:7"`
	Channel        string    `gorm:"index:ix_cases_received,priority:4"`
	Benefit        string    `gorm:"index:ix_cases_received,priority:5;index:ix_cases_mediations,priority:5"`
	Reason         string    `gorm:"index:ix_cases_received,priority:6;index:ix_cases_mediations,priority:4"`
	Origin         string    `gorm:"index:ix_cases_mediations,priority:3,where:kind = 'mediation'"`
	Outcome        string    `gorm:"index:ix_cases_mediations,priority:6"`
	ParentID       string    `gorm:"index:ix_cases_parent,where:parent_id <> ''"`
	DDDReference   string    `gorm:"column:ddd_reference;index:ix_cases_ddd_reference,where:ddd_reference <> ''"`
	ReceivedAt     time.Time `gorm:"index:ix_cases_received,priority:3;index:ix_cases_answered,priority:6;index:ix_cases_mediations,priority:2"`
	TargetDue      *time.Time
	LegalDue       *time.Time `gorm:"index:ix_cases_answered,priority:8;index:ix_cases_mediations,priority:8"`
	AnsweredAt     *time.Time `gorm:"index:ix_cases_answered,priority:3"`
	DecidedAt      *time.Time `gorm:"index:ix_cases_mediations,priority:7"`
	ClosedAt       *time.Time `gorm:"index:ix_cases_answered,priority:7"`
	// AckStatus is the acknowledgment deadline's status (met, missed, or
	// on_time while pending), for the national commitment.
	AckStatus           string `gorm:"index:ix_cases_received,priority:7"`
	ElapsedDays         *int   `gorm:"index:ix_cases_answered,priority:4"`
	ElapsedDaysRaw      *int   `gorm:"index:ix_cases_answered,priority:5"`
	PausedSeconds       int64
	ImplicitRejectionAt *time.Time `gorm:"index:ix_cases_implicit_rejection,priority:3,where:implicit_rejection_at IS NOT NULL"`
	// ReopenedAt is the first reopening (migration 202612070001).
	ReopenedAt  *time.Time
	ClockPaused bool
	Imported    bool `gorm:"not null;default:false"`
	// Reference is unique within the Caf (ux_cases_caf_reference, made by
	// the migration 202611220004; the tag is the released schema's).
	Reference *string `gorm:"uniqueIndex"`
	// RefNumber is the number the reference ends with; NameKey, EmailKey
	// and PhoneKey the claimant's name, email and phone as a search
	// matches them (domain.NameKey, EmailKey, PhoneKey). Their indexes are
	// made by the migration 202612080001.
	RefNumber int64  `gorm:"not null;default:0"`
	NameKey   string `gorm:"not null;default:''"`
	EmailKey  string `gorm:"not null;default:''"`
	PhoneKey  string `gorm:"not null;default:''"`
	Version   int64  `gorm:"not null"`
	// WriteRun and WriteTask are the workflow run and task that last wrote
	// the row (see Record.Task); empty for rows written before they were
	// kept.
	WriteRun  string `gorm:"size:64;not null;default:''"`
	WriteTask int64  `gorm:"not null;default:0"`
	Data      string `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table named after the domain's word.
func (CaseRow) TableName() string { return "cases" }

// EventRow is one entry of a file's timeline, keyed by (case, seq) so a
// retried write is a no-op.
type EventRow struct {
	CaseID     string `gorm:"primaryKey;size:36"`
	Seq        int64  `gorm:"primaryKey"`
	Caf        string `gorm:"index;size:3;not null"`
	At         time.Time
	Actor      string `gorm:"index"`
	Action     string `gorm:"index;not null"`
	FromStatus string
	ToStatus   string
	Details    string
	// WriteTask is the workflow task that wrote the event (see Record.Task).
	WriteTask int64 `gorm:"not null;default:0"`
}

// TableName names the timeline table.
func (EventRow) TableName() string { return "case_events" }

// Notification is an entry in a queue: a user's, or every holder of a role
// in the Caf ("role:manager").
type Notification struct {
	ID        uint   `gorm:"primaryKey"`
	CaseID    string `gorm:"uniqueIndex:ux_notification;size:36;not null"`
	Seq       int64  `gorm:"uniqueIndex:ux_notification;not null"`
	Recipient string `gorm:"uniqueIndex:ux_notification;not null"`
	Caf       string `gorm:"index;size:3;not null"`
	Kind      string `gorm:"not null"`
	Message   string
	DueAt     *time.Time
	CreatedAt time.Time
	ReadAt    *time.Time
}

// IdempotencyKey remembers the first request made with a client's key, so
// a repeat returns the same file and a different body is refused.
type IdempotencyKey struct {
	Actor       string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	Target      string `gorm:"not null"`
	RequestHash string `gorm:"size:64;not null"`
	CaseID      string `gorm:"size:36"`
	CreatedAt   time.Time
}

// ReferenceCounter is the last number drawn in a series of references, on
// SQLite (PostgreSQL keeps a sequence per series): see NextReference.
type ReferenceCounter struct {
	Caf    string `gorm:"primaryKey;size:3"`
	Letter string `gorm:"primaryKey;size:1"`
	Year   int    `gorm:"primaryKey"`
	Last   int64  `gorm:"not null"`
}

func allModels() []any {
	return []any{&Organisation{}, &User{}, &UserRole{}, &APIToken{}, &RecourseRouteRow{}, &CaseRow{},
		&EventRow{}, &Notification{}, &IdempotencyKey{}, &Partner{}, &Referral{}, &DeliveryAttempt{}, &AccessEntry{}, &GrantEvent{}, &Session{}, &CasbinRule{},
		&ClaimantMessage{}, &OverpaymentRow{}, &OverpaymentDispute{}, &ReferenceCounter{}}
}
