package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recours/activities/contract"
	"recours/internal/domain"
)

// changeClaimantMessages versions the messages to the claimant: from
// version 1 a file sends its acknowledgment when registered (which meets
// the acknowledgment deadline), the answer, the mediator's decision, the
// reply to the Défenseur des droits and the reorientation notice, each as
// an activity whose outcome is on the timeline. Files started before
// replay without them; files started from changeFileVersions take them
// without this marker.
const changeClaimantMessages = "claimant-messages"

// messageFor is the message an action sends to the claimant, if any, on
// the file's rules.
func messageFor(c domain.Case, a domain.Action, rules Rules) (domain.MessageKind, bool) {
	switch {
	case a == domain.ActionRequestDocuments && rules >= RulesAdmissibilityNotice && len(c.DocumentsRequests) > 0:
		return domain.MessageDocumentRequest, true
	case a == domain.ActionAdmit && rules >= RulesAdmissibilityNotice && c.DDDReference == "" && c.Origin != string(domain.OriginDDD):
		return domain.MessageAdmissibility, true
	case a == domain.ActionAnswer && c.Kind == domain.KindComplaint:
		return domain.MessageComplaintAnswer, true
	case a == domain.ActionDecide && c.DDDReference != "":
		return domain.MessageDDDReply, true
	case a == domain.ActionDecide:
		return domain.MessageMediationDecision, true
	case a == domain.ActionReorient:
		return domain.MessageReorientation, true
	}
	return "", false
}

// messageActivity runs the message activity with its retry policy.
func messageActivity(ctx workflow.Context, req contract.MessageRequest) (domain.MessageOutcome, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: contract.MessageStartToClose,
		RetryPolicy:         contract.MessageRetryPolicy(),
	})
	var out domain.MessageOutcome
	err := workflow.ExecuteActivity(actx, contract.SendMessage, req).Get(ctx, &out)
	if err != nil && !temporal.IsCanceledError(err) {
		out = domain.MessageOutcome{Kind: req.Kind, Status: domain.MessageFailed, Error: err.Error()}
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) {
			out.Error = ae.Message()
			if ae.Type() == contract.ErrTypeMessageBounced || ae.Type() == contract.ErrTypeMessageInvalid {
				out.Status = domain.MessageBounced
			}
		}
		return out, nil
	}
	return out, err
}

// sendMessage writes to the claimant in the background; the outcome goes
// on the timeline, and a message that cannot be delivered raises a task.
// The workflow does not complete before it ends.
func (w *file) sendMessage(ctx workflow.Context, kind domain.MessageKind, signatory string) {
	w.sending++
	req := contract.MessageRequest{Kind: string(kind), Case: w.c.Clone(), At: workflow.Now(ctx).UTC(), Occurrence: w.seq,
		Signatory: signatory}
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.sending-- }()
		out, err := messageActivity(ctx, req)
		if err != nil {
			return // cancelled
		}
		_ = w.change(ctx, func(c *domain.Case) ([]domain.Change, error) {
			return []domain.Change{c.MessageDelivered(workflow.Now(ctx).UTC(), out)}, nil
		})
	})
}

// afterTick sends what the clock's steps owe the claimant: the reminder of
// the documents asked for (files of RulesAdmissibilityNotice and after;
// no file before has a dated request).
func (w *file) afterTick(ctx workflow.Context, ticked []domain.Change) {
	if !w.messages || w.rules < RulesAdmissibilityNotice {
		return
	}
	for _, ch := range ticked {
		if ch.Event.Action == domain.ClockDocumentsReminder {
			w.sendMessage(ctx, domain.MessageDocumentReminder, w.c.Assignee)
		}
	}
}
