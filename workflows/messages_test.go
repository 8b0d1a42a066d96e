package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
	"recours/workflows"
)

// flakySender fails its first failures sends, then delivers; it counts
// the sends that reached it.
type flakySender struct {
	mu       sync.Mutex
	failures int
	bounce   bool
	sent     []messages.Message
	tries    int
}

func (f *flakySender) Send(_ context.Context, m messages.Message, _ messages.Recipient) (messages.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.bounce {
		return messages.Outcome{Channel: messages.ChannelEmail, Status: messages.StatusBounced}, errors.New("550 mailbox unknown")
	}
	if f.tries <= f.failures {
		return messages.Outcome{Channel: messages.ChannelEmail, Status: messages.StatusFailed}, errors.New("421 try again later")
	}
	f.sent = append(f.sent, m)
	return messages.Outcome{Channel: messages.ChannelEmail, Status: messages.StatusSent, Reference: "<" + m.IdempotencyKey + ">"}, nil
}

func (h *harness) messageRows() []store.ClaimantMessage {
	h.t.Helper()
	rows, err := h.st.Messages(context.Background(), caseID)
	require.NoError(h.t, err)
	return rows
}

func TestAcknowledgmentSentAtRegistrationMeetsItsDeadline(t *testing.T) {
	h := newHarness(t, "online")
	outbox := h.acts.Messages.Outbox.Dir
	h.at(time.Minute, func() {
		evs := h.eventsOf(domain.EventMessageSent)
		require.Len(t, evs, 1)
		assert.Equal(t, "acknowledgment", evs[0].Details["kind"])
		assert.Equal(t, "outbox", evs[0].Details["channel"])
		assert.Equal(t, domain.System, evs[0].Actor)
		ack := deadline(t, h.state(), domain.DeadlineAcknowledgment)
		assert.Equal(t, domain.SLAMet, ack.Status)
		assert.Equal(t, domain.SLAMet, deadline(t, h.projection(), domain.DeadlineAcknowledgment).Status)

		rows := h.messageRows()
		require.Len(t, rows, 1)
		assert.Equal(t, caseID+":acknowledgment", rows[0].Key)
		assert.Equal(t, domain.MessageSent, rows[0].Status)
		assert.Equal(t, 1, rows[0].Attempts)
		files, err := filepath.Glob(filepath.Join(outbox, "*"))
		require.NoError(t, err)
		assert.Len(t, files, 2, "one .eml and one .pdf")
		eml, err := os.ReadFile(filepath.Join(outbox, caseID+"-acknowledgment-v2.eml"))
		require.NoError(t, err)
		assert.Contains(t, string(eml), caseID)
	})
	// After the end of the fifth day, when the acknowledgment would be missed.
	h.at(endOfDay(5)+time.Minute, func() {
		assert.Empty(t, h.eventsOf(domain.ClockDeadlineMissed), "the acknowledgment was sent in time")
	})
	h.cancelAt(endOfDay(5) + 2*time.Minute)
	h.runCancelled()
}

func TestMessageRetriedAfterATemporaryFailureIsSentOnce(t *testing.T) {
	h := newHarness(t, "online")
	flaky := &flakySender{failures: 2}
	h.acts.Messages = messages.Router{Email: flaky}
	h.at(day, func() {
		require.Len(t, flaky.sent, 1, "sent once")
		assert.Equal(t, 3, flaky.tries, "two failures, then the delivery")
		rows := h.messageRows()
		require.Len(t, rows, 1)
		assert.Equal(t, domain.MessageSent, rows[0].Status)
		assert.Equal(t, 3, rows[0].Attempts)
		evs := h.eventsOf(domain.EventMessageSent)
		require.Len(t, evs, 1)
		assert.Empty(t, h.eventsOf(domain.EventMessageFailed))
		assert.True(t, evs[0].At.After(start), "sent after the retries' backoff")
		assert.Equal(t, domain.SLAMet, deadline(t, h.state(), domain.DeadlineAcknowledgment).Status)
	})
	h.cancelAt(day + time.Hour)
	h.runCancelled()
}

