package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"recours/internal/domain"
)

// MaxTokenTTL is the longest validity a token may be given: a year.
const MaxTokenTTL = 8760 * time.Hour

// TokenUseResolution is how often, at most, a token's last use is written:
// a write per request would make every read a write.
const TokenUseResolution = time.Minute

// TokenInfo is what may be shown of a token: never its secret, which is
// shown once when it is created and is not kept.
type TokenInfo struct {
	ID         uint       `json:"id"`
	Login      string     `json:"login"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// CreatedBy is who made the token: its user, a national administrator
	// for another user, or "console" for `recours token create`.
	CreatedBy string `json:"created_by"`
}

// tokenInfos selects the tokens with their user's login.
func (s *Store) tokenInfos(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("api_tokens").
		Select("api_tokens.id AS id, users.login AS login, api_tokens.label AS label, api_tokens.created_at AS created_at, " +
			"api_tokens.expires_at AS expires_at, api_tokens.revoked_at AS revoked_at, api_tokens.last_used_at AS last_used_at, " +
			"api_tokens.created_by AS created_by").
		Joins("JOIN users ON users.id = api_tokens.user_id")
}

// IssueToken makes a token for login on by's behalf ("" for login
// itself), valid for ttl (MaxTokenTTL at most), records it in the grants
// trail (Action TokenCreated, in each Caf of login's roles), and returns
// what may be shown of it and the token itself, to be shown once: only
// its hash is kept.
func (s *Store) IssueToken(ctx context.Context, by, login, label string, ttl time.Duration) (TokenInfo, string, error) {
	var p domain.Problems
	if ttl <= 0 || ttl > MaxTokenTTL {
		p.Add("ttl", "durée de validité entre 1s et 8760h (un an)")
	}
	if len(label) > 100 {
		p.Add("label", "100 caractères au plus")
	}
	if err := p.Err(); err != nil {
		return TokenInfo{}, "", err
	}
	token, err := s.createToken(ctx, by, login, strings.TrimSpace(label), ttl)
	if err != nil {
		return TokenInfo{}, "", err
	}
	var info TokenInfo
	if err := s.tokenInfos(ctx).Where("api_tokens.hash = ?", HashToken(token)).Take(&info).Error; err != nil {
		return TokenInfo{}, "", fmt.Errorf("store: token: %w", err)
	}
	return info, token, nil
}

// TokenFilter selects tokens: of one user (Login), or of the users who
// hold a role in one of Cafs; neither set means all.
type TokenFilter struct {
	Login string
	Cafs  []string
}

// Tokens lists tokens, oldest first, without their secrets.
func (s *Store) Tokens(ctx context.Context, f TokenFilter) ([]TokenInfo, error) {
	q := s.tokenInfos(ctx)
	if f.Login != "" {
		q = q.Where("users.login = ?", normalise(f.Login))
	}
	if f.Cafs != nil {
		q = q.Where("api_tokens.user_id IN (?)", s.db.Model(&UserRole{}).Select("user_id").Where("caf IN ?", f.Cafs))
	}
	out := []TokenInfo{}
	if err := q.Order("api_tokens.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// Token returns the token with id, or ENOTFOUND.
func (s *Store) Token(ctx context.Context, id uint) (TokenInfo, error) {
	var info TokenInfo
	err := s.tokenInfos(ctx).Where("api_tokens.id = ?", id).Take(&info).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return info, domain.Errorf(domain.ENOTFOUND, "jeton inconnu : %d", id)
	}
	return info, err
}

// RevokeToken revokes the token with id at now on by's behalf: it
// authenticates no more, and the grants trail says who revoked it.
// Revoking it again keeps the first revocation; ENOTFOUND when there is
// no such token.
func (s *Store) RevokeToken(ctx context.Context, by string, id uint, now time.Time) (TokenInfo, error) {
	info, err := s.Token(ctx, id)
	if err != nil {
		return TokenInfo{}, err
	}
	release := s.writeLock()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now.UTC())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return recordTokenEvent(tx, cmp.Or(by, info.Login), info.Login, id, TokenRevoked, now)
	})
	release()
	if err != nil {
		return TokenInfo{}, fmt.Errorf("store: revoke token: %w", err)
	}
	return s.Token(ctx, id)
}

// ConsoleActor is who acts from the command line (`recours token`), for
// the trails: the operator at the console, whose login Recours does not
// know.
const ConsoleActor = "console"

// The grants trail's actions for tokens.
const (
	TokenCreated = "token_create"
	TokenRevoked = "token_revoke"
)

// recordTokenEvent writes action on token id of login to the grants trail,
// once in each Caf where login holds a role (where that Caf's
// administrators and auditors look), or once without a Caf.
func recordTokenEvent(tx *gorm.DB, by, login string, id uint, action string, now time.Time) error {
	var cafs []string
	if err := tx.Table("user_roles").Joins("JOIN users ON users.id = user_roles.user_id").
		Where("users.login = ?", login).Distinct("user_roles.caf").Order("user_roles.caf").Pluck("user_roles.caf", &cafs).Error; err != nil {
		return err
	}
	if len(cafs) == 0 {
		cafs = []string{""}
	}
	events := make([]GrantEvent, len(cafs))
	for i, caf := range cafs {
		events[i] = GrantEvent{At: now.UTC(), Actor: by, Login: login, Caf: caf, Action: action, TokenID: &id}
	}
	return tx.Create(&events).Error
}

// TouchToken records that the token whose hash is given was used at now,
// unless a use within TokenUseResolution was recorded already.
func (s *Store) TouchToken(ctx context.Context, hash string, now time.Time) error {
	now = now.UTC()
	defer s.writeLock()()
	return s.db.WithContext(ctx).Model(&APIToken{}).
		Where("hash = ? AND (last_used_at IS NULL OR last_used_at <= ?)", hash, now.Add(-TokenUseResolution)).
		Update("last_used_at", now).Error
}

// UserCafs lists the Cafs where login holds a role, by code.
func (s *Store) UserCafs(ctx context.Context, login string) ([]string, error) {
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	var cafs []string
	err = s.db.WithContext(ctx).Model(&UserRole{}).Where("user_id = ?", u.ID).
		Distinct("caf").Order("caf").Pluck("caf", &cafs).Error
	return cafs, err
}
