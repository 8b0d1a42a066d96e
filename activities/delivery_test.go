package activities_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"recours/activities"
	"recours/internal/store"
	"recours/internal/testutil"
)

const (
	partner = "ddd-nord"
	secret  = "callback-secret"
	// personal is what a receiver's answer might echo back: it must never
	// reach the records or the errors.
	personal = "Jeanne Dupont, 1234567"
)

// eachStore runs test on a migrated store of each database, with the
// partner registered; its callbacks may go to this machine, where the
// tests' receivers listen.
func eachStore(t *testing.T, test func(t *testing.T, st *store.Store)) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		require.NoError(t, st.UpsertPartner(context.Background(), partner, "DDD Nord", secret))
		require.NoError(t, st.SetPartnerCallbackHosts(context.Background(), partner, []string{"127.0.0.1", "localhost", "ddd.example"}))
		test(t, st)
	})
}

// loopback delivers as the embedded default does: to this machine too.
func loopback(st *store.Store) *activities.Activities {
	return &activities.Activities{Store: st, AllowPrivateCallbacks: true}
}

func decision(caseID string) activities.Decision {
	return activities.Decision{
		DDDReference: "DDD-2026-0042", CaseID: caseID, Caf: "071", Status: "decided",
		Outcome: "upheld", Explanation: "La réclamation est fondée.",
		DecidedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
	}
}

// received is one request as the receiver saw it.
type received struct {
	method, contentType, userAgent, signature, delivery string
	body                                                []byte
	validSignature                                      bool
}

// receiver is a partner's callback endpoint answering statuses in turn
// (the last one repeated), checking each request's signature.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	acked    int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	sig := req.Header.Get(activities.SignatureHeader)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, received{
		method: req.Method, contentType: req.Header.Get("Content-Type"), userAgent: req.Header.Get("User-Agent"),
		signature: sig, delivery: req.Header.Get(activities.DeliveryHeader), body: body,
		validSignature: hmac.Equal([]byte(sig), []byte(activities.Sign(secret, body))),
	})
	status := r.statuses[min(len(r.got), len(r.statuses))-1]
	if status/100 == 2 {
		r.acked++
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "erreur pour "+personal)
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func newReceiver(t *testing.T, statuses ...int) (*receiver, *httptest.Server) {
	r := &receiver{statuses: statuses}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func applicationError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "an application error: %v", err)
	return appErr
}

func TestDeliverAttempt_RetriedUntilAcknowledgedThenNeverAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		recv, srv := newReceiver(t, 500, 500, 200)
		id := "01a20000-0000-7000-8000-0000000000e1"
		req := activities.DeliveryRequest{URL: srv.URL + "/callback", Partner: partner, Decision: decision(id)}

		for attempt := int32(1); attempt <= 2; attempt++ {
			res, err := loopback(st).DeliverAttempt(ctx, req, attempt)
			appErr := applicationError(t, err)
			assert.False(t, appErr.NonRetryable(), "a 500 is retried")
			assert.Equal(t, activities.ErrTypeDeliveryFailed, appErr.Type())
			assert.Contains(t, err.Error(), "500")
			assert.NotContains(t, err.Error(), personal)
			assert.Equal(t, activities.DeliveryResult{Attempts: attempt, StatusCode: 500}, res)
		}
		res, err := loopback(st).DeliverAttempt(ctx, req, 3)
		require.NoError(t, err)
		assert.Equal(t, activities.DeliveryResult{Attempts: 3, StatusCode: 200}, res)

		// A retry after the acknowledgment (the worker lost the result)
		// sends nothing and reports the acknowledgment.
		res, err = loopback(st).DeliverAttempt(ctx, req, 4)
		require.NoError(t, err)
		assert.Equal(t, activities.DeliveryResult{Attempts: 3, StatusCode: 200}, res)

		got := recv.requests()
		require.Len(t, got, 3)
		assert.Equal(t, 1, recv.acked, "exactly one request acknowledged")
		want, err := json.Marshal(req.Decision)
		require.NoError(t, err)
		for _, r := range got {
			assert.Equal(t, http.MethodPost, r.method)
			assert.Equal(t, "application/json", r.contentType)
			assert.Equal(t, "Recours", r.userAgent)
			assert.Equal(t, id+":decision", r.delivery, "the same delivery id on every attempt")
			assert.True(t, r.validSignature, "signed with the partner's secret")
			assert.Equal(t, want, r.body, "the same body on every attempt")
		}

		rows, err := st.DeliveryAttempts(ctx, id)
		require.NoError(t, err)
		require.Len(t, rows, 3)
		for i, row := range rows {
			assert.Equal(t, int32(i+1), row.Attempt)
			assert.Equal(t, srv.URL, row.URL, "the URL's origin only: no path, no query")
			assert.False(t, row.At.IsZero())
			assert.NotContains(t, row.Error, personal, "the answer's body is never recorded")
		}
		assert.Equal(t, []int{500, 500, 200}, []int{rows[0].StatusCode, rows[1].StatusCode, rows[2].StatusCode})
		assert.Equal(t, []bool{false, false, true}, []bool{rows[0].Delivered, rows[1].Delivered, rows[2].Delivered})
		assert.Equal(t, "HTTP 500", rows[0].Error)
		assert.Empty(t, rows[2].Error)
	})
}

