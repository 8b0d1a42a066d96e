package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recours/activities"
	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/workflows"
)

// The mediation tests reuse the complaint harness (same store, same file
// id) with a mediation file as input and the Mediation workflow
// registered next to Complaint, which a reorientation starts as a child.

var (
	mediator = domain.Actor{Login: "mediator.demo", Roles: []domain.Role{domain.RoleMediator}}
	liaison  = domain.Actor{Login: "ddd.demo", Roles: []domain.Role{domain.RoleDDDLiaison}}
	noCourt  = true
)

const (
	explanation = "Après réexamen de votre dossier, l'indu d'aide au logement est ramené à 120 euros."
	callbackURL = "https://ddd.example/recours/callback"
	partner     = "ddd-demo"
)

var (
	roleManager  = domain.RoleRecipient(domain.RoleManager)
	roleMediator = domain.RoleRecipient(domain.RoleMediator)
)

// newMediationHarness runs the Mediation workflow on the file c builds at
// start.
func newMediationHarness(t *testing.T, c func(t *testing.T, now time.Time) domain.Case) *harness {
	t.Helper()
	h := newHarness(t, "online")
	h.env.RegisterWorkflowWithOptions(workflows.Mediation, workflow.RegisterOptions{Name: workflows.MediationWorkflowName})
	h.input = workflows.NewFile(c(t, h.env.Now().UTC()), "csu.demo")
	return h
}

// plainMediation is a claimant's request for mediation received at now.
func plainMediation(t *testing.T, now time.Time) domain.Case {
	t.Helper()
	n := domain.NewMediation{
		Caf:         caf,
		Claimant:    domain.Claimant{Number: "1234567", Name: "Jeanne Martin"},
		Origin:      "claimant",
		Benefit:     "housing_aid",
		Reason:      "overpayment_not_understood",
		Subject:     "Indu d'aide au logement",
		Description: "Je conteste l'indu de 480 euros qui m'est réclamé.",
	}
	require.NoError(t, n.Validate(now))
	return domain.NewMediationCase(caseID, n, now, domain.DefaultPolicy())
}

// referralIn20Days is a Défenseur des droits referral received at now,
// expecting an answer by now + 20 days (22 March 2026 from start).
func referralIn20Days(t *testing.T, now time.Time) domain.Case {
	return referral(t, now, "")
}

func referral(t *testing.T, now time.Time, callback string) domain.Case {
	t.Helper()
	n := domain.NewReferral{
		DDDReference:       "DDD-2026-0042",
		Caf:                caf,
		Claimant:           domain.Claimant{Number: "1234567", Name: "Jeanne Martin"},
		Benefit:            "rsa",
		Reason:             "decision_not_understood",
		Subject:            "Suspension du RSA",
		Facts:              "Le RSA de Mme Martin est suspendu depuis janvier sans explication.",
		ResponseExpectedBy: dateIn(now, 20),
		CallbackURL:        callback,
	}
	require.NoError(t, n.Validate(now, false))
	c, err := domain.NewReferralCase(caseID, n, partner, now, domain.DefaultPolicy())
	require.NoError(t, err)
	return c
}

// dateIn is the Paris date n days after now.
func dateIn(now time.Time, n int) string {
	return now.In(calendar.Paris).AddDate(0, 0, n).Format(time.DateOnly)
}

// endOf is the last second of a Paris date, in UTC.
func endOf(t *testing.T, date string) time.Time {
	t.Helper()
	d, err := domain.EndOfDay(date)
	require.NoError(t, err)
	return d
}

// runMediation executes the Mediation workflow until it completes or is
// cancelled.
func (h *harness) runMediation() {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.MediationWorkflowName, h.input)
	require.True(h.t, h.env.IsWorkflowCompleted(), "workflow did not complete")
	require.Equal(h.t, h.scheduled, h.fired, "callbacks that never ran")
}

func (h *harness) runMediationCancelled() {
	h.t.Helper()
	h.runMediation()
	var ce *temporal.CanceledError
	require.True(h.t, errors.As(h.env.GetWorkflowError(), &ce), "workflow should end cancelled, got %v", h.env.GetWorkflowError())
}

// kindsFor lists the kinds of the queue entries of recipient for the file.
func (h *harness) kindsFor(recipient string) []string {
	var out []string
	for _, n := range h.notifications(recipient) {
		out = append(out, n.Kind)
	}
	return out
}

func (h *harness) admit(d time.Duration) *update {
	return h.send(d, domain.ActionAdmit, "admit", mediator, domain.ActionArgs{NoCourtCase: &noCourt})
}

func opinion(service string, days int) domain.ActionArgs {
	return domain.ActionArgs{Service: service, Question: "L'indu est-il fondé ?", DueInDays: days}
}

// ---------------------------------------------------------------------------
// Admissibility

func TestMediation_CreatedIsAnnouncedToTheMediators(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	h.at(time.Minute, func() {
		evs := h.events()
		require.Len(t, evs, 1)
		assert.Equal(t, "created", evs[0].Action)
		assert.Equal(t, "claimant", evs[0].Details["origin"])
		assert.Equal(t, []string{"mediation_received"}, h.kindsFor(roleMediator))
		assert.Empty(t, h.kindsFor(roleManager))
		p := h.projection()
		assert.Equal(t, domain.KindMediation, p.Kind)
		assert.Equal(t, domain.StatusReceived, p.Status)
		// The queue of a mediator of the Caf shows it.
		ns, err := h.st.Notifications(context.Background(), mediator.Login, map[string][]domain.Role{caf: {domain.RoleMediator}})
		require.NoError(t, err)
		require.Len(t, ns, 1)
		assert.Equal(t, caseID, ns[0].CaseID)
	})
	h.cancelAt(time.Hour)
	h.runMediationCancelled()
}

