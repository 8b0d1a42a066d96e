package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// The mediation tests run from t0 (Monday 6 January 2025, 11:00 in
// Paris): t0 + 60 days is 7 March, before summer time, so day(n) is the
// Paris wall clock of t0 n days later, and due(n) the end of that day.

var (
	med     = domain.Actor{Login: "mona", Roles: []domain.Role{domain.RoleMediator}}
	liaison = domain.Actor{Login: "ddd.demo", Roles: []domain.Role{domain.RoleDDDLiaison}}
	yes, no = true, false
)

const goodExplanation = "Après étude, l'indu est maintenu : vos ressources de 2024 dépassaient le plafond."

func validMediation() domain.NewMediation {
	return domain.NewMediation{
		Caf:         "751",
		Claimant:    domain.Claimant{Number: "1234567", Name: "Jeanne Martin", Email: "jeanne@example.fr"},
		Origin:      "claimant",
		Benefit:     "housing_aid",
		Reason:      "overpayment_not_understood",
		Subject:     "Indu d'aide au logement",
		Description: "Je ne comprends pas l'indu qui m'est réclamé.",
	}
}

// validReferral expects an answer by 26 January 2025 (t0 + 20 days).
func validReferral() domain.NewReferral {
	return domain.NewReferral{
		DDDReference:       "DDD-2025-0042",
		Caf:                "751",
		Claimant:           domain.Claimant{Number: "1234567", Name: "Jeanne Martin"},
		Benefit:            "rsa",
		Reason:             "decision_not_understood",
		Subject:            "Suspension du RSA",
		Facts:              "Le RSA de Mme Martin est suspendu depuis novembre sans explication.",
		ResponseExpectedBy: "2025-01-26",
		CallbackURL:        "https://ddd.example/callback",
	}
}

func newMediation() domain.Case {
	return domain.NewMediationCase("m1", validMediation(), t0, domain.DefaultPolicy())
}

func newReferral(t *testing.T) domain.Case {
	t.Helper()
	c, err := domain.NewReferralCase("r1", validReferral(), "ddd-demo", t0, domain.DefaultPolicy())
	require.NoError(t, err)
	return c
}

// parisEnd is the last second of a Paris date, in UTC.
func parisEnd(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, 0, calendar.Paris).UTC()
}

func admitArgs() domain.ActionArgs { return domain.ActionArgs{NoCourtCase: &yes} }

func opinionArgs(days int) domain.ActionArgs {
	return domain.ActionArgs{Service: "Service contentieux", Question: "L'indu est-il fondé ?", DueInDays: days}
}

func decideArgs() domain.ActionArgs {
	return domain.ActionArgs{Outcome: "maintained", Explanation: goodExplanation}
}

// mediationIn walks file c, received at t0, to status s through real
// actions, all at t0.
func mediationIn(t *testing.T, c domain.Case, s domain.Status) domain.Case {
	t.Helper()
	step := func(a domain.Action, args domain.ActionArgs) { mustApply(t, &c, t0, med, a, args) }
	switch s {
	case domain.StatusReceived:
	case domain.StatusMerged:
		step(domain.ActionMerge, domain.ActionArgs{Into: "m-first", Reason: "Doublon"})
	case domain.StatusReoriented:
		step(domain.ActionReorient, domain.ActionArgs{Reason: "Pas de réclamation préalable", LinkedID: "c9"})
	case domain.StatusAdmitted:
		step(domain.ActionAdmit, admitArgs())
	case domain.StatusAwaitingOpinion:
		step(domain.ActionAdmit, admitArgs())
		step(domain.ActionRequestOpinion, opinionArgs(0))
	case domain.StatusInStudy:
		step(domain.ActionAdmit, admitArgs())
		step(domain.ActionRequestOpinion, opinionArgs(0))
		step(domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-1", Text: "L'indu est fondé."})
	case domain.StatusDecided, domain.StatusClosed, domain.StatusReferredToDDD:
		step(domain.ActionAdmit, admitArgs())
		step(domain.ActionDecide, decideArgs())
		if s == domain.StatusClosed {
			step(domain.ActionClose, domain.ActionArgs{})
		}
		if s == domain.StatusReferredToDDD {
			step(domain.ActionReferToDDD, domain.ActionArgs{DDDReference: "DDD-2025-0099"})
		}
	default:
		t.Fatalf("no path to %s", s)
	}
	require.Equal(t, s, c.Status)
	return c
}

func fieldErr(t *testing.T, err error) []domain.FieldError {
	t.Helper()
	var e *domain.Error
	require.True(t, errors.As(err, &e), "not a domain error: %v", err)
	return e.Fields
}

// ---------------------------------------------------------------------------
// Validation of new files

func TestNewMediationValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*domain.NewMediation)
		fields []string // nil: valid
	}{
		{"valid", func(*domain.NewMediation) {}, nil},
		{"every origin is accepted", func(n *domain.NewMediation) { n.Origin = domain.OriginDDD }, nil},
		{"unknown origin", func(n *domain.NewMediation) { n.Origin = "mayor" }, []string{"origin"}},
		{"missing origin", func(n *domain.NewMediation) { n.Origin = "" }, []string{"origin"}},
		{"caf of 2 digits", func(n *domain.NewMediation) { n.Caf = "75" }, []string{"caf"}},
		{"caf with letters", func(n *domain.NewMediation) { n.Caf = "7a1" }, []string{"caf"}},
		{"bad claimant number", func(n *domain.NewMediation) { n.Claimant.Number = "123" }, []string{"claimant.number"}},
		{"unknown benefit", func(n *domain.NewMediation) { n.Benefit = "apl" }, []string{"benefit"}},
		{"unknown reason", func(n *domain.NewMediation) { n.Reason = "anger" }, []string{"reason"}},
		{"blank subject", func(n *domain.NewMediation) { n.Subject = "  " }, []string{"subject"}},
		{"missing description", func(n *domain.NewMediation) { n.Description = "" }, []string{"description"}},
		{"every problem at once", func(n *domain.NewMediation) { n.Caf, n.Origin = "", "x" }, []string{"caf", "origin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validMediation()
			tt.mutate(&n)
			err := n.Validate(time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC))
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.ElementsMatch(t, tt.fields, fields(err))
		})
	}
}

