package workflows_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"recours/activities"
	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/embedded"
	"recours/internal/messages"
	"recours/internal/store"
	"recours/internal/testutil"
	"recours/workflows"
)

// TestRecordHistories plays, on the real embedded Temporal server with the
// real activities on SQLite, the paths of a file that no end-to-end test
// of the API records, and writes each history into
// RECOURS_RECORD_HISTORY_DIR for TestReplay_RecordedHistories. The paths
// gated by time start from dates in the past (a letter received weeks
// ago, an opinion asked eight days ago, a notice made a working day ago)
// so that their timers fire a few seconds in.
func TestRecordHistories(t *testing.T) {
	dir := os.Getenv("RECOURS_RECORD_HISTORY_DIR")
	if dir == "" {
		t.Skip("RECOURS_RECORD_HISTORY_DIR names the folder the histories are written to")
	}
	r := startRecorder(t)
	t.Run("opinions", func(t *testing.T) { r.with(t).opinions(dir) })
	t.Run("court_case", func(t *testing.T) { r.with(t).courtCase(dir) })
	t.Run("reorient", func(t *testing.T) { r.with(t).reorient(dir) })
	t.Run("pause_resume", func(t *testing.T) { r.with(t).pauseResume(dir) })
	t.Run("late_complaint", func(t *testing.T) { r.with(t).lateComplaint(dir) })
	t.Run("ddd_follow_ups", func(t *testing.T) { r.with(t).followUps(dir) })
	t.Run("callback_retried", func(t *testing.T) { r.with(t).callbackRetried(dir) })
	t.Run("callback_failed", func(t *testing.T) { r.with(t).callbackFailed(dir) })
	t.Run("overpayment_reminder", func(t *testing.T) { r.with(t).overpaymentReminder(dir) })
	t.Run("overpayment_call_missed", func(t *testing.T) { r.with(t).overpaymentCallMissed(dir) })
	t.Run("overpayment_small", func(t *testing.T) { r.with(t).overpaymentSmall(dir) })
	t.Run("documents_letter", func(t *testing.T) { r.with(t).documentsLetter(dir) })
	t.Run("admissibility_notice", func(t *testing.T) { r.with(t).admissibilityNotice(dir) })
}

// documentsLetter: under the rules of dated requests, a request of
// documents writes to the claimant; the documents arrive and suspend the
// implicit rejection by the days waited; the complaint is answered.
func (r *recorder) documentsLetter(dir string) {
	t := r.t
	c := newComplaint(t, time.Now().UTC(), time.Now().UTC())
	wid := r.startFile(c, "csu.demo")
	r.act(wid, domain.ActionAssign, recManager, domain.ActionArgs{Assignee: recGCA.Login})
	r.act(wid, domain.ActionStart, recGCA, domain.ActionArgs{})
	got := r.act(wid, domain.ActionRequestDocuments, recGCA, domain.ActionArgs{Documents: "Votre avis d'imposition 2025.", DueInDays: 10})
	require.Len(t, got.DocumentsRequests, 1)
	r.waitForMessages(c.ID, 2) // the acknowledgment, the request
	got = r.act(wid, domain.ActionDocumentsReceived, recGCA, domain.ActionArgs{})
	require.NotNil(t, got.DocumentsRequests[0].ReceivedAt)
	r.act(wid, domain.ActionAnswer, recGCA, domain.ActionArgs{Answer: recAnswer})
	r.waitForMessages(c.ID, 3)
	r.write(wid, dir, "complaint_v13_rules2_documents_letter.json")
}

// admissibilityNotice: under rules 2, admitting a Caf mediation sends the
// notice of admissibility; the mediator's recommendations follow.
func (r *recorder) admissibilityNotice(dir string) {
	t := r.t
	c := newMediation(t, time.Now().UTC())
	wid := r.startFile(c, "csu.demo")
	r.act(wid, domain.ActionAdmit, recMediator, domain.ActionArgs{NoCourtCase: &recNoCourt})
	r.waitForMessages(c.ID, 2) // the acknowledgment, the notice of admissibility
	got := r.act(wid, domain.ActionDecide, recMediator, domain.ActionArgs{Outcome: "partly_revised", Explanation: recExplanation})
	require.Equal(t, domain.StatusDecided, got.Status)
	r.act(wid, domain.ActionClose, recMediator, domain.ActionArgs{})
	r.waitForMessages(c.ID, 3)
	r.write(wid, dir, "mediation_v14_rules2_admissibility_notice.json")
}