func TestMediation_AdmitOpensTheAppealSuspension(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	admit := h.send(time.Hour, domain.ActionAdmit, "admit", mediator,
		domain.ActionArgs{NoCourtCase: &noCourt, PriorContactCaseID: "0195a000-0000-7000-8000-0000000000c1"})
	h.at(time.Hour+time.Minute, func() {
		requireApplied(t, admit, "admit")
		assert.Equal(t, domain.StatusAdmitted, admit.result.Status)
		for what, c := range map[string]domain.Case{"state": h.state(), "projection": h.projection()} {
			assert.Equal(t, domain.StatusAdmitted, c.Status, what)
			require.NotNil(t, c.AppealSuspension, what)
			assert.True(t, c.AppealSuspension.From.Equal(start.Add(time.Hour)), "%s: suspension from %s", what, c.AppealSuspension.From)
			assert.Nil(t, c.AppealSuspension.Until, what)
			require.NotNil(t, c.AdmittedAt, what)
			assert.Equal(t, "0195a000-0000-7000-8000-0000000000c1", c.PriorContactCaseID, what)
			assert.Equal(t, domain.SLAMet, deadline(t, c, domain.DeadlineAcknowledgment).Status, what)
		}
		evs := h.eventsOf(string(domain.ActionAdmit))
		require.Len(t, evs, 1)
		assert.Equal(t, mediator.Login, evs[0].Actor)
		assert.Equal(t, domain.StatusReceived, evs[0].FromStatus)
		assert.Equal(t, domain.StatusAdmitted, evs[0].ToStatus)
		assert.Equal(t, true, evs[0].Details["no_court_case"])
		assert.Equal(t, "0195a000-0000-7000-8000-0000000000c1", evs[0].Details["prior_contact_case_id"])
	})
	// After the end of the fifth day, when the acknowledgment would be missed.
	h.at(endOfDay(5)+time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockDeadlineMissed), "admission acknowledged the file")
	})
	h.cancelAt(endOfDay(5) + 2*time.Minute)
	h.runMediationCancelled()
}

// reoriented is what reorientAt saw: the update, the linked complaint's
// id, its workflow's id and type.
type reoriented struct {
	u                *update
	childID          string
	childWID, wfType string
}

// reorientAt reorients the mediation at d and records the linked
// complaint's workflow as it starts.
func (h *harness) reorientAt(d time.Duration) *reoriented {
	r := &reoriented{}
	h.env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
		r.childWID, r.wfType = info.WorkflowExecution.ID, info.WorkflowType.Name
	})
	r.u = h.send(d, domain.ActionReorient, "reorient", mediator, domain.ActionArgs{Reason: "Aucune réclamation préalable auprès de la Caf"})
	h.at(d+time.Minute, func() {
		requireApplied(h.t, r.u, "reorient")
		r.childID = h.state().ReorientedTo
	})
	return r
}

// childState queries the linked complaint's workflow.
func (h *harness) childState(r *reoriented) (domain.Case, error) {
	v, err := h.env.QueryWorkflowByID(r.childWID, workflows.QueryState)
	if err != nil {
		return domain.Case{}, err
	}
	var c domain.Case
	require.NoError(h.t, v.Get(&c))
	return c, nil
}

func TestMediation_ReorientOpensALinkedComplaint(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	r := h.reorientAt(time.Hour)
	h.at(time.Hour+2*time.Minute, func() {
		s := h.state()
		assert.Equal(t, domain.StatusReoriented, s.Status)
		require.NotEmpty(t, r.childID, "reoriented_to")
		assert.Equal(t, "reoriented", s.ClosedReason)
		require.NotNil(t, s.ClosedAt)
		assert.Nil(t, s.AppealSuspension, "never admitted")
		assert.Equal(t, domain.SLAMet, deadline(t, s, domain.DeadlineAcknowledgment).Status)
		p := h.projection()
		assert.Equal(t, domain.StatusReoriented, p.Status)
		assert.Equal(t, r.childID, p.ReorientedTo)
		evs := h.eventsOf(string(domain.ActionReorient))
		require.Len(t, evs, 1)
		assert.Equal(t, r.childID, evs[0].Details["complaint_id"])
		assert.Equal(t, "Aucune réclamation préalable auprès de la Caf", evs[0].Details["reason"])
		assert.Equal(t, domain.StatusReoriented, evs[0].ToStatus)

		// The complaint's first state is in the store.
		child, err := h.st.Case(context.Background(), r.childID)
		require.NoError(t, err)
		assert.Equal(t, domain.KindComplaint, child.Kind)
		assert.Equal(t, domain.StatusOpen, child.Status)
		assert.Equal(t, caseID, child.ParentID)
		assert.Equal(t, caf, child.Caf)
		assert.Equal(t, domain.Channel("letter"), child.Channel)
		assert.Equal(t, h.input.Case.Claimant, child.Claimant)
		assert.Equal(t, h.input.Case.Subject, child.Subject)
		assert.True(t, child.ReceivedAt.Equal(start.Add(time.Hour)))
		cevs, err := h.st.Events(context.Background(), r.childID)
		require.NoError(t, err)
		cevs = withoutMessages(cevs)
		require.Len(t, cevs, 1)
		assert.Equal(t, "created", cevs[0].Action)
		assert.Equal(t, int64(1), cevs[0].Seq)
		assert.Equal(t, mediator.Login, cevs[0].Actor)
		assert.Equal(t, caseID, cevs[0].Details["parent_id"])

		// Its workflow runs, as a child.
		assert.Equal(t, workflows.WorkflowID(domain.KindComplaint, r.childID), r.childWID)
		assert.Equal(t, workflows.ComplaintWorkflowName, r.wfType)
		c, err := h.childState(r)
		require.NoError(t, err)
		assert.Equal(t, r.childID, c.ID)
		assert.Equal(t, caseID, c.ParentID)
		assert.Equal(t, domain.StatusOpen, c.Status)
	})
	// The complaint's clock runs (its acknowledgment went out at once, so
	// nothing is missed at the end of +5 d); the mediation's has stopped.
	h.at(endOfDay(5)+time.Minute, func() {
		cevs, err := h.st.Events(context.Background(), r.childID)
		require.NoError(t, err)
		assert.Equal(t, []string{"created", domain.EventMessageSent}, actions(cevs))
		assert.Equal(t, "acknowledgment", cevs[1].Details["kind"])
		assert.Equal(t, []string{"created", string(domain.ActionReorient)}, actions(h.events()))
	})
	h.at(6*day, func() { h.env.CancelWorkflowByID(r.childWID, "") })
	h.cancelAt(6*day + time.Hour)
	h.runMediationCancelled()
}