func TestNewReferralValidate(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*domain.NewReferral)
		insecure bool
		fields   []string // nil: valid
	}{
		{"valid", func(*domain.NewReferral) {}, false, nil},
		{"no callback", func(n *domain.NewReferral) { n.CallbackURL = "" }, false, nil},
		{"expected tomorrow", func(n *domain.NewReferral) { n.ResponseExpectedBy = "2025-01-07" }, false, nil},
		{"bad caf", func(n *domain.NewReferral) { n.Caf = "7510" }, false, []string{"caf"}},
		{"missing ddd_reference", func(n *domain.NewReferral) { n.DDDReference = "" }, false, []string{"ddd_reference"}},
		{"blank ddd_reference", func(n *domain.NewReferral) { n.DDDReference = "   " }, false, []string{"ddd_reference"}},
		{"ddd_reference too long", func(n *domain.NewReferral) { n.DDDReference = strings.Repeat("R", domain.MaxReference+1) }, false, []string{"ddd_reference"}},
		{"missing facts", func(n *domain.NewReferral) { n.Facts = "" }, false, []string{"facts"}},
		{"missing response_expected_by", func(n *domain.NewReferral) { n.ResponseExpectedBy = "" }, false, []string{"response_expected_by"}},
		{"response_expected_by today", func(n *domain.NewReferral) { n.ResponseExpectedBy = "2025-01-06" }, false, []string{"response_expected_by"}},
		{"response_expected_by past", func(n *domain.NewReferral) { n.ResponseExpectedBy = "2024-12-20" }, false, []string{"response_expected_by"}},
		{"response_expected_by malformed", func(n *domain.NewReferral) { n.ResponseExpectedBy = "26/01/2025" }, false, []string{"response_expected_by"}},
		{"response_expected_by with a time", func(n *domain.NewReferral) { n.ResponseExpectedBy = "2025-01-26T12:00:00Z" }, false, []string{"response_expected_by"}},
		{"http callback refused", func(n *domain.NewReferral) { n.CallbackURL = "http://ddd.example/cb" }, false, []string{"callback_url"}},
		{"http callback when insecure", func(n *domain.NewReferral) { n.CallbackURL = "http://localhost:8080/cb" }, true, nil},
		{"not a URL", func(n *domain.NewReferral) { n.CallbackURL = "not a url" }, false, []string{"callback_url"}},
		{"not a URL even when insecure", func(n *domain.NewReferral) { n.CallbackURL = "not a url" }, true, []string{"callback_url"}},
		{"no host", func(n *domain.NewReferral) { n.CallbackURL = "https:///cb" }, false, []string{"callback_url"}},
		{"other scheme", func(n *domain.NewReferral) { n.CallbackURL = "ftp://ddd.example/cb" }, true, []string{"callback_url"}},
		{"unparsable", func(n *domain.NewReferral) { n.CallbackURL = "https://ddd example/%zz" }, false, []string{"callback_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validReferral()
			tt.mutate(&n)
			err := n.Validate(t0, tt.insecure)
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.ElementsMatch(t, tt.fields, fields(err))
		})
	}
}

// "Today" is the Paris date: at 23:30 UTC on 5 January it is already the
// 6th in Paris, so the 6th is refused and the 7th accepted.
func TestNewReferralValidate_TodayIsTheParisDate(t *testing.T) {
	now := time.Date(2025, time.January, 5, 23, 30, 0, 0, time.UTC)
	n := validReferral()
	n.ResponseExpectedBy = "2025-01-06"
	assert.Equal(t, []string{"response_expected_by"}, fields(n.Validate(now, false)))
	n.ResponseExpectedBy = "2025-01-07"
	assert.NoError(t, n.Validate(now, false))
	// At 22:30 UTC it is still the 5th in Paris: the 6th is tomorrow.
	n.ResponseExpectedBy = "2025-01-06"
	assert.NoError(t, n.Validate(now.Add(-time.Hour), false))
}

// ---------------------------------------------------------------------------
// First state of a file

func TestNewMediationCase_Deadlines(t *testing.T) {
	n := validMediation()
	n.RelatedCaseID = "c1"
	c := domain.NewMediationCase("m1", n, t0, domain.DefaultPolicy())
	assert.Equal(t, domain.KindMediation, c.Kind)
	assert.Equal(t, domain.StatusReceived, c.Status)
	assert.Equal(t, "claimant", c.Origin)
	assert.Equal(t, "c1", c.ParentID)
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	assert.Equal(t, t0, c.ReceivedAt)
	require.NotNil(t, c.Policy)
	assert.Equal(t, domain.CurrentCounting, c.Policy.Counting)

	// Each ends at 23:59:59 (Paris) on its last day: 11 January, 5
	// February, 7 March.
	want := []struct {
		name string
		due  time.Time
	}{
		{domain.DeadlineAcknowledgment, parisEnd(2025, time.January, 11)},
		{domain.DeadlineTarget, parisEnd(2025, time.February, 5)},
		{domain.DeadlineLegal, parisEnd(2025, time.March, 7)},
	}
	require.Len(t, c.Deadlines, len(want), "a mediation has no implicit rejection")
	for i, w := range want {
		d := c.Deadlines[i]
		assert.Equal(t, w.name, d.Name)
		assert.True(t, w.due.Equal(d.DueAt), "%s due %s, want %s", w.name, d.DueAt, w.due)
		assert.Equal(t, domain.SLAOnTime, d.Status)
		assert.Nil(t, d.MetAt)
	}
}

func TestNewMediationCase_PolicyDays(t *testing.T) {
	p := domain.DefaultPolicy()
	p.MediationTargetDays, p.MediationLegalDays = 20, 45
	c := domain.NewMediationCase("m1", validMediation(), t0, p)
	assert.True(t, deadline(t, &c, domain.DeadlineTarget).DueAt.Equal(due(20)))
	assert.True(t, deadline(t, &c, domain.DeadlineLegal).DueAt.Equal(due(45)))

	// A policy without mediation days (stored before they existed) falls
	// back to 30 and 60.
	p.MediationTargetDays, p.MediationLegalDays = 0, 0
	c = domain.NewMediationCase("m1", validMediation(), t0, p)
	assert.True(t, deadline(t, &c, domain.DeadlineTarget).DueAt.Equal(due(30)))
	assert.True(t, deadline(t, &c, domain.DeadlineLegal).DueAt.Equal(due(60)))
}