// recordCaf is a Caf the store is seeded with (its contact signs the
// messages).
const recordCaf = "071"

var (
	recManager  = domain.Actor{Login: "manager.demo", Roles: []domain.Role{domain.RoleManager}}
	recGCA      = domain.Actor{Login: "gca.demo", Roles: []domain.Role{domain.RoleGCA}}
	recMediator = domain.Actor{Login: "mediator.demo", Roles: []domain.Role{domain.RoleMediator}}
	recLiaison  = domain.Actor{Login: "ddd.demo", Roles: []domain.Role{domain.RoleDDDLiaison}}
	recNoCourt  = true
	recClaimant = domain.Claimant{Number: "1234567", Name: "Jeanne Martin", Email: "jeanne.martin@example.org"}
)

const (
	recAnswer      = "Votre aide au logement a été recalculée sur vos ressources de 2025 ; le rappel vous est versé."
	recExplanation = "Après réexamen de votre dossier, l'indu d'aide au logement est ramené à 120 euros, payables en six fois."
	// recWait bounds the wait for a timer, a message or a delivery.
	recWait = 90 * time.Second
)

// recorder is the embedded Temporal server, a worker with the real
// activities and their SQLite store.
type recorder struct {
	t  *testing.T
	c  client.Client
	st *store.Store
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Config{DatabaseFile: filepath.Join(dir, "temporal.db")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	st, err := store.Open("sqlite:" + filepath.Join(dir, "recours.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedDemo(ctx))
	c, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: workflows.ComplaintWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.Mediation, workflow.RegisterOptions{Name: workflows.MediationWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.Overpayment, workflow.RegisterOptions{Name: workflows.OverpaymentWorkflowName})
	w.RegisterActivity(&activities.Activities{Store: st, AllowPrivateCallbacks: true, // the hooks listen on this machine
		Messages: messages.NewRouter(messages.Config{OutboxDir: filepath.Join(dir, "outbox")})})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return &recorder{t: t, c: c, st: st}
}

// with is the recorder for the subtest t.
func (r *recorder) with(t *testing.T) *recorder { return &recorder{t: t, c: r.c, st: r.st} }

func (r *recorder) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

// startFile starts the workflow of file c as the API does, and waits until
// the file is saved.
func (r *recorder) startFile(c domain.Case, actor string) string {
	r.t.Helper()
	wid := workflows.WorkflowID(c.Kind, c.ID)
	r.start(wid, workflows.WorkflowName(c.Kind), workflows.NewFile(c, actor))
	return wid
}

func (r *recorder) start(wid, name string, input any) {
	r.t.Helper()
	ctx, cancel := r.ctx()
	defer cancel()
	_, err := r.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: workflows.TaskQueue}, name, input)
	require.NoError(r.t, err)
	h, err := r.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateID: workflows.UpdateRegister,
		UpdateName: workflows.UpdateRegister, WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(r.t, err)
	require.NoError(r.t, h.Get(ctx, nil))
}

// act performs action a on the file's workflow and returns the file after.
func (r *recorder) act(wid string, a domain.Action, actor domain.Actor, args domain.ActionArgs) domain.Case {
	r.t.Helper()
	c, err := r.try(wid, a, actor, args)
	require.NoError(r.t, err, "%s on %s", a, wid)
	return c
}

func (r *recorder) try(wid string, a domain.Action, actor domain.Actor, args domain.ActionArgs) (domain.Case, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	h, err := r.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateID: uuid.NewString(),
		UpdateName: string(a), WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.ActionRequest{Actor: actor, Args: args}}})
	var c domain.Case
	if err == nil {
		err = h.Get(ctx, &c)
	}
	return c, workflows.DomainError(err)
}

