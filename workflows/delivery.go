package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"recours/activities/contract"
	"recours/internal/domain"
)

// CallbackAlarm is how long a decision may fail to reach the partner
// before the managers and the mediators hear of it; delivery goes on.
const CallbackAlarm = 24 * time.Hour

// Timeline actions of a decision's delivery to the partner.
const (
	EventDecisionDelivered = "decision_delivered"
	EventCallbackFailing   = "callback_failing"
	EventCallbackFailed    = "callback_failed"
)

// deliverDecision pushes the decision to the partner's callback URL in the
// background: an activity retried with backoff until acknowledged. The
// workflow does not complete before it ends.
func (w *file) deliverDecision(ctx workflow.Context) {
	w.delivering = true
	c := w.c
	req := contract.DeliveryRequest{URL: c.CallbackURL, Partner: c.Partner, Decision: contract.Decision{
		DDDReference: c.DDDReference, CaseID: c.ID, Caf: c.Caf, Status: string(c.Status),
		Outcome: c.Outcome, Explanation: c.Explanation, DecidedAt: *c.DecidedAt,
	}}
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.delivering = false }()
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: contract.DeliveryStartToClose,
			RetryPolicy:         contract.DeliveryRetryPolicy(),
		})
		delivery := workflow.ExecuteActivity(actx, contract.DeliverDecision, req)
		alarmCtx, stopAlarm := workflow.WithCancel(ctx)
		alarm := workflow.NewTimer(alarmCtx, CallbackAlarm)
		var res contract.DeliveryResult
		var err error
		done := false
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(delivery, func(f workflow.Future) { err, done = f.Get(ctx, &res), true })
		sel.AddFuture(alarm, func(workflow.Future) {
			w.note(ctx, EventCallbackFailing, map[string]any{"url": req.URL, "since": *c.DecidedAt},
				"La décision n'a pas pu être transmise au Défenseur des droits depuis plus d'un jour")
		})
		for !done {
			sel.Select(ctx)
		}
		stopAlarm()
		if err != nil {
			w.note(ctx, EventCallbackFailed, map[string]any{"url": req.URL, "error": err.Error()},
				"La transmission de la décision au Défenseur des droits a échoué")
			return
		}
		w.note(ctx, EventDecisionDelivered, map[string]any{"attempts": res.Attempts, "status_code": res.StatusCode}, "")
	})
}

// note records an event of the system on the file's timeline; with a
// message, it also goes to the managers' and mediators' queues.
func (w *file) note(ctx workflow.Context, action string, details map[string]any, message string) {
	_ = w.change(ctx, func(c *domain.Case) ([]domain.Change, error) { // retried until the store answers
		ch := domain.Change{Event: domain.Event{At: workflow.Now(ctx).UTC(), Actor: domain.System, Action: action,
			FromStatus: c.Status, ToStatus: c.Status, Details: details}}
		if message != "" {
			for _, r := range []domain.Role{domain.RoleManager, domain.RoleMediator} {
				ch.Notifications = append(ch.Notifications, domain.Notification{Recipient: domain.RoleRecipient(r), Kind: action, Message: message})
			}
		}
		return []domain.Change{ch}, nil
	})
}
