package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
)

// RecourseRoutes returns the recourse route of every benefit in the Caf
// with code: its own where its administrators set one, the national
// default otherwise, in the vocabulary's order.
func (s *Store) RecourseRoutes(ctx context.Context, code string) ([]domain.RecourseRoute, error) {
	var rows []RecourseRouteRow
	if err := s.db.WithContext(ctx).Where("caf = ?", code).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: recourse routes: %w", err)
	}
	own := make(map[domain.Benefit]RecourseRouteRow, len(rows))
	for _, r := range rows {
		own[domain.Benefit(r.Benefit)] = r
	}
	out := domain.NationalRecourseRoutes()
	for i, r := range out {
		if row, ok := own[r.Benefit]; ok {
			at := row.UpdatedAt.UTC()
			out[i] = domain.RecourseRoute{Benefit: r.Benefit, Body: row.Body, Address: row.Address, Months: row.Months,
				RunsFrom: row.RunsFrom, Then: row.Then, Source: row.Source, UpdatedBy: row.UpdatedBy, UpdatedAt: &at}
			if out[i].RunsFrom == "" {
				out[i].RunsFrom = domain.RunsFromNotification
			}
		}
	}
	return out, nil
}

// RecourseRoute returns the Caf's route for benefit b.
func (s *Store) RecourseRoute(ctx context.Context, code string, b domain.Benefit) (domain.RecourseRoute, error) {
	routes, err := s.RecourseRoutes(ctx, code)
	if err != nil {
		return domain.RecourseRoute{}, err
	}
	for _, r := range routes {
		if r.Benefit == b {
			return r, nil
		}
	}
	return domain.NationalRecourseRoute(b), nil
}

// SetRecourseRoute sets the Caf's own route for r.Benefit, for the letters
// written from now on; by is the administrator who sets it.
func (s *Store) SetRecourseRoute(ctx context.Context, code string, r domain.RecourseRoute, by string, now time.Time) (domain.RecourseRoute, error) {
	r.Body, r.Then, r.Source, r.Address = strings.TrimSpace(r.Body), strings.TrimSpace(r.Then), strings.TrimSpace(r.Source), strings.TrimSpace(r.Address)
	if r.RunsFrom = strings.TrimSpace(r.RunsFrom); r.RunsFrom == "" {
		r.RunsFrom = domain.RunsFromNotification
	}
	if err := r.Validate(); err != nil {
		return domain.RecourseRoute{}, err
	}
	if _, err := s.Organisation(ctx, code); err != nil {
		return domain.RecourseRoute{}, err
	}
	row := RecourseRouteRow{Caf: code, Benefit: string(r.Benefit), Body: r.Body, Address: r.Address, Months: r.Months,
		RunsFrom: r.RunsFrom, Then: r.Then, Source: r.Source, UpdatedBy: by, UpdatedAt: now.UTC()}
	defer s.writeLock()()
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "caf"}, {Name: "benefit"}},
		DoUpdates: clause.AssignmentColumns([]string{"body", "address", "months", "runs_from", "then", "source", "updated_by", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return domain.RecourseRoute{}, fmt.Errorf("store: recourse route: %w", err)
	}
	at := row.UpdatedAt
	r.National, r.UpdatedBy, r.UpdatedAt = false, by, &at
	return r, nil
}

// ResetRecourseRoute drops the Caf's own route for b: its letters name the
// national default again.
func (s *Store) ResetRecourseRoute(ctx context.Context, code string, b domain.Benefit) (domain.RecourseRoute, error) {
	if !b.Valid() {
		return domain.RecourseRoute{}, domain.Errorf(domain.ENOTFOUND, "prestation inconnue : %s", b)
	}
	defer s.writeLock()()
	if err := s.db.WithContext(ctx).Where("caf = ? AND benefit = ?", code, string(b)).Delete(&RecourseRouteRow{}).Error; err != nil {
		return domain.RecourseRoute{}, fmt.Errorf("store: recourse route: %w", err)
	}
	return domain.NationalRecourseRoute(b), nil
}

