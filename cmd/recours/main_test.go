package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/app"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := rootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// seededData migrates a fresh data directory through the CLI and seeds
// the demo Cafs and users; the store is closed when the test ends.
func seededData(t *testing.T) (string, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	out, err := run(t, "migrate", "--data", dir)
	require.NoError(t, err)
	require.Contains(t, out, "schema up to date")
	st, err := store.Open(app.DatabaseURL(dir))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.SeedDemo(context.Background()))
	return dir, st
}

func TestTokenCreate_PrintsOnlyAWorkingToken(t *testing.T) {
	dir, st := seededData(t)

	out, err := run(t, "token", "create", "--data", dir, "--user", "gca.demo", "--ttl", "1h")
	require.NoError(t, err)
	token := strings.TrimSpace(out)
	assert.Equal(t, out, token+"\n", "the token alone on stdout, for scripts")
	u, err := st.Authenticate(context.Background(), token, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "gca.demo", u.Login)
	_, err = st.Authenticate(context.Background(), token, time.Now().Add(2*time.Hour))
	assert.Error(t, err, "the --ttl is applied")

	_, err = run(t, "token", "create", "--data", dir, "--user", "nobody")
	assert.ErrorContains(t, err, "utilisateur inconnu")
	_, err = run(t, "token", "create", "--data", dir)
	assert.ErrorContains(t, err, "user")
}

func TestServe_RequiresADatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	_, err := run(t, "serve")
	assert.ErrorContains(t, err, "DATABASE_URL")
	_, err = run(t, "migrate", "--database-url", "mysql://x")
	assert.ErrorContains(t, err, "postgres://")
}

func TestCafPolicy_WorkingDaysForNewFiles(t *testing.T) {
	dir, st := seededData(t)

	out, err := run(t, "caf", "policy", "--data", dir, "--caf", "071", "--day-mode", "working", "--target-days", "8")
	require.NoError(t, err)
	assert.Contains(t, out, `"day_mode": "working"`)
	org, err := st.Organisation(context.Background(), "071")
	require.NoError(t, err)
	assert.Equal(t, "working", org.DayMode)
	assert.Equal(t, 8, org.TargetDays)
	assert.Equal(t, 15, org.LegalDays, "what was not given stays")

	_, err = run(t, "caf", "policy", "--data", dir, "--caf", "071", "--target-days", "20")
	assert.ErrorContains(t, err, "target_days", "a target past the legal limit is refused")
	_, err = run(t, "caf", "policy", "--data", dir, "--caf", "999")
	assert.ErrorContains(t, err, "Caf inconnue")
}

func TestCafPolicy_OverpaymentThresholdAndMediatorContact(t *testing.T) {
	dir, st := seededData(t)
	out, err := run(t, "caf", "policy", "--data", dir, "--caf", "071")
	require.NoError(t, err)
	assert.Contains(t, out, "\"overpayment_threshold\": \"1\u202f500,00\u00a0€\"", "the national threshold by default")

	out, err = run(t, "caf", "policy", "--data", dir, "--caf", "071", "--overpayment-threshold", "1200",
		"--mediator-contact", "Médiateur de la Caf de l'Ardèche, 4 rue de la Préfecture, 07000 Privas")
	require.NoError(t, err)
	assert.Contains(t, out, "Privas")
	org, err := st.Organisation(context.Background(), "071")
	require.NoError(t, err)
	assert.Equal(t, int64(120000), org.OverpaymentThresholdCents)
	assert.Contains(t, org.MediatorContact, "Privas")
	assert.Equal(t, 10, org.TargetDays, "the deadlines stay")

	_, err = run(t, "caf", "policy", "--data", dir, "--caf", "071", "--overpayment-threshold", "-5")
	assert.ErrorContains(t, err, "positive amount")
}

