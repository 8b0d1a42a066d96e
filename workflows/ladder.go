package workflows

import (
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"time"

	"recours/activities/contract"
	"recours/internal/domain"
)

// newFileID draws a time-ordered id for a file this workflow opens; the
// side effect keeps it the same on replay.
func newFileID(ctx workflow.Context) string {
	var id string
	_ = workflow.SideEffect(ctx, func(workflow.Context) any {
		return uuid.Must(uuid.NewV7()).String()
	}).Get(&id)
	return id
}

// linkedFile is the file an action opens: the mediation a complaint
// escalates to (origin claimant, the complaint's reason and benefit), or
// the complaint a mediation is reoriented to. from is the file before the
// action.
func linkedFile(from domain.Case, a domain.Action, req ActionRequest, now time.Time) domain.Case {
	p := domain.DefaultPolicy()
	if from.Policy != nil {
		p = *from.Policy
	}
	id := req.Args.LinkedID
	if a == domain.ActionEscalate {
		m := domain.NewMediationCase(id, domain.NewMediation{
			Caf: from.Caf, Claimant: from.Claimant, Origin: "claimant", Benefit: from.Benefit, Reason: from.Reason,
			Subject: from.Subject, Description: req.Args.Reason, RelatedCaseID: from.ID,
			DecisionNotifiedOn: from.DecisionNotifiedOn,
		}, now, p)
		m.Reference = req.Args.LinkedReference
		return m
	}
	c := domain.NewComplaintCase(id, domain.NewComplaint{
		Caf: from.Caf, Claimant: from.Claimant, Channel: "letter", Benefit: from.Benefit, Reason: from.Reason,
		Subject: from.Subject, Description: from.Description, DecisionNotifiedOn: from.DecisionNotifiedOn,
	}, now, p)
	c.ParentID = from.ID
	c.Reference = req.Args.LinkedReference
	c.FromFirstReceipt(from.ReceivedAt)
	return c
}

// open starts the workflow of a linked file, which outlives this one, and
// returns once the file is readable. An ordered file waits for the linked
// file's workflow to save its creation, so each file has one writer; files
// started before saved the linked file's first state themselves, then
// started its workflow.
func (w *file) open(ctx workflow.Context, linked domain.Case, actor string) error {
	if !w.ordered {
		if err := saveRecord(ctx, domain.Record{Case: linked, Changes: []domain.Change{withSeq(linked.Created(actor), 1)}}); err != nil {
			return err
		}
	}
	// Disconnected: cancelling this file's workflow must not cancel the
	// file it opened, which lives on its own.
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	cctx := workflow.WithChildOptions(dctx, workflow.ChildWorkflowOptions{
		WorkflowID:        WorkflowID(linked.Kind, linked.ID),
		TaskQueue:         TaskQueue,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	child := workflow.ExecuteChildWorkflow(cctx, WorkflowName(linked.Kind), NewFile(linked, actor))
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil || !w.ordered {
		return err
	}
	// Saved, or the child ended first (it failed: its file will never be).
	wctx, stop := workflow.WithCancel(ctx)
	defer stop()
	saved := workflow.ExecuteLocalActivity(saving(wctx), contract.AwaitSaved, linked.ID)
	var err error
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(saved, func(f workflow.Future) { err = f.Get(ctx, nil) })
	sel.AddFuture(child, func(f workflow.Future) {
		if err = f.Get(ctx, nil); err == nil {
			err = saved.Get(ctx, nil) // completed: it saved first
		}
	})
	sel.Select(ctx)
	return err
}

func withSeq(ch domain.Change, seq int64) domain.Change {
	ch.Event.Seq = seq
	return ch
}
