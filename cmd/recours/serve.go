package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"recours/internal/app"
	"recours/internal/messages"
	"recours/internal/store"
	"recours/workflows"
)

// conn holds the connection flags shared by serve, worker and migrate.
type conn struct {
	databaseURL, dataDir, temporalAddress, namespace string
	// startWait is how long serve and worker wait at start for the
	// database and Temporal.
	startWait time.Duration
}

func (c *conn) databaseFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.databaseURL, "database-url", env("DATABASE_URL", ""), "postgres://… or sqlite:PATH (DATABASE_URL)")
	cmd.Flags().StringVar(&c.dataDir, "data", env("RECOURS_DATA", ""), "data directory of the embedded default, instead of --database-url")
}

func (c *conn) temporalFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.temporalAddress, "temporal-address", env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
	cmd.Flags().StringVar(&c.namespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
}

// startFlags registers how long a long-running process waits at start for
// the database and Temporal.
func (c *conn) startFlags(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&c.startWait, "start-wait", envDuration("RECOURS_START_WAIT", app.DefaultStartWait),
		"how long to wait at start for the database and Temporal, retrying with backoff (RECOURS_START_WAIT)")
}

func (c *conn) dsn() (string, error) {
	dsn := c.databaseURL
	if dsn == "" && c.dataDir != "" {
		dsn = app.DatabaseURL(c.dataDir)
	}
	if dsn == "" {
		return "", errors.New("set DATABASE_URL (or --database-url, or --data for the embedded default)")
	}
	return dsn, nil
}

// withStore runs f on the store c names, closed after it.
func (c *conn) withStore(f func(cmd *cobra.Command, st *store.Store) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		st, err := c.openStore()
		if err != nil {
			return err
		}
		defer st.Close()
		return f(cmd, st)
	}
}

func (c *conn) openStore() (*store.Store, error) {
	dsn, err := c.dsn()
	if err != nil {
		return nil, err
	}
	return store.Open(dsn)
}

// waitForStore opens the store, migrated, waiting for the database.
func (c *conn) waitForStore(ctx context.Context) (*store.Store, error) {
	dsn, err := c.dsn()
	if err != nil {
		return nil, err
	}
	return app.OpenStore(ctx, dsn, c.startWait)
}

// dial connects to Temporal and checks the namespace, waiting for both.
func (c *conn) dial(ctx context.Context) (client.Client, error) {
	return app.Dial(ctx, c.temporalAddress, c.namespace, c.startWait)
}

// trialFlag registers --insecure-trial: a trial without real claimants,
// where what production refuses is only logged.
func trialFlag(cmd *cobra.Command, trial *bool) {
	cmd.Flags().BoolVar(trial, "insecure-trial", envBool("RECOURS_INSECURE_TRIAL"),
		"a trial without real claimants: start despite demo accounts, the demo secret, a non-https PUBLIC_URL or no RECOURS_ACTOR_KEY, logging each loudly (RECOURS_INSECURE_TRIAL)")
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(env(name, ""))
	return b
}

func serveCmd() *cobra.Command {
	var c conn
	var listen, metricsListen, proxies string
	var perIP, perToken float64
	var browser app.BrowserAuth
	var trial bool
	var audit trailConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API (production: beside one or more workers)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if _, err := c.dsn(); err != nil {
				return err
			}
			trailed, err := audit.forServe()
			if err != nil {
				return err
			}
			key, err := app.ActorKeyFromEnv()
			if err != nil {
				return err
			}
			st, err := c.waitForStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			problems, err := app.ProductionProblems(ctx, st, browser, key)
			if err != nil {
				return err
			}
			if err := app.RefuseOrTrial(problems, trial, "serve"); err != nil {
				return err
			}
			stopCheckpoints, err := trailed.start(st)
			if err != nil {
				return err
			}
			defer stopCheckpoints()
			tc, err := c.dial(ctx)
			if err != nil {
				return err
			}
			defer tc.Close()
			srv, err := app.NewAPI(ctx, st, tc, 30*time.Second)
			if err != nil {
				return err
			}
			srv.Cases.ActorKey = key
			srv.Limits.PerIP, srv.Limits.PerToken = rate.Limit(perIP), rate.Limit(perToken)
			srv.Limits.IPBurst, srv.Limits.TokenBurst = int(2*perIP), int(2*perToken)
			if proxies != "" {
				srv.TrustedProxies = strings.Split(proxies, ",")
			}
			pages := app.WebOf(srv)
			if pages.Auth, err = browser.WebConfig(); err != nil {
				return err
			}
			switch {
			case pages.Auth.OIDC == nil:
				slog.Info("no browser sign-in (OIDC_ISSUER unset): API tokens only")
			case browser.SessionKey == "":
				slog.Warn("SESSION_KEY unset: a random key signs the sign-in cookies, so a sign-in must come back to this same API process")
			}
			h := srv.Handler()
			metricsErr := make(chan error, 1)
			if metricsListen != "" {
				ready := make(chan string, 1)
				go func() { metricsErr <- app.Serve(ctx, metricsListen, srv.MetricsHandler(), ready) }()
				select {
				case addr := <-ready:
					slog.Info("metrics listening", "address", addr)
				case err := <-metricsErr:
					return fmt.Errorf("metrics listener: %w", err)
				}
			}
			ready := make(chan string, 1)
			go func() { slog.Info("API listening", "address", <-ready) }()
			apiErr := make(chan error, 1)
			go func() { apiErr <- app.Serve(ctx, listen, h, ready) }()
			select {
			case err := <-apiErr:
				return err
			case err := <-metricsErr:
				if err != nil {
					return fmt.Errorf("metrics listener: %w", err)
				}
				return <-apiErr // stopping: the API drains its requests
			}
		},
	}
	c.databaseFlags(cmd)
	c.temporalFlags(cmd)
	c.startFlags(cmd)
	cmd.Flags().StringVar(&listen, "listen", env("LISTEN_ADDR", "127.0.0.1:8080"), "API address (LISTEN_ADDR)")
	metricsFlag(cmd, &metricsListen, "127.0.0.1:9090")
	cmd.Flags().StringVar(&proxies, "trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated addresses of the TLS-terminating proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES)")
	cmd.Flags().Float64Var(&perIP, "rate-per-ip", envFloat("RATE_PER_IP", 100), "requests per second per client address, 0 for no limit (RATE_PER_IP)")
	cmd.Flags().Float64Var(&perToken, "rate-per-token", envFloat("RATE_PER_TOKEN", 50), "requests per second per token, 0 for no limit (RATE_PER_TOKEN)")
	browserFlags(cmd, &browser)
	trialFlag(cmd, &trial)
	audit.keyFlags(cmd)
	audit.checkpointFlags(cmd, "")
	return cmd
}