// The letters' mentions of the Caf and its recourse routes are set from
// the command line; a bad address or route is refused and changes nothing.
func TestCafLetterMentionsAndRecourseRoutes(t *testing.T) {
	dir, st := seededData(t)
	ctx := context.Background()
	_, err := run(t, "caf", "policy", "--data", dir, "--caf", "071", "--address", `Service relation allocataires\nCS 70001\n07007 Privas Cedex`,
		"--signatory-name", "Claire Vidal", "--signatory-function", "Directrice adjointe", "--contact", "3230")
	require.NoError(t, err)
	org, err := st.Organisation(ctx, "071")
	require.NoError(t, err)
	assert.Equal(t, "Service relation allocataires\nCS 70001\n07007 Privas Cedex", org.Address, "one line per \\n")
	assert.Equal(t, "Claire Vidal", org.SignatoryName)
	_, err = run(t, "caf", "policy", "--data", dir, "--caf", "071", "--address", `1\n2\n3\n4\n5\n6\n7`)
	assert.ErrorContains(t, err, "6 lignes")

	out, err := run(t, "caf", "recourse", "--data", dir, "--caf", "071", "--benefit", "rsa",
		"--body", "le président du conseil départemental de l'Ardèche, par un recours administratif préalable", "--then", "le tribunal administratif de Lyon")
	require.NoError(t, err)
	assert.Contains(t, out, "conseil départemental de l'Ardèche")
	r, err := st.RecourseRoute(ctx, "071", "rsa")
	require.NoError(t, err)
	assert.False(t, r.National)
	assert.Equal(t, "le tribunal administratif de Lyon", r.Then)
	assert.Equal(t, domain.NationalRecourseRoute("rsa").Source, r.Source, "what was not given is kept")
	_, err = run(t, "caf", "recourse", "--data", dir, "--caf", "071", "--benefit", "rsa", "--months", "0")
	assert.ErrorContains(t, err, "months")
	_, err = run(t, "caf", "recourse", "--data", dir, "--caf", "071", "--benefit", "rsa", "--reset")
	require.NoError(t, err)
	r, err = st.RecourseRoute(ctx, "071", "rsa")
	require.NoError(t, err)
	assert.True(t, r.National)
}

// TestAuditVerify_NamesTheAlteredEntry alters one entry of the access
// trail directly in the database, on both stores: verify fails and names it.
func TestAuditVerify_NamesTheAlteredEntry(t *testing.T) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			url := db.URL(t)
			st := keyedStore(t, url)
			ctx := context.Background()
			for i, who := range []string{"gca.demo", "manager.demo", "auditor.demo", "gca.demo"} {
				require.NoError(t, st.RecordAccess(ctx, store.AccessEntry{At: time.Now(), Actor: who, IP: "10.0.0.1",
					CaseID: fmt.Sprintf("01a20000-0000-7000-8000-00000000000%d", i), Caf: "071", What: "detail"}))
			}
			out, err := run(t, "audit", "verify", "--database-url", url)
			require.NoError(t, err)
			assert.Contains(t, out, "4 entrées")

			raw := testutil.SQL(t, url)
			var third store.AccessEntry
			require.NoError(t, raw.QueryRow("SELECT id, actor FROM access_trail ORDER BY id LIMIT 1 OFFSET 2").Scan(&third.ID, &third.Actor))
			exec := func(q string, args ...any) {
				t.Helper()
				_, err := raw.Exec(q, args...)
				require.NoError(t, err)
			}
			exec("UPDATE access_trail SET actor = $1 WHERE id = $2", "someone.else", third.ID)
			_, err = run(t, "audit", "verify", "--database-url", url)
			require.Error(t, err)
			assert.Contains(t, err.Error(), fmt.Sprintf("l'entrée %d", third.ID))

			// Removing an entry breaks the link of the next one.
			exec("UPDATE access_trail SET actor = $1 WHERE id = $2", third.Actor, third.ID)
			_, err = run(t, "audit", "verify", "--database-url", url)
			require.NoError(t, err, "restored")
			exec("DELETE FROM access_trail WHERE id = $1", third.ID)
			_, err = run(t, "audit", "verify", "--database-url", url)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "l'entrée", "the entry after the removed one")
		})
	}
}

// TestUserGrant_NationalAdministrator: --caf all grants the role in every
// Caf, each grant in the trail; revoking with --caf all takes them back.
func TestUserGrant_NationalAdministrator(t *testing.T) {
	dir, st := seededData(t)

	_, err := run(t, "user", "create", "--data", dir, "--login", "nat.admin", "--name", "Administration nationale")
	require.NoError(t, err)
	out, err := run(t, "user", "grant", "--data", dir, "--login", "nat.admin", "--caf", "all", "--role", "admin")
	require.NoError(t, err)
	for _, caf := range []string{"042", "043", "071", "074"} {
		assert.Contains(t, out, "dans la Caf "+caf)
		ok, err := st.HasRole(context.Background(), "nat.admin", caf, "admin")
		require.NoError(t, err)
		assert.True(t, ok, caf)
	}
	events, err := st.GrantEvents(context.Background(), []string{"042", "043", "071", "074"}, "nat.admin", 10)
	require.NoError(t, err)
	assert.Len(t, events, 4, "each grant in the trail")
	_, err = run(t, "user", "revoke", "--data", dir, "--login", "nat.admin", "--caf", "all", "--role", "admin")
	require.NoError(t, err)
	ok, err := st.HasRole(context.Background(), "nat.admin", "071", "admin")
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = run(t, "user", "grant", "--data", dir, "--login", "nobody", "--caf", "071", "--role", "gca")
	assert.ErrorContains(t, err, "utilisateur inconnu")
}