func TestNewReferralCase(t *testing.T) {
	tests := []struct {
		name          string
		expected      string
		legal, target time.Time
	}{
		// Winter: 23:59:59 in Paris is 22:59:59 UTC.
		{"twenty days ahead", "2025-01-26", parisEnd(2025, time.January, 26), parisEnd(2025, time.January, 21)},
		// Summer time starts on 30 March 2025: the legal limit is 21:59:59
		// UTC, the target (28 March, winter) 22:59:59 UTC.
		{"across summer time", "2025-04-02", parisEnd(2025, time.April, 2), parisEnd(2025, time.March, 28)},
		// Expected in 2 days: the target cannot be before now.
		{"target clamped to now", "2025-01-08", parisEnd(2025, time.January, 8), t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validReferral()
			n.ResponseExpectedBy = tt.expected
			n.DDDReference = "  DDD-2025-0042 "
			c, err := domain.NewReferralCase("r1", n, "ddd-demo", t0, domain.DefaultPolicy())
			require.NoError(t, err)
			assert.Equal(t, domain.KindMediation, c.Kind)
			assert.Equal(t, string(domain.OriginDDD), c.Origin)
			assert.Equal(t, domain.StatusReceived, c.Status)
			assert.Equal(t, "DDD-2025-0042", c.DDDReference)
			assert.Equal(t, tt.expected, c.ResponseExpectedBy)
			assert.Equal(t, "ddd-demo", c.Partner)
			assert.Equal(t, n.CallbackURL, c.CallbackURL)
			assert.Equal(t, n.Facts, c.Description)
			assert.Equal(t, domain.SLAOnTime, c.SLAStatus)

			legal, target := deadline(t, &c, domain.DeadlineLegal), deadline(t, &c, domain.DeadlineTarget)
			assert.True(t, tt.legal.Equal(legal.DueAt), "legal %s, want %s", legal.DueAt, tt.legal)
			assert.True(t, tt.target.Equal(target.DueAt), "target %s, want %s", target.DueAt, tt.target)
			assert.Equal(t, domain.SLAOnTime, legal.Status)
			assert.Equal(t, domain.SLAOnTime, target.Status)
			assert.True(t, deadline(t, &c, domain.DeadlineAcknowledgment).DueAt.Equal(due(5)), "acknowledgment stays at 5 days")
			// The legal limit is the last second of the day, in Paris.
			assert.Equal(t, "23:59:59", legal.DueAt.In(calendar.Paris).Format(time.TimeOnly))
			assert.Equal(t, tt.expected, legal.DueAt.In(calendar.Paris).Format(time.DateOnly))
		})
	}
}

func TestNewReferralCase_MalformedDateIsInvalid(t *testing.T) {
	n := validReferral()
	n.ResponseExpectedBy = "26/01/2025"
	_, err := domain.NewReferralCase("r1", n, "ddd-demo", t0, domain.DefaultPolicy())
	require.Error(t, err)
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
}

func TestEndOfDay(t *testing.T) {
	got, err := domain.EndOfDay("2025-01-26")
	require.NoError(t, err)
	assert.True(t, got.Equal(time.Date(2025, time.January, 26, 22, 59, 59, 0, time.UTC)), "%s", got)
	assert.Equal(t, time.UTC, got.Location())
	_, err = domain.EndOfDay("2025-02-30")
	assert.Error(t, err)
}

func TestCreated_AnnouncesAMediationToTheMediators(t *testing.T) {
	c := newMediation()
	ch := c.Created("csu.demo")
	assert.Equal(t, "created", ch.Event.Action)
	assert.Equal(t, "csu.demo", ch.Event.Actor)
	assert.Equal(t, domain.StatusReceived, ch.Event.ToStatus)
	assert.Equal(t, "claimant", ch.Event.Details["origin"])
	require.Len(t, ch.Notifications, 1)
	assert.Equal(t, domain.RoleRecipient(domain.RoleMediator), ch.Notifications[0].Recipient)
	assert.Equal(t, "mediation_received", ch.Notifications[0].Kind)

	complaint := newCase("online")
	assert.Empty(t, complaint.Created("csu.demo").Notifications, "a complaint is announced to nobody")
}

// ---------------------------------------------------------------------------
// Actions × statuses

// mediationArgs satisfies every mediation action's required arguments.
func mediationArgs() domain.ActionArgs {
	return domain.ActionArgs{
		NoCourtCase: &yes, Reason: "Pas de réclamation préalable", LinkedID: "c9",
		Service: "Service contentieux", Question: "L'indu est-il fondé ?",
		OpinionID: "op-1", Text: "L'indu est fondé.",
		Outcome: "revised", Explanation: goodExplanation,
		Court: "Pôle social du tribunal judiciaire de Paris", FiledOn: "2025-01-05",
		DDDReference: "DDD-2025-0099", Kind: "explanation_request", ResponseExpectedBy: "2025-02-10",
		ReferralID: "r2", Field: "subject", Value: "Objet corrigé", Caf: "074", Into: "m-other",
	}
}

