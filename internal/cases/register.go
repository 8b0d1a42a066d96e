package cases

import (
	"context"

	"github.com/google/uuid"

	"recours/internal/authz"
	"recours/internal/domain"
)

// Register registers a complaint: validate, authorise, then start its
// workflow and wait until the file is in the store, so that a read right
// after shows it. A repeat under the same idempotency key answers the same
// file.
func (s *Service) Register(ctx context.Context, p domain.Principal, in domain.NewComplaint, k Idempotency) (domain.Case, error) {
	now := s.now()
	in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
	if err := in.Validate(now); err != nil {
		return domain.Case{}, err
	}
	if !s.Authz.Can(p.Login, in.Caf, authz.ObjComplaint, authz.ActCreate) {
		return domain.Case{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas enregistrer de réclamation pour cette Caf"}
	}
	if err := s.disputedOverpayment(ctx, &in.OverpaymentID, in.Caf, in.Claimant.Number, in.Benefit, in.Reason); err != nil {
		return domain.Case{}, err
	}
	org, err := s.Store.Organisation(ctx, in.Caf)
	if err != nil {
		return domain.Case{}, err
	}
	// The key is kept even if the start fails: the outcome of a timed-out
	// start is unknown, and a retry must find the same file, not make one.
	const target = "POST /api/v1/complaints"
	id, repeat, release, err := s.claim(ctx, p, k, target, k.hash(target, in), newID())
	if err != nil {
		return domain.Case{}, err
	}
	if err := s.refuseDuplicate(ctx, repeat, in.ConfirmDuplicate, domain.KindComplaint, in.Caf, in.Claimant.Number, in.Benefit, in.Reason, release); err != nil {
		return domain.Case{}, err
	}
	return s.startFile(ctx, domain.NewComplaintCase(id, in, now, org.Policy()), p.Login, repeat)
}

// RegisterMediation registers a request for mediation (from the claimant
// or a third party); a Défenseur des droits referral comes through Refer.
func (s *Service) RegisterMediation(ctx context.Context, p domain.Principal, in domain.NewMediation, k Idempotency) (domain.Case, error) {
	now := s.now()
	in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
	if err := in.Validate(now); err != nil {
		return domain.Case{}, err
	}
	if in.Origin == domain.OriginDDD {
		return domain.Case{}, &domain.Error{Code: domain.EINVALID, Message: "une saisine du Défenseur des droits passe par /api/v1/referrals",
			Fields: []domain.FieldError{{Field: "origin", Message: "origine réservée aux saisines du Défenseur des droits"}}}
	}
	if !s.Authz.Can(p.Login, in.Caf, authz.ObjMediation, authz.ActCreate) {
		return domain.Case{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas enregistrer de médiation pour cette Caf"}
	}
	if in.RelatedCaseID != "" {
		if err := s.relatedCase(ctx, in); err != nil {
			return domain.Case{}, err
		}
	}
	if err := s.disputedOverpayment(ctx, &in.OverpaymentID, in.Caf, in.Claimant.Number, in.Benefit, in.Reason); err != nil {
		return domain.Case{}, err
	}
	org, err := s.Store.Organisation(ctx, in.Caf)
	if err != nil {
		return domain.Case{}, err
	}
	const target = "POST /api/v1/mediations"
	id, repeat, release, err := s.claim(ctx, p, k, target, k.hash(target, in), newID())
	if err != nil {
		return domain.Case{}, err
	}
	if err := s.refuseDuplicate(ctx, repeat, in.ConfirmDuplicate, domain.KindMediation, in.Caf, in.Claimant.Number, in.Benefit, in.Reason, release); err != nil {
		return domain.Case{}, err
	}
	return s.startFile(ctx, domain.NewMediationCase(id, in, now, org.Policy()), p.Login, repeat)
}

// refuseDuplicate refuses a new file (unless confirmed) while the
// claimant has an open file of the same kind, benefit and reason in the
// Caf, naming it; a repeat of a registration is its own file, not a
// duplicate. A refusal releases the idempotency key, so that the
// confirmed request may use it.
func (s *Service) refuseDuplicate(ctx context.Context, repeat, confirmed bool, kind domain.Kind, caf, number string,
	benefit domain.Benefit, reason domain.Reason, release func()) error {
	if repeat || confirmed {
		return nil
	}
	dup, found, err := s.Store.OpenDuplicate(ctx, caf, kind, number, benefit, reason, domain.OpenStatuses(kind))
	if err == nil && found {
		err = domain.DuplicateError(dup)
	}
	if err != nil {
		release()
	}
	return err
}

// relatedCase checks that the file a mediation request names is the same
// claimant's, in the same Caf.
func (s *Service) relatedCase(ctx context.Context, in domain.NewMediation) error {
	rel, err := s.Store.Case(ctx, in.RelatedCaseID)
	if err == nil && (rel.Caf != in.Caf || rel.Claimant.Number != in.Claimant.Number) {
		err = domain.Errorf(domain.ENOTFOUND, "")
	}
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return &domain.Error{Code: domain.EINVALID, Message: "dossier lié introuvable",
			Fields: []domain.FieldError{{Field: "related_case_id", Message: "aucun dossier de cet allocataire dans cette Caf ne porte cet identifiant"}}}
	}
	return err
}

// disputedOverpayment checks the notice a new complaint or mediation
// names (same Caf, same claimant), or finds the one it disputes when none
// is named: for an overpayment not understood, the claimant's only notice
// for that benefit in the last 60 days.
func (s *Service) disputedOverpayment(ctx context.Context, id *string, caf, number string, benefit domain.Benefit, reason domain.Reason) error {
	if *id == "" {
		if reason != "overpayment_not_understood" {
			return nil
		}
		found, err := s.Store.RecentOverpayment(ctx, caf, number, benefit, s.now())
		*id = found
		return err
	}
	bad := &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide", Fields: []domain.FieldError{
		{Field: "overpayment_id", Message: "aucune notification de trop-perçu de cet allocataire dans cette Caf ne porte cet identifiant"}}}
	if _, err := uuid.Parse(*id); err != nil {
		return bad
	}
	o, err := s.Store.Overpayment(ctx, *id)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && (o.Caf != caf || o.Claimant.Number != number)) {
		return bad
	}
	return err
}