// TestServe_RefusesWhatProductionMustNotRun: serve on a database first
// made by dev (demo accounts, the demo partner's public secret), with an
// http PUBLIC_URL and no actors' key, refuses to start and says each; a
// trial starts anyway (here, to wait for a Temporal that is not there);
// a worker without the key refuses too.
func TestServe_RefusesWhatProductionMustNotRun(t *testing.T) {
	dir, _ := seededData(t)
	t.Setenv("RECOURS_ACTOR_KEY", "")
	t.Setenv("RECOURS_INSECURE_TRIAL", "")
	t.Setenv("RECOURS_AUDIT_KEY", strings.Repeat("5a", 32))
	t.Setenv("RECOURS_AUDIT_CHECKPOINT", filepath.Join(dir, "checkpoints.jsonl"))
	args := []string{"serve", "--data", dir, "--public-url", "http://recours.caf.example", "--temporal-address", "127.0.0.1:1", "--start-wait", "1s"}
	_, err := run(t, args...)
	require.Error(t, err)
	for _, want := range []string{"refuse de démarrer en production", "csu.demo", "secret public de la démonstration", "PUBLIC_URL doit être l'adresse https://", "RECOURS_ACTOR_KEY"} {
		assert.ErrorContains(t, err, want)
	}
	_, err = run(t, append(args, "--insecure-trial")...)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "refuse de démarrer", "a trial gets past the checks")

	_, err = run(t, "worker", "--data", dir, "--temporal-address", "127.0.0.1:1", "--start-wait", "1s")
	assert.ErrorContains(t, err, "RECOURS_ACTOR_KEY")
	t.Setenv("RECOURS_ACTOR_KEY", "bm90IGJhc2U2NA")
	_, err = run(t, "worker", "--data", dir, "--temporal-address", "127.0.0.1:1", "--start-wait", "1s")
	assert.ErrorContains(t, err, "32 octets", "a key too short is refused")
}

// TestUser_EmailsOnePerAccount: the command line validates the email,
// refuses one another account holds (in any case), and set-email changes
// or removes it under the same rules.
func TestUser_EmailsOnePerAccount(t *testing.T) {
	dir, st := seededData(t)
	_, err := run(t, "user", "create", "--data", dir, "--login", "nadia.gca", "--name", "Nadia Benali", "--email", "Nadia.Benali@caf.example")
	require.NoError(t, err)
	u, err := st.UserByLogin(context.Background(), "nadia.gca")
	require.NoError(t, err)
	assert.Equal(t, "nadia.benali@caf.example", u.Email)

	_, err = run(t, "user", "create", "--data", dir, "--login", "marc.gca", "--name", "Marc", "--email", "NADIA.BENALI@caf.example")
	assert.ErrorContains(t, err, "adresse électronique déjà utilisée")
	_, err = run(t, "user", "create", "--data", dir, "--login", "marc.gca", "--name", "Marc", "--email", "Marc <marc@caf.example>")
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
	_, err = run(t, "user", "create", "--data", dir, "--login", "marc.gca", "--name", "Marc")
	require.NoError(t, err)
	_, err = run(t, "user", "set-email", "--data", dir, "--login", "marc.gca", "--email", "nadia.benali@CAF.example")
	assert.ErrorContains(t, err, "adresse électronique déjà utilisée")
	out, err := run(t, "user", "set-email", "--data", dir, "--login", "nadia.gca", "--email", "")
	require.NoError(t, err)
	assert.Contains(t, out, "nadia.gca n'a plus d'adresse électronique")
	out, err = run(t, "user", "set-email", "--data", dir, "--login", "marc.gca", "--email", "Nadia.Benali@caf.example")
	require.NoError(t, err)
	assert.Contains(t, out, "adresse électronique de marc.gca : nadia.benali@caf.example")
}
