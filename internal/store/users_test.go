package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/store"
)

// fieldOf is the field a domain error names first ("" for none).
func fieldOf(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return ""
	}
	return de.Fields[0].Field
}

// TestUsers_EmailsValidatedAndUnique: an account's email is one bare
// address, stored lower-cased; the same address in another case is
// another account's conflict, on creation and on change; sign-in by
// email finds its account.
func TestUsers_EmailsValidatedAndUnique(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u, err := st.CreateUser(ctx, "nadia.gca", "Nadia Benali", " Nadia.Benali@CAF.example ", "")
		require.NoError(t, err)
		assert.Equal(t, "nadia.benali@caf.example", u.Email)

		_, err = st.CreateUser(ctx, "marc.gca", "Marc", "nadia.benali@caf.EXAMPLE", "")
		assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err))
		assert.Equal(t, "email", fieldOf(err))
		_, err = st.CreateUser(ctx, "marc.ddd", "Marc", "NADIA.BENALI@caf.example", store.DemoPartner)
		assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "a partner's account neither")
		_, err = st.CreateUser(ctx, "nadia.gca", "Nadia", "autre@caf.example", "")
		assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err))
		assert.Empty(t, fieldOf(err), "the login's conflict")
		for _, bad := range []string{"Nadia <n@caf.example>", "n@caf.example, m@caf.example", "nadia"} {
			_, err = st.CreateUser(ctx, "marc.gca", "Marc", bad, "")
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), bad)
			assert.Equal(t, "email", fieldOf(err), bad)
		}
		_, err = st.CreateUser(ctx, "marc.gca", "Marc", "", "")
		require.NoError(t, err, "an account without email")
		_, err = st.CreateUser(ctx, "paul.gca", "Paul", "", "")
		require.NoError(t, err, "several accounts without email")

		_, err = st.SetUserEmail(ctx, "marc.gca", "Nadia.Benali@caf.example")
		assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err))
		assert.Equal(t, "email", fieldOf(err))
		_, err = st.SetUserEmail(ctx, "marc.gca", "<marc@caf.example>")
		assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
		_, err = st.SetUserEmail(ctx, "nobody", "nobody@caf.example")
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err))
		got, err := st.SetUserEmail(ctx, "nadia.gca", "NADIA.benali@caf.example")
		require.NoError(t, err, "its own address, in another case")
		assert.Equal(t, "nadia.benali@caf.example", got.Email)

		agent, err := st.AgentByEmail(ctx, "Nadia.Benali@Caf.Example")
		require.NoError(t, err, "sign-in by email, in any case")
		assert.Equal(t, "nadia.gca", agent.Login)

		// Given up, the address may be another's.
		_, err = st.SetUserEmail(ctx, "nadia.gca", "")
		require.NoError(t, err)
		_, err = st.SetUserEmail(ctx, "marc.gca", "nadia.benali@caf.example")
		require.NoError(t, err)
		agent, err = st.AgentByEmail(ctx, "nadia.benali@caf.example")
		require.NoError(t, err)
		assert.Equal(t, "marc.gca", agent.Login)
	})
}

// TestMigration_UniqueEmails_SettlesDuplicates: on a database where
// accounts share addresses, the migration keeps each with the one agent
// sign-in gave it to, takes it from the others (from all of them when
// sign-in gave it to none), lower-cases every email, and then refuses a
// second holder.
func TestMigration_UniqueEmails_SettlesDuplicates(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		db := store.DB(st)
		require.NoError(t, db.Exec("DROP INDEX ux_users_email").Error)
		require.NoError(t, db.Exec("DELETE FROM migrations WHERE id = ?", "202612090003_unique_emails").Error)
		for login, email := range map[string]string{
			"gca.demo": "Gaelle@caf.example", "manager.demo": "gaelle@CAF.example", // two agents: none signed in
			"mediator.demo": "Mireille@caf.example", "ddd.demo": "mireille@caf.example", // one agent, one partner
			"auditor.demo": "Aurelien@Caf.Example", // alone
		} {
			require.NoError(t, db.Model(&store.User{}).Where("login = ?", login).Update("email", email).Error)
		}
		require.NoError(t, st.Migrate(ctx))

		emails := map[string]string{}
		var users []store.User
		require.NoError(t, db.Find(&users).Error)
		for _, u := range users {
			emails[u.Login] = u.Email
		}
		assert.Empty(t, emails["gca.demo"])
		assert.Empty(t, emails["manager.demo"])
		assert.Equal(t, "mireille@caf.example", emails["mediator.demo"])
		assert.Empty(t, emails["ddd.demo"])
		assert.Equal(t, "aurelien@caf.example", emails["auditor.demo"])

		err := db.Model(&store.User{}).Where("login = ?", "gca.demo").Update("email", "AURELIEN@caf.example").Error
		assert.Error(t, err, "the index refuses a second holder, in any case")
	})
}
