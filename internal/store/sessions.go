package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"recours/internal/domain"
)

// DefaultSessionTTL is how long a browser session lasts from sign-in,
// whatever the activity (an absolute expiry, checked by the server).
const DefaultSessionTTL = 8 * time.Hour

// Session is a browser session. ID is the SHA-256 (hex) of the random
// session id the cookie carries: the id itself is never stored, so a copy
// of the table opens no session. CSRF is the token the browser must send
// back (X-CSRF-Token) on every unsafe request; IDToken is the provider's
// ID token, kept for the logout redirect's id_token_hint (empty after a
// local demo sign-in).
type Session struct {
	ID        string    `gorm:"primaryKey;size:64"`
	UserID    uint      `gorm:"index;not null"`
	CSRF      string    `gorm:"column:csrf;not null"`
	IDToken   string    `gorm:"column:id_token"`
	ExpiresAt time.Time `gorm:"index;not null"`
	CreatedAt time.Time
}

// randomSecret returns 32 random bytes, base64url without padding (43
// characters).
func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSessionID returns the stored form of a session id.
func HashSessionID(id string) string { return HashToken(id) }

// CreateSession opens a session for the user, valid for ttl from now
// (DefaultSessionTTL when ttl is not positive), and returns the random
// session id for the cookie, shown once, and the session as stored. Expired
// sessions are purged on the way.
func (s *Store) CreateSession(ctx context.Context, userID uint, idToken string, now time.Time, ttl time.Duration) (string, Session, error) {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	id, err := randomSecret()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomSecret()
	if err != nil {
		return "", Session{}, err
	}
	now = now.UTC()
	sess := Session{ID: HashSessionID(id), UserID: userID, CSRF: csrf, IDToken: idToken,
		ExpiresAt: now.Add(ttl), CreatedAt: now}
	defer s.writeLock()()
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
		return "", Session{}, fmt.Errorf("store: session purge: %w", err)
	}
	if err := db.Create(&sess).Error; err != nil {
		return "", Session{}, fmt.Errorf("store: session: %w", err)
	}
	return id, sess, nil
}

// SessionUser returns the user and the session whose id hashes to idHash,
// or EUNAUTHORIZED when there is none or it has expired.
func (s *Store) SessionUser(ctx context.Context, idHash string, now time.Time) (User, Session, error) {
	var sess Session
	err := s.db.WithContext(ctx).Where("id = ?", idHash).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !now.Before(sess.ExpiresAt)) {
		return User{}, Session{}, domain.Errorf(domain.EUNAUTHORIZED, "session absente ou expirée : reconnectez-vous")
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("store: session: %w", err)
	}
	var u User
	err = s.db.WithContext(ctx).Where("id = ?", sess.UserID).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, Session{}, domain.Errorf(domain.EUNAUTHORIZED, "session absente ou expirée : reconnectez-vous")
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("store: session user: %w", err)
	}
	return u, sess, nil
}

// DeleteSession ends the session whose id hashes to idHash; ending one
// that does not exist is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	defer s.writeLock()()
	if err := s.db.WithContext(ctx).Where("id = ?", idHash).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("store: session delete: %w", err)
	}
	return nil
}

// AgentByEmail returns the agent (an account of no partner) whose email is
// email, compared without regard to case, or ENOTFOUND. Emails are unique
// (ux_users_email); were two agents to hold one, it would match none.
func (s *Store) AgentByEmail(ctx context.Context, email string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return User{}, domain.Errorf(domain.ENOTFOUND, "aucun agent n'a cette adresse électronique")
	}
	var users []User
	err := s.db.WithContext(ctx).Where("LOWER(email) = ? AND (partner IS NULL OR partner = '')", email).
		Limit(2).Find(&users).Error
	if err != nil {
		return User{}, fmt.Errorf("store: user by email: %w", err)
	}
	if len(users) != 1 {
		return User{}, domain.Errorf(domain.ENOTFOUND, "aucun agent n'a cette adresse électronique")
	}
	return users[0], nil
}
