package store

import (
	"log/slog"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// uniqueEmailsMigration makes the accounts' emails unique without regard
// to case: every email is stored lower-cased, and the partial unique
// index ux_users_email on LOWER(email) (accounts without email left out)
// refuses a second account with the same address, whoever writes it.
//
// An address that several accounts hold already is settled rather than
// left to stop every process at start: the sign-in gave it to at most one
// account, the one agent (account of no partner) holding it, and it stays
// there; every other holder loses it, and so does every holder when the
// sign-in gave it to none (several agents, or partners' accounts only). So
// nobody signs in who could not before. The accounts that lost it are
// logged (login and address): an operator gives each its own with
// recours user set-email. Its struct is a frozen copy of the model as this
// migration shipped it.
var uniqueEmailsMigration = &gormigrate.Migration{
	ID: "202612090003_unique_emails",
	Migrate: func(tx *gorm.DB) error {
		type user struct {
			ID      uint
			Login   string
			Email   string
			Partner string
		}
		var users []user
		if err := tx.Table("users").Select("id, login, email, COALESCE(partner, '') AS partner").
			Where("email IS NOT NULL AND email <> ''").Order("id").Find(&users).Error; err != nil {
			return err
		}
		byEmail := map[string][]user{}
		for _, u := range users {
			e := strings.ToLower(strings.TrimSpace(u.Email))
			byEmail[e] = append(byEmail[e], u)
		}
		for email, holders := range byEmail {
			keep := uint(0)
			if len(holders) == 1 {
				keep = holders[0].ID
			} else {
				var agents []user
				for _, u := range holders {
					if u.Partner == "" {
						agents = append(agents, u)
					}
				}
				if len(agents) == 1 {
					keep = agents[0].ID
				}
			}
			for _, u := range holders {
				value := email
				if u.ID != keep {
					value = ""
					slog.Warn("an email held by several accounts was taken from this one: give it its own (recours user set-email)",
						"login", u.Login, "email", email)
				}
				if value == u.Email {
					continue
				}
				if err := tx.Table("users").Where("id = ?", u.ID).Update("email", value).Error; err != nil {
					return err
				}
			}
		}
		return tx.Exec("CREATE UNIQUE INDEX IF NOT EXISTS ux_users_email ON users (LOWER(email)) WHERE email <> ''").Error
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Exec("DROP INDEX IF EXISTS ux_users_email").Error
	},
}