// actNotice performs action a on an overpayment notice.
func (r *recorder) actNotice(id, a string, actor string, args domain.OverpaymentArgs) domain.Overpayment {
	r.t.Helper()
	ctx, cancel := r.ctx()
	defer cancel()
	h, err := r.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.OverpaymentWorkflowID(id),
		UpdateID: uuid.NewString(), UpdateName: a, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.OverpaymentRequest{Actor: actor, Args: args}}})
	require.NoError(r.t, err, a)
	var o domain.Overpayment
	require.NoError(r.t, h.Get(ctx, &o), a)
	return o
}

// events is the file's timeline as the store has it.
func (r *recorder) events(id string) []string {
	r.t.Helper()
	ctx, cancel := r.ctx()
	defer cancel()
	evs, err := r.st.Events(ctx, id)
	require.NoError(r.t, err)
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Action
	}
	return out
}

// waitFor waits until the file's timeline holds n events of action.
func (r *recorder) waitFor(id, action string, n int) {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return count(r.events(id), action) >= n },
		recWait, 100*time.Millisecond, "%d %s on %s: %v", n, action, id, r.events(id))
}

// waitForMessages waits until n messages to the claimant have an outcome
// on the file's timeline.
func (r *recorder) waitForMessages(id string, n int) {
	r.t.Helper()
	require.Eventually(r.t, func() bool {
		evs := r.events(id)
		return count(evs, domain.EventMessageSent)+count(evs, domain.EventMessageFailed) >= n
	}, recWait, 100*time.Millisecond, "%d messages on %s: %v", n, id, r.events(id))
}

func count(actions []string, action string) int {
	n := 0
	for _, a := range actions {
		if a == action {
			n++
		}
	}
	return n
}

// notice is the overpayment notice as its workflow holds it.
func (r *recorder) notice(id string) domain.Overpayment {
	r.t.Helper()
	ctx, cancel := r.ctx()
	defer cancel()
	v, err := r.c.QueryWorkflow(ctx, workflows.OverpaymentWorkflowID(id), "", workflows.QueryState)
	require.NoError(r.t, err)
	var o domain.Overpayment
	require.NoError(r.t, v.Get(&o))
	return o
}

// waitForNotice waits until the notice's events include action.
func (r *recorder) waitForNotice(id, action string) domain.Overpayment {
	r.t.Helper()
	var o domain.Overpayment
	require.Eventually(r.t, func() bool {
		o = r.notice(id)
		return slices.ContainsFunc(o.Events, func(ev domain.Event) bool { return ev.Action == action })
	}, recWait, 100*time.Millisecond, "%s on notice %s", action, id)
	return o
}