// The reoriented mediation's workflow completes after its reopen window;
// the complaint's, abandoned, goes on.
func TestMediation_LinkedComplaintOutlivesTheMediation(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	r := h.reorientAt(time.Hour)
	end := time.Hour + workflows.ReopenWindow
	h.at(end-time.Hour, func() {
		assert.False(t, h.env.IsWorkflowCompleted(), "the mediation's workflow waits for a reopening")
	})
	// The complaint, received at +1 h, is implicitly rejected two months
	// later, at the end of 2 May in Paris (start + 61 d, summer time), after
	// the mediation's workflow completed.
	rejection := endOfDay(61)
	require.True(t, start.Add(rejection).Equal(utc(time.May, 2, 21, 59, 59)), "rejection %s", start.Add(rejection))
	require.Greater(t, rejection, end)
	h.at(rejection-time.Second, func() {
		c, err := h.childState(r)
		require.NoError(t, err)
		assert.Nil(t, c.ImplicitRejectionAt, "too early")
	})
	h.at(rejection+time.Minute, func() {
		assert.True(t, h.env.IsWorkflowCompleted(), "the mediation's workflow completed")
		c, err := h.childState(r)
		require.NoError(t, err, "the complaint's workflow outlives the mediation's")
		assert.Equal(t, domain.StatusOpen, c.Status)
		require.NotNil(t, c.ImplicitRejectionAt, "its clock still runs")
		assert.True(t, c.ImplicitRejectionAt.Equal(start.Add(rejection)), "implicit rejection at %s", c.ImplicitRejectionAt)
		h.env.CancelWorkflowByID(r.childWID, "")
	})
	h.runMediation()
	require.NoError(t, h.env.GetWorkflowError())
	var ce *temporal.CanceledError
	assert.True(t, errors.As(h.env.GetWorkflowErrorByID(r.childWID), &ce), "the child ended only when cancelled: %v", h.env.GetWorkflowErrorByID(r.childWID))
}

// The Go SDK asks a running child to cancel when the context it was
// started with is cancelled, whatever its ParentClosePolicy: the linked
// complaint is started from a disconnected context, so cancelling the
// mediation's workflow (temporal workflow cancel) leaves it running.
func TestMediation_LinkedComplaintSurvivesTheMediationsCancellation(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	r := h.reorientAt(time.Hour)
	h.cancelAt(day)
	h.at(day+time.Hour, func() {
		c, err := h.childState(r)
		require.NoError(t, err)
		assert.Nil(t, h.env.GetWorkflowErrorByID(r.childWID), "the complaint's workflow was cancelled with the mediation's")
		assert.Equal(t, domain.StatusOpen, c.Status)
		h.env.CancelWorkflowByID(r.childWID, "") // ends the test
	})
	h.env.ExecuteWorkflow(workflows.MediationWorkflowName, h.input)
	require.Equal(t, h.scheduled, h.fired, "callbacks that never ran")
}

// ---------------------------------------------------------------------------
// A court case ends the mediation at any stage

func TestMediation_CourtCaseEndsItWhileAwaitingAnOpinion(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	h.admit(time.Hour)
	req := h.send(2*time.Hour, domain.ActionRequestOpinion, "opinion-1", mediator, opinion("Service contentieux", 0))
	court := h.send(3*day, domain.ActionCourtCaseFiled, "court", mediator,
		domain.ActionArgs{Court: "Pôle social du tribunal judiciaire de Paris", FiledOn: dateIn(start, 2)})
	late := h.send(3*day+time.Hour, domain.ActionRecordOpinion, "late-opinion", mediator, domain.ActionArgs{OpinionID: "op-1", Text: "Fondé."})
	h.at(3*day-time.Minute, func() {
		requireApplied(t, req, "request_opinion")
		assert.Equal(t, domain.StatusAwaitingOpinion, h.state().Status)
	})
	h.at(3*day+time.Minute, func() {
		requireApplied(t, court, "court_case_filed")
		for what, c := range map[string]domain.Case{"state": h.state(), "projection": h.projection()} {
			assert.Equal(t, domain.StatusClosed, c.Status, what)
			assert.Equal(t, "court_case_filed", c.ClosedReason, what)
			require.NotNil(t, c.CourtCase, what)
			assert.Equal(t, dateIn(start, 2), c.CourtCase.FiledOn, what)
			require.Len(t, c.Opinions, 1, what)
			assert.Equal(t, domain.OpinionCancelled, c.Opinions[0].Status, what)
			require.NotNil(t, c.AppealSuspension, what)
			require.NotNil(t, c.AppealSuspension.Until, "%s: the court case ends the suspension", what)
			assert.True(t, c.AppealSuspension.Until.Equal(start.Add(3*day)), what)
		}
		evs := h.eventsOf(string(domain.ActionCourtCaseFiled))
		require.Len(t, evs, 1)
		assert.Equal(t, domain.StatusAwaitingOpinion, evs[0].FromStatus)
		assert.Equal(t, domain.StatusClosed, evs[0].ToStatus)
		assert.Equal(t, "Pôle social du tribunal judiciaire de Paris", evs[0].Details["court"])
	})
	// The opinion's reminder (end of +6 d) and expiry (end of +8 d) never
	// come.
	h.at(endOfDay(8)+time.Minute, func() {
		assert.Equal(t, []string{"created", "admit", "request_opinion", "court_case_filed"}, actions(h.events()))
		assert.Equal(t, []string{"mediation_received"}, h.kindsFor(roleMediator))
	})
	h.runMediation()
	require.NoError(t, h.env.GetWorkflowError(), "a closed mediation's workflow completes after the reopen window")

	require.Equal(t, 1, late.rejected, "recording an opinion after the court case")
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(workflows.DomainError(late.rejectErr)))
	var result domain.Case
	require.NoError(t, h.env.GetWorkflowResult(&result))
	assert.Equal(t, domain.StatusClosed, result.Status)
	assert.JSONEq(t, asJSON(t, result), asJSON(t, h.projection()))
}

// ---------------------------------------------------------------------------
// Opinions

