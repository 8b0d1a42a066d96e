package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"golang.org/x/time/rate"

	"recours/api"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/testutil"
	"recours/workflows"
)

// TestAbuse_BurstGets429AndTheServiceStaysUp sends a bounded burst from
// loopback, beyond the per-token limit: the excess gets 429 with
// Retry-After, nothing fails otherwise, and the service still answers.
func TestAbuse_BurstGets429AndTheServiceStaysUp(t *testing.T) {
	r := testutil.Start(t, "")
	r.API.Limits = &httpx.Limits{PerIP: 1000, IPBurst: 1000, PerToken: 5, TokenBurst: 10}
	srv := httptest.NewServer(r.API.Handler())
	defer srv.Close()
	token := r.Token("gca.demo")

	const burst = 60
	var mu sync.Mutex
	codes := map[int]int{}
	retryAfter := ""
	var wg sync.WaitGroup
	for i := 0; i < burst; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cases", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			if resp.StatusCode == http.StatusTooManyRequests {
				retryAfter = resp.Header.Get("Retry-After")
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Equal(t, burst, codes[200]+codes[429], "only 200 or 429: %v", codes)
	assert.GreaterOrEqual(t, codes[429], burst-15, "the burst past the limit is refused: %v", codes)
	assert.GreaterOrEqual(t, codes[200], 10, "the burst allowance is served: %v", codes)
	assert.NotEmpty(t, retryAfter)

	health, err := http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	health.Body.Close()
	assert.Equal(t, 200, health.StatusCode, "the service stays up")
	// Another client is not slowed by the first one's abuse.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+r.Token("manager.demo"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestSecurityHeaders_OnEveryAnswer(t *testing.T) {
	r := testutil.Start(t, "")
	for _, path := range []string{"/healthz", "/api/v1/cases", "/api/v1/nowhere"} {
		resp := r.Do("GET", path, "gca.demo", nil)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), path)
		assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
		assert.Empty(t, resp.Header.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")
	}
	tls := r.Do("GET", "/healthz", "", nil, "X-Forwarded-Proto", "https")
	assert.Contains(t, tls.Header.Get("Strict-Transport-Security"), "max-age=")
}

