package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

// The rules of the service, on the real store (SQLite) and the real
// policy, without Temporal: the service has no Temporal client, so a rule
// that let a request through to the workflow would panic here. Every
// refusal is also checked to have written nothing.

// now is the tests' clock: a fixed day, far from midnight and New Year.
var now = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

type fixture struct {
	svc *cases.Service
	st  *store.Store
	ctx context.Context
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(testutil.SQLiteURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.SetTrailKey(testutil.TrailKey))
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedDemo(ctx))
	_, err = authz.Seed(ctx, st)
	require.NoError(t, err)
	az, err := authz.New(ctx, st)
	require.NoError(t, err)
	svc := &cases.Service{Store: st, Authz: az, Now: func() time.Time { return now }, WorkerInProcess: true}
	return fixture{svc: svc, st: st, ctx: ctx}
}

func as(login string) domain.Principal { return domain.Principal{Login: login, Address: "192.0.2.1"} }

// put saves file as its workflow's first task would, and returns it.
func (f fixture) put(t *testing.T, file domain.Case) domain.Case {
	t.Helper()
	ch := file.Created("csu.demo")
	ch.Event.Seq = 1
	require.NoError(t, f.st.Save(f.ctx, domain.Record{Case: file, Changes: []domain.Change{ch}, Ordered: true, Run: "run", Task: 3}))
	return file
}

func complaint(caf, number string) domain.NewComplaint {
	return domain.NewComplaint{Caf: caf, Claimant: domain.Claimant{Number: number, Name: "Jeanne Martin"},
		Channel: "online", Benefit: "housing_aid", Reason: "other", Subject: "Aide au logement",
		Description: "Je ne comprends pas le calcul de mon aide."}
}

func (f fixture) complaintFile(t *testing.T, id, caf, number string) domain.Case {
	t.Helper()
	org, err := f.st.Organisation(f.ctx, caf)
	require.NoError(t, err)
	return f.put(t, domain.NewComplaintCase(id, complaint(caf, number), now.Add(-time.Hour), org.Policy()))
}

func (f fixture) mediationFile(t *testing.T, id, number string) domain.Case {
	t.Helper()
	org, err := f.st.Organisation(f.ctx, "071")
	require.NoError(t, err)
	in := domain.NewMediation{Caf: "071", Claimant: domain.Claimant{Number: number, Name: "Jeanne Martin"},
		Origin: "claimant", Benefit: "housing_aid", Reason: "other", Subject: "Médiation", Description: "Je demande une médiation."}
	return f.put(t, domain.NewMediationCase(id, in, now.Add(-time.Hour), org.Policy()))
}

// field asserts err is an EINVALID naming field.
func field(t *testing.T, err error, name string) {
	t.Helper()
	require.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%v", err)
	de := err.(*domain.Error)
	var names []string
	for _, fe := range de.Fields {
		names = append(names, fe.Field)
	}
	assert.Contains(t, names, name)
}

func (f fixture) events(t *testing.T, id string) int {
	t.Helper()
	ev, err := f.st.Events(f.ctx, id)
	require.NoError(t, err)
	return len(ev)
}

const (
	complaintID = "01900000-0000-7000-8000-000000000001"
	otherCafID  = "01900000-0000-7000-8000-000000000002"
	mediationID = "01900000-0000-7000-8000-000000000003"
	priorID     = "01900000-0000-7000-8000-000000000004"
	unknownID   = "01900000-0000-7000-8000-0000000000ff"
)