func TestDeliverDecision_Activity(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		recv, srv := newReceiver(t, 204)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := loopback(st)
		env.RegisterActivity(a)
		id := "01a20000-0000-7000-8000-0000000000e2"

		val, err := env.ExecuteActivity(a.DeliverDecision, activities.DeliveryRequest{URL: srv.URL, Partner: partner, Decision: decision(id)})
		require.NoError(t, err)
		var res activities.DeliveryResult
		require.NoError(t, val.Get(&res))
		assert.Equal(t, activities.DeliveryResult{Attempts: 1, StatusCode: 204}, res)
		assert.Len(t, recv.requests(), 1)
		rows, err := st.DeliveryAttempts(context.Background(), id)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.True(t, rows[0].Delivered)
	})
}

func TestDeliverDecision_UnknownPartnerIsNotRetried(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		recv, srv := newReceiver(t, 200)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := loopback(st)
		env.RegisterActivity(a)
		id := "01a20000-0000-7000-8000-0000000000e3"

		_, err := env.ExecuteActivity(a.DeliverDecision, activities.DeliveryRequest{URL: srv.URL, Partner: "ddd-inconnu", Decision: decision(id)})
		appErr := applicationError(t, err)
		assert.True(t, appErr.NonRetryable())
		assert.Equal(t, activities.ErrTypeUnknownPartner, appErr.Type())
		assert.Empty(t, recv.requests(), "no request sent")

		rows, err := st.DeliveryAttempts(context.Background(), id)
		require.NoError(t, err)
		require.Len(t, rows, 1, "the attempt is recorded")
		assert.False(t, rows[0].Delivered)
		assert.Zero(t, rows[0].StatusCode)
	})
}

func TestDeliverAttempt_InvalidURLIsNotRetried(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		for _, u := range []string{"", "ftp://ddd.example/cb", "not a url", "http://"} {
			_, err := loopback(st).DeliverAttempt(context.Background(), activities.DeliveryRequest{URL: u, Partner: partner, Decision: decision("01a20000-0000-7000-8000-0000000000e4")}, 1)
			appErr := applicationError(t, err)
			assert.True(t, appErr.NonRetryable(), "url %q", u)
			assert.Equal(t, activities.ErrTypeInvalidCallback, appErr.Type())
		}
	})
}

func TestDeliverAttempt_RedirectIsAFailureNotFollowed(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		var followed int
		var mu sync.Mutex
		mux := http.NewServeMux()
		mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		})
		mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			followed++
			mu.Unlock()
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		id := "01a20000-0000-7000-8000-0000000000e5"

		res, err := loopback(st).DeliverAttempt(context.Background(), activities.DeliveryRequest{URL: srv.URL + "/callback", Partner: partner, Decision: decision(id)}, 1)
		appErr := applicationError(t, err)
		assert.False(t, appErr.NonRetryable(), "a redirect is retried")
		assert.Contains(t, err.Error(), "302")
		assert.Equal(t, 302, res.StatusCode)
		mu.Lock()
		assert.Zero(t, followed, "the redirect is not followed")
		mu.Unlock()

		rows, err := st.DeliveryAttempts(context.Background(), id)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, 302, rows[0].StatusCode)
		assert.False(t, rows[0].Delivered)
	})
}

