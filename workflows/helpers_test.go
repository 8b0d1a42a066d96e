package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"recours/activities"
	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
	"recours/workflows"
)

// start is Monday 2 March 2026, 10:00 in Paris. Summer time begins on 29
// March, so start + n days is exactly n×24 h for every n ≤ 26.
var start = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

const (
	day    = 24 * time.Hour
	caseID = "0195a000-0000-7000-8000-000000000001"
	caf    = "751"
)

// endOfDay is the offset from start of 23:59:59 in Paris on the nth
// calendar day after start's date: when a deadline of n days from an event
// on start's date ends (code de procédure civile art. 642), whatever the
// hour of the event. Before summer time (n ≤ 26) it is n days, 14 h less a
// second, start being 10:00 in Paris.
func endOfDay(n int) time.Duration {
	return calendar.EndOfDay(start.In(calendar.Paris).AddDate(0, 0, n)).Sub(start)
}

// startOfDay is the offset from start of 00:00 in Paris on the nth
// calendar day after start's date: when a reminder due that day is sent.
func startOfDay(n int) time.Duration {
	return calendar.StartOfDay(start.In(calendar.Paris).AddDate(0, 0, n)).Sub(start)
}

// utc is the instant of a UTC wall-clock time, to state an expected
// instant independently of endOfDay and startOfDay.
func utc(month time.Month, d, h, m, s int) time.Time {
	return time.Date(2026, month, d, h, m, s, 0, time.UTC)
}

var (
	gca     = domain.Actor{Login: "gca.demo", Roles: []domain.Role{domain.RoleGCA}}
	other   = domain.Actor{Login: "other.agent", Roles: []domain.Role{domain.RoleGCA}}
	manager = domain.Actor{Login: "manager.demo", Roles: []domain.Role{domain.RoleManager}}
)

const goodAnswer = "Votre aide au logement a été versée le 10 mars, avec le rappel dû."

// harness runs one complaint workflow in the time-skipping test
// environment, its local activity writing to a real SQLite store.
type harness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	st    *store.Store
	input workflows.ComplaintInput
	acts  *activities.Activities
	// scheduled and fired count the callbacks, so a check that never ran
	// fails the test instead of passing silently.
	scheduled, fired int
}

// newEnv is a time-skipping test environment at start whose activities
// write to a real SQLite store and send messages with msgs.
func newEnv(t *testing.T, msgs messages.Router) (*testsuite.TestWorkflowEnvironment, *store.Store, *activities.Activities) {
	t.Helper()
	st, err := store.Open("sqlite:" + filepath.Join(t.TempDir(), "recours.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	acts := &activities.Activities{Store: st, Messages: msgs}
	env.RegisterActivity(acts)
	return env, st, acts
}

func newHarness(t *testing.T, channel domain.Channel) *harness {
	t.Helper()
	env, st, acts := newEnv(t, messages.NewRouter(messages.Config{OutboxDir: filepath.Join(t.TempDir(), "outbox")}))
	env.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: workflows.ComplaintWorkflowName})

	now := env.Now().UTC()
	require.True(t, now.Equal(start), "env.Now() = %s", now)
	n := domain.NewComplaint{
		Caf:         caf,
		Claimant:    domain.Claimant{Number: "1234567", Name: "Jeanne Martin", Email: "jeanne@example.fr"},
		Channel:     channel,
		Benefit:     "housing_aid",
		Reason:      "processing_delay",
		Subject:     "Aide au logement non versée",
		Description: "Mon aide au logement n'a pas été versée ce mois-ci.",
	}
	require.NoError(t, n.Validate(now))
	c := domain.NewComplaintCase(caseID, n, now, domain.DefaultPolicy())
	return &harness{t: t, env: env, st: st, acts: acts, input: workflows.NewFile(c, "csu.demo")}
}

// at runs f when the workflow clock reaches start + d.
func (h *harness) at(d time.Duration, f func()) {
	h.scheduled++
	h.env.RegisterDelayedCallback(func() { h.fired++; f() }, d)
}

// cancelAt ends the workflow at start + d: an open file's workflow never
// completes on its own.
func (h *harness) cancelAt(d time.Duration) { h.at(d, h.env.CancelWorkflow) }

// run executes the workflow until it completes or is cancelled.
func (h *harness) run() {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.ComplaintWorkflowName, h.input)
	require.True(h.t, h.env.IsWorkflowCompleted(), "workflow did not complete")
	require.Equal(h.t, h.scheduled, h.fired, "callbacks that never ran")
}

// runCancelled runs a test that ends with cancelAt.
func (h *harness) runCancelled() {
	h.t.Helper()
	h.run()
	err := h.env.GetWorkflowError()
	var ce *temporal.CanceledError
	require.True(h.t, errors.As(err, &ce), "workflow should end cancelled, got %v", err)
}