func TestApply_EveryMediationActionFromEveryStatus(t *testing.T) {
	open := []domain.Status{domain.StatusReceived, domain.StatusAdmitted, domain.StatusInStudy, domain.StatusAwaitingOpinion}
	same := func(ss ...domain.Status) map[domain.Status]domain.Status {
		m := map[domain.Status]domain.Status{}
		for _, s := range ss {
			m[s] = s
		}
		return m
	}
	allowed := map[domain.Action]map[domain.Status]domain.Status{
		domain.ActionAdmit:    {domain.StatusReceived: domain.StatusAdmitted},
		domain.ActionReorient: {domain.StatusReceived: domain.StatusReoriented},
		domain.ActionRequestOpinion: {
			domain.StatusAdmitted:        domain.StatusAwaitingOpinion,
			domain.StatusInStudy:         domain.StatusAwaitingOpinion,
			domain.StatusAwaitingOpinion: domain.StatusAwaitingOpinion,
		},
		domain.ActionRecordOpinion: {domain.StatusAwaitingOpinion: domain.StatusInStudy},
		domain.ActionDecide: {
			domain.StatusAdmitted: domain.StatusDecided,
			domain.StatusInStudy:  domain.StatusDecided,
		},
		domain.ActionClose: {domain.StatusDecided: domain.StatusClosed},
		domain.ActionCourtCaseFiled: {
			domain.StatusReceived:        domain.StatusClosed,
			domain.StatusAdmitted:        domain.StatusClosed,
			domain.StatusInStudy:         domain.StatusClosed,
			domain.StatusAwaitingOpinion: domain.StatusClosed,
			domain.StatusDecided:         domain.StatusClosed,
		},
		domain.ActionReferToDDD: {
			domain.StatusDecided: domain.StatusReferredToDDD,
			domain.StatusClosed:  domain.StatusReferredToDDD,
		},
		// On a referral only; after the answer too, back to study
		// (CountingFollowUps).
		domain.ActionFollowUp: func() map[domain.Status]domain.Status {
			m := same(open...)
			m[domain.StatusDecided], m[domain.StatusClosed] = domain.StatusInStudy, domain.StatusInStudy
			return m
		}(),
		domain.ActionLinkReferral: {domain.StatusReferredToDDD: domain.StatusReferredToDDD},
		// A correction in any status but merged, which it leaves.
		domain.ActionCorrect: same(append(slices.Clone(open), domain.StatusDecided, domain.StatusClosed,
			domain.StatusReoriented, domain.StatusReferredToDDD)...),
		// A transfer and a merge while the file is being dealt with.
		domain.ActionTransfer: same(open...),
		domain.ActionMerge: {domain.StatusReceived: domain.StatusMerged, domain.StatusAdmitted: domain.StatusMerged,
			domain.StatusInStudy: domain.StatusMerged, domain.StatusAwaitingOpinion: domain.StatusMerged},
	}
	require.ElementsMatch(t, domain.Actions(domain.KindMediation), keys(allowed), "every mediation action is in the table")

	for _, referral := range []bool{false, true} {
		for _, a := range domain.Actions(domain.KindMediation) {
			for _, from := range domain.MediationStatuses {
				name := "mediation/"
				if referral {
					name = "referral/"
				}
				t.Run(name+string(a)+"/from_"+string(from), func(t *testing.T) {
					fresh := newMediation()
					if referral {
						fresh = newReferral(t)
					}
					c := mediationIn(t, fresh, from)
					before := snapshot(t, c)
					to, ok := allowed[a][from]
					if a == domain.ActionFollowUp && !referral {
						ok = false
					}
					ch, err := c.Apply(day(1), med, a, mediationArgs())
					if !ok {
						require.Error(t, err)
						assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "%v", err)
						assert.Equal(t, before, snapshot(t, c), "file changed by a refused action")
						assert.Error(t, c.Check(day(1), med, a, mediationArgs()), "Check agrees with Apply")
						return
					}
					require.NoError(t, err)
					assert.Equal(t, to, c.Status)
					assert.Equal(t, string(a), ch.Event.Action)
					assert.Equal(t, med.Login, ch.Event.Actor)
					assert.Equal(t, from, ch.Event.FromStatus)
					assert.Equal(t, to, ch.Event.ToStatus)
					assert.True(t, ch.Event.At.Equal(day(1)))
					assert.True(t, c.UpdatedAt.Equal(day(1)))
				})
			}
		}
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestMediationActions_PublicAndSystem(t *testing.T) {
	for _, a := range domain.Actions(domain.KindMediation) {
		system := a == domain.ActionFollowUp || a == domain.ActionLinkReferral
		assert.Equal(t, !system, domain.KindMediation.Public(a), "%s public", a)
		shared := a == domain.ActionClose || a == domain.ActionCorrect || a == domain.ActionTransfer || a == domain.ActionMerge
		assert.False(t, domain.KindComplaint.Public(a) && !shared, "%s is not a complaint action", a)
	}
}

func TestApply_MediationArgumentErrors(t *testing.T) {
	longRef := strings.Repeat("R", domain.MaxReference+1)
	tests := []struct {
		name   string
		from   domain.Status
		action domain.Action
		args   domain.ActionArgs
		field  string
	}{
		{"admit with a court case", domain.StatusReceived, domain.ActionAdmit, domain.ActionArgs{NoCourtCase: &no}, "no_court_case"},
		{"admit without no_court_case", domain.StatusReceived, domain.ActionAdmit, domain.ActionArgs{}, "no_court_case"},
		{"reorient without reason", domain.StatusReceived, domain.ActionReorient, domain.ActionArgs{Reason: " "}, "reason"},
		{"request opinion without service", domain.StatusAdmitted, domain.ActionRequestOpinion, domain.ActionArgs{Question: "?"}, "service"},
		{"request opinion without question", domain.StatusAdmitted, domain.ActionRequestOpinion, domain.ActionArgs{Service: "S"}, "question"},
		{"request opinion in 61 days", domain.StatusAdmitted, domain.ActionRequestOpinion, opinionArgs(61), "due_in_days"},
		{"request opinion in -1 days", domain.StatusAdmitted, domain.ActionRequestOpinion, opinionArgs(-1), "due_in_days"},
		{"record opinion without text", domain.StatusAwaitingOpinion, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-1"}, "text"},
		{"record opinion without id", domain.StatusAwaitingOpinion, domain.ActionRecordOpinion, domain.ActionArgs{Text: "Oui"}, "opinion_id"},
		{"record an unknown opinion", domain.StatusAwaitingOpinion, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-7", Text: "Oui"}, "opinion_id"},
		{"decide with a short explanation", domain.StatusAdmitted, domain.ActionDecide, domain.ActionArgs{Outcome: "revised", Explanation: strings.Repeat("x", domain.MinExplanation-1)}, "explanation"},
		{"decide with a padded short explanation", domain.StatusAdmitted, domain.ActionDecide, domain.ActionArgs{Outcome: "revised", Explanation: "   Trop court.   " + strings.Repeat(" ", 40)}, "explanation"},
		{"decide with an unknown outcome", domain.StatusAdmitted, domain.ActionDecide, domain.ActionArgs{Outcome: "rejected", Explanation: goodExplanation}, "outcome"},
		{"decide without outcome", domain.StatusAdmitted, domain.ActionDecide, domain.ActionArgs{Explanation: goodExplanation}, "outcome"},
		{"decide without explanation", domain.StatusAdmitted, domain.ActionDecide, domain.ActionArgs{Outcome: "revised"}, "explanation"},
		{"court case filed in the future", domain.StatusAdmitted, domain.ActionCourtCaseFiled, domain.ActionArgs{Court: "TJ Paris", FiledOn: "2025-01-08"}, "filed_on"},
		{"court case filed on a malformed date", domain.StatusAdmitted, domain.ActionCourtCaseFiled, domain.ActionArgs{Court: "TJ Paris", FiledOn: "05/01/2025"}, "filed_on"},
		{"court case without court", domain.StatusAdmitted, domain.ActionCourtCaseFiled, domain.ActionArgs{FiledOn: "2025-01-05"}, "court"},
		{"refer to DDD without reference", domain.StatusDecided, domain.ActionReferToDDD, domain.ActionArgs{}, "ddd_reference"},
		{"refer to DDD with a long reference", domain.StatusDecided, domain.ActionReferToDDD, domain.ActionArgs{DDDReference: longRef}, "ddd_reference"},
		{"link referral without id", domain.StatusReferredToDDD, domain.ActionLinkReferral, domain.ActionArgs{}, "referral_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mediationIn(t, newMediation(), tt.from)
			before := snapshot(t, c)
			_, err := c.Apply(day(1), med, tt.action, tt.args)
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%v", err)
			assert.Contains(t, fields(err), tt.field)
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestApply_FollowUpArgumentErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  domain.ActionArgs
		field string
	}{
		{"unknown kind", domain.ActionArgs{Kind: "reminder", ResponseExpectedBy: "2025-02-10"}, "kind"},
		{"missing kind", domain.ActionArgs{ResponseExpectedBy: "2025-02-10"}, "kind"},
		{"missing date", domain.ActionArgs{Kind: "formal_notice"}, "response_expected_by"},
		{"date today", domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: "2025-01-07"}, "response_expected_by"},
		{"date past", domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: "2025-01-02"}, "response_expected_by"},
		{"date malformed", domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: "2025-2-10"}, "response_expected_by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newReferral(t)
			before := snapshot(t, c)
			_, err := c.Apply(day(1), liaison, domain.ActionFollowUp, tt.args) // day(1) is 7 January
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.Contains(t, fields(err), tt.field)
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

// A referral to the Défenseur des droits suspends no recourse deadline
// (loi organique 2011-333, art. 6): admitted, it shows none.
func TestApply_AdmittedReferralSuspendsNothing(t *testing.T) {
	c := newReferral(t)
	mustApply(t, &c, day(2), med, domain.ActionAdmit, domain.ActionArgs{NoCourtCase: &yes})
	assert.Equal(t, domain.StatusAdmitted, c.Status)
	assert.Nil(t, c.AppealSuspension)
	mustApply(t, &c, day(5), med, domain.ActionDecide, domain.ActionArgs{Outcome: "revised", Explanation: "Après réexamen de votre dossier, l'indu d'aide au logement est annulé."})
	assert.Nil(t, c.AppealSuspension, "nor once decided")
}

func TestApply_AdmitOpensTheAppealSuspension(t *testing.T) {
	c := newMediation()
	ch := mustApply(t, &c, day(2), med, domain.ActionAdmit, domain.ActionArgs{NoCourtCase: &yes, PriorContactCaseID: "c1"})
	assert.Equal(t, domain.StatusAdmitted, c.Status)
	require.NotNil(t, c.AdmittedAt)
	assert.True(t, c.AdmittedAt.Equal(day(2)))
	require.NotNil(t, c.AppealSuspension)
	assert.True(t, c.AppealSuspension.From.Equal(day(2)))
	assert.Nil(t, c.AppealSuspension.Until)
	assert.Equal(t, "c1", c.PriorContactCaseID)
	ack := deadline(t, &c, domain.DeadlineAcknowledgment)
	assert.Equal(t, domain.SLAMet, ack.Status)
	require.NotNil(t, ack.MetAt)
	assert.True(t, ack.MetAt.Equal(day(2)))
	assert.Equal(t, true, ch.Event.Details["no_court_case"])
	assert.Equal(t, "c1", ch.Event.Details["prior_contact_case_id"])
	assert.Empty(t, ch.Notifications)

	// Admitted after 5 days: the acknowledgment was missed.
	late := newMediation()
	ch = mustApply(t, &late, day(6), med, domain.ActionAdmit, admitArgs())
	assert.Equal(t, domain.SLAMissed, deadline(t, &late, domain.DeadlineAcknowledgment).Status)
	assert.NotContains(t, ch.Event.Details, "prior_contact_case_id")
}

func TestApply_ReorientEndsTheFile(t *testing.T) {
	c := newMediation()
	ch := mustApply(t, &c, day(1), med, domain.ActionReorient, domain.ActionArgs{Reason: "  Pas de réclamation préalable ", LinkedID: "c9"})
	assert.Equal(t, domain.StatusReoriented, c.Status)
	assert.Equal(t, "c9", c.ReorientedTo)
	assert.Equal(t, "reoriented", c.ClosedReason)
	require.NotNil(t, c.ClosedAt)
	assert.Nil(t, c.AppealSuspension, "never admitted: no suspension")
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineAcknowledgment).Status)
	assert.Equal(t, "Pas de réclamation préalable", ch.Event.Details["reason"])
	assert.Equal(t, "c9", ch.Event.Details["complaint_id"])
	_, ok := c.NextTimer()
	assert.False(t, ok, "a reoriented file has no timer")
	assert.True(t, c.Status.Final())
}

func TestApply_RequestOpinionDueDates(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	ch := mustApply(t, &c, day(1), med, domain.ActionRequestOpinion, opinionArgs(0))
	require.Len(t, c.Opinions, 1)
	o := c.Opinions[0]
	assert.Equal(t, "op-1", o.ID)
	assert.Equal(t, "Service contentieux", o.Service)
	assert.Equal(t, domain.OpinionPending, o.Status)
	assert.True(t, o.DueAt.Equal(due(1+domain.DefaultOpinionDays)), "default due %s", o.DueAt)
	assert.True(t, o.DueAt.Equal(parisEnd(2025, time.January, 15)), "8 days from Tuesday 7 January: the end of the 15th, got %s", o.DueAt)
	assert.Equal(t, "op-1", ch.Event.Details["opinion_id"])
	assert.Equal(t, domain.StatusAwaitingOpinion, c.Status)

	mustApply(t, &c, day(2), med, domain.ActionRequestOpinion, opinionArgs(3))
	require.Len(t, c.Opinions, 2)
	assert.Equal(t, "op-2", c.Opinions[1].ID)
	assert.True(t, c.Opinions[1].DueAt.Equal(due(5)), "due %s", c.Opinions[1].DueAt)

	// The Caf's policy may set another default.
	p := domain.DefaultPolicy()
	p.OpinionDays = 12
	c = domain.NewMediationCase("m2", validMediation(), t0, p)
	mustApply(t, &c, t0, med, domain.ActionAdmit, admitArgs())
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(0))
	assert.True(t, c.Opinions[0].DueAt.Equal(due(12)), "due %s", c.Opinions[0].DueAt)
}

func TestApply_TwoOpinions(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(3))
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(10))

	ch := mustApply(t, &c, day(1), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-2", Text: " Fondé. "})
	assert.Equal(t, domain.StatusAwaitingOpinion, c.Status, "op-1 is still pending")
	assert.Equal(t, domain.StatusAwaitingOpinion, ch.Event.ToStatus)
	assert.Equal(t, domain.OpinionRecorded, c.Opinions[1].Status)
	assert.Equal(t, "Fondé.", c.Opinions[1].Text)
	require.NotNil(t, c.Opinions[1].RecordedAt)
	assert.Equal(t, domain.OpinionPending, c.Opinions[0].Status)

	// The same opinion again: a conflict, the file unchanged.
	before := snapshot(t, c)
	_, err := c.Apply(day(1), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-2", Text: "Encore"})
	require.Error(t, err)
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err))
	assert.Equal(t, before, snapshot(t, c))

	// An unknown one: invalid, on opinion_id.
	_, err = c.Apply(day(1), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-3", Text: "?"})
	require.Error(t, err)
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
	fe := fieldErr(t, err)
	require.Len(t, fe, 1)
	assert.Equal(t, "opinion_id", fe[0].Field)
	assert.Equal(t, before, snapshot(t, c))

	ch = mustApply(t, &c, day(2), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-1", Text: "Non fondé."})
	assert.Equal(t, domain.StatusInStudy, c.Status)
	assert.Equal(t, domain.StatusAwaitingOpinion, ch.Event.FromStatus)
	assert.Equal(t, domain.StatusInStudy, ch.Event.ToStatus)
}

func TestApply_RecordAnExpiredOpinionIsAConflict(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(3))
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(10))
	c.Tick(due(3))
	require.Equal(t, domain.OpinionExpired, c.Opinions[0].Status)
	_, err := c.Apply(day(4), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-1", Text: "En retard"})
	assert.Equal(t, domain.ECONFLICT, codeOf(err))
}

