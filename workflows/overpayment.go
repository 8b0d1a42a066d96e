package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/workflow"

	"recours/activities/contract"
	"recours/internal/domain"
)

// Temporal names of the overpayment notices. Never rename one.
const (
	OverpaymentWorkflowName = "Overpayment"
	overpaymentIDPrefix     = "overpayment:"
)

// OverpaymentWorkflowID is the workflow ID of the notice id.
func OverpaymentWorkflowID(id string) string { return overpaymentIDPrefix + id }

// OverpaymentInput starts a notice's workflow.
type OverpaymentInput struct {
	Overpayment domain.Overpayment `json:"overpayment"`
	Rules       Rules              `json:"rules,omitempty"`
}

// OverpaymentRequest is the argument of every action on a notice.
type OverpaymentRequest struct {
	Actor string                 `json:"actor"`
	Args  domain.OverpaymentArgs `json:"args"`
	// Seal is the API's signature of the request (see ActionRequest).
	Seal string `json:"seal,omitempty"`
}

// OverpaymentActions lists the notice's updates.
var OverpaymentActions = []string{domain.OverpaymentExplain, domain.OverpaymentRecordCall, domain.OverpaymentSend}

// notice is the state of one notice's workflow.
type notice struct {
	o       domain.Overpayment
	saved   int
	sending bool
	ordered bool      // changes enter the state once saved (changeSavedBeforeApplied)
	turn    writeTurn // ordered notices save one change at a time
}

// Overpayment owns one overpayment notice until it is sent. A notice below
// the Caf's threshold goes out at once; a large one waits for the enriched
// explanation and the phone attempt, reminds its author after one working
// day and tells the managers after two, and is sent by the officer's send.
func Overpayment(ctx workflow.Context, in OverpaymentInput) (domain.Overpayment, error) {
	n := &notice{o: in.Overpayment}
	n.ordered = in.Rules >= 1 || workflow.GetVersion(ctx, changeSavedBeforeApplied, workflow.DefaultVersion, 1) >= 1
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (domain.Overpayment, error) { return n.o, nil }); err != nil {
		return n.o, err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateRegister, func(ctx workflow.Context) (domain.Overpayment, error) {
		err := workflow.Await(ctx, func() bool { return n.saved >= 1 })
		return n.o, err
	}); err != nil {
		return n.o, err
	}
	for _, a := range OverpaymentActions {
		err := workflow.SetUpdateHandlerWithOptions(ctx, a,
			func(ctx workflow.Context, req OverpaymentRequest) (domain.Overpayment, error) {
				return n.act(ctx, a, req)
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req OverpaymentRequest) error {
				if !sealed(ctx, a, req.Seal, req.Actor, req.Args) {
					return asApplicationError(domain.ErrUnsealed)
				}
				if n.sending {
					return asApplicationError(domain.Errorf(domain.ECONFLICT, "la notification est en cours d'envoi"))
				}
				return asApplicationError(n.o.Check(a, req.Args))
			}})
		if err != nil {
			return n.o, err
		}
	}
	if err := n.change(ctx, func(*domain.Overpayment) ([]domain.Notification, error) { return nil, nil }); err != nil {
		return n.o, err
	}
	if n.o.Large {
		workflow.Go(ctx, n.watchCall)
	} else {
		n.send(ctx)
	}
	if err := workflow.Await(ctx, func() bool { return n.o.Status == domain.OverpaymentSent && !n.sending }); err != nil {
		return n.o, err
	}
	return n.o, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// act performs a checked action; send hands the notice to the channel in
// the background.
func (n *notice) act(ctx workflow.Context, a string, req OverpaymentRequest) (domain.Overpayment, error) {
	// An action arriving with the notice's first workflow task waits until
	// the notice is saved (the validator saw its first state).
	if n.ordered {
		if err := workflow.Await(ctx, func() bool { return n.saved >= 1 }); err != nil {
			return domain.Overpayment{}, err
		}
	}
	err := n.change(ctx, func(o *domain.Overpayment) ([]domain.Notification, error) {
		return nil, asApplicationError(o.Apply(workflow.Now(ctx).UTC(), req.Actor, a, req.Args))
	})
	if err != nil {
		return domain.Overpayment{}, err
	}
	if a == domain.OverpaymentSend {
		n.send(ctx)
	}
	return n.o, nil
}

// watchCall reminds the author a working day in, and tells the managers
// when the two working days passed, while the explanation or the call is
// missing.
func (n *notice) watchCall(ctx workflow.Context) {
	for _, step := range []struct {
		at   *time.Time
		mark func(*domain.Overpayment, time.Time) []domain.Notification
	}{{n.o.ReminderAt, (*domain.Overpayment).Remind}, {n.o.CallDueAt, (*domain.Overpayment).MissCall}} {
		if step.at == nil {
			continue
		}
		if d := step.at.Sub(workflow.Now(ctx)); d > 0 {
			if err := workflow.Sleep(ctx, d); err != nil {
				return
			}
		}
		done := func(o *domain.Overpayment) bool {
			return o.Status == domain.OverpaymentSent || n.sending || len(o.Missing()) == 0
		}
		if done(&n.o) {
			return
		}
		_ = n.change(ctx, func(o *domain.Overpayment) ([]domain.Notification, error) {
			if done(o) { // an action took the write turn first
				return nil, errNoChange
			}
			return step.mark(o, workflow.Now(ctx).UTC()), nil
		})
	}
}

// send delivers the notice in the background and records the outcome.
func (n *notice) send(ctx workflow.Context) {
	n.sending = true
	req := contract.MessageRequest{Kind: string(domain.MessageOverpaymentNotice), Overpayment: &n.o,
		At: workflow.Now(ctx).UTC(), Occurrence: int64(len(n.o.Events))}
	o := n.o
	req.Overpayment = &o
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { n.sending = false }()
		out, err := messageActivity(ctx, req)
		if err != nil {
			return
		}
		_ = n.change(ctx, func(o *domain.Overpayment) ([]domain.Notification, error) {
			return o.Delivered(workflow.Now(ctx).UTC(), out), nil
		})
	})
}

// save writes the notice through a local activity, retried until the
// store answers.
func (n *notice) save(ctx workflow.Context, notes []domain.Notification) error {
	if err := workflow.ExecuteLocalActivity(saving(ctx), contract.SaveOverpayment, n.o, notes, "", int64(0)).Get(ctx, nil); err != nil {
		return err
	}
	n.saved = len(n.o.Events)
	return nil
}

// errNoChange tells change that f found nothing to do any more.
var errNoChange = errors.New("no change")

// change makes the change f makes to the notice, and saves it with the
// queue entries f returns. For an ordered notice, f edits a copy, under
// the write turn, and the notice takes it once the store has it; notices
// started before take f's edits at once.
func (n *notice) change(ctx workflow.Context, f func(*domain.Overpayment) ([]domain.Notification, error)) error {
	if !n.ordered {
		notes, err := f(&n.o)
		if errors.Is(err, errNoChange) {
			return nil
		}
		if err != nil {
			return err
		}
		return n.save(ctx, notes)
	}
	release, err := n.turn.take(ctx, nil)
	if err != nil {
		return err
	}
	defer release()
	next := n.o.Clone()
	notes, err := f(&next)
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	info := workflow.GetInfo(ctx)
	err = workflow.ExecuteLocalActivity(saving(ctx), contract.SaveOverpayment, next, notes,
		info.WorkflowExecution.RunID, int64(info.GetCurrentHistoryLength())).Get(ctx, nil)
	if err != nil {
		return err
	}
	n.o, n.saved = next, len(next.Events)
	return nil
}
