package authz_test

import (
	"context"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/policies"
)

// eachStore runs test on a migrated, seeded store of each database.
var eachStore = testutil.EachStore

func permissions(t *testing.T, st *store.Store) []store.CasbinRule {
	t.Helper()
	rows, err := st.CasbinRules(context.Background())
	require.NoError(t, err)
	return rows
}

// TestSeed: a new database gets policies/policy.csv's permissions, once;
// a database that holds permissions is the policy and is left as it is.
func TestSeed(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		file, err := authz.FileRules()
		require.NoError(t, err)
		require.NotEmpty(t, file)

		seeded, err := authz.Seed(ctx, st)
		require.NoError(t, err)
		assert.True(t, seeded)
		rows := permissions(t, st)
		require.Len(t, rows, len(file))
		for i, r := range rows {
			assert.Equal(t, file[i], append([]string{r.Ptype}, r.Fields()...))
		}

		seeded, err = authz.Seed(ctx, st)
		require.NoError(t, err)
		assert.False(t, seeded, "seeding twice is a no-op")
		require.NoError(t, st.RemoveCasbinRules(ctx, "p", 0, "csu"))
		seeded, err = authz.Seed(ctx, st)
		require.NoError(t, err)
		assert.False(t, seeded, "a table that holds permissions is not seeded again")
		csu := 0
		for _, r := range file {
			if r[1] == "csu" {
				csu++
			}
		}
		assert.Len(t, permissions(t, st), len(file)-csu)
	})
}

// TestAuthorizer_PolicyFromTheDatabase: the permissions are casbin_rules',
// the grants user_roles'; a rule added, changed or removed in the table
// moves the fingerprint the API processes poll and takes effect on reload.
func TestAuthorizer_PolicyFromTheDatabase(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		az, err := authz.New(ctx, st)
		require.NoError(t, err)
		assert.True(t, az.Can("gca.demo", "071", "complaint", "start"))
		assert.False(t, az.Can("gca.demo", "074", "complaint", "start"), "gca.demo holds no role in 074")
		assert.False(t, az.Can("auditor.demo", "071", "complaint", "assign"))
		assert.ElementsMatch(t, []string{"071", "074", "042", "043"}, az.Cafs("csu.demo", "complaint", "create"))

		fp := func() string {
			v, err := st.PolicyFingerprint(ctx)
			require.NoError(t, err)
			return v
		}
		before := fp()
		assert.Equal(t, before, fp(), "stable while nothing changes")

		// Added directly in the database.
		row := store.CasbinRule{Ptype: "p", V0: "auditor", V1: "*", V2: "complaint", V3: "assign"}
		require.NoError(t, st.AddCasbinRule(ctx, &row))
		added := fp()
		assert.NotEqual(t, before, added)
		assert.False(t, az.Can("auditor.demo", "071", "complaint", "assign"), "not before the reload")
		require.NoError(t, az.Reload(ctx))
		assert.True(t, az.Can("auditor.demo", "071", "complaint", "assign"))

		// Changed in place: only the Caf column.
		row.V1 = "074"
		require.NoError(t, st.UpdateCasbinRule(ctx, row))
		assert.NotEqual(t, added, fp())
		require.NoError(t, az.Reload(ctx))
		assert.False(t, az.Can("auditor.demo", "071", "complaint", "assign"), "the rule now holds in 074 only")

		// Removed.
		require.NoError(t, st.DeleteCasbinRule(ctx, row.ID))
		require.NoError(t, st.RemoveCasbinRules(ctx, "p", 0, "csu", "", "complaint", "create"))
		require.NoError(t, az.Reload(ctx))
		assert.False(t, az.Can("csu.demo", "071", "complaint", "create"))
		assert.True(t, az.Can("csu.demo", "071", "case", "read"), "the other rules stay")

		// A grant moves the fingerprint too.
		v := fp()
		_, err = st.GrantRole(ctx, "test", "auditor.demo", "074", domain.RoleAuditor)
		require.NoError(t, err)
		assert.NotEqual(t, v, fp())
		require.NoError(t, az.Reload(ctx))
		assert.True(t, az.Can("auditor.demo", "074", "case", "read"))
	})
}