// metricsFlag registers --metrics-listen, the address of the API's
// /metrics: a listener of its own, never the public one, on loopback
// unless told otherwise.
func metricsFlag(cmd *cobra.Command, addr *string, def string) {
	cmd.Flags().StringVar(addr, "metrics-listen", env("RECOURS_METRICS_LISTEN", def),
		"address of the API's /metrics (Prometheus), apart from --listen; keep it private; empty for none (RECOURS_METRICS_LISTEN)")
}

func envFloat(name string, def float64) float64 {
	if f, err := strconv.ParseFloat(env(name, ""), 64); err == nil {
		return f
	}
	return def
}

func workerCmd() *cobra.Command {
	var c conn
	var msgs messages.Config
	var listen string
	var trial bool
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the workflows and activities (production: as many as needed)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			// The validators refuse every action the API did not seal.
			key, err := app.ActorKeyFromEnv()
			if err != nil {
				return err
			}
			var problems []string
			if key == nil {
				problems = append(problems, app.ActorKeyEnv+" n'est pas donnée : le worker accepterait une action au nom de n'importe quel agent de quiconque joint le serveur Temporal")
			}
			if err := app.RefuseOrTrial(problems, trial, "worker"); err != nil {
				return err
			}
			workflows.RequireSeals(key)
			st, err := c.waitForStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			tc, err := c.dial(ctx)
			if err != nil {
				return err
			}
			defer tc.Close()
			w, acts := app.NewWorker(tc, st, nil, messages.NewRouter(msgs))
			health := &app.WorkerHealth{Store: st, Temporal: tc, Acts: acts}
			errc := make(chan error, 1)
			if listen != "" {
				ready := make(chan string, 1)
				go func() { errc <- app.Serve(ctx, listen, health.Handler(), ready) }()
				select {
				case addr := <-ready:
					slog.Info("worker health and metrics listening", "address", addr)
				case err := <-errc:
					return err
				}
			}
			if err := w.Start(); err != nil {
				return err
			}
			defer w.Stop()
			health.Running.Store(true)
			slog.Info("worker started", "temporal", c.temporalAddress, "namespace", c.namespace)
			select {
			case <-ctx.Done():
			case err := <-errc:
				return err
			}
			health.Running.Store(false)
			return nil
		},
	}
	c.databaseFlags(cmd)
	c.temporalFlags(cmd)
	c.startFlags(cmd)
	messageFlags(cmd, &msgs, "outbox")
	cmd.Flags().StringVar(&listen, "listen", env("WORKER_LISTEN_ADDR", "127.0.0.1:8090"), "address of the worker's /healthz, /readyz and /metrics, empty for none (WORKER_LISTEN_ADDR)")
	trialFlag(cmd, &trial)
	return cmd
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name, "")); err == nil {
		return d
	}
	return def
}

func migrateCmd() *cobra.Command {
	var c conn
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "schema up to date")
			return nil
		},
	}
	c.databaseFlags(cmd)
	return cmd
}

// browserFlags registers the browser sign-in's flags (OIDC, public URL,
// session key).
func browserFlags(cmd *cobra.Command, b *app.BrowserAuth) {
	cmd.Flags().StringVar(&b.OIDC.Issuer, "oidc-issuer", env("OIDC_ISSUER", ""), "OpenID Connect issuer URL, e.g. ProConnect's; agents sign in there (OIDC_ISSUER)")
	cmd.Flags().StringVar(&b.OIDC.ClientID, "oidc-client-id", env("OIDC_CLIENT_ID", ""), "client id at the OIDC provider (OIDC_CLIENT_ID)")
	cmd.Flags().StringVar(&b.OIDC.ClientSecret, "oidc-client-secret", env("OIDC_CLIENT_SECRET", ""), "client secret at the OIDC provider; prefer the variable (OIDC_CLIENT_SECRET)")
	cmd.Flags().StringVar(&b.OIDC.RedirectURL, "oidc-redirect-url", env("OIDC_REDIRECT_URL", ""), "callback registered at the provider; PUBLIC_URL/auth/callback when unset (OIDC_REDIRECT_URL)")
	cmd.Flags().StringVar(&b.PublicURL, "public-url", env("PUBLIC_URL", ""), "address browsers reach Recours at, https://… in production: Secure cookies, logout return (PUBLIC_URL)")
	cmd.Flags().StringVar(&b.SessionKey, "session-key", env("SESSION_KEY", ""), "key (32+ characters) signing the sign-in cookies, shared by every API process; random per process when unset (SESSION_KEY)")
}
