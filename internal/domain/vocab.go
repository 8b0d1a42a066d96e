package domain

import "slices"

// Kind is the kind of a file.
type Kind string

// Kinds of file.
const (
	KindComplaint Kind = "complaint"
	KindMediation Kind = "mediation"
)

// Channel is how a complaint reached the Caf.
type Channel string

// Benefit is the benefit a file is about.
type Benefit string

// Reason is what a file is about.
type Reason string

// Role is what a user may do in a Caf.
type Role string

// Roles, as in the glossary.
const (
	RoleCSU        Role = "csu"
	RoleGCA        Role = "gca"
	RoleManager    Role = "manager"
	RoleMediator   Role = "mediator"
	RoleDDDLiaison Role = "ddd_liaison"
	RoleAuditor    Role = "auditor"
	RoleAdmin      Role = "admin"
)

// Vocabularies of the API contract, in the order the contract gives them.
var (
	Channels = []Channel{"phone", "email", "desk", "online", "letter", "appointment"}
	Benefits = []Benefit{"housing_aid", "rsa", "ppa", "paje", "family_allowance", "aah", "other"}
	Reasons  = []Reason{"overpayment_not_understood", "decision_not_understood",
		"payment_missing_or_late", "processing_delay", "calculation_error",
		"documents", "service_quality", "other"}
	Roles = []Role{RoleCSU, RoleGCA, RoleManager, RoleMediator, RoleDDDLiaison, RoleAuditor, RoleAdmin}
)

// Valid reports whether c is a word of the vocabulary.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Valid reports whether b is a word of the vocabulary.
func (b Benefit) Valid() bool { return slices.Contains(Benefits, b) }

// Valid reports whether r is a word of the vocabulary.
func (r Reason) Valid() bool { return slices.Contains(Reasons, r) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// SLAStatus is where a file stands against its deadlines.
type SLAStatus string

// SLA statuses. The first four describe an open file; met and missed a file
// that was answered (within its legal limit, or after it).
const (
	SLAOnTime       SLAStatus = "on_time"
	SLADueSoon      SLAStatus = "due_soon"
	SLATargetMissed SLAStatus = "target_missed"
	SLAOverdue      SLAStatus = "overdue"
	SLAMet          SLAStatus = "met"
	SLAMissed       SLAStatus = "missed"
)

// SLAStatuses lists every SLA status.
var SLAStatuses = []SLAStatus{SLAOnTime, SLADueSoon, SLATargetMissed, SLAOverdue, SLAMet, SLAMissed}

// Valid reports whether s is a known SLA status.
func (s SLAStatus) Valid() bool { return slices.Contains(SLAStatuses, s) }