func TestMediation_ParallelOpinionsOneExpires(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	h.admit(time.Hour)
	op1 := h.send(2*time.Hour, domain.ActionRequestOpinion, "opinion-1", mediator, opinion("Service contentieux", 3))
	op2 := h.send(3*time.Hour, domain.ActionRequestOpinion, "opinion-2", mediator, opinion("Agence comptable", 10))
	// Whatever the hour asked, an opinion is due by the end of its last
	// day in Paris: 5 and 12 March.
	due1, due2 := start.Add(endOfDay(3)), start.Add(endOfDay(10))
	require.True(t, due1.Equal(utc(time.March, 5, 22, 59, 59)), "due1 %s", due1)
	require.True(t, due2.Equal(utc(time.March, 12, 22, 59, 59)), "due2 %s", due2)
	// op-1's reminder comes two days before its last day, at the start of
	// that day: 3 March, 00:00 in Paris.
	remind1 := start.Add(startOfDay(1))
	require.True(t, remind1.Equal(utc(time.March, 2, 23, 0, 0)), "remind1 %s", remind1)
	h.at(3*time.Hour+time.Minute, func() {
		requireApplied(t, op1, "first request_opinion")
		requireApplied(t, op2, "second request_opinion")
		s := h.state()
		require.Len(t, s.Opinions, 2)
		assert.Equal(t, "op-1", s.Opinions[0].ID)
		assert.Equal(t, "op-2", s.Opinions[1].ID)
		assert.True(t, s.Opinions[0].DueAt.Equal(due1), "op-1 due %s", s.Opinions[0].DueAt)
		assert.True(t, s.Opinions[1].DueAt.Equal(due2), "op-2 due %s", s.Opinions[1].DueAt)
		assert.Equal(t, domain.StatusAwaitingOpinion, s.Status)
	})
	h.at(remind1.Sub(start)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockOpinionReminder), "too early")
	})
	h.at(due1.Sub(start)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockOpinionExpired), "too early")
		rem := h.eventsOf(domain.ClockOpinionReminder)
		require.Len(t, rem, 1)
		assert.True(t, rem[0].At.Equal(remind1), "reminder at %s", rem[0].At)
		assert.Equal(t, "op-1", rem[0].Details["opinion_id"])
	})
	h.at(due1.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockOpinionExpired)
		require.Len(t, evs, 1)
		ev := evs[0]
		assert.True(t, ev.At.Equal(due1), "opinion_expired at %s", ev.At)
		assert.Equal(t, domain.System, ev.Actor)
		assert.Equal(t, "op-1", ev.Details["opinion_id"])
		assert.Equal(t, "Service contentieux", ev.Details["service"])
		assert.Equal(t, domain.StatusAwaitingOpinion, ev.FromStatus)
		assert.Equal(t, domain.StatusAwaitingOpinion, ev.ToStatus, "op-2 is still awaited")

		ns := h.notifications(roleMediator)
		assert.Equal(t, []string{"mediation_received", domain.ClockOpinionReminder, domain.ClockOpinionExpired}, h.kindsFor(roleMediator))
		last := ns[len(ns)-1]
		assert.Equal(t, ev.Seq, last.Seq)
		require.NotNil(t, last.DueAt)
		assert.True(t, last.DueAt.Equal(due1))
		assert.Empty(t, h.kindsFor(roleManager), "opinions concern the mediators only")

		for what, c := range map[string]domain.Case{"state": h.state(), "projection": h.projection()} {
			assert.Equal(t, domain.StatusAwaitingOpinion, c.Status, what)
			assert.Equal(t, domain.OpinionExpired, c.Opinions[0].Status, what)
			assert.Equal(t, domain.OpinionPending, c.Opinions[1].Status, what)
		}
	})
	rec := h.send(5*day, domain.ActionRecordOpinion, "record-2", mediator, domain.ActionArgs{OpinionID: "op-2", Text: "L'indu est fondé."})
	h.at(5*day+time.Minute, func() {
		requireApplied(t, rec, "record_opinion")
		assert.Equal(t, domain.StatusInStudy, rec.result.Status)
		evs := h.eventsOf(string(domain.ActionRecordOpinion))
		require.Len(t, evs, 1)
		assert.Equal(t, domain.StatusAwaitingOpinion, evs[0].FromStatus)
		assert.Equal(t, domain.StatusInStudy, evs[0].ToStatus)
		assert.Equal(t, domain.StatusInStudy, h.projection().Status)
	})
	// op-2 was recorded: neither its reminder nor its expiry comes.
	h.at(due2.Sub(start)+time.Hour, func() {
		assert.Equal(t, []string{"created", "admit", "request_opinion", "request_opinion",
			domain.ClockOpinionReminder, domain.ClockOpinionExpired, "record_opinion"}, actions(h.events()))
		s := h.state()
		assert.Equal(t, domain.StatusInStudy, s.Status)
		assert.Equal(t, domain.OpinionRecorded, s.Opinions[1].Status)
	})
	h.cancelAt(due2.Sub(start) + 2*time.Hour)
	h.runMediationCancelled()
}

// ---------------------------------------------------------------------------
// Deadlines

func TestMediation_EveryDeadline(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	h.unreachable() // no acknowledgment: it is missed after 5 days
	c := h.input.Case
	ack := deadline(t, c, domain.DeadlineAcknowledgment).DueAt
	target := deadline(t, c, domain.DeadlineTarget).DueAt
	legal := deadline(t, c, domain.DeadlineLegal).DueAt
	// Each ends with its last day in Paris: 7 March (winter time), 1 April
	// and 1 May (summer time, UTC+2, from 29 March).
	require.True(t, ack.Equal(start.Add(endOfDay(5))), "acknowledgment %s", ack)
	require.True(t, ack.Equal(utc(time.March, 7, 22, 59, 59)), "acknowledgment %s", ack)
	require.True(t, target.Equal(start.Add(endOfDay(30))), "target %s", target)
	require.True(t, target.Equal(utc(time.April, 1, 21, 59, 59)), "target %s", target)
	require.True(t, legal.Equal(start.Add(endOfDay(60))), "legal %s", legal)
	require.True(t, legal.Equal(utc(time.May, 1, 21, 59, 59)), "legal %s", legal)
	// The reminder comes at the start of 30 March in Paris, two days
	// before the target's last day.
	remind := start.Add(startOfDay(28))
	require.True(t, remind.Equal(utc(time.March, 29, 22, 0, 0)), "reminder %s", remind)

	h.at(ack.Sub(start)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockDeadlineMissed), "too early")
	})
	h.at(ack.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockDeadlineMissed)
		require.Len(t, evs, 1, "not admitted within 5 days")
		assert.True(t, evs[0].At.Equal(ack), "deadline_missed at %s", evs[0].At)
		assert.Equal(t, domain.DeadlineAcknowledgment, evs[0].Details["deadline"])
		assert.Equal(t, domain.StatusReceived, evs[0].ToStatus)
		s := h.state()
		assert.Equal(t, domain.SLAMissed, deadline(t, s, domain.DeadlineAcknowledgment).Status)
		assert.Equal(t, domain.SLAOnTime, s.SLAStatus)
		assert.Empty(t, h.kindsFor(roleManager))
		assert.Equal(t, []string{"mediation_received", domain.ReachClaimantTask}, h.kindsFor(roleMediator))
	})
	h.at(remind.Sub(start)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockReminder), "too early")
		assert.Equal(t, domain.SLAOnTime, h.state().SLAStatus)
	})
	h.at(target.Sub(start)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockTargetMissed), "too early")
		rem := h.eventsOf(domain.ClockReminder)
		require.Len(t, rem, 1)
		assert.True(t, rem[0].At.Equal(remind), "reminder at %s", rem[0].At)
		assert.Empty(t, h.kindsFor(roleManager), "a mediation's reminder goes to the mediators")
		assert.Equal(t, []string{"mediation_received", domain.ReachClaimantTask, domain.ClockReminder}, h.kindsFor(roleMediator))
		assert.Equal(t, domain.SLADueSoon, h.state().SLAStatus)
	})
	h.at(target.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockTargetMissed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(target), "target_missed at %s", evs[0].At)
		assert.Equal(t, []string{domain.ClockTargetMissed}, h.kindsFor(roleManager))
		assert.Equal(t, []string{"mediation_received", domain.ReachClaimantTask, domain.ClockReminder, domain.ClockTargetMissed}, h.kindsFor(roleMediator))
		assert.Equal(t, domain.SLATargetMissed, h.state().SLAStatus)
		assert.Equal(t, domain.SLATargetMissed, h.projection().SLAStatus)
	})
	h.at(legal.Sub(start)-time.Second, func() {
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "too early")
	})
	h.at(legal.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockLegalLimitPassed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(legal), "legal_limit_passed at %s", evs[0].At)
		assert.Equal(t, domain.StatusReceived, evs[0].ToStatus, "the status stays")
		assert.Equal(t, []string{domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, h.kindsFor(roleManager))
		assert.Equal(t, []string{"mediation_received", domain.ReachClaimantTask, domain.ClockReminder, domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, h.kindsFor(roleMediator))
		for _, r := range []string{roleManager, roleMediator} {
			ns := h.notifications(r)
			n := ns[len(ns)-1]
			assert.Equal(t, evs[0].Seq, n.Seq, r)
			require.NotNil(t, n.DueAt, r)
			assert.True(t, n.DueAt.Equal(legal), r)
		}
		for what, c := range map[string]domain.Case{"state": h.state(), "projection": h.projection()} {
			assert.Equal(t, domain.SLAOverdue, c.SLAStatus, what)
			assert.Equal(t, domain.StatusReceived, c.Status, what)
			assert.Equal(t, domain.SLAMissed, deadline(t, c, domain.DeadlineLegal).Status, what)
		}
		assert.Equal(t, []string{"created", domain.ClockDeadlineMissed, domain.ClockReminder,
			domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, actions(h.events()))
	})
	h.cancelAt(legal.Sub(start) + 2*time.Minute)
	h.runMediationCancelled()
}

