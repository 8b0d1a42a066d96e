package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// UserByLogin returns the user with login, or ENOTFOUND.
func (s *Store) UserByLogin(ctx context.Context, login string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("login = ?", normalise(login)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, domain.Errorf(domain.ENOTFOUND, "utilisateur inconnu : %s", login)
	}
	return u, err
}

// Grant gives role in caf to the user with login, creating the user.
func (s *Store) Grant(ctx context.Context, login, name string, caf string, role domain.Role) error {
	if !role.Valid() || !domain.ValidCafCode(caf) {
		return domain.Errorf(domain.EINVALID, "rôle %q ou Caf %q inconnu", role, caf)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u := User{Login: normalise(login), Name: name}
		if err := tx.Where(User{Login: u.Login}).Attrs(User{Name: name}).FirstOrCreate(&u).Error; err != nil {
			return err
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&UserRole{UserID: u.ID, Caf: caf, Role: string(role)}).Error
	})
}

// Grants lists every (login, role, caf), for the authorisation policy.
type GrantRow struct {
	Login, Role, Caf string
}

// Grants returns every role granted, for the authorisation policy.
func (s *Store) Grants(ctx context.Context) ([]GrantRow, error) {
	var out []GrantRow
	err := s.db.WithContext(ctx).Table("user_roles").
		Select("users.login AS login, user_roles.role AS role, user_roles.caf AS caf").
		Joins("JOIN users ON users.id = user_roles.user_id").Scan(&out).Error
	return out, err
}

// HasRole reports whether login holds role in caf.
func (s *Store) HasRole(ctx context.Context, login string, caf string, role domain.Role) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("user_roles").
		Joins("JOIN users ON users.id = user_roles.user_id").
		Where("users.login = ? AND user_roles.caf = ? AND user_roles.role = ?", normalise(login), caf, string(role)).
		Count(&n).Error
	return n > 0, err
}

// tokenPrefix marks Recours tokens, so a leaked one is recognisable.
const tokenPrefix = "rct_"

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a token for login, by login itself, valid for ttl, and
// returns it: it is shown once and only its hash is kept.
func (s *Store) CreateToken(ctx context.Context, login, label string, ttl time.Duration) (string, error) {
	return s.createToken(ctx, "", login, label, ttl)
}

// createToken makes a token for login on by's behalf ("": login's own)
// and records it in the grants trail, in one transaction.
func (s *Store) createToken(ctx context.Context, by, login, label string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", domain.Errorf(domain.EINVALID, "la durée de validité doit être positive")
	}
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return "", err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	by = normalise(cmp.Or(by, u.Login))
	now := time.Now().UTC()
	t := APIToken{UserID: u.ID, Hash: HashToken(token), Label: label, ExpiresAt: now.Add(ttl), CreatedBy: by}
	defer s.writeLock()()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return recordTokenEvent(tx, by, u.Login, t.ID, TokenCreated, now)
	})
	if err != nil {
		return "", fmt.Errorf("store: token: %w", err)
	}
	return token, nil
}

// Authenticate returns the user a valid, unexpired, unrevoked token
// belongs to, or EUNAUTHORIZED.
func (s *Store) Authenticate(ctx context.Context, token string, now time.Time) (User, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return User{}, domain.Errorf(domain.EUNAUTHORIZED, "jeton invalide")
	}
	var row struct {
		User
		ExpiresAt time.Time
		RevokedAt *time.Time
		MadeBy    string
	}
	err := s.db.WithContext(ctx).Table("api_tokens").
		Select("users.*, api_tokens.expires_at AS expires_at, api_tokens.revoked_at AS revoked_at, api_tokens.created_by AS made_by").
		Joins("JOIN users ON users.id = api_tokens.user_id").
		Where("api_tokens.hash = ?", HashToken(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && (row.RevokedAt != nil || !now.Before(row.ExpiresAt))) {
		return User{}, domain.Errorf(domain.EUNAUTHORIZED, "jeton invalide, expiré ou révoqué")
	}
	if err != nil {
		return User{}, fmt.Errorf("store: token: %w", err)
	}
	if row.MadeBy != "" && row.MadeBy != row.User.Login {
		row.User.TokenBy = row.MadeBy
	}
	return row.User, nil
}

// Organisation returns the Caf with code, or ENOTFOUND.
func (s *Store) Organisation(ctx context.Context, code string) (Organisation, error) {
	var o Organisation
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return o, domain.Errorf(domain.ENOTFOUND, "Caf inconnue : %s", code)
	}
	return o, err
}

// OrganisationCodes lists the codes of every Caf, in order.
func (s *Store) OrganisationCodes(ctx context.Context) ([]string, error) {
	var codes []string
	if err := s.db.WithContext(ctx).Model(&Organisation{}).Order("code").Pluck("code", &codes).Error; err != nil {
		return nil, fmt.Errorf("store: organisations: %w", err)
	}
	return codes, nil
}

// Policy is the deadline policy the Caf applies to new files.
func (o Organisation) Policy() domain.Policy {
	return domain.Policy{
		DayMode: calendar.Mode(o.DayMode), AcknowledgmentDays: o.AcknowledgmentDays,
		TargetDays: o.TargetDays, LegalDays: o.LegalDays, ReminderDaysBefore: o.ReminderDaysBefore,
		ImplicitRejectionMonths: o.ImplicitRejectionMonths, MediationTargetDays: o.MediationTargetDays,
		MediationLegalDays: o.MediationLegalDays, OpinionDays: o.OpinionDays,
	}
}

// UpsertOrganisation creates or renames a Caf; an existing Caf keeps its policy.
func (s *Store) UpsertOrganisation(ctx context.Context, code, name string) error {
	p := domain.DefaultPolicy()
	o := Organisation{Code: code, Name: name, DayMode: string(p.DayMode), AcknowledgmentDays: p.AcknowledgmentDays,
		TargetDays: p.TargetDays, LegalDays: p.LegalDays, ReminderDaysBefore: p.ReminderDaysBefore,
		ImplicitRejectionMonths: p.ImplicitRejectionMonths, MediationTargetDays: p.MediationTargetDays,
		MediationLegalDays: p.MediationLegalDays, OpinionDays: p.OpinionDays}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "code"}}, DoUpdates: clause.AssignmentColumns([]string{"name"}),
	}).Create(&o).Error
}

// SetPolicy changes the deadline policy a Caf applies to new files; the
// files already open keep the deadlines they were given.
func (s *Store) SetPolicy(ctx context.Context, code string, p domain.Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&Organisation{}).Where("code = ?", code).Updates(map[string]any{
		"day_mode": string(p.DayMode), "acknowledgment_days": p.AcknowledgmentDays, "target_days": p.TargetDays,
		"legal_days": p.LegalDays, "reminder_days_before": p.ReminderDaysBefore,
		"implicit_rejection_months": p.ImplicitRejectionMonths, "mediation_target_days": p.MediationTargetDays,
		"mediation_legal_days": p.MediationLegalDays, "opinion_days": p.OpinionDays,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Caf inconnue : %s", code)
	}
	return nil
}