// write saves the workflow's history as JSON under dir/name.
func (r *recorder) write(wid, dir, name string) {
	r.t.Helper()
	ctx, cancel := r.ctx()
	defer cancel()
	it := r.c.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(r.t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(r.t, err)
	require.NoError(r.t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	r.t.Logf("%s: %d events, %d bytes", name, len(h.Events), len(b))
}

// recDateIn is the Paris date n days after now.
func recDateIn(now time.Time, n int) string {
	return now.In(calendar.Paris).AddDate(0, 0, n).Format(time.DateOnly)
}

func newMediation(t *testing.T, now time.Time) domain.Case {
	t.Helper()
	n := domain.NewMediation{
		Caf: recordCaf, Claimant: recClaimant, Origin: "claimant", Benefit: "housing_aid",
		Reason: "overpayment_not_understood", Subject: "Indu d'aide au logement",
		Description: "Je conteste l'indu de 480 euros qui m'est réclamé.",
	}
	require.NoError(t, n.Validate(now))
	return domain.NewMediationCase(uuid.Must(uuid.NewV7()).String(), n, now, domain.DefaultPolicy())
}

func newReferral(t *testing.T, now time.Time, reference, partner, callback string) domain.Case {
	t.Helper()
	n := domain.NewReferral{
		DDDReference: reference, Caf: recordCaf, Claimant: recClaimant, Benefit: "rsa",
		Reason: "decision_not_understood", Subject: "Suspension du RSA",
		Facts:              "Le RSA de Mme Martin est suspendu depuis janvier sans explication.",
		ResponseExpectedBy: recDateIn(now, 20), CallbackURL: callback,
	}
	require.NoError(t, n.Validate(now, true))
	c, err := domain.NewReferralCase(uuid.Must(uuid.NewV7()).String(), n, partner, now, domain.DefaultPolicy())
	require.NoError(t, err)
	return c
}

// newComplaint is a letter received at received, registered now.
func newComplaint(t *testing.T, now, received time.Time) domain.Case {
	t.Helper()
	n := domain.NewComplaint{
		Caf: recordCaf, Claimant: recClaimant, Channel: "letter", Benefit: "housing_aid",
		Reason: "processing_delay", Subject: "Aide au logement non versée",
		Description: "Mon aide au logement n'a pas été versée depuis deux mois.", ReceivedAt: &received,
	}
	require.NoError(t, n.Validate(now))
	return domain.NewComplaintCase(uuid.Must(uuid.NewV7()).String(), n, now, domain.DefaultPolicy())
}

func opinionArgs(service string) domain.ActionArgs {
	return domain.ActionArgs{Service: service, Question: "L'indu est-il fondé au regard des ressources déclarées ?"}
}

// opinions: a mediation admitted eight days ago with an opinion asked of
// the benefits department then, due in a few seconds (its reminder is
// due at once); two more opinions are asked at the same time, the first
// expires unanswered, the two others are recorded, the mediator decides
// and closes.
func (r *recorder) opinions(dir string) {
	t := r.t
	now := time.Now().UTC()
	due := now.Add(20 * time.Second)
	asked := due.In(calendar.Paris).AddDate(0, 0, -domain.DefaultOpinionDays).UTC()
	// Counted by the clock, as the files registered before the code's
	// counting are: a file registered now has its opinion due at the end
	// of a day, not within the minute.
	c := testutil.ClockCounted(newMediation(t, asked))
	_, err := c.Apply(asked, recMediator, domain.ActionAdmit, domain.ActionArgs{NoCourtCase: &recNoCourt})
	require.NoError(t, err)
	_, err = c.Apply(asked, recMediator, domain.ActionRequestOpinion, opinionArgs("Service des prestations"))
	require.NoError(t, err)
	require.True(t, c.Opinions[0].DueAt.Equal(due), "opinion due at %s, not %s", c.Opinions[0].DueAt, due)
	wid := r.startFile(c, "csu.demo")

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, service := range []string{"Service du contrôle", "Service juridique"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.try(wid, domain.ActionRequestOpinion, recMediator, opinionArgs(service))
		}()
	}
	wg.Wait()
	require.NoError(t, firstError(errs))
	require.Less(t, time.Now(), due, "the two opinions were asked after the first one expired")
	r.waitFor(c.ID, domain.ClockOpinionExpired, 1)
	got := r.act(wid, domain.ActionRecordOpinion, recMediator, domain.ActionArgs{OpinionID: "op-2", Text: "Le contrôle confirme les ressources déclarées."})
	require.Equal(t, domain.StatusAwaitingOpinion, got.Status)
	got = r.act(wid, domain.ActionRecordOpinion, recMediator, domain.ActionArgs{OpinionID: "op-3", Text: "L'indu n'est fondé que pour le mois de mars."})
	require.Equal(t, domain.StatusInStudy, got.Status)
	require.Equal(t, []string{domain.OpinionExpired, domain.OpinionRecorded, domain.OpinionRecorded},
		[]string{got.Opinions[0].Status, got.Opinions[1].Status, got.Opinions[2].Status})
	r.act(wid, domain.ActionDecide, recMediator, domain.ActionArgs{Outcome: "partly_revised", Explanation: recExplanation})
	r.act(wid, domain.ActionClose, recMediator, domain.ActionArgs{})
	r.waitForMessages(c.ID, 2) // the acknowledgment, the decision
	evs := r.events(c.ID)
	require.Equal(t, 1, count(evs, domain.ClockOpinionReminder), "%v", evs)
	require.Equal(t, 2, count(evs, string(domain.ActionRequestOpinion)), "%v", evs)
	r.write(wid, dir, "mediation_v4_opinions_one_expired.json")
}

// firstError is the first error of errs, or nil.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// courtCase: an admitted mediation awaiting an opinion is ended by the
// court case the claimant filed; the opinion is cancelled and the file can
// no longer go to the Défenseur des droits.
func (r *recorder) courtCase(dir string) {
	t := r.t
	c := newMediation(t, time.Now().UTC())
	wid := r.startFile(c, "csu.demo")
	r.act(wid, domain.ActionAdmit, recMediator, domain.ActionArgs{NoCourtCase: &recNoCourt})
	r.act(wid, domain.ActionRequestOpinion, recMediator, opinionArgs("Service des prestations"))
	got := r.act(wid, domain.ActionCourtCaseFiled, recMediator, domain.ActionArgs{
		Court: "Tribunal judiciaire de Privas, pôle social", FiledOn: recDateIn(time.Now(), 0)})
	require.Equal(t, domain.StatusClosed, got.Status)
	require.Equal(t, domain.OpinionCancelled, got.Opinions[0].Status)
	_, err := r.try(wid, domain.ActionReferToDDD, recMediator, domain.ActionArgs{DDDReference: "DDD-2026-0900"})
	require.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "%v", err)
	r.waitForMessages(c.ID, 1)
	r.write(wid, dir, "mediation_v5_court_case_filed.json")
}

