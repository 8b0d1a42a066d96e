package activities_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
	"recours/internal/testutil"
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

// eachStoreCountingWrites runs test on a fresh store of each database,
// with the rows written to claimant_messages (inserted or updated)
// counted by triggers: writes reads the count.
func eachStoreCountingWrites(t *testing.T, test func(t *testing.T, st *store.Store, writes func() int)) {
	for _, db := range testutil.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			url := db.URL(t)
			st, err := store.Open(url)
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, st.Migrate(context.Background()))
			raw := testutil.SQL(t, url)
			stmts := []string{
				"CREATE TABLE test_message_writes (n INTEGER NOT NULL)",
				"INSERT INTO test_message_writes VALUES (0)",
				"CREATE FUNCTION test_count_message_write() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN UPDATE test_message_writes SET n = n + 1; RETURN NULL; END$$",
				"CREATE TRIGGER test_message_writes AFTER INSERT OR UPDATE ON claimant_messages FOR EACH ROW EXECUTE FUNCTION test_count_message_write()",
			}
			if strings.HasPrefix(url, "sqlite:") {
				stmts = append(stmts[:2],
					"CREATE TRIGGER test_message_inserts AFTER INSERT ON claimant_messages BEGIN UPDATE test_message_writes SET n = n + 1; END",
					"CREATE TRIGGER test_message_updates AFTER UPDATE ON claimant_messages BEGIN UPDATE test_message_writes SET n = n + 1; END")
			}
			for _, q := range stmts {
				_, err := raw.Exec(q)
				require.NoError(t, err, q)
			}
			test(t, st, func() int {
				var n int
				require.NoError(t, raw.QueryRow("SELECT n FROM test_message_writes").Scan(&n))
				return n
			})
		})
	}
}

// TestSendMessage_OutboxRecordsEachAttemptOnce: the outbox writes a
// message's files once, so its attempt is recorded once, with its outcome;
// an email is claimed before it is handed over, then its outcome recorded.
func TestSendMessage_OutboxRecordsEachAttemptOnce(t *testing.T) {
	eachStoreCountingWrites(t, func(t *testing.T, st *store.Store, writes func() int) {
		ctx := context.Background()
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		dir := t.TempDir()
		a := &activities.Activities{Store: st, Messages: messages.NewRouter(messages.Config{OutboxDir: dir})}
		env.RegisterActivity(a)

		id := "01a20000-0000-7000-8000-0000000000f3"
		val, err := env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		require.NoError(t, err)
		var out domain.MessageOutcome
		require.NoError(t, val.Get(&out))
		assert.Equal(t, domain.MessageSent, out.Status)
		assert.Equal(t, "outbox", out.Channel)
		assert.Equal(t, 1, writes(), "one row written for the attempt and its outcome")
		m, found, err := st.Message(ctx, id+":acknowledgment")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, domain.MessageSent, m.Status)
		assert.Equal(t, 1, m.Attempts)
		require.NotNil(t, m.SentAt)
		// The files by name: never the server's path.
		assert.Equal(t, id+"-acknowledgment-v2.eml "+id+"-acknowledgment-v2.pdf", m.Reference)
		for _, name := range strings.Fields(m.Reference) {
			info, err := os.Stat(filepath.Join(dir, name))
			require.NoError(t, err)
			assert.Positive(t, info.Size())
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "%s: for the process's user only", name)
		}

		// Sent: a later call answers from the record and writes nothing.
		_, err = env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		require.NoError(t, err)
		assert.Equal(t, 1, writes())

		// By email, the claim, then the outcome.
		email := &countingSender{channel: messages.ChannelEmail}
		a.Messages = messages.Router{Email: email}
		other := "01a20000-0000-7000-8000-0000000000f4"
		_, err = env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(other))
		require.NoError(t, err)
		assert.Equal(t, 1, email.sent)
		assert.Equal(t, 3, writes())
		m, _, err = st.Message(ctx, other+":acknowledgment")
		require.NoError(t, err)
		assert.Equal(t, domain.MessageSent, m.Status)
		assert.Equal(t, 1, m.Attempts)
	})
}

// TestSendMessage_OutboxFailureIsRecordedAndRetried: an outbox that cannot
// write records the failed attempt (once) and is retried; the next attempt
// writes the files and records the message sent, its attempts counted.
func TestSendMessage_OutboxFailureIsRecordedAndRetried(t *testing.T) {
	eachStoreCountingWrites(t, func(t *testing.T, st *store.Store, writes func() int) {
		ctx := context.Background()
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		parent := t.TempDir()
		blocked := filepath.Join(parent, "outbox")
		require.NoError(t, os.WriteFile(blocked, []byte("not a folder"), 0o600))
		a := &activities.Activities{Store: st, Messages: messages.NewRouter(messages.Config{OutboxDir: blocked})}
		env.RegisterActivity(a)

		id := "01a20000-0000-7000-8000-0000000000f5"
		_, err := env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		appErr := applicationError(t, err)
		assert.Equal(t, activities.ErrTypeMessageFailed, appErr.Type())
		assert.False(t, appErr.NonRetryable())
		assert.Equal(t, 1, writes())
		m, _, err := st.Message(ctx, id+":acknowledgment")
		require.NoError(t, err)
		assert.Equal(t, domain.MessageFailed, m.Status)
		assert.Equal(t, "outbox", m.Channel)
		assert.Equal(t, 1, m.Attempts)
		assert.NotEmpty(t, m.LastError)
		assert.NotContains(t, m.LastError, parent, "no path on the server in the error")

		require.NoError(t, os.Remove(blocked))
		_, err = env.ExecuteActivity(a.SendMessage, acknowledgmentRequest(id))
		require.NoError(t, err)
		m, _, err = st.Message(ctx, id+":acknowledgment")
		require.NoError(t, err)
		assert.Equal(t, domain.MessageSent, m.Status)
		assert.Equal(t, 2, m.Attempts)
		assert.Empty(t, m.LastError)
	})
}
