// Package app wires the parts of Recours into running processes: the
// worker, the API server and, for the embedded default, both beside an
// in-process Temporal server and a SQLite file. The binary (cmd/recours)
// and the end-to-end tests start Recours through it, the same way.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recours/activities"
	"recours/api"
	"recours/internal/auth"
	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/messages"
	"recours/internal/notify"
	"recours/internal/store"
	"recours/web"
	"recours/workflows"
)

// NewWorker registers every workflow and activity on the task queue.
// saved, if not nil, is told of every file saved (an API in this process
// waits on it); msgs sends the messages to claimants. The activities are
// returned too, for the worker's metrics.
func NewWorker(c client.Client, st *store.Store, saved *notify.Hub, msgs messages.Router) (worker.Worker, *activities.Activities) {
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: workflows.ComplaintWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.Mediation, workflow.RegisterOptions{Name: workflows.MediationWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.Overpayment, workflow.RegisterOptions{Name: workflows.OverpaymentWorkflowName})
	acts := &activities.Activities{Store: st, Messages: msgs}
	if saved != nil {
		acts.Saved = saved.Saved
	}
	w.RegisterActivity(acts)
	return w, acts
}

// NewAPI builds the API handler and the web interface it mounts, over one
// service core, its authorizer loaded from the store and reloaded every
// refresh so a grant takes effect without a restart. Until ctx ends, the
// figures of its metrics are read every api.MetricsRefresh.
func NewAPI(ctx context.Context, st *store.Store, c client.Client, refresh time.Duration) (*api.Server, error) {
	az, err := authz.New(ctx, st)
	if err != nil {
		return nil, err
	}
	if refresh > 0 {
		go reloadOnChange(ctx, st, az, refresh)
	}
	svc := &cases.Service{Store: st, Temporal: c, Authz: az}
	limits := httpx.DefaultLimits()
	if !st.SQLite() {
		// Several API processes answer on PostgreSQL: a client's rate is
		// counted across them. The embedded default is one process.
		limits.Shared = st.RateCounter()
	}
	pages := &web.Server{Cases: svc, Store: st, Authz: az, Limits: limits}
	srv := &api.Server{Store: st, Temporal: c, Authz: az, Cases: svc, Limits: limits, Web: pages}
	// The metrics' database-wide figures are read here, in the background,
	// so that a scrape costs no query.
	go srv.KeepMetricsFresh(ctx, api.MetricsRefresh)
	return srv, nil
}

// WebOf is the web interface s mounts (nil when none).
func WebOf(s *api.Server) *web.Server {
	w, _ := s.Web.(*web.Server)
	return w
}

// Serve serves h on addr until ctx ends, then drains for up to 10 s.
// ready, if not nil, receives the bound address once listening.
func Serve(ctx context.Context, addr string, h http.Handler, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// reloadOnChange polls the policy's fingerprint (it moves with every grant
// or revocation, and every change of casbin_rules) every few seconds, and
// reloads the policy when it moved, or every refresh regardless: a role or
// permission change takes effect on every API process without a restart.
func reloadOnChange(ctx context.Context, st *store.Store, az *authz.Authorizer, refresh time.Duration) {
	poll := time.NewTicker(min(refresh, 3*time.Second))
	defer poll.Stop()
	seen, _ := st.PolicyFingerprint(ctx)
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
		v, err := st.PolicyFingerprint(ctx)
		if err != nil || (v == seen && time.Since(last) < refresh) {
			continue
		}
		if err := az.Reload(ctx); err != nil {
			if ctx.Err() == nil {
				slog.Warn("reloading the authorisation policy failed", "err", err)
			}
			continue
		}
		seen, last = v, time.Now()
	}
}

// BrowserAuth is the browser sign-in's configuration: OpenID Connect
// (ProConnect) when OIDC.Issuer is set, or the local demo login.
type BrowserAuth struct {
	// OIDC: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and
	// OIDC_REDIRECT_URL (PUBLIC_URL/auth/callback when unset).
	OIDC auth.Config
	// PublicURL is where browsers reach Recours (PUBLIC_URL).
	PublicURL string
	// SessionKey signs the sign-in cookies (SESSION_KEY, 32 characters or
	// more); empty: random per process, for a single API process.
	SessionKey string
	// LocalLogin offers the local demo login (the embedded default).
	LocalLogin bool
}

// WebConfig checks the configuration and builds the web interface's.
func (b BrowserAuth) WebConfig() (web.AuthConfig, error) {
	cfg := web.AuthConfig{PublicURL: strings.TrimRight(b.PublicURL, "/"), LocalLogin: b.LocalLogin}
	if b.SessionKey != "" {
		if len(b.SessionKey) < 32 {
			return cfg, errors.New("SESSION_KEY: 32 characters at least")
		}
		cfg.SessionKey = []byte(b.SessionKey)
	}
	if b.OIDC.Issuer == "" {
		return cfg, nil
	}
	oc := b.OIDC
	if oc.RedirectURL == "" && cfg.PublicURL != "" {
		oc.RedirectURL = cfg.PublicURL + "/auth/callback"
	}
	client, err := auth.New(oc)
	if err != nil {
		return cfg, err
	}
	cfg.OIDC = client
	return cfg, nil
}

// processActorKey is the key a process that runs both the API and its
// worker (the embedded default) seals and checks actions with: drawn once
// per process, so every embedded instance of the process shares it.
var processActorKey = sync.OnceValue(func() domain.ActorKey {
	key := make(domain.ActorKey, domain.MinActorKey)
	if _, err := rand.Read(key); err != nil {
		panic("app: no randomness for the actor key: " + err.Error())
	}
	return key
})

// ActorKeyEnv names the variable holding the key the API seals actions
// with and the workers check them with (base64, 32 bytes or more).
const ActorKeyEnv = "RECOURS_ACTOR_KEY"

// ActorKeyFromEnv reads the actors' key from ActorKeyEnv: nil when unset.
func ActorKeyFromEnv() (domain.ActorKey, error) {
	v := os.Getenv(ActorKeyEnv)
	if v == "" {
		return nil, nil
	}
	key, err := domain.ParseActorKey(v)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", ActorKeyEnv, err)
	}
	return key, nil
}