// reorient: a request for mediation that is a first complaint is
// reoriented; the complaint it opens is worked and answered.
func (r *recorder) reorient(dir string) {
	t := r.t
	c := newMediation(t, time.Now().UTC())
	wid := r.startFile(c, "csu.demo")
	got := r.act(wid, domain.ActionReorient, recMediator, domain.ActionArgs{Reason: "Aucune réclamation préalable auprès de la Caf."})
	require.Equal(t, domain.StatusReoriented, got.Status)
	require.NotEmpty(t, got.ReorientedTo)
	cwid := workflows.ComplaintWorkflowID(got.ReorientedTo)
	r.act(cwid, domain.ActionAssign, recManager, domain.ActionArgs{Assignee: recGCA.Login})
	r.act(cwid, domain.ActionStart, recGCA, domain.ActionArgs{})
	r.act(cwid, domain.ActionAnswer, recGCA, domain.ActionArgs{Answer: recAnswer})
	r.act(cwid, domain.ActionClose, recGCA, domain.ActionArgs{})
	r.waitForMessages(c.ID, 2)             // the acknowledgment, the reorientation
	r.waitForMessages(got.ReorientedTo, 2) // the acknowledgment, the answer
	r.write(wid, dir, "mediation_v6_reoriented.json")
	r.write(cwid, dir, "complaint_v8_reoriented_from_mediation.json")
}

