package activities_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recours/activities"
	"recours/internal/domain"
	"recours/internal/messages"
	"recours/internal/store"
)

// countingSender counts what it is handed; it sends on the channel given.
type countingSender struct {
	mu      sync.Mutex
	channel messages.Channel
	sent    int
}

func (s *countingSender) Send(_ context.Context, m messages.Message, _ messages.Recipient) (messages.Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent++
	return messages.Outcome{Channel: s.channel, Status: messages.StatusSent, Reference: "<" + m.IdempotencyKey + ">"}, nil
}

func acknowledgmentRequest(id string) activities.MessageRequest {
	c := domain.NewComplaintCase(id, domain.NewComplaint{Caf: "071", Claimant: domain.Claimant{Number: "1234567", Email: "jeanne@example.fr"},
		Channel: "online", Benefit: "rsa", Reason: "other", Subject: "Objet", Description: "Description"},
		time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), domain.DefaultPolicy())
	return activities.MessageRequest{Kind: "acknowledgment", Case: c, At: c.CreatedAt, Occurrence: 1}
}

// TestSendMessage_AnInterruptedEmailIsNotSentAgain: an attempt that
// claimed the message and stopped before recording the outcome leaves it
// "sending"; the next attempt does not hand the email over again (it may
// have left) and reports the outcome unknown, for the officer to check.
func TestSendMessage_AnInterruptedEmailIsNotSentAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-0000000000f1"
		require.NoError(t, st.RecordMessageAttempt(ctx, store.ClaimantMessage{Key: id + ":acknowledgment", CaseID: id, Caf: "071",
			Kind: "acknowledgment", Version: 1, Channel: "email", Status: store.MessageSending}))
		email := &countingSender{channel: messages.ChannelEmail}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Activities{Store: st, Messages: messages.Router{Email: email}}
		env.RegisterActivity(a)

		_, err := env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		appErr := applicationError(t, err)
		assert.Equal(t, activities.ErrTypeMessageUncertain, appErr.Type())
		assert.True(t, appErr.NonRetryable())
		assert.Zero(t, email.sent, "not handed over again")
		m, found, err := st.Message(ctx, id+":acknowledgment")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, domain.MessageFailed, m.Status)
		assert.Contains(t, m.LastError, "issue inconnue")
	})
}

// TestSendMessage_OutboxResumesAnInterruptedAttempt: the outbox writes a
// message's files once, so an interrupted attempt is simply taken up.
func TestSendMessage_OutboxResumesAnInterruptedAttempt(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		id := "01a20000-0000-7000-8000-0000000000f2"
		require.NoError(t, st.RecordMessageAttempt(ctx, store.ClaimantMessage{Key: id + ":acknowledgment", CaseID: id, Caf: "071",
			Kind: "acknowledgment", Version: 1, Channel: "outbox", Status: store.MessageSending}))
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Activities{Store: st, Messages: messages.NewRouter(messages.Config{OutboxDir: t.TempDir()})}
		env.RegisterActivity(a)

		val, err := env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		require.NoError(t, err)
		var out domain.MessageOutcome
		require.NoError(t, val.Get(&out))
		assert.Equal(t, domain.MessageSent, out.Status)
		m, _, err := st.Message(ctx, id+":acknowledgment")
		require.NoError(t, err)
		assert.Equal(t, domain.MessageSent, m.Status)
		assert.Equal(t, 2, m.Attempts)

		// Once sent, never again: a later call answers from the record.
		email := &countingSender{channel: messages.ChannelEmail}
		a.Messages = messages.Router{Email: email}
		_, err = env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		require.NoError(t, err)
		assert.Zero(t, email.sent)
	})
}