// state queries the workflow; call it from a callback.
func (h *harness) state() domain.Case {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	require.NoError(h.t, err)
	var c domain.Case
	require.NoError(h.t, v.Get(&c))
	return c
}

// events is the file's timeline but for the messages to the claimant,
// which have their own tests (messages_test.go).
func (h *harness) events() []domain.Event {
	h.t.Helper()
	return withoutMessages(h.allEvents())
}

// unreachable leaves no channel to the claimant: every message bounces
// (so the acknowledgment deadline is met only by an agent's action).
func (h *harness) unreachable() { h.acts.Messages = messages.Router{} }

// withoutMessages drops the messages to the claimant from evs.
func withoutMessages(evs []domain.Event) []domain.Event {
	var out []domain.Event
	for _, ev := range evs {
		if ev.Action != domain.EventMessageSent && ev.Action != domain.EventMessageFailed {
			out = append(out, ev)
		}
	}
	return out
}

// allEvents is the file's whole timeline.
func (h *harness) allEvents() []domain.Event {
	h.t.Helper()
	evs, err := h.st.Events(context.Background(), caseID)
	require.NoError(h.t, err)
	return evs
}

func (h *harness) eventsOf(action string) []domain.Event {
	var out []domain.Event
	for _, ev := range h.allEvents() {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

// notifications returns the file's queue entries addressed to recipient
// (a login, or "role:manager").
func (h *harness) notifications(recipient string) []store.Notification {
	h.t.Helper()
	return notificationsTo(h.t, h.st, caseID, recipient)
}

// notificationsTo returns the queue entries of the file of caseID
// addressed to recipient, in the order of its timeline.
func notificationsTo(t *testing.T, st *store.Store, caseID, recipient string) []store.Notification {
	t.Helper()
	all, err := st.CaseNotifications(context.Background(), caseID)
	require.NoError(t, err)
	var out []store.Notification
	for _, n := range all {
		if n.Recipient == recipient {
			out = append(out, n)
		}
	}
	return out
}

func (h *harness) projection() domain.Case {
	h.t.Helper()
	c, err := h.st.Case(context.Background(), caseID)
	require.NoError(h.t, err)
	return c
}

// update is what happened to one update request.
type update struct {
	accepted, rejected, completed int
	rejectErr, err                error
	result                        domain.Case
}

// send issues update action with updateID at start + d.
func (h *harness) send(d time.Duration, action domain.Action, updateID string, actor domain.Actor, args domain.ActionArgs) *update {
	u := &update{}
	h.at(d, func() { h.sendNow(u, action, updateID, actor, args) })
	return u
}

// sendNow issues the update from inside a callback.
func (h *harness) sendNow(u *update, action domain.Action, updateID string, actor domain.Actor, args domain.ActionArgs) {
	h.env.UpdateWorkflow(string(action), updateID, &testsuite.TestUpdateCallback{
		OnAccept: func() { u.accepted++ },
		OnReject: func(err error) { u.rejected++; u.rejectErr = err },
		OnComplete: func(v any, err error) {
			u.completed++
			u.err = err
			if err == nil {
				u.result = decodeCase(h.t, v)
			}
		},
	}, workflows.ActionRequest{Actor: actor, Args: args})
}

// requireApplied checks that the update was accepted and succeeded.
func requireApplied(t *testing.T, u *update, what string) {
	t.Helper()
	require.Equal(t, 1, u.accepted, "%s: accepted", what)
	require.Zero(t, u.rejected, "%s: rejected with %v", what, u.rejectErr)
	require.Equal(t, 1, u.completed, "%s: completed", what)
	require.NoError(t, u.err, what)
}

func decodeCase(t *testing.T, v any) domain.Case {
	t.Helper()
	switch c := v.(type) {
	case domain.Case:
		return c
	case *domain.Case:
		return *c
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var c domain.Case
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func deadline(t *testing.T, c domain.Case, name string) domain.Deadline {
	t.Helper()
	d, ok := c.Deadline(name)
	require.True(t, ok, "deadline %s missing", name)
	return *d
}

func actions(evs []domain.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Action
	}
	return out
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// assignAndStart gives the file to gca.demo and starts it, an hour apart.
func (h *harness) assignAndStart() (assign, startU *update) {
	assign = h.send(1*time.Hour, domain.ActionAssign, "assign-1", manager, domain.ActionArgs{Assignee: gca.Login})
	startU = h.send(2*time.Hour, domain.ActionStart, "start-1", gca, domain.ActionArgs{})
	return assign, startU
}