// pauseResume: a letter received eight days ago (its acknowledgment
// deadline passed, its reminder due in seconds) waits for the claimant's
// documents, which stops the clock and moves its deadlines; resumed, the
// reminder fires later by the paused time; answered, reopened, paused
// again and withdrawn while paused.
func (r *recorder) pauseResume(dir string) {
	t := r.t
	now := time.Now().UTC()
	reminder := now.Add(30 * time.Second)
	received := reminder.In(calendar.Paris).AddDate(0, 0, -8).UTC()
	c := testutil.ClockCounted(newComplaint(t, now, received)) // a deadline within the minute (see opinions)
	target, _ := c.Deadline(domain.DeadlineTarget)
	require.True(t, target.DueAt.In(calendar.Paris).AddDate(0, 0, -2).Equal(reminder))
	wid := r.startFile(c, "csu.demo")
	r.act(wid, domain.ActionAssign, recManager, domain.ActionArgs{Assignee: recGCA.Login})
	r.act(wid, domain.ActionStart, recGCA, domain.ActionArgs{})
	got := r.act(wid, domain.ActionRequestDocuments, recGCA, domain.ActionArgs{Note: "Merci d'envoyer votre avis d'imposition 2025."})
	require.True(t, got.ClockPaused)
	require.Less(t, time.Now(), reminder, "paused after the reminder")
	time.Sleep(5 * time.Second)
	got = r.act(wid, domain.ActionDocumentsReceived, recGCA, domain.ActionArgs{})
	require.False(t, got.ClockPaused)
	require.Zero(t, count(r.events(c.ID), domain.ClockReminder), "the reminder fired while paused")
	r.waitFor(c.ID, domain.ClockReminder, 1)
	r.act(wid, domain.ActionAnswer, recGCA, domain.ActionArgs{Answer: recAnswer})
	r.act(wid, domain.ActionReopen, recGCA, domain.ActionArgs{Reason: "L'allocataire signale un mois oublié."})
	r.act(wid, domain.ActionRequestDocuments, recGCA, domain.ActionArgs{Note: "Merci d'envoyer l'attestation de votre bailleur."})
	got = r.act(wid, domain.ActionWithdraw, recGCA, domain.ActionArgs{Reason: "L'allocataire retire sa réclamation."})
	require.Equal(t, domain.StatusWithdrawn, got.Status)
	require.False(t, got.ClockPaused)
	r.waitForMessages(c.ID, 2) // the acknowledgment, the answer
	r.write(wid, dir, "complaint_v9_paused_resumed_withdrawn.json")
}

// lateComplaint: a letter received two months ago, registered now: the
// clock catches up with the passed deadlines at once, the implicit
// rejection fires a few seconds in, and the complaint, open past its legal
// limit, is escalated to mediation.
func (r *recorder) lateComplaint(dir string) {
	t := r.t
	now := time.Now().UTC()
	rejection := now.Add(15 * time.Second)
	received := rejection.In(calendar.Paris).AddDate(0, -2, 0).UTC()
	c := testutil.ClockCounted(newComplaint(t, now, received)) // a deadline within the minute (see opinions)
	d, _ := c.Deadline(domain.DeadlineImplicitRejection)
	require.True(t, d.DueAt.Equal(rejection), "implicit rejection at %s, not %s", d.DueAt, rejection)
	wid := r.startFile(c, "csu.demo")
	r.waitFor(c.ID, domain.ClockLegalLimitPassed, 1)
	r.waitFor(c.ID, domain.ClockImplicitRejection, 1)
	got := r.act(wid, domain.ActionEscalate, recGCA, domain.ActionArgs{Reason: "Aucune réponse depuis deux mois."})
	require.Equal(t, domain.StatusEscalated, got.Status)
	r.waitForMessages(c.ID, 1)
	r.waitForMessages(got.EscalatedTo, 1)
	evs := r.events(c.ID)
	for _, a := range []string{domain.ClockDeadlineMissed, domain.ClockTargetMissed} {
		require.Equal(t, 1, count(evs, a), "%s: %v", a, evs)
	}
	r.write(wid, dir, "complaint_v10_late_implicit_rejection_escalated.json")
}

// followUps: a Défenseur des droits referral receives a request for
// explanation that moves its date later, then a formal notice that moves
// it sooner; the mediator admits, decides (the reply goes to the
// claimant) and closes.
func (r *recorder) followUps(dir string) {
	t := r.t
	now := time.Now().UTC()
	c := newReferral(t, now, "DDD-2026-0700", store.DemoPartner, "")
	wid := r.startFile(c, recLiaison.Login)
	got := r.act(wid, domain.ActionFollowUp, recLiaison, domain.ActionArgs{Kind: "explanation_request",
		ResponseExpectedBy: recDateIn(now, 30), Note: "Merci de préciser le motif de la suspension."})
	require.Equal(t, recDateIn(now, 30), got.ResponseExpectedBy)
	got = r.act(wid, domain.ActionFollowUp, recLiaison, domain.ActionArgs{Kind: "formal_notice",
		ResponseExpectedBy: recDateIn(now, 10)})
	require.Len(t, got.FollowUps, 2)
	r.act(wid, domain.ActionAdmit, recMediator, domain.ActionArgs{NoCourtCase: &recNoCourt})
	r.act(wid, domain.ActionDecide, recMediator, domain.ActionArgs{Outcome: "revised", Explanation: recExplanation})
	r.act(wid, domain.ActionClose, recMediator, domain.ActionArgs{})
	r.waitForMessages(c.ID, 2) // the acknowledgment, the reply
	r.write(wid, dir, "mediation_v7_ddd_follow_ups.json")
}

