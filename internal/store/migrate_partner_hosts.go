package store

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"recours/internal/domain"
)

// partnerHostsMigration gives each partner its allow-list of callback
// hosts. A callback URL accepted before the list existed must still be
// delivered (a decision pending on it), so each partner's list starts
// with the hosts its referrals already named; the operator reviews them
// with `recours partner list`. The check of the address dialled applies
// to them as to any other.
var partnerHostsMigration = &gormigrate.Migration{
	ID: "202612090002_partner_callback_hosts",
	Migrate: func(tx *gorm.DB) error {
		type partner struct {
			Code          string `gorm:"primaryKey"`
			CallbackHosts string `gorm:"not null;default:''"`
		}
		m := tx.Table("partners").Migrator()
		if !m.HasColumn(&partner{}, "CallbackHosts") {
			if err := m.AddColumn(&partner{}, "CallbackHosts"); err != nil {
				return err
			}
		}
		hosts, err := referralCallbackHosts(tx)
		if err != nil {
			return err
		}
		for code, list := range hosts {
			err := tx.Table("partners").Where("code = ? AND callback_hosts = ''", code).
				Update("callback_hosts", domain.FormatCallbackHosts(list)).Error
			if err != nil {
				return err
			}
		}
		return nil
	},
	Rollback: func(tx *gorm.DB) error {
		type partner struct{ CallbackHosts string }
		return tx.Table("partners").Migrator().DropColumn(&partner{}, "CallbackHosts")
	},
}

// referralCallbackHosts is, for each partner, the hosts of the callback
// URLs of the files its referrals opened, in the order first met.
func referralCallbackHosts(tx *gorm.DB) (map[string][]string, error) {
	rows, err := tx.Table("referrals").Select("referrals.partner, cases.data").
		Joins("JOIN cases ON cases.id = referrals.case_id").
		Where("referrals.partner <> '' AND cases.data LIKE ?", `%"callback_url"%`).
		Order("referrals.created_at, referrals.ddd_reference").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var partner, data string
		if err := rows.Scan(&partner, &data); err != nil {
			return nil, err
		}
		var c struct {
			CallbackURL string `json:"callback_url"`
		}
		if json.Unmarshal([]byte(data), &c) != nil || c.CallbackURL == "" {
			continue
		}
		u, err := url.Parse(c.CallbackURL)
		if err != nil {
			continue
		}
		host := domain.CallbackHost(u)
		if host != "" && !strings.ContainsAny(host, " ,") && !slices.Contains(out[partner], host) {
			out[partner] = append(out[partner], host)
		}
	}
	return out, rows.Err()
}
