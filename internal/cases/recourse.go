package cases

import (
	"context"
	"log/slog"

	"recours/internal/authz"
	"recours/internal/domain"
)

// RecourseRoutes is the Caf's recourse route of every benefit, as its
// letters name them.
func (s *Service) RecourseRoutes(ctx context.Context, p domain.Principal, caf string) ([]domain.RecourseRoute, error) {
	if err := s.canRecourse(p, caf, authz.ActRead); err != nil {
		return nil, err
	}
	return s.Store.RecourseRoutes(ctx, caf)
}

// SetRecourseRoute sets the Caf's own route for r.Benefit, for the letters
// written from now on (its administrators only).
func (s *Service) SetRecourseRoute(ctx context.Context, p domain.Principal, caf string, r domain.RecourseRoute) (domain.RecourseRoute, error) {
	if err := s.canRecourse(p, caf, authz.ActManage); err != nil {
		return domain.RecourseRoute{}, err
	}
	out, err := s.Store.SetRecourseRoute(ctx, caf, r, p.Login, s.now())
	if err == nil {
		slog.InfoContext(ctx, "recourse route set", "caf", caf, "benefit", r.Benefit, "by", p.Login)
	}
	return out, err
}

// ResetRecourseRoute takes the Caf back to the national route for b.
func (s *Service) ResetRecourseRoute(ctx context.Context, p domain.Principal, caf string, b domain.Benefit) (domain.RecourseRoute, error) {
	if err := s.canRecourse(p, caf, authz.ActManage); err != nil {
		return domain.RecourseRoute{}, err
	}
	out, err := s.Store.ResetRecourseRoute(ctx, caf, b)
	if err == nil {
		slog.InfoContext(ctx, "recourse route reset to the national default", "caf", caf, "benefit", b, "by", p.Login)
	}
	return out, err
}

func (s *Service) canRecourse(p domain.Principal, caf, act string) error {
	if !domain.ValidCafCode(caf) {
		return domain.Errorf(domain.ENOTFOUND, "Caf inconnue : %s", caf)
	}
	if !s.Authz.Can(p.Login, caf, authz.ObjRecourse, act) {
		if act == authz.ActManage {
			return &domain.Error{Code: domain.EFORBIDDEN, Message: "seuls les administrateurs de la Caf fixent ses voies de recours"}
		}
		return &domain.Error{Code: domain.EFORBIDDEN, Message: "vous ne pouvez pas lire les voies de recours de cette Caf"}
	}
	return nil
}