func TestApply_DecideMeetsTheDeadlinesAndEndsTheSuspension(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusInStudy)
	ch := mustApply(t, &c, day(10), med, domain.ActionDecide, domain.ActionArgs{Outcome: "partly_revised", Explanation: "  " + goodExplanation + "  "})
	assert.Equal(t, domain.StatusDecided, c.Status)
	assert.Equal(t, "partly_revised", c.Outcome)
	assert.Equal(t, goodExplanation, c.Explanation)
	require.NotNil(t, c.DecidedAt)
	assert.True(t, c.DecidedAt.Equal(day(10)))
	require.NotNil(t, c.AppealSuspension)
	require.NotNil(t, c.AppealSuspension.Until)
	assert.True(t, c.AppealSuspension.Until.Equal(day(10)))
	assert.True(t, c.AppealSuspension.From.Equal(t0))
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	for _, d := range c.Deadlines {
		assert.Equal(t, domain.SLAMet, d.Status, d.Name)
	}
	assert.True(t, deadline(t, &c, domain.DeadlineAcknowledgment).MetAt.Equal(t0), "the admission met the acknowledgment")
	assert.True(t, deadline(t, &c, domain.DeadlineLegal).MetAt.Equal(day(10)))
	assert.Equal(t, "partly_revised", ch.Event.Details["outcome"])
	_, ok := c.NextTimer()
	assert.False(t, ok, "a decided file has no timer")

	mustApply(t, &c, day(11), med, domain.ActionClose, domain.ActionArgs{})
	assert.Equal(t, domain.StatusClosed, c.Status)
	assert.Equal(t, "decided", c.ClosedReason)
	require.NotNil(t, c.ClosedAt)
	assert.True(t, c.AppealSuspension.Until.Equal(day(10)), "closing does not move the end of the suspension")
}

