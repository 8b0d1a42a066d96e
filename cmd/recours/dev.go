package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"recours/internal/app"
	"recours/internal/demo"
	"recours/internal/messages"
)

func devCmd() *cobra.Command {
	var dataDir, listen, metricsListen string
	var temporalPort int
	var browser app.BrowserAuth
	var seedDemo bool
	var msgs messages.Config
	var audit trailConfig
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: embedded Temporal, SQLite, worker and API",
		Long: `Runs the embedded default: an in-process Temporal server persisted to
DIR/temporal.db, the app database DIR/recours.db, the worker and the API.
It seeds the Cafs 071, 074, 042 and 043 and one demo user per role. Stop it
and start it again: every file and every running deadline is still there.
The access trail is signed with DIR/audit.key (made once) and checkpointed
to DIR/audit-checkpoints.jsonl, unless told otherwise.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			key, err := audit.key()
			if err != nil {
				return err
			}
			e, err := app.StartEmbedded(ctx, app.EmbeddedConfig{DataDir: dataDir, TemporalPort: temporalPort, Auth: browser, Messages: msgs,
				Trail: app.TrailConfig{Key: key, Checkpoints: audit.checkpoints, Interval: audit.interval}})
			if err != nil {
				return err
			}
			defer e.Close()
			ready := make(chan string, 1)
			go func() {
				addr := <-ready
				abs, _ := filepath.Abs(dataDir)
				self := "recours"
				if exe, err := os.Executable(); err == nil {
					self = exe
				}
				signIn := "local demo login, no ProConnect"
				if e.Web.Auth.OIDC != nil {
					signIn = "OpenID Connect at " + e.Web.Auth.OIDC.Issuer()
				}
				fmt.Fprintf(os.Stdout, `
Recours is running (embedded default).
  API:       http://%s/api/v1/cases
  Temporal:  %s (namespace %s)
  Data:      %s

Get a token for a demo user (csu.demo, gca.demo, manager.demo, mediator.demo,
ddd.demo, auditor.demo, admin.demo):
  TOKEN=$(%s token create --data %s --user gca.demo)
  curl -H "Authorization: Bearer $TOKEN" http://%s/api/v1/cases

Sign in from a browser: http://%s/auth/login (%s)

Stop with Ctrl-C.
`, addr, e.Temporal.HostPort(), e.Temporal.Namespace(), abs, self, strconv.Quote(abs), addr, addr, signIn)
			}()
			h := e.API.Handler()
			if seedDemo {
				if _, err := demo.Seed(ctx, e.Store, h, demo.Options{}); err != nil {
					return err
				}
			}
			if metricsListen != "" {
				metricsReady := make(chan string, 1)
				metricsErr := make(chan error, 1)
				go func() { metricsErr <- app.Serve(ctx, metricsListen, e.API.MetricsHandler(), metricsReady) }()
				select {
				case addr := <-metricsReady:
					slog.Info("metrics listening", "address", addr)
				case err := <-metricsErr:
					return fmt.Errorf("metrics listener: %w", err)
				}
			}
			err = app.Serve(ctx, listen, h, ready)
			slog.Info("stopped")
			return err
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", env("RECOURS_DATA", ".recours"), "data directory (RECOURS_DATA)")
	cmd.Flags().StringVar(&listen, "listen", env("LISTEN_ADDR", "127.0.0.1:8080"), "API address (LISTEN_ADDR)")
	// None by default: a second dev, or a Prometheus on its usual 9090,
	// would find the port taken.
	metricsFlag(cmd, &metricsListen, "")
	messageFlags(cmd, &msgs, "") // the outbox is DIR/outbox
	cmd.Flags().IntVar(&temporalPort, "temporal-port", envInt("TEMPORAL_PORT", 7233), "embedded Temporal frontend port, 0 for any free port (TEMPORAL_PORT)")
	cmd.Flags().BoolVar(&seedDemo, "demo", false, "seed the demonstration workload of Caf 071 (a year of history, live files at every stage), once")
	browserFlags(cmd, &browser)
	audit.keyFlags(cmd)
	audit.checkpointFlags(cmd, "; DIR/audit-checkpoints.jsonl when unset")
	return cmd
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(env(name, "")); err == nil {
		return n
	}
	return def
}
