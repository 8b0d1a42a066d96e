package workflows

import (
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"recours/internal/domain"
)

// Temporal names: the contract between the API, the worker and the
// histories already recorded. Never rename one.
const (
	TaskQueue             = "recours"
	ComplaintWorkflowName = "Complaint"
	MediationWorkflowName = "Mediation"
	QueryState            = "state"
	QuerySnapshot         = "snapshot"
	UpdateRegister        = "register"
	UpdateResync          = "resync"
	complaintIDPrefix     = "complaint:"
	mediationIDPrefix     = "mediation:"
)

// Snapshot is the answer of the snapshot query: the file and the seq of
// its last event, read at one instant (the consistency check compares
// both with the store).
type Snapshot struct {
	Case domain.Case `json:"case"`
	Seq  int64       `json:"seq"`
}

// ReopenWindow is how long a closed or withdrawn complaint's workflow
// waits for a reopening before it completes; its projection stays.
const ReopenWindow = 60 * 24 * time.Hour

// ComplaintWorkflowID is the workflow ID of the complaint with file id.
func ComplaintWorkflowID(id string) string { return complaintIDPrefix + id }

// WorkflowID is the workflow ID of the file id of kind k.
func WorkflowID(k domain.Kind, id string) string {
	if k == domain.KindMediation {
		return mediationIDPrefix + id
	}
	return complaintIDPrefix + id
}

// WorkflowName is the workflow type of a kind of file.
func WorkflowName(k domain.Kind) string {
	if k == domain.KindMediation {
		return MediationWorkflowName
	}
	return ComplaintWorkflowName
}

// CaseIDFromWorkflowID is the inverse of WorkflowID.
func CaseIDFromWorkflowID(wid string) (string, bool) {
	if id, ok := strings.CutPrefix(wid, mediationIDPrefix); ok {
		return id, true
	}
	return strings.CutPrefix(wid, complaintIDPrefix)
}

// Rules is the version of the workflows' rules a file or notice is started
// under, fixed in its input at entry: it keeps them for its whole life, and
// asks for no marker. A workflow.GetVersion of a new workflow records a
// marker and upserts the TemporalChangeVersion search attribute, a command
// and a write of the visibility store for every file (BENCHMARKS.md,
// 2026-12-04). Workflows started before carry 0 and replay their markers.
//
// Rules 1 takes every change versioned before it: changeFileVersions 1 for
// a file (changeClaimantMessages, changeSavedBeforeApplied,
// changeOneTimerPerDeadline), changeSavedBeforeApplied for a notice. A
// later change of the rules raises CurrentRules, and the workflow keeps
// the older behaviour for inputs below it.
//
// Rules 2 sends the notice of admissibility when a Caf mediation is
// admitted (CSS L217-7-1: the suspension of the claimant's recourse
// deadlines runs from it), the letter of a dated request of documents and
// its reminder (CRPA L114-5).
type Rules int

// CurrentRules is the version new files and notices start under.
const CurrentRules Rules = 2

// RulesAdmissibilityNotice is the first rules version that sends the
// notice of admissibility and the letters of a request of documents.
const RulesAdmissibilityNotice Rules = 2

// ComplaintInput starts a file's workflow (complaint or mediation): its
// first state, deadlines fixed, who registered it, and its rules.
type ComplaintInput struct {
	Case  domain.Case `json:"case"`
	Actor string      `json:"actor"`
	Rules Rules       `json:"rules,omitempty"`
}

// NewFile is the input of a file started now, under CurrentRules.
func NewFile(c domain.Case, actor string) ComplaintInput {
	return ComplaintInput{Case: c, Actor: actor, Rules: CurrentRules}
}

// ActionRequest is the argument of every action update.
type ActionRequest struct {
	Actor domain.Actor      `json:"actor"`
	Args  domain.ActionArgs `json:"args"`
	// Seal is the API's signature of the request (domain.ActorKey),
	// checked by the validator when the worker holds the key.
	Seal string `json:"seal,omitempty"`
}

// asApplicationError carries a domain error across Temporal with its code
// as the error type and its fields as details; nil stays nil.
func asApplicationError(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		return err
	}
	return temporal.NewApplicationErrorWithOptions(de.Message, de.Code,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{de.Fields}})
}

// DomainError turns an error returned by an update back into the domain
// error it carries. Any other error (an activity's, Temporal's) is
// returned as it is: its type is not a domain code, and the API must not
// mistake it for one.
func DomainError(err error) error {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !domain.KnownCode(ae.Type()) {
		return err
	}
	de := &domain.Error{Code: ae.Type(), Message: ae.Message()}
	if ae.HasDetails() {
		_ = ae.Details(&de.Fields)
	}
	return de
}
