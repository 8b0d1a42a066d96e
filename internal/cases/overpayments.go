package cases

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"recours/internal/domain"
	"recours/workflows"
)

// Notify registers an overpayment notice and starts its workflow: below
// the Caf's threshold the standard notice goes out at once; at or above
// it, the notice waits for the enriched explanation and the phone attempt.
func (s *Service) Notify(ctx context.Context, p domain.Principal, in domain.NewOverpayment, k Idempotency) (domain.Overpayment, error) {
	now := s.now()
	cents, err := in.Validate(now)
	if err != nil {
		return domain.Overpayment{}, err
	}
	if !s.Authz.Can(p.Login, in.Caf, ObjOverpayment, "create") {
		return domain.Overpayment{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas notifier de trop-perçu pour cette Caf"}
	}
	org, err := s.Store.Organisation(ctx, in.Caf)
	if err != nil {
		return domain.Overpayment{}, err
	}
	const target = "POST /api/v1/overpayments"
	id, repeat, _, err := s.claim(ctx, p, k, target, k.hash(target, in), newID())
	if err != nil {
		return domain.Overpayment{}, err
	}
	o := domain.NewOverpaymentNotice(id, in, cents, org.OverpaymentThresholdCents, p.Login, now)
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if err := s.startWorkflow(ctx, workflows.OverpaymentWorkflowID(id), workflows.OverpaymentWorkflowName,
		workflows.OverpaymentInput{Overpayment: o, Rules: workflows.CurrentRules}, id, repeat); err != nil {
		return domain.Overpayment{}, workflows.DomainError(err)
	}
	return s.Store.Overpayment(ctx, id)
}

// Overpayment is the notice id, when p may read the notices of its Caf:
// ENOTFOUND when p holds no role there (as for files), EFORBIDDEN when its
// role does not allow it. The read goes on the access trail: the notice
// names the claimant.
func (s *Service) Overpayment(ctx context.Context, p domain.Principal, id string) (domain.Overpayment, error) {
	if _, err := uuid.Parse(id); err != nil {
		return domain.Overpayment{}, domain.Errorf(domain.ENOTFOUND, "notification de trop-perçu introuvable")
	}
	o, err := s.Store.Overpayment(ctx, id)
	if err != nil {
		return o, err
	}
	if err := s.Authz.Check(p.Login, o.Caf, ObjOverpayment, "read"); err != nil {
		return domain.Overpayment{}, err
	}
	if err := s.Record(ctx, p, o.ID, o.Caf, ReadDetail); err != nil {
		return domain.Overpayment{}, err
	}
	return o, nil
}

// OverpaymentFilter is what a list of notices asks for, as typed.
type OverpaymentFilter struct {
	Caf, Status, Limit string
}

// Overpayments lists the notices of the Cafs p may read, newest first.
func (s *Service) Overpayments(ctx context.Context, p domain.Principal, f OverpaymentFilter) ([]domain.Overpayment, error) {
	var probs domain.Problems
	limit := checkLimit(&probs, f.Limit, 50)
	if f.Status != "" && !slices.Contains([]domain.OverpaymentStatus{domain.OverpaymentPending, domain.OverpaymentReady, domain.OverpaymentSent}, domain.OverpaymentStatus(f.Status)) {
		probs.Add("status", "statut inconnu (pending, ready ou sent)")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	cafs := s.Authz.Cafs(p.Login, ObjOverpayment, "read")
	if f.Caf != "" {
		if !slices.Contains(cafs, f.Caf) {
			return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous n'avez pas accès aux trop-perçus de cette Caf"}
		}
		cafs = []string{f.Caf}
	}
	if len(cafs) == 0 {
		return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: "votre rôle ne permet pas de consulter les trop-perçus"}
	}
	items, err := s.Store.Overpayments(ctx, cafs, f.Status, limit)
	if err != nil {
		return nil, err
	}
	// Each notice names its claimant: the list is on the access trail.
	listed := make([]domain.Case, len(items))
	for i, o := range items {
		listed[i] = domain.Case{ID: o.ID, Caf: o.Caf}
	}
	if err := s.recordList(ctx, p, listed, ReadList); err != nil {
		return nil, err
	}
	return items, nil
}

// ActOnOverpayment performs explain, record_call or send on the notice
// id: authorise, then send the update, whose validator refuses what the
// notice's state does not allow (a large notice's send before its
// explanation and call: ECONFLICT) before anything is written.
func (s *Service) ActOnOverpayment(ctx context.Context, p domain.Principal, id, action string, args domain.OverpaymentArgs, k Idempotency) (domain.Overpayment, error) {
	o, err := s.Overpayment(ctx, p, id)
	if err != nil {
		return o, err
	}
	if !slices.Contains(workflows.OverpaymentActions, action) {
		return o, domain.Errorf(domain.ENOTFOUND, "action inconnue sur un trop-perçu : %s", action)
	}
	if err := s.Authz.Check(p.Login, o.Caf, ObjOverpayment, action); err != nil {
		return o, err
	}
	if err := o.Check(action, args); err != nil {
		return o, err
	}
	target := "POST /api/v1/overpayments/" + o.ID + "/actions/" + action
	hash := k.hash(target, args)
	_, _, release, err := s.claim(ctx, p, k, target, hash, o.ID)
	if err != nil {
		return o, err
	}
	var out domain.Overpayment
	wid, uid := workflows.OverpaymentWorkflowID(o.ID), updateID(p, k, hash)
	req := workflows.OverpaymentRequest{Actor: p.Login, Args: args}
	req.Seal = s.seal(wid, uid, action, req.Actor, req.Args)
	err = s.update(ctx, wid, action, uid, req, &out, release, "la notification a déjà été envoyée")
	if err != nil {
		return o, err
	}
	return out, nil
}