// TestAuthorizer_BadRowsAreRefused: a row that is no permission of the
// model (a grant slipped into casbin_rules, a rule of the wrong size)
// fails the reload, and the policy in force stays.
func TestAuthorizer_BadRowsAreRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		az, err := authz.New(ctx, st)
		require.NoError(t, err)
		for _, bad := range []store.CasbinRule{
			{Ptype: "g", V0: "intruder", V1: "admin", V2: "071"}, // grants come from user_roles only
			{Ptype: "p", V0: "auditor", V1: "*", V2: "complaint"},
			{Ptype: "p", V0: "auditor", V1: "*", V2: "complaint", V3: "assign", V4: "extra"},
			{Ptype: "p2", V0: "auditor", V1: "*", V2: "complaint", V3: "assign"},
		} {
			require.NoError(t, st.AddCasbinRule(ctx, &bad))
			assert.Error(t, az.Reload(ctx), "%+v", bad)
			assert.True(t, az.Can("gca.demo", "071", "complaint", "start"), "the policy in force stays")
			assert.False(t, az.Can("intruder", "071", "user", "manage"))
			require.NoError(t, st.DeleteCasbinRule(ctx, bad.ID))
		}
		require.NoError(t, az.Reload(ctx))
	})
}

// TestAdapter_CasbinWritesPermissionsOnly: the adapter is a Casbin
// adapter: an enforcer's changes of permissions are saved in casbin_rules,
// and a grant through Casbin is refused (they are made, with their trail,
// through the users administration).
func TestAdapter_CasbinWritesPermissionsOnly(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		_, err := authz.Seed(ctx, st)
		require.NoError(t, err)
		m, err := model.NewModelFromString(policies.Model)
		require.NoError(t, err)
		e, err := casbin.NewEnforcer(m, authz.NewAdapter(ctx, st))
		require.NoError(t, err)
		ok, err := e.Enforce("gca.demo", "071", "complaint", "start")
		require.NoError(t, err)
		assert.True(t, ok, "grants loaded from user_roles")

		// count counts the rules with the fields given (type, then v0…v5;
		// "" matches any).
		count := func(fields ...string) int64 {
			var n int64
			for _, r := range permissions(t, st) {
				v := []string{r.Ptype, r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
				match := true
				for i, f := range fields {
					match = match && (f == "" || f == v[i])
				}
				if match {
					n++
				}
			}
			return n
		}
		_, err = e.AddPolicy("auditor", "*", "complaint", "assign")
		require.NoError(t, err)
		assert.EqualValues(t, 1, count("", "auditor", "", "complaint", "assign"))
		_, err = e.RemovePolicy("auditor", "*", "complaint", "assign")
		require.NoError(t, err)
		assert.EqualValues(t, 0, count("", "auditor", "", "complaint"))
		_, err = e.RemoveFilteredPolicy(0, "csu")
		require.NoError(t, err)
		assert.EqualValues(t, 0, count("", "csu"))
		assert.NotZero(t, count("", "gca"))

		_, err = e.AddGroupingPolicy("intruder", "admin", "071")
		assert.Error(t, err)
		assert.EqualValues(t, 0, count("g"))
		grants, err := st.Grants(ctx)
		require.NoError(t, err)
		for _, g := range grants {
			assert.NotEqual(t, "intruder", g.Login)
		}

		// SavePolicy writes the model's permissions, and no grant.
		_, err = e.AddPolicy("auditor", "*", "report", "export")
		require.NoError(t, err)
		require.NoError(t, e.SavePolicy())
		assert.EqualValues(t, 0, count("g"))
		policy, err := e.GetPolicy()
		require.NoError(t, err)
		assert.EqualValues(t, len(policy), count("p"))
		assert.EqualValues(t, 1, count("", "auditor", "", "report", "export"))
	})
}