func TestAct_RefusedBeforeTheWorkflow(t *testing.T) {
	f := newFixture(t)
	f.complaintFile(t, complaintID, "071", "1234567")
	f.complaintFile(t, otherCafID, "074", "1234567")
	f.mediationFile(t, mediationID, "1234567")
	f.complaintFile(t, priorID, "071", "7654321")

	tests := []struct {
		name   string
		login  string
		id     string
		action domain.Action
		args   domain.ActionArgs
		code   string
		field  string
	}{
		{"a field the action does not take", "manager.demo", complaintID, domain.ActionStart, domain.ActionArgs{Note: "x"}, domain.EINVALID, "note"},
		{"an id only the workflow draws", "manager.demo", complaintID, domain.ActionAssign, domain.ActionArgs{Assignee: "gca.demo", LinkedID: unknownID}, domain.EINVALID, "linked_id"},
		{"a required argument missing", "gca.demo", complaintID, domain.ActionRequestDocuments, domain.ActionArgs{}, domain.EINVALID, "documents"},
		{"an assignee who is no benefits officer", "manager.demo", complaintID, domain.ActionAssign, domain.ActionArgs{Assignee: "csu.demo"}, domain.EINVALID, "assignee"},
		{"an assignee nobody is", "manager.demo", complaintID, domain.ActionAssign, domain.ActionArgs{Assignee: "nobody"}, domain.EINVALID, "assignee"},
		{"a role the policy does not allow", "csu.demo", complaintID, domain.ActionAssign, domain.ActionArgs{Assignee: "gca.demo"}, domain.EFORBIDDEN, ""},
		{"a file of a Caf where the agent has no role", "gca.demo", otherCafID, domain.ActionStart, domain.ActionArgs{}, domain.ENOTFOUND, ""},
		{"a file that does not exist", "gca.demo", unknownID, domain.ActionStart, domain.ActionArgs{}, domain.ENOTFOUND, ""},
		{"an id that is no id", "gca.demo", "../etc", domain.ActionStart, domain.ActionArgs{}, domain.ENOTFOUND, ""},
		{"an action of another kind of file", "mediator.demo", mediationID, domain.ActionAnswer, domain.ActionArgs{Answer: strings.Repeat("a", 30)}, domain.ENOTFOUND, ""},
		{"an action only the system takes", "mediator.demo", mediationID, domain.ActionLinkReferral, domain.ActionArgs{ReferralID: complaintID}, domain.ENOTFOUND, ""},
		// CSS L217-7-1: the prior approach must be the same claimant's.
		{"a prior approach of another claimant", "mediator.demo", mediationID, domain.ActionAdmit,
			domain.ActionArgs{NoCourtCase: new(true), PriorContactCaseID: priorID}, domain.EINVALID, "prior_contact_case_id"},
		// ... and answered, or let pass its deadline: this one runs still.
		{"a prior approach still within its deadline", "mediator.demo", mediationID, domain.ActionAdmit,
			domain.ActionArgs{NoCourtCase: new(true), PriorContactCaseID: complaintID}, domain.EINVALID, "prior_contact_case_id"},
		{"a prior approach that does not exist", "mediator.demo", mediationID, domain.ActionAdmit,
			domain.ActionArgs{NoCourtCase: new(true), PriorContactCaseID: unknownID}, domain.EINVALID, "prior_contact_case_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Act(f.ctx, as(tt.login), tt.id, tt.action, tt.args, cases.Idempotency{Key: "k-" + tt.name})
			require.Equal(t, tt.code, domain.ErrorCode(err), "%v", err)
			if tt.field != "" {
				field(t, err, tt.field)
			}
		})
	}
	for _, id := range []string{complaintID, otherCafID, mediationID, priorID} {
		assert.Equal(t, 1, f.events(t, id), "a refused action wrote to %s", id)
	}
	// A refused action claimed no key: the same key serves another request.
	rec, created, err := f.st.IdempotentRequest(f.ctx, store.IdempotencyKey{Actor: "manager.demo", Key: "k-a field the action does not take",
		Target: "another", RequestHash: "h", CaseID: complaintID})
	require.NoError(t, err)
	assert.True(t, created && rec.Target == "another", "a refused action kept its key")
}