func TestReferral_DeadlinesFollowTheDateOfTheDefenseur(t *testing.T) {
	h := newMediationHarness(t, referralIn20Days)
	c := h.input.Case
	require.Equal(t, "2026-03-22", c.ResponseExpectedBy)
	legal := endOf(t, "2026-03-22")
	target := endOf(t, "2026-03-17")
	require.True(t, legal.Equal(time.Date(2026, time.March, 22, 22, 59, 59, 0, time.UTC)), "legal %s", legal)
	require.True(t, deadline(t, c, domain.DeadlineLegal).DueAt.Equal(legal), "legal is the end of the expected day in Paris")
	require.True(t, deadline(t, c, domain.DeadlineTarget).DueAt.Equal(target), "target 5 days before")
	h.admit(time.Hour)

	h.at(target.Sub(start)-time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockTargetMissed), "too early")
	})
	h.at(target.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockTargetMissed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(target), "target_missed at %s", evs[0].At)
		assert.Equal(t, domain.SLATargetMissed, h.state().SLAStatus)
	})
	h.at(legal.Sub(start)-time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "the whole expected day is allowed")
	})
	h.at(legal.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockLegalLimitPassed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(legal), "legal_limit_passed at %s", evs[0].At)
		assert.Equal(t, domain.StatusAdmitted, evs[0].ToStatus)
		assert.Equal(t, []string{domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, h.kindsFor(roleManager))
		assert.Equal(t, []string{"mediation_received", domain.ClockReminder, domain.ClockTargetMissed, domain.ClockLegalLimitPassed}, h.kindsFor(roleMediator))
		assert.Equal(t, domain.SLAOverdue, h.projection().SLAStatus)
	})
	h.cancelAt(legal.Sub(start) + time.Hour)
	h.runMediationCancelled()
}

// A formal notice received after the target passed moves the legal limit
// and the target to its date: nothing happens at the old legal limit, the
// new one passes.
func TestReferral_FollowUpMovesTheLegalLimit(t *testing.T) {
	h := newMediationHarness(t, referralIn20Days)
	oldTarget, oldLegal := endOf(t, "2026-03-17"), endOf(t, "2026-03-22")
	newDate := dateIn(start, 40) // 11 April 2026, summer time
	require.Equal(t, "2026-04-11", newDate)
	newTarget, newLegal := endOf(t, "2026-04-06"), endOf(t, newDate)
	h.admit(time.Hour)
	followUp := h.send(16*day, domain.ActionFollowUp, "follow-up-1", liaison,
		domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: newDate, Note: "Mise en demeure"})

	h.at(16*day-time.Minute, func() {
		evs := h.eventsOf(domain.ClockTargetMissed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(oldTarget))
		assert.Equal(t, domain.SLATargetMissed, h.state().SLAStatus)
	})
	h.at(16*day+time.Minute, func() {
		requireApplied(t, followUp, "follow_up")
		for what, c := range map[string]domain.Case{"state": h.state(), "projection": h.projection()} {
			assert.Equal(t, newDate, c.ResponseExpectedBy, what)
			assert.Equal(t, domain.SLAOnTime, c.SLAStatus, what)
			assert.Equal(t, domain.StatusAdmitted, c.Status, what)
			l, tg := deadline(t, c, domain.DeadlineLegal), deadline(t, c, domain.DeadlineTarget)
			assert.True(t, l.DueAt.Equal(newLegal), "%s: legal %s", what, l.DueAt)
			assert.True(t, tg.DueAt.Equal(newTarget), "%s: target %s", what, tg.DueAt)
			assert.Equal(t, domain.SLAOnTime, l.Status, what)
			assert.Equal(t, domain.SLAOnTime, tg.Status, what)
			require.Len(t, c.FollowUps, 1, what)
			assert.Equal(t, "formal_notice", c.FollowUps[0].Kind, what)
		}
		evs := h.eventsOf(string(domain.ActionFollowUp))
		require.Len(t, evs, 1)
		assert.Equal(t, liaison.Login, evs[0].Actor)
		assert.Equal(t, newDate, evs[0].Details["response_expected_by"])
		assert.Equal(t, "formal_notice", evs[0].Details["kind"])
		assert.Contains(t, h.kindsFor(roleMediator), "follow_up")
	})
	h.at(oldLegal.Sub(start)+time.Hour, func() {
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "legal_limit_passed at the old date")
		assert.Equal(t, domain.SLAOnTime, h.state().SLAStatus)
	})
	h.at(newLegal.Sub(start)-time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockLegalLimitPassed), "too early")
		evs := h.eventsOf(domain.ClockTargetMissed)
		require.Len(t, evs, 2, "the target passes again at its new date")
		assert.True(t, evs[1].At.Equal(newTarget), "second target_missed at %s", evs[1].At)
	})
	h.at(newLegal.Sub(start)+time.Minute, func() {
		evs := h.eventsOf(domain.ClockLegalLimitPassed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(newLegal), "legal_limit_passed at %s", evs[0].At)
		assert.Equal(t, domain.SLAOverdue, h.state().SLAStatus)
	})
	h.cancelAt(newLegal.Sub(start) + time.Hour)
	h.runMediationCancelled()
}