func TestApply_DecideAfterTheLegalLimitIsMissed(t *testing.T) {
	// The legal limit runs to the end of day 60 (Friday 7 March).
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	c.Tick(due(60))
	require.Equal(t, domain.SLAOverdue, c.SLAStatus)
	mustApply(t, &c, day(61), med, domain.ActionDecide, decideArgs())
	assert.Equal(t, domain.SLAMissed, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineLegal).Status)

	// At 15:00 on day 60, later than the hour of receipt: met.
	c = mediationIn(t, newMediation(), domain.StatusAdmitted)
	at := parisAt(2025, time.March, 7, 15, 0)
	c.Tick(at)
	require.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	mustApply(t, &c, at, med, domain.ActionDecide, decideArgs())
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineLegal).Status)

	// After the target, before the legal limit: met.
	c = mediationIn(t, newMediation(), domain.StatusAdmitted)
	c.Tick(day(31))
	require.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	mustApply(t, &c, day(31), med, domain.ActionDecide, decideArgs())
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineLegal).Status)
}

func TestApply_CourtCaseFiledCancelsPendingOpinions(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(3))
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(10))
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(10))
	mustApply(t, &c, day(1), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-3", Text: "Fondé."})
	require.Equal(t, domain.StatusAwaitingOpinion, c.Status)

	ch := mustApply(t, &c, day(2), med, domain.ActionCourtCaseFiled, domain.ActionArgs{Court: " TJ Paris ", FiledOn: "2025-01-08"})
	assert.Equal(t, domain.StatusClosed, c.Status)
	assert.Equal(t, domain.StatusAwaitingOpinion, ch.Event.FromStatus)
	assert.Equal(t, "court_case_filed", c.ClosedReason)
	require.NotNil(t, c.CourtCase)
	assert.Equal(t, domain.CourtCase{Court: "TJ Paris", FiledOn: "2025-01-08"}, *c.CourtCase)
	assert.Equal(t, "TJ Paris", ch.Event.Details["court"])
	assert.Equal(t, "2025-01-08", ch.Event.Details["filed_on"])
	var statuses []string
	for _, o := range c.Opinions {
		statuses = append(statuses, o.Status)
	}
	assert.Equal(t, []string{domain.OpinionCancelled, domain.OpinionCancelled, domain.OpinionRecorded}, statuses)
	require.NotNil(t, c.AppealSuspension.Until, "the court case ends the suspension")
	assert.True(t, c.AppealSuspension.Until.Equal(day(2)))
	_, ok := c.NextTimer()
	assert.False(t, ok, "no opinion timer survives a court case")
	assert.Empty(t, c.Tick(day(90)))

	// Then the file cannot go to the Défenseur des droits.
	before := snapshot(t, c)
	_, err := c.Apply(day(3), med, domain.ActionReferToDDD, domain.ActionArgs{DDDReference: "DDD-1"})
	assert.Equal(t, domain.ECONFLICT, codeOf(err))
	assert.Equal(t, before, snapshot(t, c))
}

func TestApply_CourtCaseFiledBeforeAdmission(t *testing.T) {
	c := newMediation()
	mustApply(t, &c, day(1), med, domain.ActionCourtCaseFiled, domain.ActionArgs{Court: "TJ Paris", FiledOn: "2025-01-07"})
	assert.Equal(t, domain.StatusClosed, c.Status)
	assert.Nil(t, c.AppealSuspension, "never admitted: no suspension")
}

func TestApply_ReferToDDDAndLinkReferral(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusClosed)
	ch := mustApply(t, &c, day(2), med, domain.ActionReferToDDD, domain.ActionArgs{DDDReference: " DDD-9 "})
	assert.Equal(t, domain.StatusReferredToDDD, c.Status)
	assert.Equal(t, "DDD-9", c.DDDReference)
	assert.Equal(t, "DDD-9", ch.Event.Details["ddd_reference"])

	ch = mustApply(t, &c, day(3), liaison, domain.ActionLinkReferral, domain.ActionArgs{ReferralID: "r2"})
	assert.Equal(t, "r2", c.ReferralID)
	assert.Equal(t, "r2", ch.Event.Details["referral_id"])
}

