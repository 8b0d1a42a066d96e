package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
)

// GrantEvent is one entry of the trail of role changes: who granted or
// revoked which role to whom, in which Caf, when. It is append-only.
type GrantEvent struct {
	ID     uint64    `gorm:"primaryKey;autoIncrement" json:"id"`
	At     time.Time `gorm:"not null" json:"at"`
	Actor  string    `gorm:"not null" json:"actor"`
	Login  string    `gorm:"index;not null" json:"login"`
	Caf    string    `gorm:"index;size:3;not null" json:"caf"`
	Role   string    `gorm:"not null" json:"role"`
	Action string    `gorm:"not null" json:"action"` // grant, revoke, token_create or token_revoke
	// TokenID is the token a token_create or token_revoke is about.
	TokenID *uint `json:"token_id,omitempty"`
}

var loginShape = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

// CreateUser adds a user (an agent, or a partner's account when partner is
// set). The login and the email are lower-cased; an existing login, or an
// email another account holds, is ECONFLICT: sign-in matches agents on
// their email, so an address held twice would let an account stand in
// for another, or lock its owner out.
func (s *Store) CreateUser(ctx context.Context, login, name, email, partner string) (User, error) {
	var p domain.Problems
	login = normalise(login)
	if !loginShape.MatchString(login) {
		p.Add("login", "identifiant de 2 à 64 caractères : lettres minuscules, chiffres, . _ @ -")
	}
	if strings.TrimSpace(name) == "" {
		p.Add("name", "champ obligatoire")
	}
	email, ok := domain.AccountEmail(email)
	if !ok {
		p.Add("email", badEmail)
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	if partner != "" {
		if _, err := s.PartnerSecret(ctx, partner); err != nil {
			return User{}, &domain.Error{Code: domain.EINVALID, Message: "partenaire inconnu",
				Fields: []domain.FieldError{{Field: "partner", Message: "aucune organisation partenaire ne porte ce code"}}}
		}
	}
	u := User{Login: login, Name: strings.TrimSpace(name), Email: email, Partner: partner}
	defer s.writeLock()()
	if err := s.emailFree(ctx, email, 0); err != nil {
		return User{}, err
	}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&u)
	if res.Error != nil {
		return User{}, fmt.Errorf("store: user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		// The login, or (created meanwhile by another process) the email.
		if _, err := s.UserByLogin(ctx, login); domain.ErrorCode(err) == domain.ENOTFOUND {
			return User{}, emailTaken()
		}
		return User{}, domain.Errorf(domain.ECONFLICT, "l'identifiant %s existe déjà", login)
	}
	return u, nil
}

// SetUserEmail gives the user with login the work email its sign-in
// matches ("" for none), lower-cased; an email another account holds is
// ECONFLICT. For the operators (recours user set-email): a change of
// email moves who signs in as the account.
func (s *Store) SetUserEmail(ctx context.Context, login, email string) (User, error) {
	email, ok := domain.AccountEmail(email)
	if !ok {
		return User{}, &domain.Error{Code: domain.EINVALID, Message: "adresse électronique invalide",
			Fields: []domain.FieldError{{Field: "email", Message: badEmail}}}
	}
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	defer s.writeLock()()
	if err := s.emailFree(ctx, email, u.ID); err != nil {
		return User{}, err
	}
	err = s.db.WithContext(ctx).Model(&User{}).Where("id = ?", u.ID).Update("email", email).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return User{}, emailTaken()
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user: %w", err)
	}
	u.Email = email
	return u, nil
}

// badEmail is what an invalid account email is told.
const badEmail = "une adresse électronique seule (sans nom ni chevrons), de 254 caractères au plus"

// emailTaken is the conflict of an email another account holds. It does
// not say which: the account may be of a Caf the caller does not manage.
func emailTaken() error {
	return &domain.Error{Code: domain.ECONFLICT, Message: "adresse électronique déjà utilisée par un autre compte",
		Fields: []domain.FieldError{{Field: "email", Message: "cette adresse électronique est déjà celle d'un autre compte : chaque compte a la sienne"}}}
}