// ---------------------------------------------------------------------------
// The decision

func TestMediation_DecisionMeetsTheDeadlines(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	var deliveries int
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "DeliverDecision" {
			deliveries++
		}
	})
	h.admit(time.Hour)
	decide := h.send(10*day, domain.ActionDecide, "decide", mediator, domain.ActionArgs{Outcome: "partly_revised", Explanation: explanation})
	h.at(10*day+time.Minute, func() {
		requireApplied(t, decide, "decide")
		assert.Equal(t, domain.StatusDecided, decide.result.Status)
		s := h.state()
		assert.JSONEq(t, asJSON(t, s), asJSON(t, h.projection()), "projection = state")
		assert.Equal(t, domain.StatusDecided, s.Status)
		assert.Equal(t, "partly_revised", s.Outcome)
		assert.Equal(t, explanation, s.Explanation)
		require.NotNil(t, s.DecidedAt)
		assert.True(t, s.DecidedAt.Equal(start.Add(10*day)))
		assert.Equal(t, domain.SLAMet, s.SLAStatus)
		for _, d := range s.Deadlines {
			assert.Equal(t, domain.SLAMet, d.Status, d.Name)
			assert.NotNil(t, d.MetAt, d.Name)
		}
		require.NotNil(t, s.AppealSuspension)
		assert.True(t, s.AppealSuspension.From.Equal(start.Add(time.Hour)))
		require.NotNil(t, s.AppealSuspension.Until)
		assert.True(t, s.AppealSuspension.Until.Equal(start.Add(10*day)))
		evs := h.eventsOf(string(domain.ActionDecide))
		require.Len(t, evs, 1)
		assert.Equal(t, "partly_revised", evs[0].Details["outcome"])
		assert.Equal(t, domain.StatusAdmitted, evs[0].FromStatus)
	})
	// The clock stopped with the decision.
	h.at(31*day, func() {
		assert.Equal(t, []string{"created", "admit", "decide"}, actions(h.events()))
		assert.Empty(t, h.kindsFor(roleManager))
	})
	closeU := h.send(31*day+time.Hour, domain.ActionClose, "close", mediator, domain.ActionArgs{})
	h.runMediation()
	require.NoError(t, h.env.GetWorkflowError())
	requireApplied(t, closeU, "close")
	assert.Equal(t, domain.StatusClosed, closeU.result.Status)
	assert.Equal(t, "decided", closeU.result.ClosedReason)
	assert.Zero(t, deliveries, "no callback: nothing delivered")
	var result domain.Case
	require.NoError(t, h.env.GetWorkflowResult(&result))
	assert.JSONEq(t, asJSON(t, result), asJSON(t, h.projection()))
	assert.Equal(t, []string{"created", "admit", "decide", "close"}, actions(h.events()))
}

func TestMediation_ValidatorRejectsInvalidActionsWithoutWriting(t *testing.T) {
	h := newMediationHarness(t, plainMediation)
	h0 := time.Hour
	type attempt struct {
		name   string
		at     time.Duration
		action domain.Action
		args   domain.ActionArgs
		code   string
		field  string
		u      *update
	}
	courtCase := false
	attempts := []*attempt{
		// received
		{name: "decide before admission", at: h0, action: domain.ActionDecide, args: domain.ActionArgs{Outcome: "revised", Explanation: explanation}, code: domain.ECONFLICT},
		{name: "admit with a court case", at: h0, action: domain.ActionAdmit, args: domain.ActionArgs{NoCourtCase: &courtCase}, code: domain.EINVALID, field: "no_court_case"},
		{name: "admit without no_court_case", at: h0, action: domain.ActionAdmit, code: domain.EINVALID, field: "no_court_case"},
		{name: "request an opinion before admission", at: h0, action: domain.ActionRequestOpinion, args: opinion("S", 0), code: domain.ECONFLICT},
		{name: "follow-up on a claimant's mediation", at: h0, action: domain.ActionFollowUp, args: domain.ActionArgs{Kind: "formal_notice", ResponseExpectedBy: dateIn(start, 10)}, code: domain.ECONFLICT},
		{name: "close before the decision", at: h0, action: domain.ActionClose, code: domain.ECONFLICT},
		{name: "reorient without reason", at: h0, action: domain.ActionReorient, code: domain.EINVALID, field: "reason"},
		// awaiting_opinion (admitted at 2h, op-1 requested at 3h)
		{name: "record an unknown opinion", at: 4 * h0, action: domain.ActionRecordOpinion, args: domain.ActionArgs{OpinionID: "op-9", Text: "?"}, code: domain.EINVALID, field: "opinion_id"},
		{name: "decide while awaiting an opinion", at: 4 * h0, action: domain.ActionDecide, args: domain.ActionArgs{Outcome: "revised", Explanation: explanation}, code: domain.ECONFLICT},
		{name: "request an opinion in 61 days", at: 4 * h0, action: domain.ActionRequestOpinion, args: opinion("S", 61), code: domain.EINVALID, field: "due_in_days"},
		{name: "admit again", at: 4 * h0, action: domain.ActionAdmit, args: domain.ActionArgs{NoCourtCase: &noCourt}, code: domain.ECONFLICT},
		// in_study (op-1 recorded at 5h)
		{name: "record the same opinion again", at: 6 * h0, action: domain.ActionRecordOpinion, args: domain.ActionArgs{OpinionID: "op-1", Text: "Encore"}, code: domain.ECONFLICT},
		{name: "decide with a short explanation", at: 6 * h0, action: domain.ActionDecide, args: domain.ActionArgs{Outcome: "revised", Explanation: "Révisé."}, code: domain.EINVALID, field: "explanation"},
		{name: "decide with an unknown outcome", at: 6 * h0, action: domain.ActionDecide, args: domain.ActionArgs{Outcome: "cancelled", Explanation: explanation}, code: domain.EINVALID, field: "outcome"},
		{name: "court case filed tomorrow", at: 6 * h0, action: domain.ActionCourtCaseFiled, args: domain.ActionArgs{Court: "TJ Paris", FiledOn: dateIn(start, 1)}, code: domain.EINVALID, field: "filed_on"},
		{name: "refer to the DDD before the decision", at: 6 * h0, action: domain.ActionReferToDDD, args: domain.ActionArgs{DDDReference: "DDD-1"}, code: domain.ECONFLICT},
	}
	type snap struct {
		events int
		state  string
	}
	for _, at := range []time.Duration{h0, 4 * h0, 6 * h0} {
		s := &snap{}
		h.at(at-time.Minute, func() {
			s.events = len(h.events())
			s.state = asJSON(t, h.state())
		})
		h.at(at+30*time.Minute, func() {
			assert.Equal(t, s.events, len(h.events()), "events written by a rejected action")
			assert.Equal(t, s.state, asJSON(t, h.state()), "state changed by a rejected action")
		})
	}
	for i, a := range attempts {
		a.u = h.send(a.at, a.action, "bad-"+string(rune('a'+i)), mediator, a.args)
	}
	h.admit(2 * h0)
	h.send(3*h0, domain.ActionRequestOpinion, "opinion", mediator, opinion("Service contentieux", 0))
	h.send(5*h0, domain.ActionRecordOpinion, "record", mediator, domain.ActionArgs{OpinionID: "op-1", Text: "Fondé."})
	h.cancelAt(7 * h0)
	h.runMediationCancelled()

	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			require.Equal(t, 1, a.u.rejected, "not rejected by the validator")
			assert.Zero(t, a.u.accepted)
			de := workflows.DomainError(a.u.rejectErr)
			assert.Equal(t, a.code, domain.ErrorCode(de), "%v", a.u.rejectErr)
			if a.field != "" {
				var e *domain.Error
				require.True(t, errors.As(de, &e))
				require.NotEmpty(t, e.Fields, "field errors lost across Temporal")
				assert.Equal(t, a.field, e.Fields[0].Field)
			}
		})
	}
	assert.Equal(t, []string{"created", "admit", "request_opinion", "record_opinion"}, actions(h.events()))
}