// callbackRetried: the decision on a referral is pushed to the liaison's
// callback, which fails twice, then acknowledges (three attempts, 1 s and
// 2 s apart).
func (r *recorder) callbackRetried(dir string) {
	t := r.t
	var mu sync.Mutex
	calls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if calls++; calls <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	c := newReferral(t, time.Now().UTC(), "DDD-2026-0701", store.DemoPartner, hook.URL+"/decisions")
	wid := r.startFile(c, recLiaison.Login)
	r.act(wid, domain.ActionAdmit, recMediator, domain.ActionArgs{NoCourtCase: &recNoCourt})
	r.act(wid, domain.ActionDecide, recMediator, domain.ActionArgs{Outcome: "maintained", Explanation: recExplanation})
	r.waitFor(c.ID, workflows.EventDecisionDelivered, 1)
	mu.Lock()
	require.Equal(t, 3, calls)
	mu.Unlock()
	r.act(wid, domain.ActionClose, recMediator, domain.ActionArgs{})
	r.waitForMessages(c.ID, 2)
	r.write(wid, dir, "mediation_v8_ddd_callback_retried.json")
}

// callbackFailed: the decision names a partner the store does not know:
// the delivery fails for good at once and the managers hear of it.
func (r *recorder) callbackFailed(dir string) {
	t := r.t
	c := newReferral(t, time.Now().UTC(), "DDD-2026-0702", "ddd-retired", "http://127.0.0.1:9/decisions")
	wid := r.startFile(c, recLiaison.Login)
	r.act(wid, domain.ActionAdmit, recMediator, domain.ActionArgs{NoCourtCase: &recNoCourt})
	r.act(wid, domain.ActionDecide, recMediator, domain.ActionArgs{Outcome: "maintained", Explanation: recExplanation})
	r.waitFor(c.ID, workflows.EventCallbackFailed, 1)
	r.waitForMessages(c.ID, 2)
	r.write(wid, dir, "mediation_v9_ddd_callback_failed.json")
}

// newNotice is an overpayment notice of amount euros made at made.
func newNotice(t *testing.T, made time.Time, amount string) domain.Overpayment {
	t.Helper()
	n := domain.NewOverpayment{
		Caf: recordCaf, Claimant: recClaimant, Benefit: "housing_aid",
		PeriodStart: "2026-01-01", PeriodEnd: "2026-06-30", Amount: domain.Amount(amount),
		Cause: "Révision de vos ressources de 2025.",
	}
	cents, err := n.Validate(made)
	require.NoError(t, err)
	return domain.NewOverpaymentNotice(uuid.Must(uuid.NewV7()).String(), n, cents, 0, recGCA.Login, made)
}

// madeWorkingDaysBefore is the instant n working days before at (at is
// then n working days after it), searched back day by day.
func madeWorkingDaysBefore(t *testing.T, at time.Time, n int) time.Time {
	t.Helper()
	for back := n; back <= n+10; back++ {
		made := at.In(calendar.Paris).AddDate(0, 0, -back).UTC()
		if calendar.AddDays(made, n, calendar.WorkingDays).Equal(at) {
			return made
		}
	}
	t.Fatalf("no instant %d working days before %s", n, at)
	return time.Time{}
}