// emailFree checks that no account but the one of id holds email (given
// lower-cased), in any case. The unique index ux_users_email backs it.
func (s *Store) emailFree(ctx context.Context, email string, id uint) error {
	if email == "" {
		return nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("LOWER(email) = ? AND id <> ?", email, id).Count(&n).Error; err != nil {
		return fmt.Errorf("store: user: %w", err)
	}
	if n > 0 {
		return emailTaken()
	}
	return nil
}

// GrantRole gives role in caf to an existing user, on actor's behalf, and
// records it; granting a role already held changes nothing (created false).
func (s *Store) GrantRole(ctx context.Context, actor, login, caf string, role domain.Role) (bool, error) {
	return s.changeRole(ctx, actor, login, caf, role, "grant")
}

// RevokeRole takes role in caf back from a user and records it; ENOTFOUND
// when the user did not hold it.
func (s *Store) RevokeRole(ctx context.Context, actor, login, caf string, role domain.Role) error {
	done, err := s.changeRole(ctx, actor, login, caf, role, "revoke")
	if err == nil && !done {
		err = domain.Errorf(domain.ENOTFOUND, "%s ne détient pas le rôle %s dans la Caf %s", login, role, caf)
	}
	return err
}

func (s *Store) changeRole(ctx context.Context, actor, login, caf string, role domain.Role, action string) (bool, error) {
	var p domain.Problems
	if !role.Valid() {
		p.Add("role", "rôle inconnu")
	}
	if !domain.ValidCafCode(caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	if err := p.Err(); err != nil {
		return false, err
	}
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return false, err
	}
	defer s.writeLock()()
	changed := false
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ur := UserRole{UserID: u.ID, Caf: caf, Role: string(role)}
		var res *gorm.DB
		if action == "grant" {
			res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ur)
		} else {
			res = tx.Where("user_id = ? AND caf = ? AND role = ?", u.ID, caf, string(role)).Delete(&UserRole{})
		}
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		changed = true
		return tx.Create(&GrantEvent{At: time.Now().UTC(), Actor: actor, Login: u.Login, Caf: caf, Role: string(role), Action: action}).Error
	})
	return changed, err
}

// UserRoles is a user with its roles per Caf.
type UserRoles struct {
	Login   string              `json:"login"`
	Name    string              `json:"name"`
	Email   string              `json:"email,omitempty"`
	Partner string              `json:"partner,omitempty"`
	Roles   map[string][]string `json:"roles"` // by Caf
}

// Users lists the users holding a role in one of cafs, with those roles,
// and the users holding none (just created), by login.
func (s *Store) Users(ctx context.Context, cafs []string) ([]UserRoles, error) {
	var users []User
	if err := s.db.WithContext(ctx).Order("login").Find(&users).Error; err != nil {
		return nil, err
	}
	var roles []struct {
		UserID    uint
		Caf, Role string
	}
	if err := s.db.WithContext(ctx).Model(&UserRole{}).Select("user_id, caf, role").Order("caf, role").Scan(&roles).Error; err != nil {
		return nil, err
	}
	byUser := map[uint]map[string][]string{}
	holds := map[uint]bool{}
	for _, r := range roles {
		holds[r.UserID] = true
		if !contains(cafs, r.Caf) {
			continue
		}
		if byUser[r.UserID] == nil {
			byUser[r.UserID] = map[string][]string{}
		}
		byUser[r.UserID][r.Caf] = append(byUser[r.UserID][r.Caf], r.Role)
	}
	out := []UserRoles{}
	for _, u := range users {
		if byUser[u.ID] == nil && holds[u.ID] {
			continue // holds roles, none in these Cafs
		}
		out = append(out, UserRoles{Login: u.Login, Name: u.Name, Email: u.Email, Partner: u.Partner, Roles: byUser[u.ID]})
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// GrantEvents lists the role changes in cafs (of login, if given), newest
// first, at most limit.
func (s *Store) GrantEvents(ctx context.Context, cafs []string, login string, limit int) ([]GrantEvent, error) {
	q := s.db.WithContext(ctx).Where("caf IN ?", cafs)
	if login != "" {
		q = q.Where("login = ?", normalise(login))
	}
	var out []GrantEvent
	err := q.Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// PolicyVersion changes whenever a role is granted or revoked: API
// processes poll it to reload their policy without a restart.
func (s *Store) PolicyVersion(ctx context.Context) (uint64, error) {
	var v struct{ N uint64 }
	err := s.db.WithContext(ctx).Model(&GrantEvent{}).Select("COALESCE(MAX(id), 0) AS n").Scan(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	}
	return v.N, err
}