// ---------------------------------------------------------------------------
// Delivery of a referral's decision

// deliveryStub answers the DeliverDecision activity with answer, and
// records each attempt.
type deliveryStub struct {
	mu       sync.Mutex
	requests []activities.DeliveryRequest
	attempts []int32
	at       []time.Time
}

func (s *deliveryStub) install(h *harness, answer func(attempt int32, now time.Time) (activities.DeliveryResult, error)) {
	h.env.OnActivity("DeliverDecision", mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.DeliveryRequest) (activities.DeliveryResult, error) {
			n, now := activity.GetInfo(ctx).Attempt, h.env.Now().UTC()
			s.mu.Lock()
			s.requests = append(s.requests, req)
			s.attempts = append(s.attempts, n)
			s.at = append(s.at, now)
			s.mu.Unlock()
			return answer(n, now)
		})
}

func (s *deliveryStub) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func refused(n int32) (activities.DeliveryResult, error) {
	return activities.DeliveryResult{Attempts: n, StatusCode: 503},
		temporal.NewApplicationError("livraison refusée : HTTP 503", activities.ErrTypeDeliveryFailed)
}

func TestReferral_DecisionDeliveredAfterTwoFailures(t *testing.T) {
	h := newMediationHarness(t, func(t *testing.T, now time.Time) domain.Case { return referral(t, now, callbackURL) })
	stub := &deliveryStub{}
	stub.install(h, func(n int32, _ time.Time) (activities.DeliveryResult, error) {
		if n <= 2 {
			return refused(n)
		}
		return activities.DeliveryResult{Attempts: n, StatusCode: 204}, nil
	})
	h.admit(time.Hour)
	decidedAt := start.Add(5 * day)
	decide := h.send(5*day, domain.ActionDecide, "decide", mediator, domain.ActionArgs{Outcome: "revised", Explanation: explanation})
	h.at(5*day+time.Minute, func() {
		requireApplied(t, decide, "decide")
		evs := h.eventsOf(workflows.EventDecisionDelivered)
		require.Len(t, evs, 1)
		ev := evs[0]
		assert.Equal(t, domain.System, ev.Actor)
		assert.EqualValues(t, 3, ev.Details["attempts"])
		assert.EqualValues(t, 204, ev.Details["status_code"])
		// Retried after 1 s, then 2 s.
		assert.True(t, ev.At.Equal(decidedAt.Add(3*time.Second)), "delivered at %s", ev.At)
		assert.Equal(t, domain.StatusDecided, ev.ToStatus)
		assert.Empty(t, h.eventsOf(workflows.EventCallbackFailing))
		assert.Empty(t, h.eventsOf(workflows.EventCallbackFailed))
		assert.Empty(t, h.kindsFor(roleManager), "a delivered decision goes to no queue")
	})
	h.at(5*day+workflows.CallbackAlarm+time.Hour, func() {
		assert.Empty(t, h.eventsOf(workflows.EventCallbackFailing), "no alarm once delivered")
		assert.Equal(t, 3, stub.count(), "no attempt after the acknowledgment")
	})
	h.send(7*day, domain.ActionClose, "close", mediator, domain.ActionArgs{})
	h.runMediation()
	require.NoError(t, h.env.GetWorkflowError())

	require.Equal(t, []int32{1, 2, 3}, stub.attempts)
	for i, req := range stub.requests {
		assert.Equal(t, callbackURL, req.URL, "attempt %d", i+1)
		assert.Equal(t, partner, req.Partner)
		d := req.Decision
		assert.Equal(t, "DDD-2026-0042", d.DDDReference)
		assert.Equal(t, caseID, d.CaseID)
		assert.Equal(t, caf, d.Caf)
		assert.Equal(t, string(domain.StatusDecided), d.Status)
		assert.Equal(t, "revised", d.Outcome)
		assert.Equal(t, explanation, d.Explanation)
		assert.True(t, d.DecidedAt.Equal(decidedAt), "decided_at %s", d.DecidedAt)
	}
	assert.Equal(t, []string{"created", "admit", "decide", workflows.EventDecisionDelivered, "close"}, actions(h.events()))
}

