package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
)

// partnerCodeShape is a partner's code: what its accounts' partner field
// and the referrals name.
var partnerCodeShape = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// PartnerSecretBytes is the size of a generated signing secret (256 bits,
// as the HMAC-SHA256 key it is).
const PartnerSecretBytes = 32

// NewPartnerSecret returns a fresh signing secret: PartnerSecretBytes from
// crypto/rand, base64url without padding.
func NewPartnerSecret() (string, error) {
	b := make([]byte, PartnerSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: partner secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// UpsertPartner creates the partner with code, or updates its name and
// callback secret; its callback hosts stay.
func (s *Store) UpsertPartner(ctx context.Context, code, name, secret string) error {
	code = strings.TrimSpace(code)
	if code == "" || secret == "" {
		return domain.Errorf(domain.EINVALID, "un partenaire a un code et un secret de rappel")
	}
	p := Partner{Code: code, Name: name, CallbackSecret: secret}
	defer s.writeLock()()
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "callback_secret"}),
	}).Create(&p).Error
	if err != nil {
		return fmt.Errorf("store: partner: %w", err)
	}
	return nil
}

// CreatePartner adds a partner organisation with its signing secret and
// its callback hosts; an existing code is ECONFLICT and changes nothing.
func (s *Store) CreatePartner(ctx context.Context, code, name, secret string, hosts []string) (Partner, error) {
	var p domain.Problems
	code = strings.TrimSpace(code)
	if !partnerCodeShape.MatchString(code) {
		p.Add("code", "code de 2 à 64 caractères : lettres minuscules, chiffres, . _ -")
	}
	if strings.TrimSpace(name) == "" {
		p.Add("name", "champ obligatoire")
	}
	if len(secret) < 32 {
		p.Add("secret", "secret de signature trop court")
	}
	if err := p.Err(); err != nil {
		return Partner{}, err
	}
	row := Partner{Code: code, Name: strings.TrimSpace(name), CallbackSecret: secret,
		CallbackHosts: domain.FormatCallbackHosts(hosts), CreatedAt: time.Now().UTC()}
	defer s.writeLock()()
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return Partner{}, fmt.Errorf("store: partner: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Partner{}, domain.Errorf(domain.ECONFLICT, "le partenaire %s existe déjà", code)
	}
	return row, nil
}

// RotatePartnerSecret replaces the partner's signing secret; ENOTFOUND for
// an unknown code. Deliveries from now on are signed with the new one.
func (s *Store) RotatePartnerSecret(ctx context.Context, code, secret string) error {
	if len(secret) < 32 {
		return domain.Errorf(domain.EINVALID, "secret de signature trop court")
	}
	return s.updatePartner(ctx, code, "callback_secret", secret)
}

// SetPartnerCallbackHosts replaces the partner's allow-list of callback
// hosts; ENOTFOUND for an unknown code. It holds for the referrals
// submitted from now on and for every delivery still to come.
func (s *Store) SetPartnerCallbackHosts(ctx context.Context, code string, hosts []string) error {
	return s.updatePartner(ctx, code, "callback_hosts", domain.FormatCallbackHosts(hosts))
}

func (s *Store) updatePartner(ctx context.Context, code, column, value string) error {
	defer s.writeLock()()
	res := s.db.WithContext(ctx).Model(&Partner{}).Where("code = ?", strings.TrimSpace(code)).Update(column, value)
	if res.Error != nil {
		return fmt.Errorf("store: partner: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "partenaire inconnu : %s", code)
	}
	return nil
}

// Partner returns the partner with code, its secret included, or
// ENOTFOUND.
func (s *Store) Partner(ctx context.Context, code string) (Partner, error) {
	var p Partner
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Partner{}, domain.Errorf(domain.ENOTFOUND, "partenaire inconnu : %s", code)
	}
	if err != nil {
		return Partner{}, fmt.Errorf("store: partner: %w", err)
	}
	return p, nil
}

// PartnerSecret returns the secret that signs the decisions pushed to the
// partner with code, or ENOTFOUND.
func (s *Store) PartnerSecret(ctx context.Context, code string) (string, error) {
	p, err := s.Partner(ctx, code)
	return p.CallbackSecret, err
}

// PartnerInfo is what may be shown of a partner: never its secret.
type PartnerInfo struct {
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	CallbackHosts []string  `json:"callback_hosts"`
	CreatedAt     time.Time `json:"created_at"`
}

// Partners lists the partner organisations by code, without their secrets.
func (s *Store) Partners(ctx context.Context) ([]PartnerInfo, error) {
	var rows []Partner
	if err := s.db.WithContext(ctx).Select("code", "name", "callback_hosts", "created_at").Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: partners: %w", err)
	}
	out := make([]PartnerInfo, len(rows))
	for i, p := range rows {
		out[i] = PartnerInfo{Code: p.Code, Name: p.Name, CallbackHosts: p.Hosts(), CreatedAt: p.CreatedAt.UTC()}
		if out[i].CallbackHosts == nil {
			out[i].CallbackHosts = []string{}
		}
	}
	return out, nil
}