func TestApply_FollowUpRefusedOnANonReferral(t *testing.T) {
	for _, s := range []domain.Status{domain.StatusReceived, domain.StatusAdmitted, domain.StatusInStudy, domain.StatusAwaitingOpinion} {
		t.Run(string(s), func(t *testing.T) {
			c := mediationIn(t, newMediation(), s)
			before := snapshot(t, c)
			_, err := c.Apply(day(1), liaison, domain.ActionFollowUp, domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: "2025-02-10"})
			assert.Equal(t, domain.ECONFLICT, codeOf(err))
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestApply_FollowUpMovesTheLegalLimitAndResetsTheSLA(t *testing.T) {
	c := newReferral(t)
	mustApply(t, &c, t0, med, domain.ActionAdmit, admitArgs())
	// Reminded on 19 January, past the target (21 January, end of day) on
	// the 22nd.
	assert.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(day(14))))
	assert.Equal(t, []string{domain.ClockTargetMissed}, kinds(c.Tick(day(16))))
	require.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	require.NotNil(t, c.RemindedAt)

	ch := mustApply(t, &c, day(17), liaison, domain.ActionFollowUp,
		domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: "2025-02-20", Note: " Mise en demeure "})
	assert.Equal(t, domain.StatusAdmitted, c.Status)
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	assert.Nil(t, c.RemindedAt, "the reminder may come again")
	assert.Equal(t, "2025-02-20", c.ResponseExpectedBy)
	legal, target := deadline(t, &c, domain.DeadlineLegal), deadline(t, &c, domain.DeadlineTarget)
	assert.True(t, legal.DueAt.Equal(parisEnd(2025, time.February, 20)), "legal %s", legal.DueAt)
	assert.True(t, target.DueAt.Equal(parisEnd(2025, time.February, 15)), "target %s", target.DueAt)
	assert.Equal(t, domain.SLAOnTime, legal.Status)
	assert.Equal(t, domain.SLAOnTime, target.Status, "the missed target is pending again")
	assert.Nil(t, target.MetAt)
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineAcknowledgment).Status, "the acknowledgment is untouched")

	require.Len(t, c.FollowUps, 1)
	f := c.FollowUps[0]
	assert.Equal(t, domain.FollowUp{Kind: "formal_notice", ResponseExpectedBy: "2025-02-20", Note: "Mise en demeure", ReceivedAt: day(17)}, f)
	assert.Equal(t, "formal_notice", ch.Event.Details["kind"])
	assert.Equal(t, "2025-02-20", ch.Event.Details["response_expected_by"])
	require.Len(t, ch.Notifications, 1)
	assert.Equal(t, domain.RoleRecipient(domain.RoleMediator), ch.Notifications[0].Recipient)
	assert.Equal(t, "follow_up", ch.Notifications[0].Kind)

	// Nothing happens at the old legal limit; the new one passes.
	assert.Empty(t, c.Tick(parisEnd(2025, time.January, 26).Add(time.Hour)))
	assert.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(parisEnd(2025, time.February, 13))))
	assert.Equal(t, []string{domain.ClockTargetMissed}, kinds(c.Tick(parisEnd(2025, time.February, 15))))
	assert.Empty(t, c.Tick(parisEnd(2025, time.February, 20).Add(-time.Second)))
	assert.Equal(t, []string{domain.ClockLegalLimitPassed}, kinds(c.Tick(parisEnd(2025, time.February, 20))))
	assert.Equal(t, domain.SLAOverdue, c.SLAStatus)
}

func TestApply_FollowUpAfterTheLegalLimitReopensIt(t *testing.T) {
	c := newReferral(t)
	c.Tick(parisEnd(2025, time.January, 26))
	require.Equal(t, domain.SLAOverdue, c.SLAStatus)
	require.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineLegal).Status)
	mustApply(t, &c, day(21), liaison, domain.ActionFollowUp, domain.ActionArgs{Kind: "explanation_request", ResponseExpectedBy: "2025-03-01"})
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	assert.Equal(t, domain.SLAOnTime, deadline(t, &c, domain.DeadlineLegal).Status)
	next, ok := c.NextTimer()
	require.True(t, ok)
	// Reminder at the start of the day 2 days before the new target (24
	// February, end of day).
	assert.True(t, next.Equal(parisAt(2025, time.February, 22, 0, 0)), "next %s", next)
}

// ---------------------------------------------------------------------------
// The clock

func TestTick_OpinionReminderThenExpiry(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(0)) // due at the end of day 8

	// The reminder comes 2 days before the last day, at the start of that
	// day: day 6 at 00:00.
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.True(t, next.Equal(remind(6)), "next %s", next)
	assert.Empty(t, c.Tick(remind(6).Add(-time.Second)))

	chs := c.Tick(remind(6))
	require.Equal(t, []string{domain.ClockOpinionReminder}, kinds(chs))
	ch := chs[0]
	assert.Equal(t, domain.System, ch.Event.Actor)
	assert.Equal(t, "op-1", ch.Event.Details["opinion_id"])
	assert.Equal(t, domain.StatusAwaitingOpinion, ch.Event.ToStatus)
	require.Len(t, ch.Notifications, 1)
	n := ch.Notifications[0]
	assert.Equal(t, domain.RoleRecipient(domain.RoleMediator), n.Recipient)
	assert.Equal(t, domain.ClockOpinionReminder, n.Kind)
	require.NotNil(t, n.DueAt)
	assert.True(t, n.DueAt.Equal(due(8)), "due %s", n.DueAt)
	require.NotNil(t, c.Opinions[0].RemindedAt)
	assert.Equal(t, domain.StatusAwaitingOpinion, c.Status)
	assert.Empty(t, c.Tick(due(7)), "reminded once")
	assert.Empty(t, c.Tick(due(8).Add(-time.Second)), "still awaited during its last day")

	chs = c.Tick(due(8))
	require.Equal(t, []string{domain.ClockOpinionExpired}, kinds(chs))
	ch = chs[0]
	assert.Equal(t, domain.StatusAwaitingOpinion, ch.Event.FromStatus)
	assert.Equal(t, domain.StatusInStudy, ch.Event.ToStatus)
	assert.Equal(t, domain.StatusInStudy, c.Status, "none pending: back in study")
	assert.Equal(t, domain.OpinionExpired, c.Opinions[0].Status)
	require.Len(t, ch.Notifications, 1)
	assert.Equal(t, domain.RoleRecipient(domain.RoleMediator), ch.Notifications[0].Recipient)
	assert.Equal(t, domain.ClockOpinionExpired, ch.Notifications[0].Kind)
}

