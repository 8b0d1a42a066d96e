package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/store"
)

// TestMigrate_AddsThePolicyTableToAnOlderDatabase: a database migrated
// before casbin_rules existed gets it from its own migration.
func TestMigrate_AddsThePolicyTableToAnOlderDatabase(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		require.True(t, st.DB.Migrator().HasTable(&store.CasbinRule{}), "a new database has it from the models")
		// As before the table came.
		require.NoError(t, st.DB.Migrator().DropTable(&store.CasbinRule{}))
		require.NoError(t, st.DB.Exec("DELETE FROM migrations WHERE id = ?", "202612010001_casbin_rules").Error)

		require.NoError(t, st.Migrate(ctx))
		require.True(t, st.DB.Migrator().HasTable(&store.CasbinRule{}))
		rule := store.CasbinRule{Ptype: "p", V0: "auditor", V1: "*", V2: "case", V3: "read"}
		require.NoError(t, st.DB.Create(&rule).Error)
		again := store.CasbinRule{Ptype: "p", V0: "auditor", V1: "*", V2: "case", V3: "read"}
		assert.Error(t, st.DB.Create(&again).Error, "a rule is kept once")
		require.NoError(t, st.Migrate(ctx), "migrating again is a no-op")
	})
}

func TestCasbinRule_Fields(t *testing.T) {
	r, err := store.NewCasbinRule("p", []string{"gca", "*", "complaint", "start"})
	require.NoError(t, err)
	assert.Equal(t, "gca", r.V0)
	assert.Equal(t, "start", r.V3)
	assert.Equal(t, []string{"gca", "*", "complaint", "start"}, r.Fields())
	_, err = store.NewCasbinRule("p", make([]string, 7))
	assert.Error(t, err)
}