// A delivery failing for more than a day raises the alarm to the managers
// and the mediators; the closed file's workflow waits for the delivery
// past its reopen window, and completes once the decision got through.
//
// The test environment gives up an activity after 10 attempts when its
// policy has no maximum (the server retries for ever), so the partner's
// refusals ask for the next attempt a week later (NextRetryDelay): the
// attempts come at decision + 0, 7 d, …, 63 d, and the 10th is
// acknowledged.
func TestReferral_DeliveryFailingForADayRaisesTheAlarm(t *testing.T) {
	h := newMediationHarness(t, func(t *testing.T, now time.Time) domain.Case { return referral(t, now, callbackURL) })
	decideAt, closeAt := 2*day, 2*day+time.Hour
	decided := start.Add(decideAt)
	deliverFrom := decided.Add(62 * day) // past the close + reopen window
	require.True(t, deliverFrom.After(start.Add(closeAt+workflows.ReopenWindow)))
	stub := &deliveryStub{}
	stub.install(h, func(n int32, now time.Time) (activities.DeliveryResult, error) {
		if now.Before(deliverFrom) {
			return activities.DeliveryResult{Attempts: n, StatusCode: 503},
				temporal.NewApplicationErrorWithOptions("livraison refusée : HTTP 503", activities.ErrTypeDeliveryFailed,
					temporal.ApplicationErrorOptions{NextRetryDelay: 7 * day})
		}
		return activities.DeliveryResult{Attempts: n, StatusCode: 200}, nil
	})
	h.admit(time.Hour)
	h.send(decideAt, domain.ActionDecide, "decide", mediator, domain.ActionArgs{Outcome: "maintained", Explanation: explanation})
	closeU := h.send(closeAt, domain.ActionClose, "close", mediator, domain.ActionArgs{})
	h.at(decideAt+workflows.CallbackAlarm-time.Minute, func() {
		assert.Empty(t, h.eventsOf(workflows.EventCallbackFailing), "too early")
		assert.Equal(t, 1, stub.count(), "one refused attempt so far")
	})
	h.at(decideAt+workflows.CallbackAlarm+time.Minute, func() {
		evs := h.eventsOf(workflows.EventCallbackFailing)
		require.Len(t, evs, 1)
		ev := evs[0]
		assert.True(t, ev.At.Equal(decided.Add(workflows.CallbackAlarm)), "callback_failing at %s", ev.At)
		assert.Equal(t, domain.System, ev.Actor)
		assert.Equal(t, callbackURL, ev.Details["url"])
		assert.Equal(t, domain.StatusClosed, ev.ToStatus)
		assert.Equal(t, []string{workflows.EventCallbackFailing}, h.kindsFor(roleManager))
		assert.Equal(t, []string{"mediation_received", workflows.EventCallbackFailing}, h.kindsFor(roleMediator))
		for _, r := range []string{roleManager, roleMediator} {
			ns := h.notifications(r)
			assert.Equal(t, ev.Seq, ns[len(ns)-1].Seq, r)
			assert.NotEmpty(t, ns[len(ns)-1].Message, r)
		}
		assert.Empty(t, h.eventsOf(workflows.EventDecisionDelivered))
		assert.Empty(t, h.eventsOf(workflows.EventCallbackFailed))
	})
	// Past the reopen window the closed file's workflow would complete,
	// but the delivery is still pending.
	h.at(closeAt+workflows.ReopenWindow+time.Hour, func() {
		requireApplied(t, closeU, "close")
		assert.False(t, h.env.IsWorkflowCompleted(), "completed while the decision is undelivered")
		assert.Equal(t, domain.StatusClosed, h.state().Status)
		assert.Empty(t, h.eventsOf(workflows.EventDecisionDelivered))
		assert.Len(t, h.eventsOf(workflows.EventCallbackFailing), 1, "one alarm")
	})
	h.runMediation()
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, stub.attempts)
	evs := h.eventsOf(workflows.EventDecisionDelivered)
	require.Len(t, evs, 1)
	assert.True(t, evs[0].At.Equal(decided.Add(63*day)), "delivered at %s", evs[0].At)
	assert.EqualValues(t, 10, evs[0].Details["attempts"])
	assert.EqualValues(t, 200, evs[0].Details["status_code"])
	assert.True(t, !h.env.Now().Before(evs[0].At), "the workflow completed before the delivery")
	assert.Equal(t, []string{"created", "admit", "decide", "close", workflows.EventCallbackFailing, workflows.EventDecisionDelivered},
		actions(h.events()))
	var result domain.Case
	require.NoError(t, h.env.GetWorkflowResult(&result))
	assert.Equal(t, domain.StatusClosed, result.Status)
}

// A delivery that cannot succeed (an unknown partner) is not retried: the
// failure is recorded and the managers and mediators told at once.
func TestReferral_DeliveryFailedForGood(t *testing.T) {
	h := newMediationHarness(t, func(t *testing.T, now time.Time) domain.Case { return referral(t, now, callbackURL) })
	stub := &deliveryStub{}
	stub.install(h, func(n int32, _ time.Time) (activities.DeliveryResult, error) {
		return activities.DeliveryResult{Attempts: n},
			temporal.NewNonRetryableApplicationError("partenaire inconnu : "+partner, activities.ErrTypeUnknownPartner, nil)
	})
	h.admit(time.Hour)
	h.send(2*day, domain.ActionDecide, "decide", mediator, domain.ActionArgs{Outcome: "revised", Explanation: explanation})
	h.at(2*day+time.Minute, func() {
		evs := h.eventsOf(workflows.EventCallbackFailed)
		require.Len(t, evs, 1)
		assert.True(t, evs[0].At.Equal(start.Add(2*day)))
		assert.Contains(t, evs[0].Details["error"], "partenaire inconnu")
		assert.Equal(t, []string{workflows.EventCallbackFailed}, h.kindsFor(roleManager))
		assert.Equal(t, []string{"mediation_received", workflows.EventCallbackFailed}, h.kindsFor(roleMediator))
	})
	h.at(2*day+workflows.CallbackAlarm+time.Hour, func() {
		assert.Empty(t, h.eventsOf(workflows.EventCallbackFailing), "the alarm stopped with the delivery")
		assert.Equal(t, 1, stub.count(), "not retried")
	})
	h.send(4*day, domain.ActionClose, "close", mediator, domain.ActionArgs{})
	h.runMediation()
	require.NoError(t, h.env.GetWorkflowError())
	assert.Equal(t, []string{"created", "admit", "decide", workflows.EventCallbackFailed, "close"}, actions(h.events()))
}