func TestTick_OneOfTwoOpinionsExpires(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(3))
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(10))
	chs := c.Tick(due(3))
	require.Equal(t, []string{domain.ClockOpinionReminder, domain.ClockOpinionExpired}, kinds(chs))
	assert.Equal(t, "op-1", chs[1].Event.Details["opinion_id"])
	assert.Equal(t, domain.StatusAwaitingOpinion, c.Status, "op-2 still pending")
	assert.Equal(t, domain.OpinionPending, c.Opinions[1].Status)

	mustApply(t, &c, day(4), med, domain.ActionRecordOpinion, domain.ActionArgs{OpinionID: "op-2", Text: "Fondé."})
	assert.Equal(t, domain.StatusInStudy, c.Status)
	// op-2's timers are gone.
	next, ok := c.NextTimer()
	require.True(t, ok)
	assert.True(t, next.Equal(remind(28)), "next is the target's reminder, got %s", next)
}

func TestTick_NoOpinionReminderForAShortDelay(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	// Due at the end of the next day: 2 days before is already past.
	mustApply(t, &c, t0, med, domain.ActionRequestOpinion, opinionArgs(1))
	assert.Empty(t, c.Tick(due(1).Add(-time.Second)))
	assert.Equal(t, []string{domain.ClockOpinionExpired}, kinds(c.Tick(due(1))))
}

func TestTick_MediationDeadlinesNotifyManagersAndMediators(t *testing.T) {
	c := newMediation()
	assert.Empty(t, c.Tick(due(5).Add(-time.Second)))
	chs := c.Tick(due(5))
	require.Equal(t, []string{domain.ClockDeadlineMissed}, kinds(chs))
	assert.Equal(t, domain.DeadlineAcknowledgment, chs[0].Event.Details["deadline"])
	assert.Empty(t, chs[0].Notifications, "a missed acknowledgment is only recorded")
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)

	assert.Empty(t, c.Tick(remind(28).Add(-time.Second)))
	chs = c.Tick(remind(28))
	require.Equal(t, []string{domain.ClockReminder}, kinds(chs))
	require.Len(t, chs[0].Notifications, 1, "the reminder of an unassigned mediation goes to the mediators")
	assert.Equal(t, domain.RoleRecipient(domain.RoleMediator), chs[0].Notifications[0].Recipient)
	assert.Equal(t, domain.SLADueSoon, c.SLAStatus)

	roles := []string{domain.RoleRecipient(domain.RoleManager), domain.RoleRecipient(domain.RoleMediator)}
	for _, step := range []struct {
		at   time.Time
		kind string
		name string
		sla  domain.SLAStatus
	}{
		{due(30), domain.ClockTargetMissed, domain.DeadlineTarget, domain.SLATargetMissed},
		{due(60), domain.ClockLegalLimitPassed, domain.DeadlineLegal, domain.SLAOverdue},
	} {
		assert.Empty(t, c.Tick(step.at.Add(-time.Second)))
		chs = c.Tick(step.at)
		require.Equal(t, []string{step.kind}, kinds(chs))
		assert.Equal(t, step.name, chs[0].Event.Details["deadline"])
		var got []string
		for _, n := range chs[0].Notifications {
			got = append(got, n.Recipient)
			assert.Equal(t, step.kind, n.Kind)
			require.NotNil(t, n.DueAt)
			assert.True(t, n.DueAt.Equal(step.at))
		}
		assert.Equal(t, roles, got, "%s", step.kind)
		assert.Equal(t, step.sla, c.SLAStatus)
		assert.Equal(t, domain.StatusReceived, c.Status, "the clock never changes a mediation's status")
	}
	_, ok := c.NextTimer()
	assert.False(t, ok)
}

func TestTick_MediationCatchUp(t *testing.T) {
	c := mediationIn(t, newMediation(), domain.StatusAdmitted)
	assert.Equal(t, []string{domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, kinds(c.Tick(day(61))),
		"no reminder for a target already passed")
}

func TestTick_NothingOnAClosedMediation(t *testing.T) {
	for _, s := range []domain.Status{domain.StatusDecided, domain.StatusClosed, domain.StatusReoriented, domain.StatusReferredToDDD} {
		t.Run(string(s), func(t *testing.T) {
			c := mediationIn(t, newMediation(), s)
			before := snapshot(t, c)
			assert.Empty(t, c.Tick(day(90)))
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestTick_ReferralLegalLimitAtTheEndOfTheExpectedDay(t *testing.T) {
	c := newReferral(t)
	mustApply(t, &c, t0, med, domain.ActionAdmit, admitArgs())
	target, legal := parisEnd(2025, time.January, 21), parisEnd(2025, time.January, 26)
	assert.Equal(t, []string{domain.ClockReminder}, kinds(c.Tick(target.Add(-time.Second))))
	assert.Equal(t, []string{domain.ClockTargetMissed}, kinds(c.Tick(target)))
	assert.Empty(t, c.Tick(legal.Add(-time.Second)))
	chs := c.Tick(legal)
	require.Equal(t, []string{domain.ClockLegalLimitPassed}, kinds(chs))
	assert.Len(t, chs[0].Notifications, 2)
}

// ---------------------------------------------------------------------------

func TestAskedAndAnsweredOrLate(t *testing.T) {
	tests := []struct {
		name string
		c    func(t *testing.T) domain.Case
		want bool
	}{
		{"open complaint", func(t *testing.T) domain.Case { return inProgress(t, "online") }, false},
		{"answered complaint", func(t *testing.T) domain.Case { return caseIn(t, domain.StatusAnswered) }, true},
		{"closed complaint", func(t *testing.T) domain.Case { return caseIn(t, domain.StatusClosed) }, true},
		{"complaint past its target only", func(t *testing.T) domain.Case {
			c := inProgress(t, "online")
			c.Tick(day(14))
			return c
		}, false},
		{"complaint on the last day of its legal limit", func(t *testing.T) domain.Case {
			c := inProgress(t, "online")
			c.Tick(due(15).Add(-time.Second))
			return c
		}, false},
		{"complaint past its legal limit", func(t *testing.T) domain.Case {
			c := inProgress(t, "online")
			c.Tick(due(15))
			return c
		}, true},
		{"withdrawn complaint", func(t *testing.T) domain.Case { return caseIn(t, domain.StatusWithdrawn) }, false},
		{"new mediation", func(*testing.T) domain.Case { return newMediation() }, false},
		{"decided mediation", func(t *testing.T) domain.Case { return mediationIn(t, newMediation(), domain.StatusDecided) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c(t)
			assert.Equal(t, tt.want, c.AskedAndAnsweredOrLate())
		})
	}
}