func TestRegister_RefusedBeforeTheWorkflow(t *testing.T) {
	f := newFixture(t)
	f.complaintFile(t, complaintID, "071", "7654321")
	in := complaint("071", "1234567")

	_, err := f.svc.Register(f.ctx, as("csu.demo"), domain.NewComplaint{}, cases.Idempotency{})
	field(t, err, "caf")

	_, err = f.svc.Register(f.ctx, as("gca.demo"), complaint("074", "1234567"), cases.Idempotency{})
	assert.Equal(t, domain.EFORBIDDEN, domain.ErrorCode(err), "%v", err)

	bad := in
	bad.OverpaymentID = unknownID
	_, err = f.svc.Register(f.ctx, as("csu.demo"), bad, cases.Idempotency{})
	field(t, err, "overpayment_id")

	_, err = f.svc.Register(f.ctx, as("csu.demo"), in, cases.Idempotency{Key: strings.Repeat("k", cases.MaxKey+1)})
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%v", err)

	m := domain.NewMediation{Caf: "071", Claimant: domain.Claimant{Number: "1234567", Name: "Jeanne Martin"},
		Origin: "claimant", Benefit: "housing_aid", Reason: "other", Subject: "Médiation", Description: "Je demande une médiation.",
		RelatedCaseID: complaintID}
	_, err = f.svc.RegisterMediation(f.ctx, as("mediator.demo"), m, cases.Idempotency{})
	field(t, err, "related_case_id")

	m.RelatedCaseID, m.Origin = "", domain.OriginDDD
	_, err = f.svc.RegisterMediation(f.ctx, as("mediator.demo"), m, cases.Idempotency{})
	field(t, err, "origin")

	page, err := f.svc.List(f.ctx, as("manager.demo"), cases.Filter{})
	require.NoError(t, err)
	assert.Len(t, page.Items, 1, "a refused registration saved a file")
}

func TestReferral_NeedsAPartnerOrganisation(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.svc.Refer(f.ctx, as("ddd.demo"), domain.NewReferral{}, nil)
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%v", err)

	_, err = f.svc.Referral(f.ctx, as("ddd.demo"), "DDD-1", "read")
	assert.Equal(t, domain.EFORBIDDEN, domain.ErrorCode(err), "a liaison of no organisation: %v", err)

	_, err = f.svc.Referral(f.ctx, domain.Principal{Login: "ddd.demo", Partner: "ddd"}, "DDD-UNKNOWN", "read")
	assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "%v", err)

	_, err = f.svc.Referrals(f.ctx, domain.Principal{Login: "ddd.demo", Partner: "ddd"}, cases.ReferralFilter{UpdatedSince: "yesterday", Cursor: "%%", Limit: "0"})
	field(t, err, "updated_since")
	field(t, err, "cursor")
	field(t, err, "limit")
}

func TestList_ChecksItsFilterAndTheCafs(t *testing.T) {
	f := newFixture(t)
	f.complaintFile(t, complaintID, "071", "1234567")
	f.mediationFile(t, mediationID, "1234567")

	_, err := f.svc.List(f.ctx, as("manager.demo"), cases.Filter{Kind: "appeal", Status: "lost", SLAStatus: "soon", Caf: "71", Cursor: "x", Limit: "500"})
	for _, name := range []string{"kind", "status", "sla_status", "caf", "cursor", "limit"} {
		field(t, err, name)
	}
	_, err = f.svc.List(f.ctx, as("gca.demo"), cases.Filter{Caf: "074"})
	assert.Equal(t, domain.EFORBIDDEN, domain.ErrorCode(err), "%v", err)

	// A mediation's status is a status too (the mediator's desk lists by it).
	page, err := f.svc.List(f.ctx, as("mediator.demo"), cases.Filter{Kind: "mediation", Status: string(domain.StatusReceived)})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, mediationID, page.Items[0].ID)
}

func TestGet_RecordsTheReadBeforeServingIt(t *testing.T) {
	f := newFixture(t)
	f.complaintFile(t, complaintID, "071", "1234567")
	f.complaintFile(t, otherCafID, "074", "1234567")

	view, err := f.svc.Get(f.ctx, as("gca.demo"), complaintID)
	require.NoError(t, err)
	assert.Equal(t, complaintID, view.ID)
	_, err = f.svc.Events(f.ctx, as("gca.demo"), complaintID)
	require.NoError(t, err)
	_, err = f.svc.Get(f.ctx, as("gca.demo"), otherCafID)
	assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "%v", err)

	trail, _, err := f.st.AccessEntries(f.ctx, store.AccessFilter{Cafs: []string{"071", "074"}, Limit: 10})
	require.NoError(t, err)
	require.Len(t, trail, 2, "one entry a read served, none for a refused one")
	assert.Equal(t, []string{cases.ReadEvents, cases.ReadDetail}, []string{trail[0].What, trail[1].What})
	assert.Equal(t, "192.0.2.1", trail[0].IP)
}