func TestBouncedMessageRaisesATaskToReachTheClaimant(t *testing.T) {
	h := newHarness(t, "online")
	h.acts.Messages = messages.Router{Email: &flakySender{bounce: true}}
	assign, startU := h.assignAndStart()
	answer := h.send(3*day, domain.ActionAnswer, "answer", gca, domain.ActionArgs{Answer: goodAnswer})
	h.at(3*day+time.Hour, func() {
		requireApplied(t, assign, "assign")
		requireApplied(t, startU, "start")
		requireApplied(t, answer, "answer")
		failed := h.eventsOf(domain.EventMessageFailed)
		require.Len(t, failed, 2, "the acknowledgment and the answer")
		assert.Equal(t, "acknowledgment", failed[0].Details["kind"])
		assert.Equal(t, domain.MessageBounced, failed[0].Details["status"])
		assert.Equal(t, "complaint_answer", failed[1].Details["kind"])

		// Unassigned at registration: the GCAs' queue; then its assignee.
		gcas := h.notifications(domain.RoleRecipient(domain.RoleGCA))
		require.Len(t, gcas, 1)
		assert.Equal(t, domain.ReachClaimantTask, gcas[0].Kind)
		assert.Contains(t, gcas[0].Message, "accusé de réception")
		var tasks []store.Notification
		for _, n := range h.notifications(gca.Login) {
			if n.Kind == domain.ReachClaimantTask {
				tasks = append(tasks, n)
			}
		}
		require.Len(t, tasks, 1)
		assert.Contains(t, tasks[0].Message, "réponse")
		assert.Equal(t, domain.SLAMet, deadline(t, h.state(), domain.DeadlineAcknowledgment).Status,
			"the answer acknowledged the complaint")
	})
	h.cancelAt(3*day + 2*time.Hour)
	h.runCancelled()
}

func TestAnswerAfterReopeningIsANewMessage(t *testing.T) {
	h := newHarness(t, "online")
	flaky := &flakySender{}
	h.acts.Messages = messages.Router{Email: flaky}
	h.assignAndStart()
	h.send(3*day, domain.ActionAnswer, "answer-1", gca, domain.ActionArgs{Answer: goodAnswer})
	h.send(4*day, domain.ActionReopen, "reopen", gca, domain.ActionArgs{Reason: "L'allocataire signale un oubli dans la réponse."})
	h.send(5*day, domain.ActionAnswer, "answer-2", gca, domain.ActionArgs{Answer: goodAnswer + " Le complément suit."})
	h.at(5*day+time.Hour, func() {
		require.Len(t, flaky.sent, 3, "acknowledgment and two answers")
		assert.Equal(t, messages.KindAcknowledgment, flaky.sent[0].Kind)
		assert.Equal(t, messages.KindComplaintAnswer, flaky.sent[1].Kind)
		assert.Equal(t, messages.KindComplaintAnswer, flaky.sent[2].Kind)
		assert.NotEqual(t, flaky.sent[1].IdempotencyKey, flaky.sent[2].IdempotencyKey)
		assert.Contains(t, flaky.sent[2].Body, "Le complément suit.")
		assert.Len(t, h.messageRows(), 3)
	})
	h.cancelAt(5*day + 2*time.Hour)
	h.runCancelled()
}

// A file started now takes its rules from its input, with no version
// marker (nor the search attribute each marker upserts); a file started
// before the rules were in the input asks for its one file-versions
// marker. Both send the acknowledgment and save in order.
func TestRulesInTheInputTakeNoVersionMarker(t *testing.T) {
	for _, c := range []struct {
		rules   workflows.Rules
		markers int
	}{{workflows.CurrentRules, 0}, {0, 1}} {
		t.Run(fmt.Sprintf("rules %d", c.rules), func(t *testing.T) {
			h := newHarness(t, "online")
			h.input.Rules = c.rules
			var asked []string
			h.env.OnGetVersion(mock.Anything, workflow.DefaultVersion, 1).
				Run(func(args mock.Arguments) { asked = append(asked, args.String(0)) }).Return(workflow.Version(1))
			h.at(time.Minute, func() {
				require.Len(t, h.eventsOf(domain.EventMessageSent), 1, "the acknowledgment")
				require.Len(t, h.messageRows(), 1)
			})
			h.cancelAt(time.Hour)
			h.runCancelled()
			assert.Len(t, asked, c.markers, "markers asked for: %v", asked)
			if c.markers > 0 {
				assert.Equal(t, []string{"file-versions"}, asked)
			}
		})
	}
}