func (r *recorder) startNotice(o domain.Overpayment) {
	r.start(workflows.OverpaymentWorkflowID(o.ID), workflows.OverpaymentWorkflowName, workflows.OverpaymentInput{Overpayment: o, Rules: workflows.CurrentRules})
}

var recEnriched = &domain.Explanation{
	Cause:        "Vos ressources de 2025 ont été révisées après votre déclaration.",
	Period:       "De janvier à juin 2026, soit six mois d'aide au logement.",
	Computation:  "L'aide due est de 140 € par mois au lieu de 350 € : 210 € par mois de trop.",
	Contest:      "Vous pouvez contester dans les deux mois auprès de la commission de recours amiable.",
	Repayment:    "La somme sera retenue sur vos prestations, 60 € par mois au plus.",
	RightToError: "Une erreur de bonne foi dans votre déclaration n'entraîne pas de pénalité.",
}

// finishNotice explains the notice, records the call and sends it.
func (r *recorder) finishNotice(o domain.Overpayment) {
	r.t.Helper()
	r.actNotice(o.ID, domain.OverpaymentExplain, recGCA.Login, domain.OverpaymentArgs{Explanation: recEnriched})
	r.actNotice(o.ID, domain.OverpaymentRecordCall, recGCA.Login, domain.OverpaymentArgs{CallResult: domain.CallReached, Note: "Explications données au téléphone."})
	r.actNotice(o.ID, domain.OverpaymentSend, recGCA.Login, domain.OverpaymentArgs{})
	ctx, cancel := r.ctx()
	defer cancel()
	var out domain.Overpayment
	require.NoError(r.t, r.c.GetWorkflow(ctx, workflows.OverpaymentWorkflowID(o.ID), "").Get(ctx, &out))
	require.Equal(r.t, domain.OverpaymentSent, out.Status)
}

// overpaymentReminder: a large notice made a working day ago less a few
// seconds: the reminder's timer fires, then the officer explains, calls
// and sends.
func (r *recorder) overpaymentReminder(dir string) {
	t := r.t
	remind := time.Now().UTC().Add(15 * time.Second)
	o := newNotice(t, madeWorkingDaysBefore(t, remind, 1), "1800")
	require.True(t, o.ReminderAt.Equal(remind))
	r.startNotice(o)
	r.waitForNotice(o.ID, "reminder")
	r.finishNotice(o)
	r.write(workflows.OverpaymentWorkflowID(o.ID), dir, "overpayment_v3_reminder.json")
}

// overpaymentCallMissed: a large notice made two working days ago less a
// few seconds: its reminder is due at once, the call deadline's timer
// fires and the managers hear of it; then the officer explains, calls and
// sends.
func (r *recorder) overpaymentCallMissed(dir string) {
	t := r.t
	due := time.Now().UTC().Add(15 * time.Second)
	o := newNotice(t, madeWorkingDaysBefore(t, due, domain.OverpaymentCallDays), "2400")
	require.True(t, o.CallDueAt.Equal(due))
	require.True(t, o.ReminderAt.Before(time.Now()))
	r.startNotice(o)
	r.waitForNotice(o.ID, "reminder")
	r.waitForNotice(o.ID, "call_deadline_missed")
	r.finishNotice(o)
	r.write(workflows.OverpaymentWorkflowID(o.ID), dir, "overpayment_v4_call_missed.json")
}

// overpaymentSmall: a notice below the threshold goes out at once.
func (r *recorder) overpaymentSmall(dir string) {
	t := r.t
	o := newNotice(t, time.Now().UTC(), "320.50")
	require.False(t, o.Large)
	r.startNotice(o)
	ctx, cancel := r.ctx()
	defer cancel()
	var out domain.Overpayment
	require.NoError(t, r.c.GetWorkflow(ctx, workflows.OverpaymentWorkflowID(o.ID), "").Get(ctx, &out))
	require.Equal(t, domain.OverpaymentSent, out.Status, fmt.Sprint(out.Delivery))
	r.write(workflows.OverpaymentWorkflowID(o.ID), dir, "overpayment_v5_small_sent_at_once.json")
}