// TestLogs_HoldNoPersonalDataNorToken runs a file's life with every log
// line captured (the API's, the worker's, Temporal's) and looks in them for
// the claimant's number, name and email, and for the tokens.
func TestLogs_HoldNoPersonalDataNorToken(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(lockedWriter{&mu, io.MultiWriter(&buf, os.Stderr)}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	r := testutil.Start(t, "")
	body := testutil.Complaint("071")
	body["claimant"] = map[string]any{"number": "7310442", "name": "Éléonore Vasseur-Quintin", "email": "eleonore.vq@example.org", "phone": "06 12 34 56 78"}
	created := r.Do("POST", "/api/v1/complaints", "csu.demo", body)
	require.Equal(t, 201, created.Status, string(created.Body))
	id := created.Map(t)["id"].(string)
	r.Do("GET", "/api/v1/cases?q=7310442", "gca.demo", nil)
	r.Do("POST", "/api/v1/cases/"+id+"/actions/assign", "manager.demo", map[string]any{"assignee": "gca.demo"})
	r.Do("POST", "/api/v1/cases/"+id+"/actions/close", "gca.demo", map[string]any{}) // refused: logged as such
	r.Do("GET", "/api/v1/cases/"+id, "auditor.demo", nil)
	r.Do("GET", "/api/v1/cases", "", nil, "Authorization", "Bearer rct_not-a-real-token-but-secret-looking")
	r.Stop()

	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	require.NotEmpty(t, logs, "the run logged something")
	for _, secret := range []string{"7310442", "Vasseur", "Éléonore", "eleonore.vq", "06 12 34 56 78",
		r.Token("csu.demo"), r.Token("gca.demo"), r.Token("manager.demo"), "rct_not-a-real-token"} {
		assert.False(t, strings.Contains(logs, secret), "the logs hold %q", secret)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRateLimit_PaddedTokenGetsNoBucketOfItsOwn: the limit is keyed on the
// token as authentication reads it (trimmed), so padding the header with
// spaces gives no request a fresh bucket.
func TestRateLimit_PaddedTokenGetsNoBucketOfItsOwn(t *testing.T) {
	r := testutil.Start(t, "")
	r.API.Limits = &httpx.Limits{PerIP: 1000, IPBurst: 1000, PerToken: 0.01, TokenBurst: 3}
	srv := httptest.NewServer(r.API.Handler())
	defer srv.Close()
	token := r.Token("gca.demo")
	codes := map[int]int{}
	for i := range 12 {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cases", nil)
		req.Header.Set("Authorization", "Bearer "+strings.Repeat(" ", i)+token+strings.Repeat(" ", i%3))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	assert.Equal(t, map[int]int{200: 3, 429: 9}, codes, "one bucket for the token however it is padded")
}

// TestRateLimit_SharedAcrossAPIProcesses: two API processes over one
// PostgreSQL database share a client's window: each alone would let 8
// requests through its own bucket, together they let through the
// window's 10, then answer 429 with the time left in the window.
func TestRateLimit_SharedAcrossAPIProcesses(t *testing.T) {
	r := testutil.Start(t, testutil.PostgresURL(t))
	const window = time.Hour
	if left := time.Until(time.Now().Truncate(window).Add(window)); left < 30*time.Second {
		time.Sleep(left + time.Second) // all requests in one window
	}
	limits := func() *httpx.Limits {
		return &httpx.Limits{PerIP: 1000, IPBurst: 1000, PerToken: rate.Limit(10 / window.Seconds()), TokenBurst: 8,
			Window: window, Shared: r.API.Store.RateCounter()}
	}
	first := httptest.NewServer((&api.Server{Store: r.API.Store, Temporal: r.API.Temporal, Authz: r.API.Authz, Limits: limits()}).Handler())
	defer first.Close()
	second := httptest.NewServer((&api.Server{Store: r.API.Store, Temporal: r.API.Temporal, Authz: r.API.Authz, Limits: limits()}).Handler())
	defer second.Close()
	token := r.Token("gca.demo")
	codes := map[int]int{}
	retryAfter := 0
	for i := range 16 {
		base := first.URL
		if i%2 == 1 {
			base = second.URL
		}
		req, _ := http.NewRequest("GET", base+"/api/v1/cases", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests {
			retryAfter, _ = strconv.Atoi(resp.Header.Get("Retry-After"))
		}
	}
	assert.Equal(t, map[int]int{200: 10, 429: 6}, codes, "the window is shared by both processes")
	assert.Greater(t, retryAfter, 0)
	assert.LessOrEqual(t, retryAfter, int(window.Seconds()), "until the window ends")
	// Another client has its own window.
	req, _ := http.NewRequest("GET", first.URL+"/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+r.Token("manager.demo"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestActorSeal_ForgedActionRefusedByTheWorker: an update sent straight
// to the Temporal frontend in an agent's name, without the API's seal or
// with a seal of another request, is refused by the workflow's validator
// and changes nothing; the same action through the API is done.
func TestActorSeal_ForgedActionRefusedByTheWorker(t *testing.T) {
	r := testutil.Start(t, "")
	ctx := context.Background()
	id := createFile(t, r, "071")
	wid := workflows.WorkflowID(domain.KindComplaint, id)
	actor := domain.Actor{Login: "manager.demo", Roles: []domain.Role{domain.RoleManager}}
	sealed := workflows.ActionRequest{Actor: actor, Args: domain.ActionArgs{Assignee: "gca.demo"}}
	sealed.Seal = r.API.Cases.ActorKey.Seal(wid, "other-update", "assign", sealed.Actor, sealed.Args)
	for name, req := range map[string]workflows.ActionRequest{
		"no seal":                  {Actor: actor, Args: domain.ActionArgs{Assignee: "gca.demo"}},
		"a seal of another update": sealed,
	} {
		h, err := r.API.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: wid, UpdateID: "forged-" + name, UpdateName: "assign",
			WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{req},
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "signature de l'acteur", name)
	}
	assert.Equal(t, "open", r.Do("GET", "/api/v1/cases/"+id, "manager.demo", nil).Map(t)["status"], "nothing done")
	done := r.Do("POST", "/api/v1/cases/"+id+"/actions/assign", "manager.demo", map[string]any{"assignee": "gca.demo"})
	assert.Equal(t, http.StatusOK, done.Status, "%s", done.Body)
}
