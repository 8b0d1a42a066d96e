package domain

import "time"

// Link is one file of a chain: complaint → mediation → referral.
type Link struct {
	ID        string `json:"id"`
	Reference string `json:"reference,omitempty"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	ParentID  string `json:"parent_id,omitempty"`
}

// PriorFile is another file of the same claimant in the same Caf, shown to
// the mediator deciding admissibility.
type PriorFile struct {
	ID         string     `json:"id"`
	Reference  string     `json:"reference,omitempty"`
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	SLAStatus  string     `json:"sla_status"`
	ReceivedAt time.Time  `json:"received_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}