func TestDeliverAttempt_UnreachableIsRetried(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + "/callback?token=partner-token"
		srv.Close()
		id := "01a20000-0000-7000-8000-0000000000e6"

		_, err := loopback(st).DeliverAttempt(context.Background(), activities.DeliveryRequest{URL: url, Partner: partner, Decision: decision(id)}, 1)
		appErr := applicationError(t, err)
		assert.False(t, appErr.NonRetryable())
		assert.Equal(t, activities.ErrTypeDeliveryTransport, appErr.Type())

		rows, err := st.DeliveryAttempts(context.Background(), id)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Zero(t, rows[0].StatusCode)
		assert.False(t, rows[0].Delivered)
		assert.NotEmpty(t, rows[0].Error)
		assert.NotContains(t, rows[0].Error, "partner-token", "the error text leaves the URL out")
	})
}

func TestDeliverAttempt_SignatureCoversTheExactBody(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		recv, srv := newReceiver(t, 200)
		d := decision("01a20000-0000-7000-8000-0000000000e7")
		_, err := loopback(st).DeliverAttempt(context.Background(), activities.DeliveryRequest{URL: srv.URL, Partner: partner, Decision: d}, 1)
		require.NoError(t, err)
		got := recv.requests()
		require.Len(t, got, 1)
		body := got[0].body

		want, err := json.Marshal(d)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(body), "the body is exactly the decision's JSON")
		var fields map[string]any
		require.NoError(t, json.Unmarshal(body, &fields))
		assert.Equal(t, map[string]any{
			"ddd_reference": "DDD-2026-0042", "case_id": d.CaseID, "caf": "071", "status": "decided",
			"outcome": "upheld", "explanation": "La réclamation est fondée.", "decided_at": "2026-03-02T09:30:00Z",
		}, fields)

		sig := got[0].signature
		assert.True(t, strings.HasPrefix(sig, "sha256="))
		assert.Equal(t, activities.Sign(secret, body), sig)
		tampered := append([]byte(nil), body...)
		tampered[len(tampered)/2] ^= 0x01
		assert.NotEqual(t, activities.Sign(secret, tampered), sig, "one byte changed: the signature no longer matches")
		assert.NotEqual(t, activities.Sign("another-secret", body), sig, "another secret: no match")
	})
}

func TestDeliverAttempt_OutcomeSurvivesAFailedRecord(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		// Every insert into delivery_attempts fails from here on.
		testutil.FailInserts(t, st, "delivery_attempts")
		var logs strings.Builder
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
		t.Cleanup(func() { slog.SetDefault(prev) })

		recv, srv := newReceiver(t, 503, 200)
		id := "01a20000-0000-7000-8000-0000000000e8"
		req := activities.DeliveryRequest{URL: srv.URL, Partner: partner, Decision: decision(id)}

		_, err := loopback(st).DeliverAttempt(context.Background(), req, 1)
		appErr := applicationError(t, err)
		assert.False(t, appErr.NonRetryable())
		assert.Contains(t, err.Error(), "503", "the outcome, not the record's failure")

		res, err := loopback(st).DeliverAttempt(context.Background(), req, 2)
		require.NoError(t, err, "acknowledged: success although the record failed")
		assert.Equal(t, activities.DeliveryResult{Attempts: 2, StatusCode: 200}, res)
		assert.Len(t, recv.requests(), 2)

		assert.Contains(t, logs.String(), "recording a delivery attempt failed")
		assert.Contains(t, logs.String(), id)
		for _, secretish := range []string{personal, "réclamation", "DDD-2026-0042", secret} {
			assert.NotContains(t, logs.String(), secretish, "no personal data nor secret in the logs")
		}
	})
}

func TestSign_KnownVector(t *testing.T) {
	// The widely published HMAC-SHA256 example value.
	assert.Equal(t, "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
		activities.Sign("key", []byte("The quick brown fox jumps over the lazy dog")))
}

func TestDeliveryRetryPolicy(t *testing.T) {
	p := activities.DeliveryRetryPolicy()
	assert.Equal(t, time.Second, p.InitialInterval)
	assert.Equal(t, 2.0, p.BackoffCoefficient)
	assert.Equal(t, time.Hour, p.MaximumInterval)
	assert.Zero(t, p.MaximumAttempts, "unbounded: the workflow's alarm bounds it")
	assert.Contains(t, p.NonRetryableErrorTypes, activities.ErrTypeUnknownPartner)
	assert.Equal(t, 30*time.Second, activities.DeliveryStartToClose)
}