// CafDetails is what a Caf's letters say of it; a nil field is left as it
// is by SetCafDetails.
type CafDetails struct {
	OverpaymentThresholdCents *int64
	MediatorContact           *string
	Address                   *string
	Contact                   *string
	ServiceName               *string
	SignatoryName             *string
	SignatoryFunction         *string
}

// SetCafDetails changes what the Caf's messages say of it and the amount
// from which an overpayment notice needs the enriched explanation and a
// phone attempt (for notices created from now on).
func (s *Store) SetCafDetails(ctx context.Context, code string, d CafDetails) error {
	var p domain.Problems
	updates := map[string]any{}
	if d.OverpaymentThresholdCents != nil {
		if *d.OverpaymentThresholdCents <= 0 {
			return domain.Errorf(domain.EINVALID, "le seuil des trop-perçus doit être positif")
		}
		updates["overpayment_threshold_cents"] = *d.OverpaymentThresholdCents
	}
	text := func(col, field string, v *string, max int) {
		if v == nil {
			return
		}
		t := strings.TrimSpace(*v)
		if len([]rune(t)) > max {
			p.Add(field, fmt.Sprintf("texte trop long (%d caractères au plus)", max))
		}
		updates[col] = t
	}
	text("mediator_contact", "mediator_contact", d.MediatorContact, 300)
	text("contact", "contact", d.Contact, 300)
	text("service_name", "service_name", d.ServiceName, 200)
	text("signatory_name", "signatory_name", d.SignatoryName, 200)
	text("signatory_function", "signatory_function", d.SignatoryFunction, 200)
	if d.Address != nil {
		if err := domain.CheckPostalAddress("address", *d.Address); err != nil {
			return err
		}
		updates["address"] = strings.Join(domain.AddressLines(*d.Address), "\n")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if len(updates) == 0 {
		return nil
	}
	defer s.writeLock()()
	res := s.db.WithContext(ctx).Model(&Organisation{}).Where("code = ?", code).Updates(updates)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Caf inconnue : %s", code)
	}
	return nil
}

// Signatory is who signs a letter of the Caf with code (CRPA L212-1): the
// agent with login, named with their function (their own, or their role's
// in that Caf); ok is false when login is no agent of the Caf (the system,
// a partner's account), and the letter is then signed by the Caf's
// default signatory.
func (s *Store) Signatory(ctx context.Context, login, code string) (name, function string, ok bool, err error) {
	if login == "" || login == domain.System {
		return "", "", false, nil
	}
	u, err := s.UserByLogin(ctx, login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	if u.Partner != "" {
		return "", "", false, nil
	}
	var roles []string
	err = s.db.WithContext(ctx).Model(&UserRole{}).Where("user_id = ? AND caf = ?", u.ID, code).Pluck("role", &roles).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", "", false, err
	}
	if len(roles) == 0 {
		return "", "", false, nil
	}
	function = u.Function
	if function == "" {
		rs := make([]domain.Role, len(roles))
		for i, r := range roles {
			rs[i] = domain.Role(r)
		}
		function = domain.SignatureFunction(rs)
	}
	return u.Name, function, true, nil
}

// SetUserFunction sets the function an agent's letters sign with; empty:
// the one of their role.
func (s *Store) SetUserFunction(ctx context.Context, login, function string) error {
	function = strings.TrimSpace(function)
	if len([]rune(function)) > 200 {
		return &domain.Error{Code: domain.EINVALID, Message: "la demande est invalide",
			Fields: []domain.FieldError{{Field: "function", Message: "texte trop long (200 caractères au plus)"}}}
	}
	defer s.writeLock()()
	res := s.db.WithContext(ctx).Model(&User{}).Where("login = ?", normalise(login)).Update("function", function)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "utilisateur inconnu : %s", login)
	}
	return nil
}
